//! `cargo xtask calibrate`: measure real CPython, compare with the model,
//! fit the model's free parameters.
//!
//! The measurements are `calibration/measure.py` (Python 2.7 and 3.x), run
//! once per data point by this driver, which picks the interpreters (pyenv's
//! and those on `PATH`, or `--python`), repeats runs (best of three for
//! times, median of three for rates), pins runs to one core with `taskset`,
//! and drives gunicorn with wrk when both are installed. It writes
//! `calibration/measured.json`, prints the comparison with the simulator and
//! writes the fit to `calibration/fitted.json`. The site's "Model vs
//! reality" page is rebuilt from those files by `build-site`.
//!
//! `--quick` (what CI runs when `python3` exists) measures a few seconds'
//! worth on one interpreter and checks only facts that hold on any machine.

pub mod model;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use report::calibration::{
    CountdownRun, EchoRun, HashData, InterpreterData, IntervalRun, MachineInfo, Measured, SCHEMA, SleepData, WsgiData,
    WsgiRun,
};

/// Options of `calibrate`.
#[derive(clap::Args)]
pub struct Args {
    /// Interpreters to measure (default: pyenv's versions and python2/python3 on PATH).
    #[arg(long = "python", value_name = "PATH")]
    python: Vec<PathBuf>,
    /// A few seconds on one interpreter, checking only robust facts; writes nothing.
    #[arg(long)]
    quick: bool,
    /// Skip the gunicorn measurements.
    #[arg(long)]
    no_wsgi: bool,
    /// Skip the fit (measure and compare only).
    #[arg(long)]
    no_fit: bool,
    /// Compare and fit the existing calibration/measured.json without measuring.
    #[arg(long, conflicts_with = "quick")]
    reuse: bool,
    /// Compare at these parameters instead of the code's defaults:
    /// `context_switch,wakeup_latency,wakeup_jitter,timer_slack,futex_wake,tick` in ns.
    #[arg(long, value_name = "CS,WAKE,JITTER,SLACK,FUTEX_WAKE,TICK")]
    params: Option<String>,
    /// Measure only this part again (`wsgi` or `echo`), keeping the rest of
    /// calibration/measured.json.
    #[arg(long, value_name = "PART", value_parser = ["wsgi", "echo"], conflicts_with_all = ["quick", "reuse"])]
    only: Option<String>,
}

/// An interpreter found.
#[derive(Clone, Debug)]
struct Python {
    path: PathBuf,
    version: String,
    gil: String,
}

fn script(root: &Path) -> PathBuf {
    root.join("calibration/measure.py")
}

/// Runs `measure.py` with `args`, optionally pinned to core 0: its JSON.
fn measure(root: &Path, py: &Path, args: &[String], pinned: bool) -> Result<serde_json::Value> {
    let mut cmd = if pinned {
        let mut c = Command::new("taskset");
        c.args(["-c", "0"]).arg(py);
        c
    } else {
        Command::new(py)
    };
    cmd.arg(script(root)).args(args).current_dir(root.join("calibration"));
    let out = cmd.output().with_context(|| format!("cannot run {} {}", py.display(), args.join(" ")))?;
    ensure!(
        out.status.success(),
        "{} measure.py {} failed: {}",
        py.display(),
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).with_context(|| format!("measure.py {} printed no JSON: {text}", args.join(" ")))
}

fn number(v: &serde_json::Value, key: &str) -> Result<f64> {
    v.get(key).and_then(serde_json::Value::as_f64).ok_or_else(|| anyhow!("no `{key}` in {v}"))
}

fn best_of(n: usize, mut f: impl FnMut() -> Result<f64>) -> Result<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..n {
        best = best.min(f()?);
    }
    Ok(best)
}

fn median_of(n: usize, mut f: impl FnMut() -> Result<f64>) -> Result<f64> {
    let mut v: Vec<f64> = (0..n).map(|_| f()).collect::<Result<_>>()?;
    v.sort_by(f64::total_cmp);
    Ok(v[v.len() / 2])
}

