//! The reproduction scripts (`notes/reproduce/*.py`) run on a real Python 3
//! in their quick mode and print their ratio; the site's copies carry the
//! model's numbers. Skipped (with a message) without `python3`, unless
//! `REQUIRE_PYTHON=1`.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn scripts() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("notes/reproduce"))
        .expect("notes/reproduce")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    out.sort();
    out
}

/// Runs `script --quick`, killing it after a minute.
fn quick(python: &str, script: &PathBuf) -> (bool, String, String) {
    let mut child = Command::new(python)
        .arg(script)
        .arg("--quick")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("{} --quick ran for more than a minute", script.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_script_runs_in_quick_mode_and_prints_its_ratio() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    if Command::new(&python).arg("--version").output().is_err() {
        assert!(std::env::var("REQUIRE_PYTHON").as_deref() != Ok("1"), "REQUIRE_PYTHON=1 but no {python}");
        eprintln!("skipped: no {python}");
        return;
    }
    let all = scripts();
    assert!(all.len() >= 4, "{all:?}");
    for script in &all {
        let (ok, out, err) = quick(&python, script);
        let name = script.file_name().unwrap().to_string_lossy();
        assert!(ok, "{name} --quick failed:\n{out}\n{err}");
        // Its ratio, whatever its value: machines differ.
        let ratios: Vec<f64> = out
            .lines()
            .filter(|l| l.starts_with("ratio ("))
            .map(|l| l.rsplit(": ").next().unwrap().trim().parse::<f64>().unwrap_or(f64::NAN))
            .collect();
        assert!(!ratios.is_empty(), "{name} printed no ratio:\n{out}");
        assert!(ratios.iter().all(|r| r.is_finite() && *r >= 0.0), "{name}: {ratios:?}\n{out}");
        assert!(out.contains("model") && out.contains("How to read a difference"), "{name}:\n{out}");
    }
}

/// Every script is linked from an experiment page, and the site's copy has
/// the model's numbers written in.
#[test]
fn the_sites_scripts_carry_the_models_numbers() {
    for script in scripts() {
        let name = script.file_name().unwrap().to_string_lossy().into_owned();
        let site = std::fs::read_to_string(root().join("site/reproduce").join(&name)).expect("the site has it");
        assert!(!site.contains("= None  # {{"), "{name}: a number is not filled in");
        assert!(site.lines().any(|l| l.starts_with("MODEL") && l.contains(" = ") && l.contains("# {{")), "{name}");
        let stem = name.trim_end_matches(".py");
        let linked = std::fs::read_dir(root().join("site/en/experiments"))
            .unwrap()
            .any(|e| std::fs::read_to_string(e.unwrap().path()).unwrap().contains(&format!("reproduce/{stem}.py\"")));
        assert!(linked, "no experiment page links {name}");
    }
}
