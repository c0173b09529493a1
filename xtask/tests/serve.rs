//! `cargo xtask serve` against a running server: it serves the site and
//! nothing else, whatever a hostile client sends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A running `serve`, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(out: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(root())
        .args(["serve", "--port", "0", "--head-timeout", "0.5", "--out"])
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("xtask runs");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let port = loop {
        let line = lines.next().expect("serve prints its address").expect("a line");
        if let Some(rest) = line.strip_prefix("serving http://127.0.0.1:") {
            break rest.split('/').next().and_then(|p| p.parse().ok()).expect("a port");
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Server { child, port }
}

fn raw(port: u16, request: &str) -> String {
    let mut c = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    c.write_all(request.as_bytes()).expect("send");
    let mut s = Vec::new();
    let _ = c.read_to_end(&mut s);
    String::from_utf8_lossy(&s).into_owned()
}

fn get(port: u16, target: &str) -> String {
    raw(port, &format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"))
}

fn status(response: &str) -> u16 {
    response.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

#[test]
fn serves_the_site_and_nothing_outside_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    std::fs::write(dir.path().join("secret.txt"), "SECRET").unwrap();
    let s = start(&out);
    let p = s.port;
    let home = get(p, "/");
    assert_eq!(status(&home), 200, "{home}");
    assert!(home.contains("__gil-lab/version"), "the reload script is injected");
    assert_eq!(status(&get(p, "/en/")), 200);
    assert_eq!(status(&get(p, "/assets/site.css")), 200);
    let dir_no_slash = get(p, "/en");
    assert_eq!(status(&dir_no_slash), 301);
    assert!(dir_no_slash.contains("Location: /en/\r\n"));
    assert_eq!(status(&get(p, "/no-such-page.html")), 404);
    for target in [
        "/%2Fetc/passwd",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2Fsecret.txt",
        "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "/index.html%00",
        "//etc/passwd",
        "/%C0%AE%C0%AE/secret.txt",
        "/.gil-lab-site",
    ] {
        let r = get(p, target);
        assert_eq!(status(&r), 400, "{target}: {r}");
        assert!(!r.contains("SECRET") && !r.contains("root:"), "{target}");
    }
    // Symlinks out of the site are refused; inside it they work.
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), out.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(dir.path(), out.join("up")).unwrap();
    std::os::unix::fs::symlink(out.join("index.html"), out.join("alias.html")).unwrap();
    for target in ["/leak.txt", "/up/secret.txt"] {
        let r = get(p, target);
        assert_eq!(status(&r), 403, "{target}: {r}");
        assert!(!r.contains("SECRET"));
    }
    assert_eq!(status(&get(p, "/alias.html")), 200);
    // DNS rebinding: only loopback names with the port.
    for host in ["evil.example", &format!("evil.example:{p}"), "127.0.0.1", "localhost:1"] {
        let r = raw(p, &format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n"));
        assert_eq!(status(&r), 421, "{host}");
    }
    for host in [format!("localhost:{p}"), format!("[::1]:{p}")] {
        assert_eq!(status(&raw(p, &format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n"))), 200, "{host}");
    }
    assert_eq!(status(&raw(p, "GET / HTTP/1.0\r\n\r\n")), 400, "no Host");
    for m in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
        let r = raw(p, &format!("{m} /index.html HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nContent-Length: 0\r\n\r\n"));
        assert_eq!(status(&r), 405, "{m}");
        assert!(r.contains("Allow: GET, HEAD"));
    }
    let head = raw(p, &format!("HEAD /index.html HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n\r\n"));
    assert_eq!(status(&head), 200);
    assert!(head.ends_with("\r\n\r\n"), "HEAD has no body");
    let big = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nCookie: {}\r\n\r\n", "x".repeat(64 * 1024));
    assert_eq!(status(&raw(p, &big)), 431);
}

#[test]
fn slow_clients_are_cut_off_and_do_not_block_others() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir.path().join("site"));
    let p = s.port;
    // Slowloris: a hundred connections that never finish their head.
    let t = Instant::now();
    let slow: Vec<TcpStream> = (0..100)
        .map(|_| {
            let mut c = TcpStream::connect(("127.0.0.1", p)).unwrap();
            let _ = c.write_all(format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n").as_bytes());
            c
        })
        .collect();
    // Each is answered (408 after the head timeout, or 503 at once) and closed.
    for mut c in slow {
        c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut r = String::new();
        let _ = c.read_to_string(&mut r);
        assert!(matches!(status(&r), 408 | 503), "{r}");
    }
    assert!(t.elapsed() < Duration::from_secs(15), "slow clients held the server for {:?}", t.elapsed());
    assert_eq!(status(&get(p, "/")), 200);
}

#[test]
fn a_busy_port_fails_before_the_site_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let out = dir.path().join("site");
    let o = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(root())
        .args(["serve", "--port", &port.to_string(), "--out"])
        .arg(&out)
        .output()
        .expect("xtask runs");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot listen"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!out.exists(), "nothing was built");
}
