//! An experiment definition over a scenario's sweep: run it, then derive
//! its named values and a chart, as the notes do:
//! `cargo run -p experiments --example values`.
#![allow(missing_docs, clippy::print_stdout)]
use experiments::{ExperimentData, ExperimentDef, Lang, PointData, Results, Source};

const SCENARIO: &str = "
machine: {cores: 2}
threads:
  - {name: w, count: 2, program: [{python: 100ms}]}
sweep:
  machine.cores: [1, 2]
";

const DEFINITION: &str = "
title: {en: Two threads on one and two cores, ko: 코어 한 개와 두 개의 두 스레드}
description: Two CPU-bound threads under the new GIL.
scenario: inline.yaml
values:
  one: {metric: makespan_s, where: {machine.cores: 1}, scale: 1000}
  two: {metric: makespan_s, where: {machine.cores: 2}, scale: 1000}
  ratio: {expr: two / one}
charts:
  - id: time
    kind: bars
    title: {en: Time by cores, ko: 코어 수별 시간}
    x: {param: machine.cores, label: cores}
    y: {metric: makespan_s, label: {en: time (s), ko: 시간 (s)}}
";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let file = workloads::ScenarioFile::parse("inline.yaml", SCENARIO)?;
    let points = file.points()?;
    let mut data = ExperimentData { points: Vec::new(), trace: None, traces: Vec::new() };
    for (point, res) in points.iter().zip(workloads::run_points(&points, &|| {})) {
        let summary = serde_json::to_value(workloads::summary(&point.compiled, &res?))?;
        data.points.push(PointData::new(point, summary));
    }
    let def: ExperimentDef = serde_yaml::from_str(DEFINITION)?;
    let results = Results { id: "demo", def: &def, data: &data };
    for (name, v) in results.values()? {
        println!("{name} = {}", experiments::format::number(v, &experiments::format::Spec::Sig(3), Lang::En));
    }
    let (chart, table) = results.chart("time", Lang::Ko)?;
    println!("{}: {} rows, {} bytes of SVG", chart.title, table.1.len(), charts::svg(&chart).len());
    Ok(())
}
