//! `cargo xtask sim FILE [--set path=value ...] [--json] [--trace FILE]`.
//!
//! Every limit on what a file may ask for (`docs/limits.md`) is checked
//! before the runs start; the ones a user may legitimately need more of
//! have a flag. The trace file is opened before the run, so a bad path
//! fails at once.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};
use scheduler::{Recorder, SimError};
use serde::Serialize;
use workloads::{Limits, ScenarioFile, Summary};

/// Spans and marks a `--trace` may hold unless `--max-trace-events` says
/// otherwise (about 100 MB of JSON).
pub const DEFAULT_MAX_TRACE_EVENTS: u64 = 1_000_000;

/// Reads a text file of at most `max_bytes` bytes: a larger file is refused
/// before it is read whole, and invalid UTF-8 is reported at its line and
/// column.
pub fn read_text(path: &Path, max_bytes: usize) -> Result<String> {
    let name = path.display();
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {name}"))?;
    let mut bytes = Vec::new();
    file.take(max_bytes as u64 + 1).read_to_end(&mut bytes).with_context(|| format!("cannot read {name}"))?;
    let text = workloads::limits::utf8(&bytes, max_bytes)
        .map_err(|e| anyhow!("{name}:{}:{}: {}", e.line, e.column, e.message))?;
    Ok(text.to_owned())
}

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
    /// The trace's format: `gil-lab` (intervals per thread and core, as
    /// documented) or `chrome` (Chrome's trace-event format, for Perfetto
    /// and chrome://tracing).
    #[arg(long, value_name = "FORMAT", default_value = "gil-lab", requires = "trace")]
    trace_format: TraceFormat,
    /// Record the trace only in this window, like `0ms..20ms`.
    #[arg(long, value_name = "FROM..TO", requires = "trace")]
    window: Option<String>,
    /// Most threads in one run, and most cores, processes, interpreters,
    /// clients and asyncio tasks, each [default: 10000; at most 1000000].
    #[arg(long, value_name = "N")]
    max_threads: Option<u64>,
    /// Most program steps of all runs together, once counts are expanded
    /// [default: 1000000].
    #[arg(long, value_name = "N")]
    max_steps: Option<u64>,
    /// Most runs in a sweep [default: 10000].
    #[arg(long, value_name = "N")]
    max_points: Option<u64>,
    /// Most events of one run; a file's `max_events` may only lower it
    /// [default: 200000000].
    #[arg(long, value_name = "N")]
    max_events: Option<u64>,
    /// Most spans and marks `--trace` records before the run stops with an
    /// error [default: 1000000].
    #[arg(long, value_name = "N", requires = "trace")]
    max_trace_events: Option<u64>,
}

impl Args {
    /// The default limits, with the flags' changes.
    fn limits(&self) -> Result<Limits> {
        let mut l = Limits::default();
        if let Some(n) = self.max_threads {
            if n > workloads::limits::HARD_MAX_THREADS {
                bail!(
                    "--max-threads {n}: the simulator holds at most {} of each kind of object",
                    workloads::limits::HARD_MAX_THREADS
                );
            }
            l.max_threads = n;
        }
        l.max_steps = self.max_steps.unwrap_or(l.max_steps);
        l.max_points = self.max_points.unwrap_or(l.max_points);
        l.max_events = self.max_events.unwrap_or(l.max_events);
        for (flag, n) in [
            ("--max-threads", l.max_threads),
            ("--max-steps", l.max_steps),
            ("--max-points", l.max_points),
            ("--max-events", l.max_events),
            ("--max-trace-events", self.max_trace_events.unwrap_or(1)),
        ] {
            if n == 0 {
                bail!("{flag} 0: a limit must be at least 1");
            }
        }
        Ok(l)
    }
}

/// How `--trace` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum TraceFormat {
    /// Intervals per thread and core, and marks.
    #[value(name = "gil-lab")]
    GilLab,
    /// Chrome's trace-event format.
    Chrome,
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

/// The trace file, opened before the run so that an unwritable path fails
/// at once; if the run then fails, a file it created is removed again.
struct TraceOut {
    path: PathBuf,
    file: std::fs::File,
    created: bool,
}

impl TraceOut {
    fn open(path: &Path) -> Result<TraceOut> {
        let name = path.display();
        if path.is_dir() {
            bail!("--trace {name}: this is a directory; give a file name");
        }
        let created = !path.exists();
        // Not truncated yet: a failed run leaves an existing trace as it was.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .with_context(|| format!("--trace {name}: cannot write this file"))?;
        Ok(TraceOut { path: path.to_owned(), file, created })
    }

