//! Driving a page: the dev server, evaluating scripts, viewports, input,
//! and what a page measures (layout shift, overflow, axe-core, links).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use headless_chrome::Tab;
use headless_chrome::protocol::cdp::Emulation;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub(crate) fn chromium() -> Option<PathBuf> {
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
pub(crate) struct Served {
    child: std::process::Child,
    pub(crate) base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn serve(out: &Path) -> Served {
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

/// Evaluates `expr` (which must produce a string, or a promise of one).
pub(crate) fn eval(tab: &Tab, expr: &str) -> String {
    let v = tab.evaluate(expr, true).unwrap_or_else(|e| panic!("evaluate {expr}: {e}"));
    match v.value {
        Some(serde_json::Value::String(s)) => s,
        other => panic!("{expr} gave {other:?}"),
    }
}

/// Polls `expr` until it gives "true".
pub(crate) fn wait_for(tab: &Tab, what: &str, expr: &str) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if eval(tab, &format!("String(!!({expr}))")) == "true" {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting until {what} ({expr})");
}

pub(crate) fn open(tab: &Tab, url: &str) {
    tab.navigate_to(url).and_then(|t| t.wait_until_navigated()).unwrap_or_else(|e| panic!("open {url}: {e}"));
    wait_for(tab, "the page is loaded", "document.readyState === 'complete'");
}

/// Sets the viewport (CSS px); `phone` also makes it a mobile screen.
pub(crate) fn viewport(tab: &Tab, width: u32, height: u32, phone: bool) {
    tab.call_method(Emulation::SetDeviceMetricsOverride {
        width,
        height,
        device_scale_factor: 1.0,
        mobile: phone,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    })
    .expect("viewport");
}

pub(crate) fn media(tab: &Tab, kind: &str) {
    tab.call_method(Emulation::SetEmulatedMedia { media: Some(kind.to_owned()), features: None }).expect("media");
}

/// Types into the search box as a reader would (input events).
pub(crate) fn search(tab: &Tab, text: &str) {
    eval(
        tab,
        &format!(
            "(function(i){{i.focus();i.value={};i.dispatchEvent(new Event('input'))}})(document.getElementById('search-input')), ''",
            serde_json::to_string(text).unwrap()
        ),
    );
}

/// A keydown on `target` (a JS expression), as the page's handlers see it.
pub(crate) fn key(tab: &Tab, target: &str, key: &str) {
    eval(
        tab,
        &format!(
            "({target}).dispatchEvent(new KeyboardEvent('keydown', {{key: '{key}', bubbles: true, cancelable: true}})), ''"
        ),
    );
}

/// The first search result's link, once results are shown.
pub(crate) fn first_result(tab: &Tab, query: &str) -> String {
    search(tab, query);
    wait_for(tab, &format!("results for `{query}`"), "document.querySelector('#search-results li:not(.r-more) a')");
    let href = eval(tab, "document.querySelector('#search-results li a').getAttribute('href')");
    href.split('#').next().unwrap_or_default().to_owned()
}

/// Layout shift since the page started (entries after input excluded).
pub(crate) fn layout_shift(tab: &Tab) -> f64 {
    let v = eval(
        tab,
        "new Promise(function(r){var s=0;new PerformanceObserver(function(l){l.getEntries().forEach(function(e){if(!e.hadRecentInput)s+=e.value})}).observe({type:'layout-shift',buffered:true});setTimeout(function(){r(String(s))},700)})",
    );
    v.parse().expect("a number")
}

/// How far the page sticks out to the right, in CSS px (0 when it fits).
pub(crate) fn overflow(tab: &Tab) -> f64 {
    eval(tab, "String(Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - innerWidth)")
        .parse()
        .expect("a number")
}

/// Serious and critical axe-core violations (with a few of their elements).
pub(crate) fn axe(tab: &Tab, script: &str) -> Vec<String> {
    if eval(tab, "typeof axe") != "object" {
        tab.evaluate(script, false).expect("axe-core loads");
    }
    let found = eval(
        tab,
        "axe.run(document, {resultTypes: ['violations']}).then(function(r){return JSON.stringify(r.violations.map(function(v){return v.impact+' '+v.id+' ('+v.nodes.length+'): '+v.nodes.slice(0,4).map(function(n){return n.target.join(' ')}).join(' | ')}))})",
    );
    let all: Vec<String> = serde_json::from_str(&found).expect("a list");
    for minor in all.iter().filter(|v| !v.starts_with("serious") && !v.starts_with("critical")) {
        eprintln!("axe (not failing): {minor}");
    }
    all.into_iter().filter(|v| v.starts_with("serious") || v.starts_with("critical")).collect()
}

/// Every same-origin address a page refers to answers 200.
pub(crate) fn broken_links(tab: &Tab) -> Vec<String> {
    let found = eval(
        tab,
        "(function(){var urls={};function add(u){if(!u)return;var a=new URL(u,location.href);if(a.origin!==location.origin)return;a.hash='';var here=new URL(location.href);here.hash='';if(a.href===here.href)return;urls[a.href]=true}document.querySelectorAll('a[href],link[href]').forEach(function(e){add(e.getAttribute('href'))});document.querySelectorAll('script[src],img[src]').forEach(function(e){add(e.getAttribute('src'))});document.querySelectorAll('source[srcset]').forEach(function(e){add(e.getAttribute('srcset'))});return Promise.all(Object.keys(urls).map(function(u){return fetch(u,{method:'HEAD'}).then(function(r){return r.ok?null:r.status+' '+u},function(){return 'failed '+u})})).then(function(l){return JSON.stringify(l.filter(Boolean))})})()",
    );
    serde_json::from_str(&found).expect("a list")
}

pub(crate) fn theme(tab: &Tab, dark: bool) {
    eval(tab, &format!("(document.documentElement.dataset.theme = '{}'), ''", if dark { "dark" } else { "light" }));
}

pub(crate) fn screenshot(tab: &Tab, dir: &Option<PathBuf>, name: &str) {
    if let Some(dir) = dir {
        let png = tab.capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true).expect("screenshot");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }
}
