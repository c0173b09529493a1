//! One function per measured family: the points it runs and what each run records.

use super::*;

pub(super) fn measure_countdown(ctx: &mut Ctx<'_>, py: &Python, n: u64) -> Result<Vec<CountdownRun>> {
    // The old GIL's multi-thread outcome depends on a race at each release.
    let reps = if py.gil == "old" { ctx.runs_bimodal() } else { ctx.runs };
    let mut out = Vec::new();
    for pinned in [false, true] {
        for (mode, k) in [("threads", 1u32), ("threads", 2), ("threads", 4), ("threads", 8), ("processes", 2)] {
            let label = format!("{} countdown {k} {mode}{}", py.version, if pinned { ", one core" } else { "" });
            let args = strings(&["countdown", &n.to_string(), &k.to_string(), mode]);
            let p = ctx.point(&label, reps, &py.path, &args, pinned)?;
            let runs = p.numbers("seconds")?;
            say(&format!("{label}: {}{}", spread(&runs, " s", 1.0), discards_note(p.discards)));
            out.push(CountdownRun {
                pinned,
                mode: mode.into(),
                threads: k,
                seconds: min(&runs),
                runs,
                discards: p.discards,
            });
        }
    }
    Ok(out)
}

pub(super) fn measure_interval(ctx: &mut Ctx<'_>, py: &Python, n: u64) -> Result<Vec<IntervalRun>> {
    let mut out = Vec::new();
    for threads in [2u32, 4] {
        for interval in [0.005, 0.001, 0.0001, 0.00001, 0.000001] {
            let label = format!("{} {threads} threads at {}", py.version, calibration::interval_label(interval));
            let args = strings(&["countdown", &n.to_string(), &threads.to_string(), "threads", &interval.to_string()]);
            let p = ctx.point(&label, ctx.runs, &py.path, &args, false)?;
            let runs = p.numbers("seconds")?;
            say(&format!("{label}: {}{}", spread(&runs, " s", 1.0), discards_note(p.discards)));
            out.push(IntervalRun {
                interval_s: interval,
                threads,
                seconds: min(&runs),
                runs,
                discards: p.discards,
                countdown_n: n,
            });
        }
    }
    Ok(out)
}

pub(super) fn measure_sleeps(ctx: &mut Ctx<'_>, py: &Python) -> Result<SleepData> {
    let (tasks, count, ms) = (8u32, 4u32, 25.0);
    let modes: &[&str] =
        if py.at_least(&[3, 5]) { &["sequential", "threads", "asyncio"] } else { &["sequential", "threads"] };
    let mut seconds = BTreeMap::new();
    let mut all = BTreeMap::new();
    let mut discards = Discards::default();
    for mode in modes {
        let label = format!("{} sleeps {mode}", py.version);
        let args = strings(&["sleeps", &tasks.to_string(), &count.to_string(), &ms.to_string(), mode]);
        let p = ctx.point(&label, ctx.runs, &py.path, &args, false)?;
        let runs = p.numbers("seconds")?;
        say(&format!("{label}: {}{}", spread(&runs, " s", 1.0), discards_note(p.discards)));
        seconds.insert((*mode).to_owned(), min(&runs));
        all.insert((*mode).to_owned(), runs);
        discards.add(p.discards);
    }
    Ok(SleepData { tasks, count, ms, seconds, runs: all, discards })
}

