//! The "Model vs reality" page's side of the calibration: the comparison
//! (made by the `calibration` crate) as a source of values, charts and data
//! files for notes, which render it with `{{calibration: SECTION}}`.

use std::collections::BTreeMap;

use ::calibration::{Comparison, Row, source_id};
use charts::{self as chart, Axis, Chart, Plot, Series};
use experiments::format;

use crate::i18n::Lang;

/// What a ratio means, in both languages: (en, ko).
pub fn describe(what: &str) -> (&'static str, &'static str) {
    match what {
        "threads2/seq" => ("2 threads / 1 thread, time (all cores)", "스레드 2개 / 1개, 시간 (모든 코어)"),
        "threads4/seq" => ("4 threads / 1 thread, time (all cores)", "스레드 4개 / 1개, 시간 (모든 코어)"),
        "pinned threads2/seq" => ("2 threads / 1 thread, time (one core)", "스레드 2개 / 1개, 시간 (코어 하나)"),
        "pinned threads4/seq" => ("4 threads / 1 thread, time (one core)", "스레드 4개 / 1개, 시간 (코어 하나)"),
        "procs2/threads2" => ("2 processes / 2 threads, time", "프로세스 2개 / 스레드 2개, 시간"),
        "interval 1ms" => ("2 threads at 1 ms / at 5 ms, time", "2 스레드, 1 ms / 5 ms 간격, 시간"),
        "interval 100us" => ("2 threads at 100 us / at 5 ms, time", "2 스레드, 100 us / 5 ms 간격, 시간"),
        "interval 10us" => ("2 threads at 10 us / at 5 ms, time", "2 스레드, 10 us / 5 ms 간격, 시간"),
        "interval 1us" => ("2 threads at 1 us / at 5 ms, time", "2 스레드, 1 us / 5 ms 간격, 시간"),
        "sleeps seq/threads" => ("sequential / threads, time (blocking waits)", "순차 / 스레드, 시간 (블로킹 대기)"),
        "sleeps seq/asyncio" => ("sequential / asyncio, time (blocking waits)", "순차 / asyncio, 시간 (블로킹 대기)"),
        "echo slowdown 5ms" => ("echo alone / next to a CPU thread, 5 ms", "에코 단독 / CPU 스레드 옆, 5 ms"),
        "echo slowdown 1ms" => ("echo alone / next to a CPU thread, 1 ms", "에코 단독 / CPU 스레드 옆, 1 ms"),
        "echo slowdown 100us" => ("echo alone / next to a CPU thread, 100 us", "에코 단독 / CPU 스레드 옆, 100 us"),
        "echo slowdown" => ("echo alone / next to a CPU thread", "에코 단독 / CPU 스레드 옆"),
        "echo intervals 5ms" => ("switch intervals lost per round trip, 5 ms", "왕복당 잃는 스위치 간격, 5 ms"),
        "echo intervals 1ms" => ("switch intervals lost per round trip, 1 ms", "왕복당 잃는 스위치 간격, 1 ms"),
        "echo intervals 100us" => ("switch intervals lost per round trip, 100 us", "왕복당 잃는 스위치 간격, 100 us"),
        "pinned 0,1/0,0" => {
            ("2 threads pinned to two cores / to one, time", "두 코어 / 한 코어에 고정한 스레드 2개, 시간")
        }
        "pinned 0,1,0,1/0,0" => {
            ("4 threads over two cores / 2 threads on one, time", "두 코어에 고정한 스레드 4개 / 한 코어의 2개, 시간")
        }
        "echo slowdown, same core" => {
            ("echo alone / next to a CPU thread on its core", "에코 단독 / 같은 코어의 CPU 스레드 옆")
        }
        "echo slowdown, other core" => {
            ("echo alone / next to a CPU thread on the other core", "에코 단독 / 다른 코어의 CPU 스레드 옆")
        }
        "pool chunksize 1/1250" => ("Pool.map per task: chunksize 1 / 1250", "Pool.map 작업당: chunksize 1 / 1250"),
        "pool chunksize 10/1250" => ("Pool.map per task: chunksize 10 / 1250", "Pool.map 작업당: chunksize 10 / 1250"),
        "pool chunksize 100/1250" => {
            ("Pool.map per task: chunksize 100 / 1250", "Pool.map 작업당: chunksize 100 / 1250")
        }
        "pool 1000 B/0 B" => ("Pool.map per task: 1 kB / empty argument", "Pool.map 작업당: 1 kB / 빈 인자"),
        "pool 10000 B/0 B" => ("Pool.map per task: 10 kB / empty argument", "Pool.map 작업당: 10 kB / 빈 인자"),
        "pool 100000 B/0 B" => ("Pool.map per task: 100 kB / empty argument", "Pool.map 작업당: 100 kB / 빈 인자"),
        "pool 1000000 B/0 B" => ("Pool.map per task: 1 MB / empty argument", "Pool.map 작업당: 1 MB / 빈 인자"),
        "pool start spawn/fork" => ("first Pool(2) start-up: spawn / fork", "첫 Pool(2) 시작: spawn / fork"),
        "pool start forkserver/fork" => {
            ("first Pool(2) start-up: forkserver / fork", "첫 Pool(2) 시작: forkserver / fork")
        }
        "hash 2/1" => ("hashing: 1 thread / 2 threads, time", "해시: 스레드 1개 / 2개, 시간"),
        "hash 4/1" => ("hashing: 1 thread / 4 threads, time", "해시: 스레드 1개 / 4개, 시간"),
        _ => ("", ""),
    }
}

