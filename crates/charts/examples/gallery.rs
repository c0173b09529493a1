//! Draws one chart of each kind into a directory, for a look in a browser:
//! `cargo run -p charts --example gallery [DIR]` (default: a temporary
//! directory, printed).
#![allow(missing_docs, clippy::print_stdout)]
use charts::*;
fn main() -> std::io::Result<()> {
    // Long on purpose: one sample chart of every kind, listed.
    let dir = std::env::args().nth(1).map_or_else(|| std::env::temp_dir().join("gil-lab-gallery"), Into::into);
    std::fs::create_dir_all(&dir)?;
    let charts = vec![
        Chart {
            id: "line".into(),
            title: "스위치 간격에 따른 실행 시간".into(),
            description: "d".into(),
            plot: Plot::Line {
                x: Axis { label: "switch interval (s)".into(), log: true },
                y: Axis { label: "makespan (s)".into(), log: false },
                series: vec![
                    Series {
                        label: "2 threads".into(),
                        points: vec![
                            (1e-6, 0.2),
                            (1e-5, 0.13),
                            (1e-4, 0.104),
                            (1e-3, 0.1005),
                            (5e-3, 0.1001),
                            (1e-2, 0.1),
                            (0.1, 0.1),
                        ],
                    },
                    Series {
                        label: "4 threads".into(),
                        points: vec![
                            (1e-6, 0.4),
                            (1e-5, 0.2),
                            (1e-4, 0.11),
                            (1e-3, 0.101),
                            (5e-3, 0.1001),
                            (1e-2, 0.1),
                            (0.1, 0.1),
                        ],
                    },
                ],
            },
            fit: Default::default(),
        },
        Chart {
            id: "bars".into(),
            title: "Throughput by workers".into(),
            description: "d".into(),
            plot: Plot::Bars {
                categories: vec!["1 worker".into(), "2 workers".into(), "4 workers".into()],
                y: Axis { label: "requests/s".into(), log: false },
                groups: vec![
                    ("1 thread".into(), vec![95.0, 190.0, 380.0]),
                    ("4 threads".into(), vec![98.0, 196.0, 390.0]),
                    ("8 threads".into(), vec![99.0, 197.0, 392.0]),
                ],
            },
            fit: Default::default(),
        },
        Chart {
            id: "tl".into(),
            title: "GIL timeline".into(),
            description: "d".into(),
            plot: Plot::Timeline {
                x: Axis { label: "time (ms)".into(), log: false },
                range: None,
                emphasis: vec![0],
                lanes: vec![
                    Lane {
                        label: "spinner".into(),
                        spans: vec![(0.0, 5.0, 0), (5.0, 5.05, 1), (5.05, 5.06, 0), (5.06, 10.0, 0)],
                    },
                    Lane {
                        label: "echo".into(),
                        spans: vec![(0.0, 0.02, 2), (0.02, 5.0, 1), (5.0, 5.03, 0), (5.03, 5.05, 2), (5.05, 10.0, 1)],
                    },
                ],
                legend: vec![
                    ("running Python (GIL)".into(), PALETTE[0]),
                    ("waiting for the GIL".into(), PALETTE[3]),
                    ("blocked in I/O".into(), PALETTE[5]),
                ],
                markers: vec![Marker { lane: 0, at: 5.0, kind: 0 }],
                marker_legend: vec![("drop request".into(), PALETTE[1])],
            },
            fit: Default::default(),
        },
        Chart {
            id: "hm".into(),
            title: "Throughput, workers × threads".into(),
            description: "d".into(),
            plot: Plot::Heatmap {
                x: ("threads".into(), vec!["1".into(), "4".into(), "8".into()]),
                y: ("workers".into(), vec!["1".into(), "2".into(), "4".into()]),
                values: vec![
                    vec![Some(99.0), Some(120.0), Some(125.0)],
                    vec![Some(198.0), Some(240.0), Some(250.0)],
                    vec![Some(380.0), Some(420.0), Some(430.0)],
                ],
                scale: "rps".into(),
            },
            fit: Default::default(),
        },
    ];
    for c in charts {
        for (size, suffix) in [(Size::Wide, ""), (Size::Narrow, ".phone")] {
            let drawn = svg_sized(&c, size);
            let path = dir.join(format!("{}{suffix}.svg", c.id));
            std::fs::write(&path, &drawn)?;
            let problems = text::problems(&drawn).unwrap_or_else(|e| vec![e]);
            println!("{} {}", path.display(), problems.join("; "));
        }
    }
    Ok(())
}
