//! Unit tests of the charts.

use super::*;

fn sample(plot: Plot) -> Chart {
    Chart { id: "t1".into(), title: "제목 <Title>".into(), description: "A & B".into(), plot, fit: Fit::default() }
}

#[test]
fn timelines_stay_small_and_keep_short_bursts_visible() {
    // 30,000 alternating 1 us spans (the old GIL's checks) and one 10 us
    // burst of running in a long wait.
    let mut busy = Vec::new();
    for i in 0..30_000 {
        busy.push((i as f64 * 0.001, (i as f64 + 0.9) * 0.001, 0));
        busy.push(((i as f64 + 0.9) * 0.001, (i as f64 + 1.0) * 0.001, 1));
    }
    let chart = sample(Plot::Timeline {
        x: Axis { label: "ms".into(), log: false },
        range: Some((0.0, 30.0)),
        emphasis: vec![0],
        lanes: vec![
            Lane { label: "busy".into(), spans: busy },
            Lane { label: "echo".into(), spans: vec![(0.0, 15.0, 2), (15.0, 15.01, 0), (15.01, 30.0, 2)] },
        ],
        legend: vec![("run".into(), (0, 114, 178)), ("check".into(), (230, 159, 0)), ("wait".into(), (1, 2, 3))],
        markers: vec![],
        marker_legend: vec![],
    });
    let s = svg(&chart);
    assert!(s.len() < 20_000, "{} bytes", s.len());
    // The running colour: its legend swatch, the busy lane and the echo
    // lane's 10 us burst, which must stay visible.
    assert_eq!(s.matches("fill=\"#0072B2\"").count(), 3, "legend, busy lane, echo burst");
}

#[test]
fn svg_is_deterministic_and_accessible() {
    let chart = sample(Plot::Line {
        x: Axis { label: "스레드 threads".into(), log: true },
        y: Axis { label: "time (s)".into(), log: false },
        series: vec![
            Series { label: "1 core".into(), points: vec![(1.0, 0.4), (2.0, 0.41), (4.0, 0.42)] },
            Series { label: "2 cores".into(), points: vec![(1.0, 0.4), (2.0, 0.78), (4.0, 0.9)] },
        ],
    });
    let a = svg(&chart);
    assert_eq!(a, svg(&chart));
    assert!(a.starts_with("<svg"));
    assert!(a.contains("role=\"img\" aria-labelledby=\"t1-title t1-desc\""));
    assert!(a.contains("<title id=\"t1-title\">제목 &lt;Title&gt;</title>"));
    assert!(a.contains("<desc id=\"t1-desc\">A &amp; B</desc>"));
    assert!(a.contains("스레드 threads"));
    assert!(a.contains("rgb(0,114,178)") || a.contains("#0072B2"), "Okabe-Ito blue");
}

/// Extreme values used to hang plotters' tick search (a log axis from
/// 5e-324 to 1e308) or give it infinite bounds.
#[test]
fn extreme_values_draw_and_end() {
    let values = [5e-324, 1e-300, 1.0, 1e300, 1e308, f64::MAX, -f64::MAX, f64::NAN, f64::INFINITY, 0.0];
    for (xlog, ylog) in [(false, false), (true, false), (false, true), (true, true)] {
        let series = vec![
            Series { label: "a".into(), points: values.iter().map(|&v| (v, v)).collect() },
            Series { label: "b".into(), points: vec![(1e308, 5e-324), (5e-324, 1e308)] },
        ];
        let plot =
            Plot::Line { x: Axis { label: "x".into(), log: xlog }, y: Axis { label: "y".into(), log: ylog }, series };
        assert!(svg(&sample(plot)).starts_with("<svg"));
        let plot = Plot::Bars {
            categories: vec!["a".into(), "b".into()],
            y: Axis { label: "y".into(), log: ylog },
            groups: vec![("g".into(), vec![5e-324, 1e308]), ("h".into(), vec![f64::MAX, -1e308])],
        };
        assert!(svg(&sample(plot)).starts_with("<svg"));
    }
    for (lo, hi, log) in
        [(5e-324, 1e308, true), (0.0, f64::INFINITY, true), (-1e308, 1e308, false), (f64::NAN, 1.0, false)]
    {
        let (a, b) = bounded(lo, hi, log);
        assert!(a.is_finite() && b.is_finite() && a < b && (!log || a > 0.0), "{lo} {hi} -> {a} {b}");
    }
}

