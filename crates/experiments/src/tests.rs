//! Unit tests of values, metric paths and charts.

use crate::explore;
use crate::*;
use charts::Plot;

fn point(threads: u32, cores: u32, makespan: f64) -> PointData {
    PointData {
        set: vec![("threads".into(), threads.into()), ("machine.cores".into(), cores.into())],
        summary: serde_json::json!({
            "makespan_s": makespan,
            "threads": [{"name": "echo", "gil_wait_s": makespan / 2.0}],
            "server": null,
        }),
    }
}

fn data() -> ExperimentData {
    ExperimentData {
        points: vec![point(1, 1, 1.0), point(2, 1, 1.0), point(1, 2, 1.0), point(2, 2, 0.5)],
        trace: None,
        traces: Vec::new(),
    }
}

fn def(yaml: &str) -> ExperimentDef {
    serde_yaml::from_str(&format!("title: T\ndescription: D\nscenario: s.yaml\n{yaml}")).unwrap()
}

#[test]
fn metric_paths_select_by_name_and_index() {
    let s = &data().points[3].summary;
    assert_eq!(metric(s, "makespan_s"), Ok(0.5));
    assert_eq!(metric(s, "threads[echo].gil_wait_s"), Ok(0.25));
    assert_eq!(metric(s, "threads[0].gil_wait_s"), Ok(0.25));
    assert!(metric(s, "threads[nobody].cpu_s").unwrap_err().contains("no element named `nobody`"));
    assert!(metric(s, "server.completed").unwrap_err().contains("null"));
}

#[test]
fn values_pick_one_run_and_compute_expressions() {
    let d = def("values:\n  one: {metric: makespan_s, where: {threads: 2, machine.cores: 2}, scale: 1000}\n  \
             base: {metric: makespan_s, where: {threads: 1, machine.cores: 2}, scale: 1000}\n  \
             speedup: {expr: base / one}\n");
    let v = values(&d, &data()).unwrap();
    assert_eq!((v["one"], v["speedup"]), (500.0, 2.0));
    let d = def("values:\n  many: {metric: makespan_s, where: {threads: 2}}\n");
    assert!(values(&d, &data()).unwrap_err().message.contains("2 points have threads = 2"));
    let d = def("values:\n  a: {expr: b}\n  b: {expr: a}\n");
    assert!(values(&d, &data()).unwrap_err().message.contains("itself"));
}

#[test]
fn speedup_axes_divide_by_the_matching_baseline() {
    let d = def("charts:\n  - id: s\n    kind: line\n    title: S\n    x: {param: threads, label: threads}\n    \
             y: {metric: makespan_s, speedup_vs: {threads: 1}, label: speed-up}\n    \
             series: {param: machine.cores, label: '{} cores'}\n");
    let (chart, table) = build_chart(&d, "e", 0, &data(), Lang::En).unwrap();
    let Plot::Line { series, .. } = chart.plot else { panic!("a line chart") };
    assert_eq!(series[0].points, [(1.0, 1.0), (2.0, 1.0)]);
    assert_eq!(series[1].points, [(1.0, 1.0), (2.0, 2.0)]);
    assert_eq!(series[1].label, "2 cores");
    assert_eq!(table.1.len(), 4);
    // No baseline for a run: a clear error at the axis.
    let mut partial = data();
    partial.points.remove(2);
    let e = build_chart(&d, "e", 0, &partial, Lang::En).unwrap_err();
    assert_eq!(e.path, "charts[0].y.speedup_vs");
    assert!(e.message.contains("no baseline run with threads = 1"), "{e}");
}

fn explore_data() -> ExperimentData {
    // A sweep of the switch interval (given in falling order) and two cases.
    let mut points = Vec::new();
    for label in ["alone", "busy"] {
        for (i, interval) in ["10ms", "1ms", "100us"].iter().enumerate() {
            let trip = if label == "alone" { 0.03 } else { [15.0, 1.5, 0.2][i] };
            points.push(PointData {
                set: vec![("gil.switch_interval".into(), (*interval).into()), ("label".into(), label.into())],
                summary: serde_json::json!({"threads": [{"name": "echo", "finished_s": trip}], "server": null}),
            });
        }
    }
    ExperimentData { points, trace: None, traces: Vec::new() }
}

/// Strings as the YAML values a sweep sets.
fn yaml(strings: &[&str]) -> Vec<serde_yaml::Value> {
    strings.iter().map(|s| serde_yaml::Value::from(*s)).collect()
}

const EXPLORE: &str = "explore:\n  - id: fig\n    title: F\n    controls:\n      \
    - {param: gil.switch_interval, label: interval}\n      - {param: label, label: load}\n    \
    default: {label: busy, gil.switch_interval: 1ms}\n    values:\n      \
    - {id: trip, label: trip (s), metric: \"threads[echo].finished_s\", format: .2}\n      \
    - {id: ms, hidden: true, param: gil.switch_interval, scale: 1000}\n      \
    - {id: per, label: intervals, expr: trip * 1000 / ms}\n      \
    - {id: alone, label: alone, metric: \"threads[echo].finished_s\", where: {label: alone}}\n    \
    charts:\n      - id: bars\n        kind: bars\n        title: B\n        x: {param: label, label: load}\n        \
    y: {metric: \"threads[echo].finished_s\", label: s}\n";

