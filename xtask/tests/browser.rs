//! The built site in a real browser: headless Chromium on a loopback server.
//!
//! Skipped (with a message) when no Chromium is installed, unless
//! `REQUIRE_BROWSER=1`, which `.ci/run` sets after installing Debian's
//! `chromium`. `CHROME=/path` picks another binary.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::{Browser, LaunchOptions, Tab};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROME") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// The real dev server (`xtask serve`) on an ephemeral port, building into
/// `out`; killed when dropped.
struct Served {
    child: std::process::Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(out: &Path) -> Served {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(root())
        .args(["serve", "--port", "0", "--out"])
        .arg(out)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("xtask runs");
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let base = loop {
        let line = lines.next().expect("serve prints its address").expect("a line");
        if let Some(rest) = line.strip_prefix("serving ") {
            break rest.split(' ').next().expect("a URL").to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Served { child, base }
}

/// Evaluates `expr` (which must produce a string) in the page.
fn eval(tab: &Tab, expr: &str) -> String {
    let v = tab.evaluate(expr, true).unwrap_or_else(|e| panic!("evaluate {expr}: {e}"));
    match v.value {
        Some(serde_json::Value::String(s)) => s,
        other => panic!("{expr} gave {other:?}"),
    }
}

/// Polls `expr` until it gives "true".
fn wait_for(tab: &Tab, what: &str, expr: &str) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if eval(tab, &format!("String(!!({expr}))")) == "true" {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting until {what} ({expr})");
}

fn open(tab: &Tab, url: &str) {
    tab.navigate_to(url).and_then(|t| t.wait_until_navigated()).unwrap_or_else(|e| panic!("open {url}: {e}"));
    wait_for(tab, "the page is loaded", "document.readyState === 'complete'");
}

#[test]
fn the_site_works_in_chromium() {
    let Some(chrome) = chromium() else {
        assert!(std::env::var("REQUIRE_BROWSER").as_deref() != Ok("1"), "REQUIRE_BROWSER=1 but no Chromium found");
        eprintln!("skipped: no Chromium (install Debian's `chromium`, or set CHROME=/path)");
        return;
    };
    let out = std::env::temp_dir().join(format!("gil-lab-browser-{}", std::process::id()));
    let served = serve(&out);
    let base = served.base.clone();
    let profile = std::env::temp_dir().join(format!("gil-lab-chrome-{}", std::process::id()));
    // Flags: no sandbox as root in containers; nothing reaching for the network.
    let args: Vec<&OsStr> = [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let options = LaunchOptions::default_builder()
        .path(Some(chrome))
        .sandbox(false)
        .headless(true)
        .window_size(Some((1200, 900)))
        .user_data_dir(Some(profile.clone()))
        .args(args)
        .idle_browser_timeout(Duration::from_secs(60))
        .build()
        .expect("launch options");
    let browser = Browser::new(options).expect("Chromium starts");
    let tab = browser.new_tab().expect("a tab");
    tab.set_default_timeout(Duration::from_secs(15));
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    {
        let errors = Arc::clone(&errors);
        tab.add_event_listener(Arc::new(move |e: &Event| {
            let msg = match e {
                Event::RuntimeExceptionThrown(x) => Some(format!("exception: {:?}", x.params.exception_details.text)),
                Event::RuntimeConsoleAPICalled(x) if format!("{:?}", x.params.Type).contains("Error") => {
                    Some(format!("console.error: {:?}", x.params.args.first().and_then(|a| a.value.clone())))
                }
                Event::LogEntryAdded(x) if format!("{:?}", x.params.entry.level).contains("Error") => {
                    Some(format!("{}: {:?}", x.params.entry.text, x.params.entry.url))
                }
                _ => None,
            };
            if let Some(m) = msg {
                errors.lock().expect("lock").push(m);
            }
        }))
        .expect("listen");
    }
    tab.enable_runtime().expect("runtime events");
    tab.enable_log().expect("log events");

    // The index lists the notes in both languages.
    open(&tab, &base);
    assert_eq!(tab.get_title().expect("title"), "gil-lab");
    wait_for(
        &tab,
        "the landing page links both languages",
        "document.querySelector('a[href=\"en/index.html\"]') && document.querySelector('a[href=\"ko/index.html\"]')",
    );
    open(&tab, &format!("{base}en/index.html"));
    wait_for(&tab, "the English index lists the first note", "document.querySelector('a[href=\"gil-basics.html\"]')");

    // An English note: a chart is visible.
    open(&tab, &format!("{base}en/gil-basics.html"));
    assert_eq!(eval(&tab, "document.documentElement.lang"), "en");
    eval(&tab, "(document.querySelector('figure.chart img').scrollIntoView(), '')");
    wait_for(
        &tab,
        "the first chart has loaded and is visible",
        "(function(i){var r=i.getBoundingClientRect();return i.complete&&i.naturalWidth>100&&r.height>100&&getComputedStyle(i).visibility==='visible'})(document.querySelector('figure.chart img'))",
    );

    // The quiz: answer the first question right, check, see the score and the answer.
    let first = "document.querySelector('section.quiz li.question')";
    let answer = eval(&tab, &format!("{first}.getAttribute('data-answer')"));
    let pick = answer.split(',').next().expect("an answer").to_owned();
    eval(&tab, &format!("({first}.querySelector('input[value=\"{pick}\"]').click(), '')"));
    wait_for(&tab, "the quiz controls are shown", "!document.querySelector('section.quiz .quiz-controls').hidden");
    eval(&tab, "(document.querySelector('section.quiz .check').click(), '')");
    wait_for(&tab, "the first question is marked correct", &format!("{first}.classList.contains('correct')"));
    wait_for(&tab, "its answer is revealed", &format!("{first}.querySelector('details.answer').open"));
    let score = eval(&tab, "document.querySelector('section.quiz .score').textContent");
    assert!(score.starts_with("Score 1 / "), "score: {score}");
    // A wrong answer elsewhere is offered for retry.
    wait_for(&tab, "retry is offered for missed questions", "!document.querySelector('section.quiz .retry').hidden");
    // Progress survives a reload.
    open(&tab, &format!("{base}en/gil-basics.html"));
    wait_for(&tab, "progress is restored", &format!("{first}.classList.contains('correct')"));

    // Search finds an English word.
    eval(
        &tab,
        "(function(i){i.focus();i.value='reference';i.dispatchEvent(new Event('input'))})(document.getElementById('search-input')), ''",
    );
    wait_for(
        &tab,
        "search finds `reference`",
        "document.querySelector('#search-results a[href$=\"en/gil-basics.html\"]')",
    );

    // The language switch leads to the Korean translation.
    eval(&tab, "(document.querySelector('a.lang-switch').click(), '')");
    wait_for(&tab, "the Korean page opened", "location.pathname.endsWith('/ko/gil-basics.html')");
    wait_for(&tab, "the page is loaded", "document.readyState === 'complete'");
    assert_eq!(eval(&tab, "document.documentElement.lang"), "ko");
    assert!(eval(&tab, "document.querySelector('h1').textContent").contains("GIL"));

    // Search finds a Korean word (two syllables of a longer word, as Korean search needs).
    wait_for(&tab, "the search box is shown", "!document.querySelector('.search').hidden");
    eval(
        &tab,
        "(function(i){i.focus();i.value='참조 카운트';i.dispatchEvent(new Event('input'))})(document.getElementById('search-input')), ''",
    );
    wait_for(
        &tab,
        "search finds `참조 카운트`",
        "document.querySelector('#search-results a[href$=\"ko/gil-basics.html\"]')",
    );

    // The drill reveals answers without scoring them.
    open(&tab, &format!("{base}ko/drill.html"));
    eval(&tab, "(document.querySelector('.show-all').click(), '')");
    wait_for(&tab, "every answer is shown", "[].every.call(document.querySelectorAll('details.answer'), d => d.open)");

    // Straight from the file system too: pages, charts and search.
    open(&tab, &format!("file://{}/en/gil-basics.html", out.display()));
    eval(
        &tab,
        "(function(i){i.focus();i.value='GIL';i.dispatchEvent(new Event('input'))})(document.getElementById('search-input')), ''",
    );
    wait_for(&tab, "search works from file://", "document.querySelector('#search-results a')");

    let errors = errors.lock().expect("lock").clone();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    drop(tab);
    drop(browser);
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&profile);
}