/// A number with three significant digits.
fn num(v: f64) -> String {
    format::number(v, &format::Spec::Sig(3), Lang::En)
}

/// A chart of real vs simulated ratios, one bar pair per row.
pub fn bars(id: &str, title: &str, rows: &[&Row], lang: Lang, label: &dyn Fn(&Row) -> String) -> Chart {
    let (real, sim, y) = match lang {
        Lang::En => ("real CPython", "simulated", "ratio"),
        Lang::Ko => ("실제 CPython", "시뮬레이션", "비율"),
    };
    let categories: Vec<String> = rows.iter().map(|r| label(r)).collect();
    let groups = vec![
        (real.to_owned(), rows.iter().map(|r| r.real).collect()),
        (sim.to_owned(), rows.iter().map(|r| r.sim).collect()),
    ];
    let desc =
        rows.iter().map(|r| format!("{}: {} / {}", label(r), num(r.real), num(r.sim))).collect::<Vec<_>>().join("; ");
    Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        description: desc,
        plot: Plot::Bars { categories, y: Axis { label: y.into(), log: false }, groups },
        fit: charts::Fit::default(),
    }
}

/// A chart of echo throughput against the switch interval: real and
/// simulated lines (log-log).
pub fn echo_lines(id: &str, title: &str, lines: Vec<(String, Vec<(f64, f64)>)>, lang: Lang) -> Chart {
    let (x, y) = match lang {
        Lang::En => ("switch interval (ms)", "round trips per second"),
        Lang::Ko => ("스위치 간격 (ms)", "초당 왕복 횟수"),
    };
    let desc = lines
        .iter()
        .map(|(l, pts)| {
            format!("{l}: {}", pts.iter().map(|p| format!("{} ms → {}", p.0, num(p.1))).collect::<Vec<_>>().join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        description: desc,
        plot: Plot::Line {
            x: Axis { label: x.into(), log: true },
            y: Axis { label: y.into(), log: true },
            series: lines.into_iter().map(|(label, points)| Series { label, points }).collect(),
        },
        fit: charts::Fit::default(),
    }
}

/// A ratio's id in value names: `threads2-seq`, `echo-slowdown-5ms`.
pub fn what_id(what: &str) -> String {
    chart::sanitize(what)
}

/// The comparison as a source of values and charts for notes, with the
/// measurements file it came from.
pub struct Calibration<'a> {
    /// The comparison.
    pub cmp: &'a Comparison,
    /// `calibration/measured.json` as read.
    pub measured: &'a str,
}

impl experiments::Source for Calibration<'_> {
    fn values(&self) -> Result<BTreeMap<String, f64>, experiments::ExpError> {
        Ok(self.values())
    }

    fn chart_ids(&self) -> Vec<String> {
        self.chart_ids()
    }

    fn chart(&self, id: &str, lang: Lang) -> Result<(Chart, experiments::Table), experiments::ExpError> {
        self.chart(id, lang).ok_or_else(|| experiments::ExpError {
            path: "charts".into(),
            message: format!("no chart `{id}` (it has {:?})", self.chart_ids()),
        })
    }

    fn data_files(&self) -> Vec<(String, Vec<u8>)> {
        let json = serde_json::to_string_pretty(self.cmp).unwrap_or_default();
        vec![
            ("data.csv".into(), self.csv().into_bytes()),
            ("data.json".into(), json.into_bytes()),
            ("measured.json".into(), self.measured.as_bytes().to_vec()),
        ]
    }

    fn link(&self, lang: Lang) -> experiments::Link {
        let text = match lang {
            Lang::En => "measurements (JSON)",
            Lang::Ko => "측정 데이터 (JSON)",
        };
        experiments::Link { href: "experiments/calibration/measured.json".into(), text: text.into() }
    }
}