    /// Writes the trace over whatever the file held.
    fn write(self, recorded: &Recorded, format: TraceFormat) -> Result<()> {
        let name = self.path.display();
        // Only a regular file has a length to cut (`/dev/null` and pipes do not).
        if self.file.metadata().is_ok_and(|m| m.is_file()) {
            self.file.set_len(0).with_context(|| format!("cannot write {name}"))?;
        }
        let mut out = std::io::BufWriter::new(&self.file);
        match format {
            TraceFormat::GilLab => serde_json::to_writer(&mut out, &recorded.trace),
            TraceFormat::Chrome => serde_json::to_writer(&mut out, &experiments::chrome::chrome_trace(recorded)),
        }
        .with_context(|| format!("cannot write {name}"))?;
        out.flush().with_context(|| format!("cannot write {name}"))?;
        Ok(())
    }

    /// The run failed: remove the file if the run's `open` made it.
    fn abandon(self) {
        if self.created {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// `cargo xtask sim`.
pub fn run(args: &Args) -> Result<()> {
    let limits = args.limits()?;
    let window = args.window.as_deref().map(parse_window).transpose()?;
    // Checked before the run: a bad trace path must not cost a long run.
    let trace_out = args.trace.as_deref().map(TraceOut::open).transpose()?;
    let res = simulate_and_report(args, limits, window);
    match (res, trace_out) {
        (Ok(Some(recorded)), Some(out)) => out.write(&recorded, args.trace_format),
        (Ok(_), _) => Ok(()),
        (Err(e), out) => {
            if let Some(out) = out {
                out.abandon();
            }
            Err(e)
        }
    }
}

/// A recorded trace with its run's threads, processes and GILs.
type Recorded = experiments::TracedPoint;

/// Loads, runs and prints; returns the trace if one was recorded.
#[allow(clippy::print_stdout)]
fn simulate_and_report(args: &Args, limits: Limits, window: Option<(u64, u64)>) -> Result<Option<Recorded>> {
    let name = args.file.display().to_string();
    let source = read_text(&args.file, limits.max_file_bytes)?;
    let mut file = ScenarioFile::parse_with(&name, &source, limits)?;
    for set in &args.sets {
        file.set(set)?;
    }
    if args.trace.is_some() && file.point_count() > 1 {
        bail!(
            "--trace records a single run, but {name} sweeps {} runs: fix the sweep values with --set",
            file.point_count()
        );
    }
    let points = file.points()?;
    let bar = if points.len() > 1 {
        let bar = ProgressBar::new(points.len() as u64);
        bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {elapsed}").expect("valid template"));
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut recorded = None;
    let results = if args.trace.is_some() {
        let max = args.max_trace_events.unwrap_or(DEFAULT_MAX_TRACE_EVENTS);
        let (from, to) = window.unwrap_or((0, u64::MAX));
        let mut rec = Recorder::window(from, to).with_limit(max);
        let res = scheduler::simulate_traced(&points[0].compiled.scenario, &mut rec);
        if let Err(SimError::TraceFull { at_ns }) = res {
            bail!(
                "{name}: the trace reached {max} spans and marks at {:.6} s of simulated time: record a shorter --window, or raise --max-trace-events",
                at_ns as f64 * 1e-9
            );
        }
        let res = res.map_err(|e| file.run_error(&points[0], &e))?;
        let trace = rec.into_trace();
        let to = to.min(trace.end_ns.max(from));
        recorded = Some(experiments::TracedPoint::new(&points[0].compiled.scenario, from, to, trace));
        vec![Ok(res)]
    } else {
        workloads::run_points(&points, &|| bar.inc(1))
    };
    bar.finish_and_clear();
    let mut summaries = Vec::new();
    for (point, res) in points.iter().zip(results) {
        let res = res.map_err(|e| file.run_error(point, &e))?;
        summaries.push(workloads::summary(&point.compiled, &res));
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        if !file.is_sweep() {
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
    } else if !file.is_sweep() {
        write!(out, "{}", report::text::summary(&name, &summaries[0]))?;
    } else {
        let labels: Vec<Vec<(String, String)>> = points
            .iter()
            .map(|p| p.set.iter().map(|s| (s.path.clone(), workloads::sweep::show(&s.value))).collect())
            .collect();
        write!(out, "{}", report::text::sweep(&name, &labels, &summaries))?;
    }
    Ok(recorded)
}

fn parse_window(w: &str) -> Result<(u64, u64)> {
    workloads::duration::parse_window(w).map_err(|e| anyhow::anyhow!("--window {w}: {e}"))
}

fn yaml_to_json(v: &serde_yaml::Value) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}