/// One echo point: `cpu` CPU-bound threads at `interval`, trips' lost
/// intervals counted above `base_us`.
pub(super) fn echo_point(
    ctx: &mut Ctx<'_>,
    py: &Python,
    cpu: u32,
    interval: Option<f64>,
    base_us: Option<f64>,
    placement: Placement,
) -> Result<EchoRun> {
    // Enough trips for a histogram at the longest interval.
    let seconds = if interval.is_some_and(|i| i >= 0.005) && cpu > 0 { 2.0 } else { 1.0 };
    let pin = match placement {
        Placement::SameCore => "same",
        Placement::OtherCore => "other",
        Placement::Free | Placement::Process => "none",
    };
    let args = strings(&[
        "echo",
        &seconds.to_string(),
        &cpu.to_string(),
        &interval.unwrap_or(0.0).to_string(),
        &base_us.unwrap_or(0.0).to_string(),
        pin,
    ]);
    let label = format!(
        "{} echo, {cpu} CPU threads, {}, {}",
        py.version,
        interval_name(interval),
        placement.name().replace('_', " ")
    );
    let p = ctx.point(&label, ctx.runs, &py.path, &args, placement == Placement::Process)?;
    let runs = p.numbers("rps")?;
    let mut trips = Vec::new();
    let mut quarters: Vec<u64> = Vec::new();
    let mut shares = Vec::new();
    for v in &p.values {
        let rtt = v.get("rtt_us").ok_or_else(|| anyhow!("echo printed no rtt_us: {v}"))?;
        let lost = match v.get("lost") {
            Some(l) => Some(serde_json::from_value::<[u64; 4]>(l.clone()).context("echo's `lost`")?),
            None => None,
        };
        if let Some(q) = v.get("lost_quarters") {
            let q: Vec<u64> = serde_json::from_value(q.clone()).context("echo's `lost_quarters`")?;
            quarters.resize(q.len().max(quarters.len()), 0);
            for (a, b) in quarters.iter_mut().zip(q) {
                *a += b;
            }
        }
        if let Some(s) = v.get("two_interval_share").and_then(Value::as_f64) {
            shares.push(s);
        }
        trips.push(EchoTrips {
            trips: number(v, "trips")? as u64,
            seconds: number(v, "seconds")?,
            median_us: number(rtt, "median")?,
            mean_us: number(rtt, "mean")?,
            p10_us: number(rtt, "p10")?,
            p90_us: number(rtt, "p90")?,
            p99_us: number(rtt, "p99")?,
            max_us: number(rtt, "max")?,
            lost,
        });
    }
    if let Some(observed) = p.values.iter().find_map(|v| v.get("observed")) {
        check_echo_pinning(observed, placement)?;
    }
    let run = EchoRun {
        cpu_threads: cpu,
        interval_s: interval,
        rps: median(&runs),
        two_interval_share: (cpu > 0 && !shares.is_empty()).then(|| shares.iter().sum::<f64>() / shares.len() as f64),
        placement,
        runs,
        trips,
        lost_quarters: quarters,
        base_us: base_us.filter(|_| interval.is_some()),
        discards: p.discards,
    };
    let lost = run
        .lost_shares()
        .map(|s| format!(", lost ~0/1/2/3+ intervals: {:.2}/{:.2}/{:.2}/{:.2}", s[0], s[1], s[2], s[3]))
        .unwrap_or_default();
    say(&format!(
        "{label}: {}, median trip {:.0} us{lost}{}",
        spread(&run.runs, "/s", 1.0),
        run.median_trip_us().unwrap_or(f64::NAN),
        discards_note(run.discards)
    ));
    Ok(run)
}

/// The echo thread and the CPU-bound thread ran where they were put.
pub(super) fn check_echo_pinning(observed: &Value, placement: Placement) -> Result<()> {
    let cpus = |k: &str| -> Option<Vec<u64>> { serde_json::from_value(observed.get(k)?.clone()).ok() };
    if let (Some(e), Some(c)) = (cpus("echo"), cpus("cpu")) {
        let same = e == c && e.len() == 1;
        let other = e.len() == 1 && c.len() == 1 && e != c;
        ensure!(
            (placement == Placement::SameCore && same) || (placement == Placement::OtherCore && other),
            "pinning did not take effect: echo thread on {e:?}, CPU thread on {c:?} ({})",
            placement.name()
        );
    }
    Ok(())
}

/// The echo alone and next to CPU-bound threads (unpinned), then the whole
/// server process on one core.
pub(super) fn measure_echo(ctx: &mut Ctx<'_>, py: &Python) -> Result<(Vec<EchoRun>, Vec<EchoRun>)> {
    let new = py.gil == "new";
    let intervals: Vec<Option<f64>> = if new { vec![Some(0.005), Some(0.001), Some(0.0001)] } else { vec![None] };
    let cpus: &[u32] = if new { &[1, 2, 4] } else { &[1, 2] };
    let alone = echo_point(ctx, py, 0, intervals[0], None, Placement::Free)?;
    let base = alone.median_trip_us();
    let mut free = vec![alone];
    for &cpu in cpus {
        for &interval in &intervals {
            free.push(echo_point(ctx, py, cpu, interval, base, Placement::Free)?);
        }
    }
    let alone = echo_point(ctx, py, 0, intervals[0], None, Placement::Process)?;
    let base = alone.median_trip_us();
    let mut process = vec![alone];
    for cpu in [1, 2] {
        process.push(echo_point(ctx, py, cpu, intervals[0], base, Placement::Process)?);
    }
    Ok((free, process))
}

