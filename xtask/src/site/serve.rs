//! `cargo xtask serve`: build, serve on loopback, rebuild on change, reload.
//!
//! The server listens on 127.0.0.1 only. A watcher polls the modification
//! times of notes, templates, examples and calibration data; on a change it
//! rebuilds (a failed build keeps the last good site and prints the error)
//! and bumps a version number that pages poll, through a script injected into
//! HTML responses, to reload themselves.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, anyhow};
use tiny_http::{Header, Response, Server};

use super::cache::Sources;
use super::{Paths, describe, generate_with, write};

/// Options of `serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = 8000)]
    port: u16,
}

const RELOAD: &str = "<script>(function(){var v=null;function p(){fetch('/__gil-lab/version').then(function(r){return r.text()}).then(function(t){if(v!==null&&t!==v)location.reload();v=t}).catch(function(){}).finally(function(){setTimeout(p,700)})}p()})();</script>";

/// The newest modification time under the watched directories.
fn newest(root: &Path) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    let mut stack: Vec<PathBuf> =
        ["notes", "templates", "examples", "calibration"].iter().map(|d| root.join(d)).collect();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(t) = e.metadata().and_then(|m| m.modified()) {
                newest = newest.max(t);
            }
        }
    }
    newest
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("csv") => "text/csv; charset=utf-8",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `cargo xtask serve`.
#[allow(clippy::print_stdout, clippy::print_stderr)]
pub fn serve(root: &Path, args: &ServeArgs) -> Result<()> {
    let paths = Paths::new(root);
    // Results must come from the code this binary runs: keep its fingerprints.
    let sources = Sources::read(root)?;
    let outcome = generate_with(&paths, true, &sources)?;
    write(&paths.out, &outcome.files)?;
    println!("{}", describe(&outcome, Some(&paths.out)));
    let version = Arc::new(AtomicU64::new(1));
    let addr = format!("127.0.0.1:{}", args.port);
    let server = Server::http(&addr).map_err(|e| anyhow!("cannot listen on {addr}: {e}"))?;
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
                if Sources::read(&paths.root).is_ok_and(|s| s != sources) {
                    eprintln!("the simulator's code changed: restart `cargo xtask serve` to rebuild and rerun it");
                }
                match generate_with(&paths, false, &sources).and_then(|o| write(&paths.out, &o.files).map(|()| o)) {
                    Ok(o) => {
                        println!("rebuilt: {}", describe(&o, None));
                        version.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(e) => eprintln!("error: {e:#}\n(keeping the last good site)"),
                }
            }
        });
    }
    for req in server.incoming_requests() {
        let url = req.url().split('?').next().unwrap_or("/").to_owned();
        if url == "/__gil-lab/version" {
            let _ = req.respond(Response::from_string(version.load(Ordering::SeqCst).to_string()));
            continue;
        }
        let mut rel = report::site::percent_decode(url.trim_start_matches('/'));
        if rel.is_empty() || rel.ends_with('/') {
            rel.push_str("index.html");
        }
        if rel.split('/').any(|s| s == "..") {
            let _ = req.respond(Response::from_string("bad path").with_status_code(400));
            continue;
        }
        let file = paths.out.join(&rel);
        let (status, body, ctype) = match std::fs::read(&file) {
            Ok(b) => (200, b, content_type(&rel)),
            Err(_) => (404, std::fs::read(paths.out.join("404.html")).unwrap_or_default(), "text/html; charset=utf-8"),
        };
        let body = if ctype.starts_with("text/html") {
            let html = String::from_utf8_lossy(&body).replacen("</body>", &format!("{RELOAD}</body>"), 1);
            html.into_bytes()
        } else {
            body
        };
        let header = Header::from_bytes("Content-Type", ctype).map_err(|()| anyhow!("bad header"))?;
        let _ = req.respond(Response::from_data(body).with_status_code(status).with_header(header));
    }
    Err(anyhow!("the server stopped")).context("serve")
}
