//! The quiet-window guard: timings taken while something else on the
//! machine uses the CPU are garbage, so every measured run waits for the
//! machine to be idle and is repeated when the rest of the machine used
//! more than a little CPU while it ran.
//!
//! "The rest of the machine" is all CPU time the kernel counted
//! (`/proc/stat`: user, nice, system, irq, softirq) less this process's own
//! and its waited-for children's (`/proc/self/stat`: utime, stime, cutime,
//! cstime), so a measured process must wait for everything it starts.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use calibration::GuardSummary;

/// The guard's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// The machine is quiet when the rest of it uses less than this many cores.
    pub quiet_cores: f64,
    /// How long each quiet check samples.
    pub window: Duration,
    /// Quiet samples in a row before a run starts: a gap between two jobs
    /// of a build is quiet for a moment only.
    pub quiet_samples: u32,
    /// A run is discarded when the rest of the machine used more than this
    /// share of one core over it ...
    pub max_foreign_share: f64,
    /// ... and more than this many CPU seconds (the counters tick in 10 ms).
    pub floor_s: f64,
    /// Discarded runs in a row before the least disturbed one is kept.
    pub max_retries: u32,
    /// Longest wait for a quiet window before measuring anyway.
    pub max_wait: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            quiet_cores: 0.10,
            window: Duration::from_millis(500),
            quiet_samples: 3,
            max_foreign_share: 0.05,
            floor_s: 0.03,
            max_retries: 20,
            max_wait: Duration::from_secs(600),
        }
    }
}

/// CPU time counters, in clock ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticks {
    /// The whole machine's busy time.
    pub busy: u64,
    /// This process's and its waited-for children's.
    pub own: u64,
}

/// Busy ticks from the first line of `/proc/stat`.
pub fn parse_proc_stat(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("cpu "))?;
    let v: Vec<u64> = line.split_whitespace().skip(1).map(|x| x.parse().ok()).collect::<Option<_>>()?;
    // user nice system idle iowait irq softirq steal ...: idle, iowait and
    // steal (another guest's time) are not this machine's load; guest time
    // is already inside user.
    Some(v.first()? + v.get(1)? + v.get(2)? + v.get(5)? + v.get(6)?)
}

/// utime + stime + cutime + cstime from `/proc/PID/stat`.
pub fn parse_pid_stat(text: &str) -> Option<u64> {
    // The command name may hold spaces and parentheses: fields are counted
    // after the last `)`, which is followed by field 3 (state).
    let rest = &text[text.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    (11..15).map(|i| f.get(i)?.parse::<i64>().ok()).sum::<Option<i64>>().map(|t| t.max(0) as u64)
}

/// Runnable tasks from `/proc/loadavg` (`0.52 0.58 0.59 2/134 4242`).
pub fn parse_runnable(text: &str) -> Option<u32> {
    text.split_whitespace().nth(3)?.split('/').next()?.parse().ok()
}

/// The counters now, and the runnable tasks.
fn read_ticks() -> Result<(Ticks, u32)> {
    let stat = std::fs::read_to_string("/proc/stat").context("cannot read /proc/stat")?;
    let own = std::fs::read_to_string("/proc/self/stat").context("cannot read /proc/self/stat")?;
    let runnable = std::fs::read_to_string("/proc/loadavg").ok().and_then(|t| parse_runnable(&t)).unwrap_or(0);
    let ticks = Ticks {
        busy: parse_proc_stat(&stat).ok_or_else(|| anyhow!("cannot parse /proc/stat"))?,
        own: parse_pid_stat(&own).ok_or_else(|| anyhow!("cannot parse /proc/self/stat"))?,
    };
    Ok((ticks, runnable))
}

/// Where the guard reads its counters (a fake in tests).
type Reader = Box<dyn FnMut() -> Result<(Ticks, u32)>>;

/// CPU seconds the rest of the machine used between two readings.
fn foreign_s(a: Ticks, b: Ticks, hz: f64) -> f64 {
    let busy = b.busy.saturating_sub(a.busy) as f64;
    let own = b.own.saturating_sub(a.own) as f64;
    ((busy - own) / hz).max(0.0)
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on Linux).
fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse::<f64>().ok())
        .filter(|&h| h > 0.0)
        .unwrap_or(100.0)
}

/// A value measured past the guard.
#[derive(Clone, Debug)]
pub struct Sample<T> {
    /// The run kept.
    pub value: T,
    /// Runs discarded before it.
    pub discarded: u32,
    /// Kept although disturbed (the retries ran out).
    pub noisy: bool,
}

/// The guard, with its totals.
pub struct Guard {
    config: Config,
    hz: f64,
    enabled: bool,
    summary: GuardSummary,
    read: Reader,
}

