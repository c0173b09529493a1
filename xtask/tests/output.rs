//! `build-site` never loses output: it replaces only what a build wrote, and
//! a build killed at any instant leaves the old site or the new one, whole.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn build(out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xtask"));
    c.arg("--root").arg(root()).args(["build-site", "--out"]).arg(out);
    c.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped());
    c
}

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn leftovers(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") || n.contains(".old-"))
        .collect()
}

#[test]
fn refuses_to_replace_a_directory_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("Documents");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("cv.txt"), "mine").unwrap();
    let o = build(&docs).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not written by `cargo xtask build-site`") && err.contains("Documents"), "{err}");
    assert_eq!(std::fs::read_to_string(docs.join("cv.txt")).unwrap(), "mine");
    assert_eq!(std::fs::read_dir(&docs).unwrap().count(), 1);
}

#[test]
fn a_build_killed_at_any_instant_leaves_a_whole_site() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let t = Instant::now();
    assert!(build(&out).status().unwrap().success());
    let took = t.elapsed();
    let reference = tree(&out);
    assert!(reference.contains_key(".gil-lab-site") && reference.contains_key("index.html"));
    // Kill points spread over a whole build (it is warm now: mostly writing).
    let kills = 24u32;
    for i in 0..kills {
        let mut child = build(&out).spawn().unwrap();
        std::thread::sleep(took.mul_f64(f64::from(i) / f64::from(kills)) + Duration::from_millis(u64::from(i % 7)));
        let _ = child.kill();
        let _ = child.wait();
        // The old site and the new one are the same bytes here: either way whole.
        let now = tree(&out);
        assert_eq!(now.len(), reference.len(), "kill {i}: {} files instead of {}", now.len(), reference.len());
        assert!(now == reference, "kill {i}: the site differs from a complete build");
    }
    assert!(build(&out).status().unwrap().success());
    assert_eq!(tree(&out), reference);
    assert_eq!(leftovers(dir.path()), Vec::<String>::new(), "the next build removes what killed builds left");
}