#[test]
fn every_kind_draws_without_error() {
    let kinds = [
        Plot::Bars {
            categories: vec!["a".into(), "b".into()],
            y: Axis { label: "rps".into(), log: false },
            groups: vec![("x".into(), vec![1.0, 2.0]), ("y".into(), vec![3.0, f64::NAN])],
        },
        Plot::Timeline {
            x: Axis { label: "ms".into(), log: false },
            range: Some((0.0, 3.0)),
            lanes: vec![Lane { label: "T0".into(), spans: vec![(0.0, 1.0, 0), (1.0, 2.5, 1)] }],
            legend: vec![("python".into(), (0, 114, 178)), ("wait".into(), (230, 159, 0))],
            markers: vec![Marker { lane: 0, at: 1.0, kind: 0 }],
            marker_legend: vec![("drop request".into(), (0, 0, 0))],
            emphasis: vec![0],
        },
        Plot::Cdf {
            x: Axis { label: "ms".into(), log: false },
            y_label: "fraction".into(),
            series: vec![Series { label: "p".into(), points: vec![(1.0, 0.0), (2.0, 0.5), (3.0, 1.0)] }],
        },
        Plot::Heatmap {
            x: ("threads".into(), vec!["1".into(), "4".into()]),
            y: ("workers".into(), vec!["1".into(), "2".into()]),
            values: vec![vec![Some(1.0), Some(2.0)], vec![None, Some(4.0)]],
            scale: "rps".into(),
        },
        // Degenerate data must not panic.
        Plot::Line { x: Axis { label: "".into(), log: true }, y: Axis { label: "".into(), log: true }, series: vec![] },
    ];
    for plot in kinds {
        let s = svg(&sample(plot));
        assert!(s.contains("</svg>") && !s.contains("cannot draw"), "{s}");
    }
}

#[test]
fn phone_drawings_keep_text_large_and_apart() {
    let long = Plot::Bars {
        categories: (1..=12).map(|i| format!("a long category name {i}")).collect(),
        y: Axis { label: "ratio".into(), log: true },
        groups: vec![("real".into(), (1..=12).map(f64::from).collect()), ("model".into(), vec![2.0; 12])],
    };
    let gc = Plot::Line {
        x: Axis { label: "collection length (ms)".into(), log: true },
        y: Axis { label: "p99 latency (ms)".into(), log: true },
        series: vec![Series { label: "".into(), points: vec![(0.1, 2.3), (1.0, 2.4), (30.0, 31.0), (100.0, 100.0)] }],
    };
    for plot in [long, gc] {
        for size in [Size::Wide, Size::Narrow] {
            let s = svg_sized(&sample(plot.clone()), size);
            assert_eq!(text::problems(&s).unwrap(), Vec::<String>::new(), "{size:?}");
            if size == Size::Narrow {
                // 360 units shown 326 CSS px wide (a 360 px phone less the margins): at least 11 px.
                assert!(text::smallest_font(&s).unwrap() * 326.0 / 360.0 >= 11.0);
                assert!(s.contains("width=\"360\""));
            }
        }
    }
}

#[test]
fn the_checker_sees_text_that_cannot_fit() {
    // Sixty names in 440 px: lying down, they still collide.
    let crowded = Plot::Bars {
        categories: (0..60).map(|i| format!("category {i}")).collect(),
        y: Axis { label: "n".into(), log: false },
        groups: vec![("".into(), vec![1.0; 60])],
    };
    let s = svg_sized(&sample(crowded), Size::Narrow);
    assert!(text::problems(&s).unwrap().iter().any(|p| p.contains("overlaps")));
}

#[test]
fn log_ticks_thin_out_until_labels_fit() {
    let gap = |_: &str, _: &str| 30.0;
    assert_eq!(log_ticks(1.0, 10.0, 2000.0, &gap), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]);
    assert_eq!(log_ticks(1.0, 10.0, 500.0, &gap), [1.0, 2.0, 5.0, 10.0]);
    assert_eq!(log_ticks(1.0, 1000.0, 300.0, &gap), [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]);
    assert_eq!(log_ticks(1.0, 1e6, 100.0, &gap), [1.0, 1e2, 1e4, 1e6]);
    assert_eq!(log_ticks(3.1, 4.5, 100.0, &gap), [3.5, 4.0, 4.5]);
    assert_eq!(linear_ticks(0.0, 1.0, 5), [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
}

#[test]
fn ticks_are_short() {
    assert_eq!(tick(0.1 + 0.2), "0.3");
    assert_eq!(tick(1500.0), "1500");
    assert_eq!(tick(12.5), "12.5");
    assert_eq!(tick(2.0), "2");
    assert_eq!(tick(1e-6), "1e-6");
}