fn describe(root: &Path, path: &Path) -> Option<Python> {
    let info = measure(root, path, &["info".into()], false).ok()?;
    if info.get("implementation")?.as_str()? != "cpython" {
        return None;
    }
    Some(Python {
        path: path.to_owned(),
        version: info.get("version")?.as_str()?.to_owned(),
        gil: info.get("gil")?.as_str()?.to_owned(),
    })
}

fn version_key(v: &str) -> Vec<u32> {
    v.split('.').filter_map(|p| p.parse().ok()).collect()
}

/// Interpreters: the given ones, or pyenv's versions and `python2`,
/// `python3` on `PATH`; one per version, oldest first.
fn discover(root: &Path, given: &[PathBuf]) -> Vec<Python> {
    let mut candidates: Vec<PathBuf> = given.to_vec();
    if candidates.is_empty() {
        let pyenv = std::env::var_os("PYENV_ROOT")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")));
        if let Some(dir) = pyenv.map(|p| p.join("versions")) {
            if let Ok(entries) = std::fs::read_dir(dir) {
                let mut found: Vec<PathBuf> = entries.flatten().map(|e| e.path().join("bin/python")).collect();
                found.sort();
                candidates.extend(found.into_iter().filter(|p| p.exists()));
            }
        }
        candidates.extend(["python2", "python3"].iter().map(PathBuf::from));
    }
    let mut by_version: BTreeMap<Vec<u32>, Python> = BTreeMap::new();
    for c in candidates {
        if let Some(p) = describe(root, &c) {
            by_version.entry(version_key(&p.version)).or_insert(p);
        }
    }
    by_version.into_values().collect()
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn cores() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

fn today() -> Result<String> {
    let out = Command::new("date").arg("+%Y-%m-%d").output().context("cannot run `date`")?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Prints a progress line (measurements take minutes).
#[allow(clippy::print_stderr)]
fn say(msg: &str) {
    eprintln!("  {msg}");
}

/// Countdown iterations for about `seconds` of single-thread work.
fn iterations(ns_per_iter: f64, seconds: f64) -> u64 {
    ((seconds * 1e9 / ns_per_iter) as u64 / 1_000_000).max(1) * 1_000_000
}

fn measure_interpreter(root: &Path, py: &Python) -> Result<InterpreterData> {
    let p = &py.path;
    let ns_per_iter = number(&measure(root, p, &["iter-speed".into()], false)?, "ns_per_iter")?;
    let n = iterations(ns_per_iter, 1.0);
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<String>>();
    let mut countdown = Vec::new();
    for pinned in [false, true] {
        for (mode, k) in [("threads", 1), ("threads", 2), ("threads", 4), ("processes", 2)] {
            let args = s(&["countdown", &n.to_string(), &k.to_string(), mode]);
            let seconds = best_of(3, || number(&measure(root, p, &args, pinned)?, "seconds"))?;
            say(&format!(
                "{} countdown {mode} x{k}{}: {seconds:.3} s",
                py.version,
                if pinned { " (one core)" } else { "" }
            ));
            countdown.push(CountdownRun { pinned, mode: mode.into(), threads: k, seconds });
        }
    }
    let mut interval_cost = Vec::new();
    if py.gil == "new" {
        let half = iterations(ns_per_iter, 0.5);
        for interval in [0.005, 0.001, 0.0001, 0.00001, 0.000001] {
            let args = s(&["countdown", &half.to_string(), "2", "threads", &interval.to_string()]);
            let seconds = best_of(2, || number(&measure(root, p, &args, false)?, "seconds"))?;
            say(&format!("{} 2 threads at {}: {seconds:.3} s", py.version, model::interval_label(interval)));
            interval_cost.push(IntervalRun { interval_s: interval, threads: 2, seconds });
        }
    }
    let (tasks, count, ms) = (8u32, 4u32, 25.0);
    let mut sleep_secs = BTreeMap::new();
    let modes: &[&str] = if version_key(&py.version) >= vec![3, 5] {
        &["sequential", "threads", "asyncio"]
    } else {
        &["sequential", "threads"]
    };
    for mode in modes {
        let args = s(&["sleeps", &tasks.to_string(), &count.to_string(), &ms.to_string(), mode]);
        let seconds = best_of(3, || number(&measure(root, p, &args, false)?, "seconds"))?;
        say(&format!("{} sleeps {mode}: {seconds:.3} s", py.version));
        sleep_secs.insert((*mode).to_owned(), seconds);
    }
    let echo = measure_echo(root, py)?;
    let (blocks, mb) = (16u32, 32u32);
    let mut hash_secs = BTreeMap::new();
    let mut releases_gil = true;
    for k in [1u32, 2, 4] {
        let args = s(&["hash", &k.to_string(), &blocks.to_string(), &mb.to_string()]);
        let seconds = best_of(3, || {
            let v = measure(root, p, &args, false)?;
            releases_gil = v.get("releases_gil").and_then(serde_json::Value::as_bool).unwrap_or(true);
            number(&v, "seconds")
        })?;
        say(&format!("{} hash x{k}: {seconds:.3} s", py.version));
        hash_secs.insert(k, seconds);
    }
    Ok(InterpreterData {
        version: py.version.clone(),
        gil: py.gil.clone(),
        ns_per_iter,
        countdown_n: n,
        countdown,
        interval_cost,
        sleeps: Some(SleepData { tasks, count, ms, seconds: sleep_secs }),
        echo,
        hash: Some(HashData { blocks, mb, seconds: hash_secs, releases_gil }),
    })
}

/// Echo round trips alone and next to a CPU-bound thread (at several switch
/// intervals under the new GIL): median rate of three runs, and the mean
/// share of round trips that lost two intervals.
fn measure_echo(root: &Path, py: &Python) -> Result<Vec<EchoRun>> {
    let p = &py.path;
    let intervals: Vec<Option<f64>> =
        if py.gil == "new" { vec![Some(0.005), Some(0.001), Some(0.0001)] } else { vec![None] };
    let rate = |cpu: u32, interval: Option<f64>| -> Result<(f64, Option<f64>)> {
        let mut args = vec!["echo".to_owned(), "1".to_owned(), cpu.to_string()];
        if let Some(i) = interval {
            args.push(i.to_string());
        }
        let runs: Vec<serde_json::Value> = (0..3).map(|_| measure(root, p, &args, false)).collect::<Result<_>>()?;
        let mut rps: Vec<f64> = runs.iter().map(|r| number(r, "rps")).collect::<Result<_>>()?;
        rps.sort_by(f64::total_cmp);
        let shares: Vec<f64> = runs.iter().filter_map(|r| r.get("two_interval_share")?.as_f64()).collect();
        let share = (!shares.is_empty() && cpu > 0).then(|| shares.iter().sum::<f64>() / shares.len() as f64);
        Ok((rps[1], share))
    };
    let mut echo = Vec::new();
    let alone = rate(0, intervals[0])?.0;
    say(&format!("{} echo alone: {alone:.0}/s", py.version));
    echo.push(EchoRun { cpu_threads: 0, interval_s: intervals[0], rps: alone, two_interval_share: None });
    for interval in &intervals {
        let (rps, two_interval_share) = rate(1, *interval)?;
        say(&format!(
            "{} echo next to a CPU thread{}: {rps:.0}/s",
            py.version,
            interval.map_or(String::new(), |i| format!(" at {}", model::interval_label(i)))
        ));
        echo.push(EchoRun { cpu_threads: 1, interval_s: *interval, rps, two_interval_share });
    }
    Ok(echo)
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Parses wrk's `--latency` output: requests/s, p50 and p99 in ms.
fn parse_wrk(text: &str) -> Option<(f64, f64, f64)> {
    let ms = |v: &str| -> Option<f64> {
        let v = v.trim();
        let (num, unit) = v.find(|c: char| c.is_ascii_alphabetic()).map(|i| v.split_at(i))?;
        let x: f64 = num.parse().ok()?;
        Some(match unit {
            "us" => x / 1000.0,
            "ms" => x,
            "s" => x * 1000.0,
            "m" => x * 60_000.0,
            _ => return None,
        })
    };
    let rps =
        text.lines().find(|l| l.trim_start().starts_with("Requests/sec:"))?.split(':').nth(1)?.trim().parse().ok()?;
    let pct =
        |p: &str| text.lines().find(|l| l.trim_start().starts_with(p)).and_then(|l| ms(l.split_whitespace().nth(1)?));
    Some((rps, pct("50%")?, pct("99%")?))
}

/// Gunicorn (gthread) with workers x threads under wrk, for each endpoint.
fn measure_wsgi(root: &Path, pythons: &[Python]) -> Result<Option<WsgiData>> {
    if Command::new("wrk").arg("--version").output().is_err() {
        say("wrk not found: skipping the WSGI measurements (apt-get install wrk)");
        return Ok(None);
    }
    let with_gunicorn = pythons.iter().rev().find_map(|p| {
        let out = Command::new(&p.path).args(["-m", "gunicorn", "--version"]).output().ok()?;
        out.status.success().then(|| (p, String::from_utf8_lossy(&out.stdout).trim().to_owned()))
    });
    let Some((py, gunicorn)) = with_gunicorn else {
        say("gunicorn not found: skipping the WSGI measurements (python -m pip install gunicorn)");
        return Ok(None);
    };
    let gunicorn = gunicorn
        .split_whitespace()
        .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .unwrap_or(&gunicorn)
        .trim_end_matches(')')
        .to_owned();
    let ns = number(&measure(root, &py.path, &["iter-speed".into()], false)?, "ns_per_iter")?;
    // Endpoint work: (ms of Python, ms of sleep).
    let endpoints: BTreeMap<String, (f64, f64)> =
        [("cpu".to_owned(), (5.0, 0.0)), ("io".to_owned(), (0.0, 20.0)), ("mixed".to_owned(), (2.0, 10.0))].into();
    let (connections, duration_s) = (16u32, 3.0);
    let mut runs = Vec::new();
    for (name, (cpu_ms, io_ms)) in &endpoints {
        for (workers, threads) in [(1u32, 1u32), (1, 4), (2, 1), (2, 4), (4, 4)] {
            let port = free_port()?;
            let mut child = Command::new(&py.path)
                .args([
                    "-m",
                    "gunicorn",
                    "-k",
                    "gthread",
                    "-w",
                    &workers.to_string(),
                    "--threads",
                    &threads.to_string(),
                ])
                .args(["--backlog", "2048", "-b", &format!("127.0.0.1:{port}"), "wsgi_app:app"])
                .env("GIL_LAB_CPU_ITERS", ((cpu_ms * 1e6 / ns) as u64).to_string())
                .env("GIL_LAB_SLEEP_MS", io_ms.to_string())
                .current_dir(root.join("calibration"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .context("cannot start gunicorn")?;
            let start = Instant::now();
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                if start.elapsed() > Duration::from_secs(15) {
                    let _ = child.kill();
                    bail!("gunicorn did not listen on {port}");
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            // A connection per request: gthread keeps a kept-alive connection
            // on the worker that accepted it, and wrk opens all of its
            // connections at once, so one worker would get them all.
            let out = Command::new("wrk")
                .args(["-t2", &format!("-c{connections}"), &format!("-d{duration_s}s"), "--latency"])
                .args(["-H", "Connection: close"])
                .arg(format!("http://127.0.0.1:{port}/{name}"))
                .output()
                .context("cannot run wrk")?;
            let _ = child.kill();
            let _ = child.wait();
            let text = String::from_utf8_lossy(&out.stdout);
            let (rps, p50_ms, p99_ms) = parse_wrk(&text).ok_or_else(|| anyhow!("cannot read wrk's output:\n{text}"))?;
            say(&format!("gunicorn {name} -w {workers} --threads {threads}: {rps:.0}/s, p50 {p50_ms:.1} ms"));
            runs.push(WsgiRun { endpoint: name.clone(), workers, threads, rps, p50_ms, p99_ms });
        }
    }
    Ok(Some(WsgiData { interpreter: py.version.clone(), gunicorn, connections, duration_s, endpoints, runs }))
}

/// `cargo xtask calibrate`.
#[allow(clippy::print_stdout)]
pub fn run(root: &Path, args: &Args) -> Result<()> {
    if args.quick {
        return quick(root, args);
    }
    let measured_path = root.join("calibration/measured.json");
    let read = || -> Result<Measured> {
        let text = std::fs::read_to_string(&measured_path)
            .with_context(|| format!("cannot read {}", measured_path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{} is not a calibration file", measured_path.display()))
    };
    let measured: Measured = if args.reuse {
        read()?
    } else if let Some(part) = &args.only {
        let mut m = read()?;
        let pythons = discover(root, &args.python);
        if part == "wsgi" {
            m.wsgi = measure_wsgi(root, &pythons)?;
        } else {
            for py in &pythons {
                if let Some(d) = m.interpreters.iter_mut().find(|d| d.version == py.version) {
                    d.echo = measure_echo(root, py)?;
                }
            }
        }
        std::fs::write(&measured_path, serde_json::to_string_pretty(&m)? + "\n")?;
        println!("wrote {}", measured_path.display());
        m
    } else {
        let pythons = discover(root, &args.python);
        ensure!(!pythons.is_empty(), "no CPython found (give one with --python PATH)");
        println!(
            "measuring {} on {} cores: {}",
            pythons.len(),
            cores(),
            pythons.iter().map(|p| p.version.as_str()).collect::<Vec<_>>().join(", ")
        );
        let mut interpreters = Vec::new();
        for py in &pythons {
            interpreters.push(measure_interpreter(root, py)?);
        }
        let wsgi = if args.no_wsgi { None } else { measure_wsgi(root, &pythons)? };
        let m = Measured {
            schema: SCHEMA.into(),
            date: today()?,
            machine: MachineInfo { cores: cores(), cpu: cpu_model(), os: std::env::consts::OS.into() },
            interpreters,
            wsgi,
        };
        std::fs::write(&measured_path, serde_json::to_string_pretty(&m)? + "\n")?;
        println!("wrote {}", measured_path.display());
        m
    };
    let params = match &args.params {
        None => model::current_params(),
        Some(text) => {
            let v: Vec<u64> = text
                .split(',')
                .map(|x| x.trim().parse())
                .collect::<Result<_, _>>()
                .map_err(|_| anyhow!("--params: six integers (ns), like 2000,1000,2000,50000,2000,10"))?;
            ensure!(v.len() == 6, "--params: six integers (ns), like 2000,1000,2000,50000,2000,10");
            report::calibration::Params {
                context_switch_ns: v[0],
                wakeup_latency_ns: v[1],
                wakeup_jitter_ns: v[2],
                timer_slack_ns: v[3],
                futex_wake_ns: v[4],
                tick_ns: v[5],
            }
        }
    };
    let cmp = model::compare(&measured, &params)?;
    print_rows(&cmp.rows);
    println!("published tables:");
    print_rows(&cmp.published);
    let mut groups: BTreeMap<&str, Vec<report::calibration::Row>> = BTreeMap::new();
    for r in &cmp.rows {
        groups.entry(r.group.as_str()).or_default().push(r.clone());
    }
    let within = cmp.rows.iter().filter(|r| r.agrees()).count();
    println!(
        "{within} of {} ratios within 25%; mean squared log error {:.4} ({})",
        cmp.rows.len(),
        model::objective(&cmp.rows),
        groups.iter().map(|(g, rows)| format!("{g} {:.3}", model::objective(rows))).collect::<Vec<_>>().join(", ")
    );
    if !args.no_fit {
        let fit = model::fit(&measured)?;
        println!(
            "fit: context switch {} ns, wake-up latency {} ns + jitter {} ns, tick {} ns; \
             mean squared log error {:.4} -> {:.4}",
            fit.params.context_switch_ns,
            fit.params.wakeup_latency_ns,
            fit.params.wakeup_jitter_ns,
            fit.params.tick_ns,
            fit.objective_before,
            fit.objective_after
        );
        let path = root.join("calibration/fitted.json");
        std::fs::write(&path, serde_json::to_string_pretty(&fit)? + "\n")?;
        println!("wrote {} (the defaults in scheduler::Costs and Interp should match it)", path.display());
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
fn print_rows(rows: &[report::calibration::Row]) {
    for (source, rows) in model::by_source(rows) {
        println!("{source}");
        for r in rows {
            println!(
                "  {:<24} real {:>9.3}  sim {:>9.3}  {:+5.0}% {}",
                r.what,
                r.real,
                r.sim,
                r.error() * 100.0,
                if r.agrees() { "" } else { "(off by more than 25%)" }
            );
        }
    }
}

/// `--quick`: robust facts on the first new-GIL interpreter.
#[allow(clippy::print_stdout)]
fn quick(root: &Path, args: &Args) -> Result<()> {
    let given: Vec<PathBuf> = if args.python.is_empty() { vec![PathBuf::from("python3")] } else { args.python.clone() };
    let Some(py) = discover(root, &given).into_iter().find(|p| p.gil == "new") else {
        println!("calibrate --quick: no CPython 3 with a GIL found; nothing to check");
        return Ok(());
    };
    let p = &py.path;
    println!("calibrate --quick on CPython {} ({} cores)", py.version, cores());
    let ns = number(&measure(root, p, &["iter-speed".into()], false)?, "ns_per_iter")?;
    let n = iterations(ns, 0.4).to_string();
    let time = |k: &str, mode: &str| -> Result<f64> {
        best_of(2, || {
            number(&measure(root, p, &["countdown".into(), n.clone(), k.into(), mode.into()], false)?, "seconds")
        })
    };
    let (seq, two) = (time("1", "threads")?, time("2", "threads")?);
    let speedup = seq / two;
    println!("  countdown: 1 thread {seq:.3} s, 2 threads {two:.3} s: speed-up {speedup:.2}");
    ensure!(speedup < 1.3, "CPU-bound threads ran {speedup:.2}x faster than one thread under the new GIL");
    if cores() >= 2 {
        let procs = time("2", "processes")?;
        println!("  countdown: 2 processes {procs:.3} s");
        ensure!(
            procs < two,
            "2 processes ({procs:.3} s) were not faster than 2 threads ({two:.3} s) on {} cores",
            cores()
        );
    } else {
        println!("  one core: processes vs threads not checked");
    }
    let rate = |cpu: &str| -> Result<f64> {
        median_of(3, || {
            number(&measure(root, p, &["echo".into(), "0.5".into(), cpu.into(), "0.005".into()], false)?, "rps")
        })
    };
    let (alone, busy) = (rate("0")?, rate("1")?);
    println!("  echo: alone {alone:.0}/s, next to a CPU thread {busy:.0}/s ({:.0}x slower)", alone / busy);
    ensure!(alone >= 10.0 * busy, "an I/O thread next to a CPU-bound thread was only {:.1}x slower", alone / busy);
    println!("calibrate --quick: ok");
    Ok(())
}
