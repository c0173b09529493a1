//! `cargo xtask sim FILE [--set path=value ...] [--json] [--trace FILE]`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use scheduler::Recorder;
use serde::Serialize;
use workloads::{Experiment, Summary};

/// Options of `cargo xtask sim`.
#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (YAML).
    file: PathBuf,
    /// Override a field: `--set machine.cores=4 --set gil.switch_interval=1ms`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
    /// Print one JSON object (the documented summary) instead of tables.
    #[arg(long)]
    json: bool,
    /// Write the run's trace (intervals per thread and core) as JSON.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// Record the trace only in this window, like `0ms..20ms`.
    #[arg(long, value_name = "FROM..TO", requires = "trace")]
    window: Option<String>,
}

/// A sweep's JSON: every point with the values set for it.
#[derive(Serialize)]
struct SweepJson<'a> {
    schema: &'static str,
    file: String,
    parameters: Vec<&'a str>,
    points: Vec<SweepPoint>,
}

#[derive(Serialize)]
struct SweepPoint {
    set: serde_json::Map<String, serde_json::Value>,
    result: Summary,
}

#[allow(clippy::print_stdout)]
pub fn run(args: &Args) -> Result<()> {
    let name = args.file.display().to_string();
    let source = std::fs::read_to_string(&args.file).with_context(|| format!("cannot read {name}"))?;
    let mut exp = Experiment::parse(&name, &source)?;
    for set in &args.sets {
        exp.set(set)?;
    }
    let points = exp.points()?;
    if args.trace.is_some() && points.len() > 1 {
        bail!("--trace records a single run, but {name} sweeps {} runs: fix the sweep values with --set", points.len());
    }
    let bar = if points.len() > 1 {
        let bar = ProgressBar::new(points.len() as u64);
        bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {elapsed}").expect("valid template"));
        bar
    } else {
        ProgressBar::hidden()
    };
    let results = if let Some(path) = &args.trace {
        let mut rec = match &args.window {
            Some(w) => {
                let (a, b) = parse_window(w)?;
                Recorder::window(a, b)
            }
            None => Recorder::new(),
        };
        let res = scheduler::simulate_traced(&points[0].compiled.scenario, &mut rec);
        let trace = rec.into_trace();
        let json = serde_json::to_string(&trace)?;
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
        vec![res]
    } else {
        workloads::run_points(&points, &|| bar.inc(1))
    };
    bar.finish_and_clear();
    let mut summaries = Vec::new();
    for (point, res) in points.iter().zip(results) {
        let res = res.map_err(|e| {
            let at = if point.set.is_empty() { String::new() } else { format!(" ({})", point.label()) };
            anyhow::anyhow!("{name}{at}: {e}")
        })?;
        summaries.push(workloads::summary(&point.compiled, &res));
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        if !exp.is_sweep() {
            serde_json::to_writer(&mut out, &summaries[0])?;
        } else {
            let sweep = SweepJson {
                schema: "gil-lab.sweep/1",
                file: name,
                parameters: points.first().map(|p| p.set.iter().map(|s| s.path.as_str()).collect()).unwrap_or_default(),
                points: points
                    .iter()
                    .zip(summaries)
                    .map(|(p, result)| SweepPoint {
                        set: p.set.iter().map(|s| (s.path.clone(), yaml_to_json(&s.value))).collect(),
                        result,
                    })
                    .collect(),
            };
            serde_json::to_writer(&mut out, &sweep)?;
        }
        writeln!(out)?;
    } else if !exp.is_sweep() {
        write!(out, "{}", report::text::summary(&name, &summaries[0]))?;
    } else {
        let labels: Vec<Vec<(String, String)>> = points
            .iter()
            .map(|p| p.set.iter().map(|s| (s.path.clone(), workloads::sweep::show(&s.value))).collect())
            .collect();
        write!(out, "{}", report::text::sweep(&name, &labels, &summaries))?;
    }
    Ok(())
}

fn parse_window(w: &str) -> Result<(u64, u64)> {
    let Some((a, b)) = w.split_once("..") else { bail!("--window {w}: write FROM..TO, like 0ms..20ms") };
    let a = workloads::duration::parse_duration(a).map_err(|e| anyhow::anyhow!("--window {w}: {e}"))?;
    let b = workloads::duration::parse_duration(b).map_err(|e| anyhow::anyhow!("--window {w}: {e}"))?;
    if b.0 <= a.0 {
        bail!("--window {w}: the end must come after the start");
    }
    Ok((a.0, b.0))
}

fn yaml_to_json(v: &serde_yaml::Value) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}
