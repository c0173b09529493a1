//! Unit tests of values, metric paths and charts.

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
    ExperimentData { points: vec![point(1, 1, 1.0), point(2, 1, 1.0), point(1, 2, 1.0), point(2, 2, 0.5)], trace: None }
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