impl Guard {
    /// A guard with `config`; disabled (with a message) where `/proc` cannot
    /// be read.
    pub fn new(config: Config) -> Guard {
        let enabled = match read_ticks() {
            Ok(_) => true,
            Err(e) => {
                super::say(&format!("quiet-window guard off: {e:#}"));
                false
            }
        };
        Guard::build(config, enabled, clock_ticks(), Box::new(read_ticks))
    }

    /// No waiting, nothing discarded.
    pub fn off() -> Guard {
        Guard::build(Config::default(), false, 100.0, Box::new(read_ticks))
    }

    fn build(config: Config, enabled: bool, hz: f64, read: Reader) -> Guard {
        let summary = GuardSummary {
            quiet_cores: config.quiet_cores,
            max_foreign_share: config.max_foreign_share,
            floor_s: config.floor_s,
            max_retries: config.max_retries,
            max_wait_s: config.max_wait.as_secs_f64(),
            ..GuardSummary::default()
        };
        Guard { config, hz, enabled, summary, read }
    }

    /// What it did so far (none when off).
    pub fn summary(&self) -> Option<GuardSummary> {
        self.enabled.then(|| self.summary.clone())
    }

    /// Waits until the rest of the machine is idle (or `max_wait` passed).
    fn wait_quiet(&mut self) -> Result<()> {
        let start = Instant::now();
        let mut told = Duration::ZERO;
        let mut quiet = 0;
        loop {
            let (a, _) = (self.read)()?;
            std::thread::sleep(self.config.window);
            let (b, runnable) = (self.read)()?;
            let cores = foreign_s(a, b, self.hz) / self.config.window.as_secs_f64().max(1e-3);
            // Runnable counts this process, reading.
            if cores < self.config.quiet_cores && runnable <= 2 {
                quiet += 1;
                if quiet >= self.config.quiet_samples {
                    break;
                }
                continue;
            }
            quiet = 0;
            let waited = start.elapsed();
            if waited >= self.config.max_wait {
                super::say(&format!(
                    "no quiet window in {:.0} s (others use {cores:.2} cores): measuring anyway",
                    waited.as_secs_f64()
                ));
                break;
            }
            if waited >= told + Duration::from_secs(30) {
                told = waited;
                super::say(&format!(
                    "waiting for a quiet machine: others use {cores:.2} cores, {runnable} runnable ({:.0} s so far)",
                    waited.as_secs_f64()
                ));
            }
        }
        self.summary.waited_s += start.elapsed().as_secs_f64();
        Ok(())
    }

