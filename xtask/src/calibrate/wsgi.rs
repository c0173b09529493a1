//! gunicorn under wrk: the WSGI family.

use super::*;

pub(super) fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Parses wrk's `--latency` output: requests/s, p50 and p99 in ms.
pub(super) fn parse_wrk(text: &str) -> Option<(f64, f64, f64)> {
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

/// One gunicorn run: start it, load it with wrk, stop it (and wait for its
/// workers, so their CPU counts as ours): requests/s, p50 and p99 in ms.
#[allow(clippy::too_many_arguments)]
pub(super) fn gunicorn_once(
    root: &Path,
    py: &Path,
    endpoint: &str,
    workers: u32,
    threads: u32,
    env: &[(&str, String)],
    connections: u32,
    duration_s: f64,
) -> Result<(f64, f64, f64)> {
    use std::os::unix::process::CommandExt;
    let port = free_port()?;
    let mut cmd = Command::new(py);
    cmd.args(["-m", "gunicorn", "-k", "gthread", "-w", &workers.to_string(), "--threads", &threads.to_string()])
        .args(["--backlog", "2048", "-b", &format!("127.0.0.1:{port}"), "wsgi_app:app"])
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(root.join("calibration"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0);
    let what = proc::show(&cmd);
    let mut child = cmd.spawn().with_context(|| format!("cannot start `{what}`"))?;
    let result = (|| {
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = child.try_wait()? {
                bail!("`{what}` exited ({status}) before listening on {port}");
            }
            ensure!(start.elapsed() < Duration::from_secs(15), "`{what}` did not listen on {port} within 15 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        // A connection per request: gthread keeps a kept-alive connection
        // on the worker that accepted it, and wrk opens all of its
        // connections at once, so one worker would get them all.
        let mut wrk = Command::new("wrk");
        wrk.args(["-t2", &format!("-c{connections}"), &format!("-d{duration_s}s"), "--latency"])
            .args(["-H", "Connection: close"])
            .arg(format!("http://127.0.0.1:{port}/{endpoint}"));
        let out = proc::output(&mut wrk, Duration::from_secs_f64(duration_s + 30.0))?;
        let text = String::from_utf8_lossy(&out.stdout);
        parse_wrk(&text).ok_or_else(|| anyhow!("cannot read wrk's output:\n{text}"))
    })();
    // SIGTERM lets the master stop and reap its workers.
    proc::kill(child.id(), "TERM");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if child.try_wait()?.is_some() {
            break;
        }
        if Instant::now() > deadline {
            proc::kill_group(child.id(), "KILL");
            let _ = child.wait();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    result
}

/// Gunicorn (gthread) with workers x threads under wrk, for each endpoint.
pub(super) fn measure_wsgi(ctx: &mut Ctx<'_>, pythons: &[Python]) -> Result<Option<WsgiData>> {
    if proc::output(Command::new("wrk").arg("--version"), Duration::from_secs(10)).is_err() {
        say("wrk not found: skipping the WSGI measurements (apt-get install wrk)");
        return Ok(None);
    }
    let with_gunicorn = pythons.iter().rev().find_map(|p| {
        let out =
            proc::output(Command::new(&p.path).args(["-m", "gunicorn", "--version"]), Duration::from_secs(30)).ok()?;
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
    let ns = ctx.point("iter-speed", 1, &py.path, &["iter-speed".into()], false)?.numbers("ns_per_iter")?[0];
    // Endpoint work: (ms of Python, ms of sleep).
    let endpoints: BTreeMap<String, (f64, f64)> =
        [("cpu".to_owned(), (5.0, 0.0)), ("io".to_owned(), (0.0, 20.0)), ("mixed".to_owned(), (2.0, 10.0))].into();
    let (connections, duration_s) = (16u32, 3.0);
    let mut runs = Vec::new();
    let (root, runs_per_point) = (ctx.root, ctx.runs);
    for (name, (cpu_ms, io_ms)) in &endpoints {
        let env =
            [("GIL_LAB_CPU_ITERS", ((cpu_ms * 1e6 / ns) as u64).to_string()), ("GIL_LAB_SLEEP_MS", io_ms.to_string())];
        for (workers, threads) in [(1u32, 1u32), (1, 4), (2, 1), (2, 4), (4, 4)] {
            let label = format!("gunicorn {name} -w {workers} --threads {threads}");
            let mut samples = Vec::new();
            let mut discards = Discards::default();
            for _ in 0..runs_per_point {
                let s = ctx.guard.run(&label, || {
                    gunicorn_once(root, &py.path, name, workers, threads, &env, connections, duration_s)
                })?;
                discards.discarded += s.discarded;
                discards.noisy += u32::from(s.noisy);
                samples.push(s.value);
            }
            let rps: Vec<f64> = samples.iter().map(|s| s.0).collect();
            let p50: Vec<f64> = samples.iter().map(|s| s.1).collect();
            let p99: Vec<f64> = samples.iter().map(|s| s.2).collect();
            say(&format!(
                "{label}: {}, p50 {}{}",
                spread(&rps, "/s", 1.0),
                spread(&p50, " ms", 1.0),
                discards_note(discards)
            ));
            runs.push(WsgiRun {
                endpoint: name.clone(),
                workers,
                threads,
                rps: median(&rps),
                p50_ms: median(&p50),
                p99_ms: median(&p99),
                runs: rps,
                p50_runs_ms: p50,
                p99_runs_ms: p99,
                discards,
            });
        }
    }
    Ok(Some(WsgiData { interpreter: py.version.clone(), gunicorn, connections, duration_s, endpoints, runs }))
}
