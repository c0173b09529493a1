//! The measurement files: both schemas, the writer, the statistics.

use super::*;

/// A file of the first schema: summaries only.
const V1: &str = r#"{
  "schema": "gil-lab.calibration/1", "date": "2026-11-22",
  "machine": {"cores": 2, "cpu": "AMD EPYC", "os": "linux"},
  "interpreters": [{
    "version": "3.12.1", "gil": "new", "ns_per_iter": 30.0, "countdown_n": 33000000,
    "countdown": [{"pinned": false, "mode": "threads", "threads": 1, "seconds": 1.0}],
    "interval_cost": [{"interval_s": 0.005, "threads": 2, "seconds": 0.5}],
    "sleeps": {"tasks": 8, "count": 4, "ms": 25.0, "seconds": {"sequential": 0.8}},
    "echo": [{"cpu_threads": 1, "interval_s": 0.005, "rps": 150.0}],
    "hash": {"blocks": 16, "mb": 32, "seconds": {"1": 1.7}}
  }],
  "wsgi": null
}"#;

#[test]
fn a_first_schema_file_loads_with_defaults() {
    let m: Measured = serde_json::from_str(V1).unwrap();
    assert!(SCHEMAS.contains(&m.schema.as_str()));
    let d = &m.interpreters[0];
    assert!(d.countdown[0].runs.is_empty() && d.countdown[0].discards.is_zero());
    assert_eq!(d.echo[0].placement, Placement::Free);
    assert_eq!(d.echo[0].lost_shares(), None);
    assert!(d.hash.as_ref().unwrap().releases_gil);
    assert!(d.pool_map.is_empty() && d.asyncio_lag.is_empty() && d.affinity.is_empty());
    assert_eq!(m.guard, None);
}

#[test]
fn the_second_schema_round_trips_every_family() {
    let mut m: Measured = serde_json::from_str(V1).unwrap();
    m.schema = SCHEMA.into();
    let d = &mut m.interpreters[0];
    d.countdown[0].runs = vec![1.0, 1.1];
    d.countdown[0].discards = Discards { discarded: 2, noisy: 1 };
    d.echo[0].trips = vec![EchoTrips {
        trips: 300,
        seconds: 2.0,
        median_us: 5100.0,
        mean_us: 6000.0,
        p10_us: 5050.0,
        p90_us: 10100.0,
        p99_us: 15000.0,
        max_us: 20000.0,
        lost: Some([0, 240, 50, 10]),
    }];
    d.echo_placed.push(EchoRun { placement: Placement::SameCore, ..d.echo[0].clone() });
    d.affinity.push(AffinityRun {
        cpus: vec![0, 1],
        interval_s: None,
        countdown_n: 1000,
        method: "os".into(),
        seconds: 1.0,
        runs: vec![1.0],
        discards: Discards::default(),
    });
    d.pool_map.push(PoolMapRun {
        start_method: "fork".into(),
        workers: 2,
        tasks: 10_000,
        chunksize: 1,
        payload_bytes: 1000,
        seconds: 0.5,
        runs: vec![0.5],
        discards: Discards::default(),
    });
    d.asyncio_lag.push(LagRun {
        mode: "thread".into(),
        interval_s: Some(0.005),
        tick_s: 0.001,
        countdown_n: Some(1000),
        seconds: None,
        max_lag_s: 0.01,
        mean_lag_s: 0.006,
        ticks: 50.0,
        runs: Vec::new(),
        discards: Discards::default(),
    });
    let text = m.to_json();
    assert!(text.contains("\"same_core\"") && text.contains("\"discarded\": 2"), "{text}");
    // A point's runs on one line; points and objects one per line.
    assert!(text.contains("\"runs\": [1.0, 1.1],\n"), "{text}");
    assert!(text.contains("\"lost\": [0, 240, 50, 10]\n"), "{text}");
    assert!(text.contains("\"countdown\": [\n        {\n          \"pinned\": false,"), "{text}");
    assert!(text.contains("\"runs\": [],"), "{text}");
    let back: Measured = serde_json::from_str(&text).unwrap();
    assert_eq!(back, m);
    let shares = back.interpreters[0].echo[0].lost_shares().unwrap();
    assert_eq!(shares, [0.0, 0.8, 50.0 / 300.0, 10.0 / 300.0]);
    assert_eq!(back.interpreters[0].echo[0].median_trip_us(), Some(5100.0));
}

#[test]
fn short_lists_read_back_as_pretty_json_does() {
    let m: Measured = serde_json::from_str(V1).unwrap();
    let text = m.to_json();
    assert_eq!(serde_json::from_str::<Measured>(&text).unwrap(), m);
    let pretty: serde_json::Value = serde_json::from_str(&serde_json::to_string_pretty(&m).unwrap()).unwrap();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), pretty);
    assert!(text.starts_with("{\n  \"schema\": ") && text.ends_with("}\n"), "{text}");
    assert!(text.contains("\"wsgi\": null"), "{text}");
}

#[test]
fn spread_statistics() {
    assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
    assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    assert!(median(&[]).is_nan());
    assert_eq!((min(&[2.0, 1.0, 3.0]), max(&[2.0, 1.0, 3.0])), (1.0, 3.0));
}
