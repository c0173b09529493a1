//! Every example under examples/scenarios parses, compiles and runs.

use std::path::PathBuf;

fn examples() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/scenarios exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_example_runs() {
    let files = examples();
    assert!(files.len() >= 4);
    for path in files {
        let name = path.display().to_string();
        let source = std::fs::read_to_string(&path).unwrap();
        let exp = workloads::ScenarioFile::parse(&name, &source).unwrap_or_else(|e| panic!("{e}"));
        let points = exp.points().unwrap_or_else(|e| panic!("{e}"));
        for (point, res) in points.iter().zip(workloads::run_points(&points, &|| {})) {
            let res = res.unwrap_or_else(|e| panic!("{name} ({}): {e}", point.label()));
            let s = workloads::summary(&point.compiled, &res);
            assert!(s.makespan_s > 0.0, "{name}");
        }
    }
}