impl Calibration<'_> {
    /// The old-GIL interpreter and the newest new-GIL one (by version).
    pub fn aliases(&self) -> Vec<(&'static str, String)> {
        let versions = |gil_old: bool| -> Vec<String> {
            let mut v: Vec<String> = self
                .cmp
                .rows
                .iter()
                .filter(|r| r.group != "wsgi")
                .map(|r| r.source.clone())
                .filter(|s| s.starts_with("2.") == gil_old)
                .collect();
            v.sort_by_key(|s| s.split('.').filter_map(|p| p.parse::<u32>().ok()).collect::<Vec<_>>());
            v.dedup();
            v
        };
        let mut out = Vec::new();
        if let Some(o) = versions(true).last() {
            out.push(("old", o.clone()));
        }
        if let Some(n) = versions(false).last() {
            out.push(("newest", n.clone()));
        }
        out
    }

    fn all_rows(&self) -> impl Iterator<Item = &Row> {
        self.cmp.rows.iter().chain(&self.cmp.published)
    }

    /// Every value a note can use as `{{calibration.NAME}}`.
    pub fn values(&self) -> BTreeMap<String, f64> {
        let mut v = BTreeMap::new();
        let aliases = self.aliases();
        for r in self.all_rows() {
            let mut ids = vec![source_id(&r.source)];
            ids.extend(aliases.iter().filter(|(_, s)| *s == r.source).map(|(a, _)| (*a).to_owned()));
            for id in ids {
                let key = format!("{id}.{}", what_id(&r.what));
                v.insert(format!("{key}.real"), r.real);
                v.insert(format!("{key}.sim"), r.sim);
                v.insert(format!("{key}.err"), r.error());
                for (name, x) in
                    [("real_min", r.real_min), ("real_max", r.real_max), ("sim_min", r.sim_min), ("sim_max", r.sim_max)]
                {
                    if let Some(x) = x {
                        v.insert(format!("{key}.{name}"), x);
                    }
                }
            }
        }
        for (name, x) in &self.cmp.measured {
            v.insert(name.clone(), *x);
            for (alias, s) in &aliases {
                if let Some(rest) = name.strip_prefix(&format!("{}.", source_id(s))) {
                    v.insert(format!("{alias}.{rest}"), *x);
                }
            }
        }
        let share = |rows: &[&Row]| rows.iter().filter(|r| r.agrees()).count() as f64 / rows.len().max(1) as f64;
        let here: Vec<&Row> = self.cmp.rows.iter().collect();
        v.insert("rows".into(), here.len() as f64);
        v.insert("agree".into(), here.iter().filter(|r| r.agrees()).count() as f64);
        v.insert("agree_share".into(), share(&here));
        v.insert("max_factor".into(), here.iter().map(|r| r.factor()).fold(1.0, f64::max));
        v.insert("tolerance_pct".into(), ::calibration::TOLERANCE * 100.0);
        for h in &self.cmp.cross_validation {
            v.insert(format!("cv.{}.agree_in", h.family), h.agree_in);
            v.insert(format!("cv.{}.agree_out", h.family), h.agree_out);
            v.insert(format!("cv.{}.error_in", h.family), h.error_in);
            v.insert(format!("cv.{}.error_out", h.family), h.error_out);
        }
        if let Some(rb) = &self.cmp.robustness {
            v.insert("robust.claims".into(), rb.claims.len() as f64);
            v.insert("robust.candidates".into(), rb.candidates.len() as f64);
            v.insert("robust.flipping".into(), rb.flipping().len() as f64);
            v.insert("robust.near_pct".into(), (rb.near - 1.0) * 100.0);
        }
        let mut groups: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
        for r in self.all_rows() {
            groups.entry(r.group.as_str()).or_default().push(r);
        }
        for (g, rows) in &groups {
            v.insert(format!("{g}.agree_share"), share(rows));
            v.insert(format!("{g}.max_abs_err"), rows.iter().map(|r| r.error().abs()).fold(0.0, f64::max));
        }
        let mut sources: Vec<&str> =
            self.cmp.rows.iter().filter(|r| r.group != "wsgi").map(|r| r.source.as_str()).collect();
        sources.sort_unstable();
        sources.dedup();
        v.insert("interpreters".into(), sources.len() as f64);
        v.insert("cores".into(), f64::from(self.cmp.machine.cores));
        v.insert("context_switch_us".into(), self.cmp.params.context_switch_ns as f64 / 1000.0);
        v.insert("wakeup_latency_us".into(), self.cmp.params.wakeup_latency_ns as f64 / 1000.0);
        v.insert("wakeup_jitter_us".into(), self.cmp.params.wakeup_jitter_ns as f64 / 1000.0);
        v.insert("tick_ns".into(), self.cmp.params.tick_ns as f64);
        v.insert("futex_wake_us".into(), self.cmp.params.futex_wake_ns as f64 / 1000.0);
        v.insert("timer_slack_us".into(), self.cmp.params.timer_slack_ns as f64 / 1000.0);
        // Measured by the wake-latency probe, not fitted: the simulator's defaults.
        let costs = scheduler::Costs::default();
        v.insert("idle_wakeup_extra_us".into(), costs.idle_wakeup_extra_ns as f64 / 1000.0);
        v.insert("idle_wakeup_half_us".into(), costs.idle_wakeup_half_ns as f64 / 1000.0);
        // Measured by the system-call probe, not fitted.
        v.insert("syscall_ns".into(), costs.syscall_ns as f64);
        v
    }

    /// Chart ids: one per group of ratios, and `echo-interval`.
    pub fn chart_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.all_rows().map(|r| r.group.clone()).collect();
        ids.sort();
        ids.dedup();
        if self.all_rows().any(|r| r.group == "echo" || r.what.starts_with("echo slowdown ")) {
            ids.push("echo-interval".into());
        }
        if !self.cmp.cross_validation.is_empty() {
            ids.push("cross-validation".into());
        }
        if self.cmp.robustness.is_some() {
            ids.push("robustness".into());
        }
        ids
    }

    /// The notes' claims at each parameter set near the fit: how many hold,
    /// and which fail.
    fn robustness(&self, rb: &::calibration::Robustness, lang: Lang) -> (Chart, (Vec<String>, Vec<Vec<String>>)) {
        let (title, y, holds, head) = match lang {
            Lang::En => (
                "The notes' claims at every parameter set near the fit",
                "claims that hold",
                "claims that hold",
                [
                    "set",
                    "context switch (µs)",
                    "wake-up + jitter (µs)",
                    "waker (µs)",
                    "timer slack (µs)",
                    "objective",
                    "claims that hold",
                    "claims that fail",
                ],
            ),
            Lang::Ko => (
                "맞춤 근처의 매개변수 조합마다 노트의 주장이 성립하는가",
                "성립하는 주장 수",
                "성립하는 주장",
                [
                    "조합",
                    "컨텍스트 스위치 (µs)",
                    "깨우기 + 지터 (µs)",
                    "깨우는 쪽 비용 (µs)",
                    "타이머 슬랙 (µs)",
                    "목적 함수",
                    "성립하는 주장",
                    "틀리는 주장",
                ],
            ),
        };
        let best = rb.candidates.first().map_or(1.0, |c| c.objective);
        let us = |ns: u64| format::number(ns as f64 / 1000.0, &format::Spec::Sig(3), Lang::En);
        let held = |i: usize| rb.claims.iter().filter(|c| c.holds.get(i).copied().unwrap_or(false)).count();
        let categories: Vec<String> = (1..=rb.candidates.len()).map(|i| format!("[{i}]")).collect();
        let counts: Vec<f64> = (0..rb.candidates.len()).map(|i| held(i) as f64).collect();
        let description = categories
            .iter()
            .zip(&counts)
            .map(|(c, n)| match lang {
                Lang::En => format!("{c}: {n} of {}", rb.claims.len()),
                Lang::Ko => format!("{c}: {}개 중 {n}개", rb.claims.len()),
            })
            .collect::<Vec<_>>()
            .join("; ");
        let chart = Chart {
            id: format!("calibration-robustness-{}", lang.code()),
            title: title.into(),
            description,
            plot: Plot::Bars {
                categories,
                y: Axis { label: y.into(), log: false },
                groups: vec![(holds.into(), counts)],
            },
            fit: charts::Fit::default(),
        };
        let rows = rb
            .candidates
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let p = &c.params;
                let failing: Vec<String> = rb
                    .claims
                    .iter()
                    .filter(|cl| !cl.holds.get(i).copied().unwrap_or(false))
                    .map(|cl| format!("{}:{}: {}", cl.note, cl.line, cl.claim))
                    .collect();
                vec![
                    format!("[{}]", i + 1),
                    us(p.context_switch_ns),
                    format!("{} + {}", us(p.wakeup_latency_ns), us(p.wakeup_jitter_ns)),
                    us(p.futex_wake_ns),
                    us(p.timer_slack_ns),
                    format!("{} ({:+.1}%)", num(c.objective), (c.objective / best - 1.0) * 100.0),
                    format!("{} / {}", held(i), rb.claims.len()),
                    if failing.is_empty() { "–".into() } else { failing.join("; ") },
                ]
            })
            .collect();
        (chart, (head.iter().map(|s| (*s).to_owned()).collect(), rows))
    }

    /// Each fitted family left out in turn: the share of its ratios that
    /// agree at the fit on all families and at the fit on the others.
    fn cross_validation(&self, lang: Lang) -> (Chart, (Vec<String>, Vec<Vec<String>>)) {
        let cv = &self.cmp.cross_validation;
        let (title, y, all, rest, head) = match lang {
            Lang::En => (
                "Cross-validation: each family predicted by a fit on the others",
                "ratios that agree (%)",
                "fitted on all families",
                "fitted without it",
                [
                    "family",
                    "ratios",
                    "agree, fit on all",
                    "agree, fit without it",
                    "error, fit on all",
                    "error, fit without it",
                ],
            ),
            Lang::Ko => (
                "교차 검증: 나머지 계열로 맞춘 모델이 빠진 계열을 얼마나 맞히나",
                "맞는 비율 (%)",
                "모든 계열로 맞춤",
                "그 계열을 빼고 맞춤",
                ["계열", "비율 수", "일치, 전체로 맞춤", "일치, 빼고 맞춤", "오차, 전체로 맞춤", "오차, 빼고 맞춤"],
            ),
        };
        let categories: Vec<String> = cv.iter().map(|h| h.family.clone()).collect();
        let groups = vec![
            (all.to_owned(), cv.iter().map(|h| h.agree_in * 100.0).collect()),
            (rest.to_owned(), cv.iter().map(|h| h.agree_out * 100.0).collect()),
        ];
        let description = cv
            .iter()
            .map(|h| format!("{}: {:.0}% / {:.0}%", h.family, h.agree_in * 100.0, h.agree_out * 100.0))
            .collect::<Vec<_>>()
            .join("; ");
        let chart = Chart {
            id: format!("calibration-cross-validation-{}", lang.code()),
            title: title.into(),
            description,
            plot: Plot::Bars { categories, y: Axis { label: y.into(), log: false }, groups },
            fit: charts::Fit::default(),
        };
        let rows = cv
            .iter()
            .map(|h| {
                vec![
                    h.family.clone(),
                    h.rows.to_string(),
                    format!("{:.0}%", h.agree_in * 100.0),
                    format!("{:.0}%", h.agree_out * 100.0),
                    num(h.error_in),
                    num(h.error_out),
                ]
            })
            .collect();
        (chart, (head.iter().map(|s| (*s).to_owned()).collect(), rows))
    }

    /// Chart `id` in `lang`, with its data table (every row of the group,
    /// where the chart shows the old and the newest interpreter).
    pub fn chart(&self, id: &str, lang: Lang) -> Option<(Chart, (Vec<String>, Vec<Vec<String>>))> {
        let (h_what, h_src, h_real, h_sim, h_err) = match lang {
            Lang::En => ("ratio", "source", "real", "simulated", "error"),
            Lang::Ko => ("비율", "출처", "실제", "시뮬레이션", "오차"),
        };
        let label = |r: &Row| -> String {
            let (en, ko) = describe(&r.what);
            let text = match lang {
                Lang::En if !en.is_empty() => en.to_owned(),
                Lang::Ko if !ko.is_empty() => ko.to_owned(),
                _ => r.what.clone(),
            };
            text
        };
        let row_cells = |r: &Row| -> Vec<String> {
            vec![
                label(r),
                match (r.host.as_deref(), lang) {
                    (Some("intel-xeon-vm"), Lang::En) => format!("{} (second host)", r.source),
                    (Some("intel-xeon-vm"), Lang::Ko) => format!("{} (두 번째 호스트)", r.source),
                    (Some(other), _) => format!("{} ({other})", r.source),
                    (None, _) => r.source.clone(),
                },
                match (r.real_min, r.real_max) {
                    (Some(lo), Some(hi)) => format!("{} ({}–{})", num(r.real), num(lo), num(hi)),
                    _ => num(r.real),
                },
                match (r.sim_min, r.sim_max) {
                    (Some(lo), Some(hi)) => format!("{} ({}–{})", num(r.sim), num(lo), num(hi)),
                    _ => num(r.sim),
                },
                format!("{} {:+.0}%", if r.agrees() { "✔" } else { "✘" }, r.error() * 100.0),
            ]
        };
        let header = vec![h_what.into(), h_src.into(), h_real.into(), h_sim.into(), h_err.into()];
        let chart_id = format!("calibration-{id}-{}", lang.code());
        if id == "cross-validation" {
            return (!self.cmp.cross_validation.is_empty()).then(|| self.cross_validation(lang));
        }
        if id == "robustness" {
            return self.cmp.robustness.as_ref().map(|rb| self.robustness(rb, lang));
        }
        if id == "echo-interval" {
            let newest = self.aliases().into_iter().find(|(a, _)| *a == "newest").map(|(_, s)| s);
            let mut lines = Vec::new();
            let mut rows = Vec::new();
            for (source, real_label, sim_label) in [
                (newest.clone().unwrap_or_default(), "CPython", "model"),
                ("Skvortsov 2021".to_owned(), "Skvortsov 2021", "model (Skvortsov's setup)"),
            ] {
                let pts: Vec<&Row> =
                    self.all_rows().filter(|r| r.source == source && r.what.starts_with("echo slowdown ")).collect();
                if pts.is_empty() {
                    continue;
                }
                let ms = |r: &Row| -> f64 {
                    let t = r.what.trim_start_matches("echo slowdown ");
                    t.strip_suffix("ms")
                        .and_then(|v| v.parse::<f64>().ok())
                        .or_else(|| t.strip_suffix("us").and_then(|v| v.parse::<f64>().ok()).map(|v| v / 1000.0))
                        .unwrap_or(f64::NAN)
                };
                let mut real: Vec<(f64, f64)> = pts.iter().map(|r| (ms(r), r.real)).collect();
                let mut sim: Vec<(f64, f64)> = pts.iter().map(|r| (ms(r), r.sim)).collect();
                real.sort_by(|a, b| a.0.total_cmp(&b.0));
                sim.sort_by(|a, b| a.0.total_cmp(&b.0));
                let real_name =
                    if real_label == "CPython" { format!("CPython {source}") } else { real_label.to_owned() };
                let (real_name, sim_name) = match lang {
                    Lang::En => (real_name, sim_label.to_owned()),
                    Lang::Ko => (
                        real_name,
                        if sim_label == "model" {
                            "모델".to_owned()
                        } else {
                            "모델 (Skvortsov의 설정)".to_owned()
                        },
                    ),
                };
                lines.push((real_name, real));
                lines.push((sim_name, sim));
                rows.extend(pts.iter().map(|r| row_cells(r)));
            }
            let title = match lang {
                Lang::En => "Echo slowdown next to a CPU-bound thread vs switch interval",
                Lang::Ko => "CPU 스레드 옆 에코의 감속 배율과 스위치 간격",
            };
            let (x, y) = match lang {
                Lang::En => ("switch interval (ms)", "slowdown (alone / busy)"),
                Lang::Ko => ("스위치 간격 (ms)", "감속 배율 (단독 / CPU 스레드 옆)"),
            };
            let mut c = echo_lines(&chart_id, title, lines, lang);
            if let Plot::Line { x: ax, y: ay, .. } = &mut c.plot {
                ax.label = x.into();
                ay.label = y.into();
            }
            return Some((c, (header, rows)));
        }
        let group: Vec<&Row> = self.all_rows().filter(|r| r.group == id).collect();
        if group.is_empty() {
            return None;
        }
        let shown: Vec<&Row> = if id == "published" || id == "wsgi" {
            group.clone()
        } else {
            let keep: Vec<String> = self.aliases().into_iter().map(|(_, s)| s).collect();
            group.iter().copied().filter(|r| keep.contains(&r.source)).collect()
        };
        let title = match (id, lang) {
            ("countdown", Lang::En) => "CPU-bound threads and processes: time ratios",
            ("countdown", Lang::Ko) => "CPU 바운드 스레드와 프로세스: 시간 비율",
            ("interval", Lang::En) => "The cost of a small switch interval",
            ("interval", Lang::Ko) => "작은 스위치 간격의 비용",
            ("sleeps", Lang::En) => "Blocking waits: speed-up of threads and asyncio",
            ("sleeps", Lang::Ko) => "블로킹 대기: 스레드와 asyncio의 속도 향상",
            ("echo", Lang::En) => "Echo round trips: slowdown next to a CPU-bound thread",
            ("echo", Lang::Ko) => "에코 왕복: CPU 스레드 옆에서의 감속 배율",
            ("asyncio", Lang::En) => "asyncio: a 1 ms ticker's lag, in switch intervals (or blocking calls, or ticks)",
            ("asyncio", Lang::Ko) => "asyncio: 1 ms 티커의 지연, 스위치 간격(또는 블로킹 호출, 틱) 단위",
            ("affinity", Lang::En) => "Pinned threads: time against two threads on one core; echo slowdown",
            ("affinity", Lang::Ko) => "고정된 스레드: 한 코어의 두 스레드 대비 시간, 에코 느려짐 배율",
            ("pool", Lang::En) => "multiprocessing.Pool: cost per task and start-up, ratios",
            ("pool", Lang::Ko) => "multiprocessing.Pool: 작업당 비용과 시작 비용의 비율",
            ("hash", Lang::En) => "hashlib in threads: speed-up",
            ("hash", Lang::Ko) => "스레드에서 hashlib: 속도 향상",
            ("wsgi", Lang::En) => "Gunicorn gthread: throughput against 1 worker x 1 thread",
            ("wsgi", Lang::Ko) => "Gunicorn gthread: 워커 1 x 스레드 1 대비 처리량",
            ("published", Lang::En) => "Published measurements and the model",
            ("published", Lang::Ko) => "발표된 측정값과 모델",
            _ => id,
        };
        let short = |r: &Row| {
            // Axis labels must fit about 60 pixels each.
            let what = r
                .what
                .replace("pinned threads", "1c ")
                .replace("echo slowdown, same core", "same")
                .replace("echo slowdown, other core", "other")
                .replace("pinned ", "")
                .replace("/0,0", "")
                .replace("pool chunksize ", "c")
                .replace("pool start ", "")
                .replace("pool ", "")
                .replace("000000 B/0 B", "MB")
                .replace("000 B/0 B", "kB")
                .replace("threads", "")
                .replace("/seq", "thr")
                .replace("procs2/threads2", "2p/2t")
                .replace("asyncio lag/interval ", "lag ")
                .replace("asyncio max lag/block", "block")
                .replace("asyncio lag/tick alone", "alone")
                .replace("echo slowdown ", "slow ")
                .replace("echo slowdown", "slow")
                .replace("echo intervals ", "int ")
                .replace("interval ", "")
                .replace("sleeps seq/", "")
                .replace("hash ", "")
                .replace("wsgi ", "")
                .replace("/w1t1", "");
            let src: String = if r.source.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                r.source.split('.').take(2).collect::<Vec<_>>().join(".")
            } else if r.source.contains("gunicorn") {
                String::new()
            } else {
                r.source.split(' ').next().unwrap_or_default().to_owned()
            };
            if src.is_empty() { what.trim().to_owned() } else { format!("{} {src}", what.trim()) }
        };
        let mut c = bars(&chart_id, title, &shown, lang, &short);
        // Ratios from 1 to several hundred share these two charts.
        if let Plot::Bars { y, .. } = &mut c.plot {
            y.log = matches!(id, "echo" | "published" | "affinity" | "pool");
        }
        Some((c, (header, group.iter().map(|r| row_cells(r)).collect())))
    }

    /// Every row as CSV.
    pub fn csv(&self) -> String {
        let mut s = String::from("group,source,ratio,real,simulated,error\n");
        for r in self.all_rows() {
            s.push_str(&format!("{},{},{},{},{},{}\n", r.group, r.source, r.what, r.real, r.sim, r.error()));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use ::calibration::{MachineInfo, Params};

    use super::*;

    fn row(group: &str, what: &str, source: &str, real: f64, sim: f64) -> Row {
        Row {
            group: group.into(),
            what: what.into(),
            source: source.into(),
            real,
            sim,
            real_min: None,
            real_max: None,
            sim_min: None,
            sim_max: None,
            host: None,
        }
    }

    #[test]
    fn values_name_every_ratio_by_source_and_by_alias() {
        let cmp = Comparison {
            date: "2026-12-06".into(),
            machine: MachineInfo { cores: 2, cpu: "test".into(), os: "linux".into() },
            params: Params {
                context_switch_ns: 4000,
                wakeup_latency_ns: 2000,
                wakeup_jitter_ns: 4000,
                tick_ns: 10,
                timer_slack_ns: 50_000,
                futex_wake_ns: 6000,
                idle_wakeup_extra_ns: None,
                idle_wakeup_half_ns: None,
                socket_scale: None,
            },
            rows: vec![
                row("countdown", "threads2/seq", "2.7.18", 1.9, 2.1),
                row("countdown", "threads2/seq", "3.12.1", 1.0, 1.01),
                row("countdown", "threads2/seq", "3.9.18", 1.0, 1.5),
            ],
            published: vec![row("published", "threads2/seq", "Beazley 2010", 1.97, 2.0)],
            measured: BTreeMap::from([("py3.12.1.echo-two-share-5ms".into(), 0.2)]),
            cross_validation: Vec::new(),
            robustness: None,
        };
        let c = Calibration { cmp: &cmp, measured: "{}" };
        let v = c.values();
        assert_eq!(v["newest.threads2-seq.real"], 1.0);
        assert_eq!(v["old.threads2-seq.sim"], 2.1);
        assert_eq!(v["py3.12.1.threads2-seq.sim"], v["newest.threads2-seq.sim"]);
        assert_eq!(v["beazley2010.threads2-seq.real"], 1.97);
        assert_eq!(v["newest.echo-two-share-5ms"], 0.2);
        assert_eq!((v["rows"], v["agree"]), (3.0, 2.0));
        assert!(c.chart_ids().contains(&"countdown".to_owned()));
    }
}
