//! `--quick`: a few robust facts about a real CPython, checked in seconds.

use super::*;

/// `--quick`: robust facts on one CPython 3 (`python3`, or the first
/// `--python` with the new GIL). A missing interpreter fails unless
/// `--skip-if-missing`; one that is not CPython always fails.
#[allow(clippy::print_stdout)]
pub(super) fn quick(root: &Path, args: &Args) -> Result<()> {
    let given: Vec<PathBuf> = if args.python.is_empty() { vec![PathBuf::from("python3")] } else { args.python.clone() };
    let timeout = Duration::from_secs(args.timeout);
    let found = discover(root, timeout, &given, args.skip_if_missing)?;
    if found.is_empty() {
        // Only reachable with --skip-if-missing: everything else errs above.
        println!("calibrate --quick: no interpreter found; skipped as asked (--skip-if-missing)");
        return Ok(());
    }
    let Some(py) = found.iter().find(|p| p.gil == "new") else {
        bail!(
            "calibrate --quick needs a CPython 3 with a GIL; found {}",
            found.iter().map(|p| format!("{} ({} GIL)", p.version, p.gil)).collect::<Vec<_>>().join(", ")
        );
    };
    // Seconds, not minutes, on a busy machine: wait briefly, repeat a
    // disturbed run once; the facts checked hold with a margin.
    let config = guard::Config { max_wait: Duration::from_secs(10), max_retries: 1, ..guard::Config::default() };
    let mut ctx = Ctx::new(root, args, config);
    let p = &py.path;
    println!("calibrate --quick on CPython {} ({} cores)", py.version, cores());
    let ns = ctx.point("iter-speed", 1, p, &["iter-speed".into()], false)?.numbers("ns_per_iter")?[0];
    let n = iterations(ns, 0.4).to_string();
    let mut time = |k: &str, mode: &str| -> Result<f64> {
        let args = strings(&["countdown", &n, k, mode]);
        Ok(min(&ctx.point(&format!("countdown {k} {mode}"), 2, p, &args, false)?.numbers("seconds")?))
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
    let mut rate = |cpu: &str| -> Result<f64> {
        let args = strings(&["echo", "0.5", cpu, "0.005"]);
        Ok(median(&ctx.point(&format!("echo next to {cpu} CPU threads"), 3, p, &args, false)?.numbers("rps")?))
    };
    let (alone, busy) = (rate("0")?, rate("1")?);
    println!("  echo: alone {alone:.0}/s, next to a CPU thread {busy:.0}/s ({:.0}x slower)", alone / busy);
    ensure!(alone >= 10.0 * busy, "an I/O thread next to a CPU-bound thread was only {:.1}x slower", alone / busy);
    println!("calibrate --quick: ok");
    Ok(())
}
