//! A scenario file with a sweep, parsed, compiled, run and summarised:
//! `cargo run -p workloads --example sweep`.
#![allow(missing_docs, clippy::print_stdout)]

const FILE: &str = "
machine: {cores: 2}
gil: {model: new, switch_interval: 5ms}
threads:
  - {name: spinner, program: [{python: forever}]}
  - {name: echo, program: [{repeat: 100, body: [{io: 20us}, {python: 10us}]}]}
stop_when: [echo]
sweep:
  gil.switch_interval: [5ms, 1ms, 100us]
";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let file = workloads::ScenarioFile::parse("convoy.yaml", FILE)?;
    let points = file.points()?;
    for (point, res) in points.iter().zip(workloads::run_points(&points, &|| {})) {
        let summary = workloads::summary(&point.compiled, &res?);
        let echo = summary.threads.iter().find(|t| t.name == "echo").and_then(|t| t.finished_s).unwrap_or(0.0);
        println!("{}: 100 round trips in {:.1} ms", point.label(), echo * 1e3);
    }
    Ok(())
}
