//! Unit tests of values, metric paths and charts.

use crate::*;
use charts::Plot;

fn point(threads: u32, cores: u32, makespan: f64) -> PointData {
    PointData {
        set: vec![("threads".into(), threads.to_string()), ("machine.cores".into(), cores.to_string())],
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