/// The echo next to one CPU-bound thread pinned to the echo thread's core
/// and to the other core.
pub(super) fn measure_echo_affinity(ctx: &mut Ctx<'_>, py: &Python, base: Option<f64>) -> Result<Vec<EchoRun>> {
    let interval = (py.gil == "new").then_some(0.005);
    // The echo alone, unpinned, in the same session: the base of the placed
    // runs' ratios and lost intervals (the echo family's may come from
    // another day or host).
    let alone = echo_point(ctx, py, 0, interval, base, Placement::Free)?;
    let base = alone.median_trip_us().or(base);
    let mut out = vec![alone];
    for placement in [Placement::SameCore, Placement::OtherCore] {
        out.push(echo_point(ctx, py, 1, interval, base, placement)?);
    }
    Ok(out)
}

/// Countdown threads pinned from inside: both on one core, on two cores,
/// and four threads over two cores.
pub(super) fn measure_affinity(ctx: &mut Ctx<'_>, py: &Python, n: u64) -> Result<Vec<AffinityRun>> {
    let reps = if py.gil == "old" { ctx.runs_bimodal() } else { ctx.runs };
    let mut out = Vec::new();
    for cpus in [vec![0u32, 0], vec![0, 1], vec![0, 1, 0, 1]] {
        let list = cpus.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        let label = format!("{} countdown, threads pinned to cores {list}", py.version);
        let args = strings(&["countdown-affinity", &n.to_string(), &list]);
        let p = ctx.point(&label, reps, &py.path, &args, false)?;
        for v in &p.values {
            let observed: Vec<Vec<u32>> = serde_json::from_value(v.get("observed").cloned().unwrap_or_default())
                .context("countdown-affinity's `observed`")?;
            let want: Vec<u32> = serde_json::from_value(v.get("cpus").cloned().unwrap_or_default())
                .context("countdown-affinity's `cpus`")?;
            ensure!(
                observed.iter().zip(&want).all(|(o, w)| o == &vec![*w]) && observed.len() == want.len(),
                "{label}: pinning did not take effect: wanted {want:?}, threads saw {observed:?}"
            );
        }
        let method = p.values[0].get("method").and_then(Value::as_str).unwrap_or("unknown").to_owned();
        let runs = p.numbers("seconds")?;
        say(&format!("{label}: {}{}", spread(&runs, " s", 1.0), discards_note(p.discards)));
        out.push(AffinityRun {
            cpus,
            interval_s: None,
            countdown_n: n,
            method,
            seconds: min(&runs),
            runs,
            discards: p.discards,
        });
    }
    Ok(out)
}

pub(super) fn measure_pool_map(ctx: &mut Ctx<'_>, py: &Python) -> Result<Vec<PoolMapRun>> {
    let workers = 2u32;
    let mut points: Vec<(u32, u32, u64)> = [1u32, 10, 100, 1250].iter().map(|&c| (10_000, c, 0)).collect();
    for payload in [1_000u64, 10_000, 100_000, 1_000_000] {
        // About 100 MB through the pipes at most.
        let tasks = (100_000_000 / payload).clamp(100, 10_000) as u32;
        points.push((tasks, 1, payload));
    }
    let mut out = Vec::new();
    for (tasks, chunksize, payload) in points {
        let label = format!("{} Pool({workers}).map {tasks} tasks, chunksize {chunksize}, {payload} B", py.version);
        let args = strings(&[
            "pool-map",
            &tasks.to_string(),
            &workers.to_string(),
            &chunksize.to_string(),
            &payload.to_string(),
            "fork",
        ]);
        let p = ctx.point(&label, ctx.runs, &py.path, &args, false)?;
        let runs = p.numbers("seconds")?;
        say(&format!(
            "{label}: per task {}{}",
            spread(&runs.iter().map(|s| s / f64::from(tasks)).collect::<Vec<_>>(), " us", 1e6),
            discards_note(p.discards)
        ));
        out.push(PoolMapRun {
            start_method: "fork".into(),
            workers,
            tasks,
            chunksize,
            payload_bytes: payload,
            seconds: min(&runs),
            runs,
            discards: p.discards,
        });
    }
    Ok(out)
}

