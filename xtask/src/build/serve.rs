//! `cargo xtask serve`: build, serve on loopback, rebuild on change, reload.
//!
//! The port is bound before anything is built, so a second `serve` on a
//! busy port fails without touching the site. The server
//! ([`super::http`]) listens on 127.0.0.1 only and serves only files inside
//! the output directory. A watcher polls the modification times of notes,
//! templates, examples and calibration data (without following symlinked
//! directories, so a link loop cannot make it spin); on a change it rebuilds
//! (a failed build keeps the last good site and prints the error) and bumps
//! a version number that pages poll, through a script injected into HTML
//! responses, to reload themselves.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, anyhow};

use super::http::{self, Limits, Reply, Resolved};
use super::{Paths, describe, generate, output, write};

/// Options of `serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0: any free port, printed).
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// Build and serve this directory instead of `site/`.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seconds a client has to send its request head.
    #[arg(long, default_value_t = 10.0, hide = true)]
    head_timeout: f64,
}

const RELOAD: &str = "<script>(function(){var v=null;function p(){fetch('/__gil-lab/version').then(function(r){return r.text()}).then(function(t){if(v!==null&&t!==v)location.reload();v=t}).catch(function(){}).finally(function(){setTimeout(p,700)})}p()})();</script>";

/// The directories the watcher polls.
const WATCHED: [&str; 4] = ["notes", "templates", "examples", "calibration"];

/// Files visited per poll at most (a bound on a pathological tree).
const MAX_WATCHED: usize = 100_000;

/// The newest modification time under the watched directories. Symlinked
/// directories are not entered; symlinked files count with their target.
fn newest(root: &Path) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    let mut stack: Vec<PathBuf> = WATCHED.iter().map(|d| root.join(d)).collect();
    let mut visited = 0usize;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            visited += 1;
            if visited > MAX_WATCHED {
                return newest;
            }
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() {
                stack.push(e.path());
            } else if let Ok(t) = std::fs::metadata(e.path()).and_then(|m| m.modified()) {
                newest = newest.max(t);
            }
        }
    }
    newest
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("csv") => "text/csv; charset=utf-8",
        Some("txt") => "text/plain; charset=utf-8",
        Some("xml") => "application/xml",
        _ => "application/octet-stream",
    }
}

/// The built site, as the dev server sees it.
struct DevSite {
    /// The output directory, canonical.
    root: PathBuf,
    version: Arc<AtomicU64>,
}

impl DevSite {
    fn page(&self, status: u16, path: &Path) -> Reply {
        let body = std::fs::read(path).unwrap_or_default();
        let ctype = content_type(path);
        let body = if ctype.starts_with("text/html") {
            String::from_utf8_lossy(&body).replacen("</body>", &format!("{RELOAD}</body>"), 1).into_bytes()
        } else {
            body
        };
        Reply { status, headers: Vec::new(), content_type: ctype, body }
    }

    fn not_found(&self) -> Reply {
        match http::resolve(&self.root, &["404.html".to_owned()]) {
            Resolved::File(p) => self.page(404, &p),
            _ => Reply::text(404, "not found"),
        }
    }
}

impl http::Site for DevSite {
    fn get(&self, segments: &[String], raw_path: &str) -> Reply {
        if segments == ["__gil-lab", "version"] {
            return Reply::text(200, &self.version.load(Ordering::SeqCst).to_string());
        }
        match http::resolve(&self.root, segments) {
            Resolved::File(p) => self.page(200, &p),
            Resolved::Directory => {
                let mut r = Reply::text(301, "a directory");
                r.headers.push(("Location", format!("{raw_path}/")));
                r
            }
            Resolved::Outside => Reply::text(403, "outside the site"),
            Resolved::Missing => self.not_found(),
        }
    }
}

/// `cargo xtask serve`.
#[allow(clippy::print_stdout, clippy::print_stderr)]
pub fn serve(root: &Path, args: &ServeArgs) -> Result<()> {
    let mut paths = Paths::new(root);
    if let Some(out) = &args.out {
        paths.out = out.clone();
    }
    // Bind first: a busy port must fail before the site is touched.
    let listener = TcpListener::bind(("127.0.0.1", args.port))
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
    let addr = listener.local_addr()?;
    output::check_target(&paths.out)?;
    let outcome = generate(&paths, true)?;
    write(&paths.out, &outcome.files)?;
    println!("{}", describe(&outcome, Some(&paths.out)));
    let version = Arc::new(AtomicU64::new(1));
    let site_root =
        std::fs::canonicalize(&paths.out).with_context(|| format!("cannot resolve {}", paths.out.display()))?;
    println!("serving http://{addr}/ (Ctrl-C to stop); rebuilding when notes, templates or examples change");
    {
        let version = Arc::clone(&version);
        let paths = paths.clone();
        std::thread::spawn(move || {
            let mut seen = newest(&paths.root);
            loop {
                std::thread::sleep(Duration::from_millis(400));
                let now = newest(&paths.root);
                if now == seen {
                    continue;
                }
                seen = now;
                match generate(&paths, false).and_then(|o| write(&paths.out, &o.files).map(|()| o)) {
                    Ok(o) => {
                        println!("rebuilt: {}", describe(&o, None));
                        version.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(e) => eprintln!("error: {e:#}\n(keeping the last good site)"),
                }
            }
        });
    }
    let limits =
        Limits { head_timeout: Duration::from_secs_f64(args.head_timeout.clamp(0.05, 600.0)), ..Limits::default() };
    http::run(listener, Arc::new(DevSite { root: site_root, version }), limits).context("serve")?;
    Err(anyhow!("the server stopped"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_does_not_trap_the_watcher() {
        let dir = tempfile::tempdir().unwrap();
        let notes = dir.path().join("notes/en");
        std::fs::create_dir_all(&notes).unwrap();
        std::fs::write(notes.join("a.md"), "x").unwrap();
        // Two links back up: following them would visit 2^40 directories.
        std::os::unix::fs::symlink(dir.path().join("notes"), notes.join("loop")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("notes"), notes.join("loop2")).unwrap();
        std::os::unix::fs::symlink(notes.join("self"), notes.join("self")).unwrap();
        let t = std::time::Instant::now();
        assert!(newest(dir.path()) > SystemTime::UNIX_EPOCH);
        assert!(t.elapsed() < Duration::from_secs(2));
    }
}