#[test]
fn explorable_figures_offer_every_combination_of_their_controls() {
    let d = def(EXPLORE);
    let settings: Vec<Vec<(String, serde_yaml::Value)>> = explore_data().points.iter().map(|p| p.set.clone()).collect();
    let lay = explore::layout(&d, 0, &settings).unwrap();
    // A slider runs from the smallest value up; a select keeps the sweep's order.
    assert_eq!(lay.controls[0].kind, ControlKind::Slider);
    assert_eq!(lay.controls[0].values, yaml(&["100us", "1ms", "10ms"]));
    assert_eq!(lay.controls[1].kind, ControlKind::Select);
    assert_eq!(lay.controls[1].values, yaml(&["alone", "busy"]));
    // The first control varies slowest.
    assert_eq!(lay.variants.len(), 6);
    assert_eq!(lay.variants[1].at, [0, 1]);
    assert_eq!(lay.variants[lay.default].at, [1, 1]);
    let fig = explore::build(&d, "e", 0, &explore_data(), Lang::En).unwrap();
    assert_eq!(fig.controls[0].values, ["100 µs", "1 ms", "10 ms"]);
    // Hidden values are computed, not shown; a value's own `where` has the last word.
    assert_eq!(fig.values.iter().map(|v| v.0.as_str()).collect::<Vec<_>>(), ["trip (s)", "intervals", "alone"]);
    let busy_1ms = &fig.variants[3].values;
    assert_eq!(busy_1ms[0], 1.5);
    assert!((busy_1ms[1] - 1500.0).abs() < 1e-9, "{busy_1ms:?}");
    assert_eq!(busy_1ms[2], 0.03);
    // Every variant's chart shares one value axis.
    let fits: Vec<charts::Fit> = fig.variants.iter().map(|v| v.charts[0].0.fit).collect();
    assert!(fits.iter().all(|f| f.y == Some((0.03, 15.0))), "{fits:?}");
    let Plot::Bars { categories, groups, .. } = &fig.variants[3].charts[0].0.plot else { panic!("bars") };
    assert_eq!((categories.len(), groups[0].1.clone()), (1, vec![1.5]));
}

#[test]
fn explorable_figures_fail_at_the_field_at_fault() {
    let settings: Vec<Vec<(String, serde_yaml::Value)>> = explore_data().points.iter().map(|p| p.set.clone()).collect();
    let bad = |from: &str, to: &str| {
        let d = def(&EXPLORE.replacen(from, to, 1));
        explore::layout(&d, 0, &settings)
            .and_then(|_| explore::build(&d, "e", 0, &explore_data(), Lang::En).map(|_| ()))
            .unwrap_err()
    };
    let e = bad("param: label, label: load", "param: machine.cores, label: cores");
    assert_eq!(e.path, "explore[0].controls[1].param");
    assert!(e.message.contains("not set by the experiment's cases or sweep"), "{e}");
    let e = bad("label: interval}", "label: interval}\n      - {param: gil.switch_interval, label: again}");
    assert_eq!(e.path, "explore[0].controls[1]");
    assert!(e.message.contains("fixed by the figure's `where` or by another control"), "{e}");
    let e = bad("param: label, label: load}", "param: label, label: load, kind: slider}");
    assert_eq!(e.path, "explore[0].controls[1].kind");
    let e = bad("default: {label: busy, gil.switch_interval: 1ms}", "default: {label: busy, gil.switch_interval: 2ms}");
    assert_eq!(e.path, "explore[0].default");
    let e = bad("format: .2", "format: .x");
    assert_eq!(e.path, "explore[0].values[0].format");
    let e = bad("expr: trip * 1000 / ms", "expr: trip / nothing");
    assert!(e.message.contains("no value named `nothing`"), "{e}");
    let e = bad("    values:", "    trace: {window: 0ms..20ms, where: {seed: 3}}\n    values:");
    assert_eq!(e.path, "explore[0].trace.where");
}

#[test]
fn labels_and_selections_match_setting_values_by_what_they_are() {
    let mut d = data();
    for (p, model) in d.points.iter_mut().zip(["new", "none", "new", "none"]) {
        p.set.push(("gil".into(), serde_yaml::from_str(&format!("{{model: {model}, overhead: 0.1}}")).unwrap()));
    }
    // A mapping selects whatever its key order; a label's key is the value
    // itself, a number or a mapping, not how it prints.
    let d2 = def("labels:\n  2: two cores\n  {overhead: 0.1, model: none}: free-threaded\n  \"1\": never used\n\
             charts:\n  - id: b\n    kind: bars\n    title: B\n    where: {gil: {overhead: 0.1, model: none}}\n    \
             x: {param: machine.cores, label: cores}\n    y: {metric: makespan_s, label: s}\n    \
             series: {param: gil, label: '{}'}\n");
    let (chart, table) = build_chart(&d2, "e", 0, &d, Lang::En).unwrap();
    let Plot::Bars { categories, groups, .. } = chart.plot else { panic!("a bar chart") };
    assert_eq!(categories, ["1", "two cores"]);
    assert_eq!(groups[0].0, "free-threaded");
    assert_eq!(table.1.len(), 2);
    // A quoted "2" is a string: it selects nothing where the sweep set 2.
    let d3 = def("values:\n  v: {metric: makespan_s, where: {threads: \"2\", machine.cores: 2}}\n");
    assert!(values(&d3, &d).unwrap_err().message.contains("no point has"));
}