pub(super) fn measure_pool_start(ctx: &mut Ctx<'_>, py: &Python) -> Result<Vec<PoolStartRun>> {
    // Start methods arrived in 3.4; before, fork was all there was.
    let methods: &[&str] = if py.at_least(&[3, 4]) { &["fork", "spawn", "forkserver"] } else { &["fork"] };
    let mut out = Vec::new();
    for method in methods {
        for (kind, workers) in [("pool", 2u32), ("process", 1)] {
            let label = format!("{} {method} start-up, {kind}", py.version);
            let args = strings(&["pool-start", method, kind, &workers.to_string()]);
            let p = ctx.point(&label, ctx.runs, &py.path, &args, false)?;
            let runs = p.numbers("seconds")?;
            let again_runs = p.numbers("again_s")?;
            say(&format!(
                "{label}: first {}, again {}{}",
                spread(&runs, " ms", 1e3),
                spread(&again_runs, " ms", 1e3),
                discards_note(p.discards)
            ));
            out.push(PoolStartRun {
                start_method: (*method).into(),
                kind: kind.into(),
                workers,
                seconds: min(&runs),
                runs,
                again_runs,
                discards: p.discards,
            });
        }
    }
    Ok(out)
}

/// An asyncio lag point: mode, switch interval, countdown or seconds.
pub(super) struct LagPoint {
    mode: &'static str,
    interval: Option<f64>,
    countdown_n: Option<u64>,
    seconds: Option<f64>,
}

pub(super) fn measure_asyncio(ctx: &mut Ctx<'_>, py: &Python, n: u64) -> Result<Vec<LagRun>> {
    let tick_s = 0.001;
    let mut points = vec![LagPoint { mode: "alone", interval: None, countdown_n: None, seconds: Some(0.5) }];
    for interval in [0.005, 0.001, 0.0001] {
        points.push(LagPoint { mode: "thread", interval: Some(interval), countdown_n: Some(n), seconds: None });
    }
    points.push(LagPoint { mode: "block", interval: None, countdown_n: None, seconds: Some(0.05) });
    let mut out = Vec::new();
    for LagPoint { mode, interval, countdown_n, seconds } in points {
        let arg = countdown_n.map_or_else(|| seconds.unwrap_or(0.0).to_string(), |n| n.to_string());
        let label = format!("{} asyncio lag, {mode}, {}", py.version, interval_name(interval));
        let args = strings(&["aio-lag", mode, &arg, &interval.unwrap_or(0.0).to_string()]);
        let p = ctx.point(&label, ctx.runs, &py.path, &args, false)?;
        let runs: Vec<LagSample> = p
            .values
            .iter()
            .map(|v| {
                Ok(LagSample {
                    ticks: number(v, "ticks")? as u64,
                    max_lag_s: number(v, "max_lag_s")?,
                    mean_lag_s: number(v, "mean_lag_s")?,
                    p50_lag_s: number(v, "p50_lag_s")?,
                    p90_lag_s: number(v, "p90_lag_s")?,
                    p99_lag_s: number(v, "p99_lag_s")?,
                    work_s: number(v, "work_s")?,
                })
            })
            .collect::<Result<_>>()?;
        let maxes: Vec<f64> = runs.iter().map(|r| r.max_lag_s).collect();
        let means: Vec<f64> = runs.iter().map(|r| r.mean_lag_s).collect();
        let ticks: Vec<f64> = runs.iter().map(|r| r.ticks as f64).collect();
        say(&format!(
            "{label}: max lag {}, mean lag {}, ticks {:.0}{}",
            spread(&maxes, " ms", 1e3),
            spread(&means, " ms", 1e3),
            median(&ticks),
            discards_note(p.discards)
        ));
        out.push(LagRun {
            mode: mode.into(),
            interval_s: interval,
            tick_s,
            countdown_n,
            seconds,
            max_lag_s: median(&maxes),
            mean_lag_s: median(&means),
            ticks: median(&ticks),
            runs,
            discards: p.discards,
        });
    }
    Ok(out)
}

pub(super) fn measure_hash(ctx: &mut Ctx<'_>, py: &Python) -> Result<HashData> {
    let (blocks, mb) = (16u32, 32u32);
    let mut seconds = BTreeMap::new();
    let mut all = BTreeMap::new();
    let mut discards = Discards::default();
    let mut releases_gil = true;
    for k in [1u32, 2, 4] {
        let label = format!("{} hash x{k}", py.version);
        let args = strings(&["hash", &k.to_string(), &blocks.to_string(), &mb.to_string()]);
        let p = ctx.point(&label, ctx.runs, &py.path, &args, false)?;
        releases_gil = p.values.iter().all(|v| v.get("releases_gil").and_then(Value::as_bool).unwrap_or(true));
        let runs = p.numbers("seconds")?;
        say(&format!("{label}: {}{}", spread(&runs, " s", 1.0), discards_note(p.discards)));
        seconds.insert(k, min(&runs));
        all.insert(k, runs);
        discards.add(p.discards);
    }
    Ok(HashData { blocks, mb, seconds, runs: all, discards, releases_gil })
}