    /// Runs `f` past the guard: waits for a quiet window, runs, and repeats
    /// when the rest of the machine used too much CPU during the run. After
    /// `max_retries` discards it keeps the least disturbed run.
    pub fn run<T>(&mut self, what: &str, mut f: impl FnMut() -> Result<T>) -> Result<Sample<T>> {
        if !self.enabled {
            return Ok(Sample { value: f()?, discarded: 0, noisy: false });
        }
        let mut rejected: Vec<(f64, T)> = Vec::new();
        loop {
            self.wait_quiet()?;
            let (before, _) = (self.read)()?;
            let start = Instant::now();
            let value = f()?;
            let wall = start.elapsed().as_secs_f64();
            let foreign = foreign_s(before, (self.read)()?.0, self.hz);
            let allowed = (self.config.max_foreign_share * wall).max(self.config.floor_s);
            if foreign <= allowed {
                self.summary.runs += 1;
                return Ok(Sample { value, discarded: rejected.len() as u32, noisy: false });
            }
            self.summary.discarded += 1;
            super::say(&format!(
                "{what}: discarded, the rest of the machine used {:.0} ms of CPU in {:.2} s (allowed {:.0} ms)",
                foreign * 1000.0,
                wall,
                allowed * 1000.0
            ));
            rejected.push((foreign, value));
            if rejected.len() as u32 > self.config.max_retries {
                let discarded = rejected.len() as u32 - 1;
                let (i, _) = rejected
                    .iter()
                    .enumerate()
                    .min_by(|a, b| a.1.0.total_cmp(&b.1.0))
                    .expect("at least one run was rejected");
                let (foreign, value) = rejected.swap_remove(i);
                // The kept run was counted as discarded above.
                self.summary.discarded -= 1;
                self.summary.runs += 1;
                self.summary.noisy += 1;
                super::say(&format!(
                    "{what}: kept the least disturbed of {} runs ({:.0} ms of others' CPU)",
                    discarded + 1,
                    foreign * 1000.0
                ));
                return Ok(Sample { value, discarded, noisy: true });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_stat_busy_leaves_out_idle_iowait_and_steal() {
        let text = "cpu  100 5 20 9000 70 3 2 400 0 0\ncpu0 50 2 10 4500 35 1 1 200 0 0\n";
        assert_eq!(parse_proc_stat(text), Some(100 + 5 + 20 + 3 + 2));
        assert_eq!(parse_proc_stat("intr 1 2 3\n"), None);
        assert_eq!(parse_proc_stat("cpu  1 2\n"), None);
    }

    #[test]
    fn pid_stat_sums_own_and_children_times_after_the_name() {
        // A name with spaces and a parenthesis must not shift the fields.
        let text = "4242 (a b) c) S 1 4242 4242 0 -1 4194304 100 0 0 0 7 3 11 13 20 0 1 0 55 1000 200";
        assert_eq!(parse_pid_stat(text), Some(7 + 3 + 11 + 13));
        assert_eq!(parse_pid_stat("4242 (x) S 1"), None);
    }

    #[test]
    fn runnable_comes_from_the_fourth_field() {
        assert_eq!(parse_runnable("0.52 0.58 0.59 3/134 4242\n"), Some(3));
        assert_eq!(parse_runnable("0.52"), None);
    }

    #[test]
    fn foreign_time_is_busy_less_own_and_never_negative() {
        let a = Ticks { busy: 1000, own: 100 };
        assert_eq!(foreign_s(a, Ticks { busy: 1250, own: 300 }, 100.0), 0.5);
        assert_eq!(foreign_s(a, Ticks { busy: 1100, own: 300 }, 100.0), 0.0);
    }

    /// A guard reading `busy` tick counts in turn (own time stays 0): each
    /// run reads four (two for the quiet check, before and after).
    fn fake(busy: Vec<u64>, max_retries: u32) -> Guard {
        let mut it = busy.into_iter();
        let read: Reader = Box::new(move || Ok((Ticks { busy: it.next().expect("enough readings"), own: 0 }, 1)));
        let config = Config { window: Duration::ZERO, quiet_samples: 1, max_retries, ..Config::default() };
        Guard::build(config, true, 100.0, read)
    }

    #[test]
    fn a_disturbed_run_is_discarded_and_repeated() {
        // Run 1: 50 ticks (0.5 s) of others' CPU, over the 30 ms floor; run 2: 2 ticks.
        let mut g = fake(vec![0, 0, 0, 50, 50, 50, 50, 52], 5);
        let mut calls = 0;
        let s = g
            .run("test", || {
                calls += 1;
                Ok(calls)
            })
            .unwrap();
        assert_eq!((s.value, s.discarded, s.noisy), (2, 1, false));
        let sum = g.summary().unwrap();
        assert_eq!((sum.runs, sum.discarded, sum.noisy), (1, 1, 0));
    }

    #[test]
    fn after_the_retries_the_least_disturbed_run_is_kept() {
        // Three runs disturbed by 50, 10 and 30 ticks, two retries allowed.
        let mut g = fake(vec![0, 0, 0, 50, 50, 50, 50, 60, 60, 60, 60, 90], 2);
        let mut calls = 0;
        let s = g
            .run("test", || {
                calls += 1;
                Ok(calls)
            })
            .unwrap();
        assert_eq!((s.value, s.discarded, s.noisy), (2, 2, true));
        let sum = g.summary().unwrap();
        assert_eq!((sum.runs, sum.discarded, sum.noisy), (1, 2, 1));
    }

    #[test]
    fn a_busy_machine_is_waited_for() {
        // Busy for one window (10 ticks in no time), then quiet.
        let mut g = fake(vec![0, 10, 10, 10, 10, 10], 5);
        let s = g.run("test", || Ok(())).unwrap();
        assert_eq!((s.discarded, s.noisy), (0, false));
    }

    #[test]
    fn a_run_waits_for_several_quiet_samples_in_a_row() {
        // Quiet, busy, then three quiet samples (two readings each), then the run.
        let busy = vec![0, 0, 0, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10];
        let mut it = busy.into_iter();
        let read: Reader = Box::new(move || Ok((Ticks { busy: it.next().expect("enough readings"), own: 0 }, 1)));
        let config = Config { window: Duration::ZERO, quiet_samples: 3, ..Config::default() };
        let mut g = Guard::build(config, true, 100.0, read);
        assert_eq!(g.run("test", || Ok(1)).unwrap().discarded, 0);
    }

    #[test]
    fn an_off_guard_runs_once() {
        let mut g = Guard::off();
        let s = g.run("test", || Ok(7)).unwrap();
        assert_eq!((s.value, s.discarded), (7, 0));
        assert!(g.summary().is_none());
    }
}
