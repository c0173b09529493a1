//! The built site in a real browser: headless Chromium on the real dev
//! server (`xtask serve`), which serves the site under the base path of
//! `site.yaml` (`/gil-lab/`), as it is published.
//!
//! It checks, on every kind of page, at 360 and 1280 CSS px: no horizontal
//! overflow, a header of at most 60 px on a phone, layout shift below 0.1,
//! and no serious or critical axe-core violation in either theme (axe-core
//! is vendored in `fixtures/axe.min.js`, so the test runs offline). Then
//! quizzes (per-question feedback; answers and score restored after a
//! reload; an unanswered question is never graded; Korean short answers),
//! practice (flashcards, Leitner due counts, mock interviews, progress,
//! import), search (ranking for `convoy`, `컨보이`, `컨보이가`, snippets,
//! keyboard, more than 20 results, from file://), chart text on a phone,
//! printing, and that every link of every page type resolves under the
//! sub-path.
//!
//! Skipped (with a message) when no Chromium is installed, unless
//! `REQUIRE_BROWSER=1`, which `.ci/run` sets after installing Debian's
//! `chromium`. `CHROME=/path` picks another binary. `SCREENSHOTS=DIR`
//! saves screenshots of a note, the drill and search at 360 and 1280 px in
//! both themes.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::Emulation;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::types::PrintToPdfOptions;
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

/// Evaluates `expr` (which must produce a string, or a promise of one).
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
    while start.elapsed() < Duration::from_secs(15) {
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

/// Sets the viewport (CSS px); `phone` also makes it a mobile screen.
fn viewport(tab: &Tab, width: u32, height: u32, phone: bool) {
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

fn media(tab: &Tab, kind: &str) {
    tab.call_method(Emulation::SetEmulatedMedia { media: Some(kind.to_owned()), features: None }).expect("media");
}

/// Types into the search box as a reader would (input events).
fn search(tab: &Tab, text: &str) {
    eval(
        tab,
        &format!(
            "(function(i){{i.focus();i.value={};i.dispatchEvent(new Event('input'))}})(document.getElementById('search-input')), ''",
            serde_json::to_string(text).unwrap()
        ),
    );
}

/// A keydown on `target` (a JS expression), as the page's handlers see it.
fn key(tab: &Tab, target: &str, key: &str) {
    eval(
        tab,
        &format!(
            "({target}).dispatchEvent(new KeyboardEvent('keydown', {{key: '{key}', bubbles: true, cancelable: true}})), ''"
        ),
    );
}

/// The first search result's link, once results are shown.
fn first_result(tab: &Tab, query: &str) -> String {
    search(tab, query);
    wait_for(tab, &format!("results for `{query}`"), "document.querySelector('#search-results li:not(.r-more) a')");
    let href = eval(tab, "document.querySelector('#search-results li a').getAttribute('href')");
    href.split('#').next().unwrap_or_default().to_owned()
}

/// Layout shift since the page started (entries after input excluded).
fn layout_shift(tab: &Tab) -> f64 {
    let v = eval(
        tab,
        "new Promise(function(r){var s=0;new PerformanceObserver(function(l){l.getEntries().forEach(function(e){if(!e.hadRecentInput)s+=e.value})}).observe({type:'layout-shift',buffered:true});setTimeout(function(){r(String(s))},700)})",
    );
    v.parse().expect("a number")
}

/// How far the page sticks out to the right, in CSS px (0 when it fits).
fn overflow(tab: &Tab) -> f64 {
    eval(tab, "String(Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - innerWidth)")
        .parse()
        .expect("a number")
}

/// Serious and critical axe-core violations (with a few of their elements).
fn axe(tab: &Tab, script: &str) -> Vec<String> {
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
fn broken_links(tab: &Tab) -> Vec<String> {
    let found = eval(
        tab,
        "(function(){var urls={};function add(u){if(!u)return;var a=new URL(u,location.href);if(a.origin!==location.origin)return;a.hash='';var here=new URL(location.href);here.hash='';if(a.href===here.href)return;urls[a.href]=true}document.querySelectorAll('a[href],link[href]').forEach(function(e){add(e.getAttribute('href'))});document.querySelectorAll('script[src],img[src]').forEach(function(e){add(e.getAttribute('src'))});document.querySelectorAll('source[srcset]').forEach(function(e){add(e.getAttribute('srcset'))});return Promise.all(Object.keys(urls).map(function(u){return fetch(u,{method:'HEAD'}).then(function(r){return r.ok?null:r.status+' '+u},function(){return 'failed '+u})})).then(function(l){return JSON.stringify(l.filter(Boolean))})})()",
    );
    serde_json::from_str(&found).expect("a list")
}

fn theme(tab: &Tab, dark: bool) {
    eval(tab, &format!("(document.documentElement.dataset.theme = '{}'), ''", if dark { "dark" } else { "light" }));
}

fn screenshot(tab: &Tab, dir: &Option<PathBuf>, name: &str) {
    if let Some(dir) = dir {
        let png = tab.capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true).expect("screenshot");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }
}

#[test]
fn the_site_works_in_chromium() {
    let Some(chrome) = chromium() else {
        assert!(std::env::var("REQUIRE_BROWSER").as_deref() != Ok("1"), "REQUIRE_BROWSER=1 but no Chromium found");
        eprintln!("skipped: no Chromium (install Debian's `chromium`, or set CHROME=/path)");
        return;
    };
    let axe_js = std::fs::read_to_string(root().join("xtask/tests/fixtures/axe.min.js")).expect("vendored axe-core");
    let shots = std::env::var_os("SCREENSHOTS").map(PathBuf::from);
    if let Some(d) = &shots {
        std::fs::create_dir_all(d).expect("screenshot directory");
    }
    let out = std::env::temp_dir().join(format!("gil-lab-browser-{}", std::process::id()));
    let served = serve(&out);
    let base = served.base.clone();
    assert!(base.ends_with("/gil-lab/"), "the dev server serves under the base path: {base}");
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
        .window_size(Some((1280, 900)))
        .user_data_dir(Some(profile.clone()))
        .args(args)
        .idle_browser_timeout(Duration::from_secs(120))
        .build()
        .expect("launch options");
    let browser = Browser::new(options).expect("Chromium starts");
    let tab = browser.new_tab().expect("a tab");
    tab.set_default_timeout(Duration::from_secs(30));
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    {
        let errors = Arc::clone(&errors);
        tab.add_event_listener(Arc::new(move |e: &Event| {
            let msg = match e {
                Event::RuntimeExceptionThrown(x) => Some(format!("exception: {:?}", x.params.exception_details)),
                Event::RuntimeConsoleAPICalled(x) if format!("{:?}", x.params.Type).contains("Error") => {
                    Some(format!("console.error: {:?}", x.params.args.first().and_then(|a| a.value.clone())))
                }
                // The 404 page is meant to answer 404.
                Event::LogEntryAdded(x)
                    if format!("{:?}", x.params.entry.level).contains("Error")
                        && !x.params.entry.url.as_deref().unwrap_or("").contains("/no/such/") =>
                {
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

    pages_fit_and_pass_axe(&tab, &base, &axe_js);
    quizzes(&tab, &base);
    practice(&tab, &base);
    searching(&tab, &base, &out);
    charts_on_a_phone(&tab, &base);
    explorable_figures(&tab, &out);
    zoomable_timelines(&tab, &base, &out);
    printing(&tab, &base);
    if shots.is_some() {
        screenshots(&tab, &base, &shots);
    }

    let errors = errors.lock().expect("lock").clone();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    drop(tab);
    drop(browser);
    drop(served);
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&profile);
}

/// Every page type: fits 360 and 1280 px, a short header on phones, little
/// layout shift, no serious axe violation in either theme, every link
/// resolving under the sub-path.
fn pages_fit_and_pass_axe(tab: &Tab, base: &str, axe_js: &str) {
    let pages = [
        "",
        "en/index.html",
        "ko/index.html",
        "en/convoy-effect.html",
        "ko/convoy-effect.html",
        "en/model-vs-reality.html",
        "en/drill.html",
        "ko/drill.html",
        "en/cheatsheet.html",
        "ko/cheatsheet.html",
        "en/experiments/index.html",
        "en/experiments/convoy-effect-echo.html",
        "ko/experiments/memory-management-gc-latency.html",
        "en/tags/index.html",
        "ko/tags/gil.html",
        "en/print.html",
        "no/such/page.html",
    ];
    let mut problems = Vec::new();
    for (w, h, phone) in [(360, 740, true), (1280, 900, false)] {
        viewport(tab, w, h, phone);
        for p in pages {
            let url = format!("{base}{p}");
            open(tab, &url);
            let cls = layout_shift(tab);
            if cls >= 0.1 {
                problems.push(format!("{w}px {p}: layout shift {cls:.3}"));
            }
            let over = overflow(tab);
            if over > 0.5 {
                problems.push(format!("{w}px {p}: {over} px wider than the screen"));
            }
            if phone {
                let header: f64 =
                    eval(tab, "String(document.querySelector('.site-header').getBoundingClientRect().height)")
                        .parse()
                        .expect("a number");
                if header > 60.0 {
                    problems.push(format!("{p}: the header is {header} px tall on a phone"));
                }
                // Open search results and the phone menu must fit too.
                search(tab, "GIL");
                wait_for(tab, "search results", "document.querySelector('#search-results li')");
                let over = overflow(tab);
                let panel = eval(
                    tab,
                    "String(document.getElementById('search-panel').getBoundingClientRect().right <= innerWidth)",
                );
                if over > 0.5 || panel != "true" {
                    problems.push(format!("{p}: search results stick out ({over} px)"));
                }
                key(tab, "document.getElementById('search-input')", "Escape");
                eval(tab, "(document.querySelector('.menu-toggle').click(), '')");
                wait_for(tab, "the menu opens", "document.documentElement.classList.contains('menu-open')");
                let menu = eval(
                    tab,
                    "String(document.getElementById('site-menu').getBoundingClientRect().right <= innerWidth + 0.5)",
                );
                if menu != "true" || overflow(tab) > 0.5 {
                    problems.push(format!("{p}: the menu sticks out"));
                }
                eval(tab, "(document.querySelector('.menu-toggle').click(), '')");
            } else {
                for dark in [false, true] {
                    theme(tab, dark);
                    for v in axe(tab, axe_js) {
                        problems.push(format!("{p} ({}): {v}", if dark { "dark" } else { "light" }));
                    }
                }
                theme(tab, false);
                eval(tab, "(localStorage.removeItem('gil-lab:theme'), '')");
                for b in broken_links(tab) {
                    problems.push(format!("{p}: broken {b}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    // The 404 page, at any depth, leads back into the site.
    open(tab, &format!("{base}no/such/page.html"));
    assert_eq!(tab.get_title().expect("title"), "Page not found · gil-lab");
    eval(tab, "(document.querySelector('main a[href$=\"en/index.html\"]').click(), '')");
    wait_for(tab, "the index opened from the 404 page", "location.pathname.endsWith('/gil-lab/en/index.html')");
}

fn quizzes(tab: &Tab, base: &str) {
    viewport(tab, 1280, 900, false);
    open(tab, &format!("{base}en/gil-basics.html"));
    eval(tab, "(localStorage.clear(), '')");
    open(tab, &format!("{base}en/gil-basics.html"));
    let singles = "document.querySelectorAll('section.quiz li.question[data-kind=single]')";
    let q1 = format!("{singles}[0]");
    let q2 = format!("{singles}[1]");
    // Answered right: graded at once, with the explanation and what backs it.
    let right = eval(tab, &format!("{q1}.getAttribute('data-answer')"));
    eval(tab, &format!("({q1}.querySelector('input[value=\"{right}\"]').click(), '')"));
    wait_for(tab, "the first question is graded right away", &format!("{q1}.classList.contains('correct')"));
    wait_for(tab, "its explanation opens", &format!("{q1}.querySelector('details.answer').open"));
    assert!(eval(tab, &format!("{q1}.querySelector('.q-result').textContent")).contains("Correct"));
    let see = eval(tab, &format!("{q1}.querySelector('.q-see a').getAttribute('href')"));
    assert!(see.starts_with('#'), "{see}");
    assert_eq!(
        eval(tab, &format!("String(!!document.getElementById(decodeURIComponent('{}')))", &see[1..])),
        "true",
        "the backing link {see} lands on the page"
    );
    // Only that question: the second is still open.
    assert_eq!(
        eval(tab, &format!("String({q2}.classList.contains('correct') || {q2}.classList.contains('incorrect'))")),
        "false"
    );
    let wrong = eval(tab, &format!("{q2}.getAttribute('data-answer') === '0' ? '1' : '0'"));
    eval(tab, &format!("({q2}.querySelector('input[value=\"{wrong}\"]').click(), '')"));
    wait_for(tab, "a wrong answer is marked", &format!("{q2}.classList.contains('incorrect')"));
    assert!(eval(tab, &format!("{q2}.querySelector('.q-result').textContent")).contains("The answer:"));
    // Checking an unanswered question grades nothing.
    let multi = "document.querySelector('section.quiz li.question[data-kind=multiple], section.quiz li.question[data-kind=short]')";
    eval(tab, &format!("({multi}.querySelector('.q-check').click(), '')"));
    assert_eq!(eval(tab, &format!("{multi}.className")), "question");
    assert!(eval(tab, &format!("{multi}.querySelector('.q-result').textContent")).contains("answer first"));
    let qkey = eval(tab, &format!("{multi}.getAttribute('data-key')"));
    assert_eq!(
        eval(tab, &format!("String(!!(JSON.parse(localStorage.getItem('gil-lab:progress')).q['{qkey}']))")),
        "false"
    );
    let score = eval(tab, "document.querySelector('section.quiz .score').textContent");
    assert!(score.starts_with("Score 1 / ") && score.ends_with("2 answered"), "{score}");
    // After a reload: answers and results are back, and the score with them.
    open(tab, &format!("{base}en/gil-basics.html"));
    wait_for(
        tab,
        "the right answer is restored",
        &format!("{q1}.classList.contains('correct') && {q1}.querySelector('input[value=\"{right}\"]').checked"),
    );
    wait_for(
        tab,
        "the wrong one too",
        &format!("{q2}.classList.contains('incorrect') && {q2}.querySelector('input[value=\"{wrong}\"]').checked"),
    );
    assert_eq!(eval(tab, "document.querySelector('section.quiz .score').textContent"), score);
    // Retrying the missed ones clears only them.
    eval(tab, "(document.querySelector('section.quiz .retry').click(), '')");
    wait_for(tab, "the missed question is open again", &format!("!{q2}.classList.contains('incorrect')"));
    assert_eq!(eval(tab, &format!("String({q1}.classList.contains('correct'))")), "true");

    // Code blocks have a copy button.
    open(tab, &format!("{base}en/memory-management.html"));
    // A real click: copying needs the reader's gesture.
    tab.find_element("pre.code .copy").and_then(|b| b.click().map(|_| ())).expect("the copy button");
    wait_for(tab, "the code is copied", "document.querySelector('pre.code .copy').textContent === 'Copied'");

    // Korean short answers: spacing and a copula do not matter.
    open(tab, &format!("{base}ko/gil-basics.html"));
    let short = "document.querySelector('section.quiz li.question[data-kind=short]')";
    eval(tab, &format!("({short}.querySelector('input.short').value = '참조카운팅이다', '')"));
    key(tab, &format!("{short}.querySelector('input.short')"), "Enter");
    wait_for(tab, "a Korean short answer without spaces is right", &format!("{short}.classList.contains('correct')"));
}

fn practice(tab: &Tab, base: &str) {
    viewport(tab, 1280, 900, false);
    open(tab, &format!("{base}en/drill.html?topic=gil-basics&mode=cards"));
    eval(tab, "(localStorage.clear(), '')");
    open(tab, &format!("{base}en/drill.html?topic=gil-basics&mode=cards"));
    wait_for(
        tab,
        "a flashcard is shown",
        "document.querySelector('#stage .card .card-front') && document.querySelector('#stage .card').getBoundingClientRect().height > 50",
    );
    assert_eq!(
        eval(tab, "String(document.getElementById('drill-list').getBoundingClientRect().height)"),
        "0",
        "the list gives way to the cards"
    );
    let total: usize =
        eval(tab, "String(document.querySelectorAll('#drill-list li.question[data-topic=\"gil-basics\"]').length)")
            .parse()
            .expect("a count");
    assert_eq!(eval(tab, "document.querySelector('.card-count').textContent"), format!("1 of {total}"));
    assert_eq!(eval(tab, "String(document.querySelector('.card-back').hidden)"), "true");
    eval(tab, "(document.querySelector('.card .reveal').click(), '')");
    wait_for(tab, "the answer is revealed", "!document.querySelector('.card-back').hidden");
    eval(tab, "(document.querySelector('.card .missed').click(), '')");
    wait_for(tab, "the next card", &format!("document.querySelector('.card-count').textContent === '2 of {total}'"));
    eval(tab, "(document.querySelector('.card .reveal').click(), document.querySelector('.card .knew').click(), '')");
    // Leitner: a miss comes back tomorrow, a known card in a day too (box 1), then 2, 4...
    let boxes = eval(
        tab,
        "(function(){var q=JSON.parse(localStorage.getItem('gil-lab:progress')).q;var t=GilLab.progress.today();return Object.keys(q).sort().map(function(k){return q[k].box+':'+(q[k].due-t)+':'+q[k].ok}).join(' ')})()",
    );
    let mut seen: Vec<&str> = boxes.split(' ').collect();
    seen.sort_unstable();
    assert_eq!(seen, ["1:1:false", "1:1:true"], "{boxes}");
    // Due today: every seen question, once its day comes.
    eval(
        tab,
        "(function(){var d=GilLab.progress.load();Object.keys(d.q).forEach(function(k){d.q[k].due=GilLab.progress.today()});GilLab.progress.save(d)})(), ''",
    );
    open(tab, &format!("{base}en/drill.html?mode=cards"));
    wait_for(tab, "the due count", "/^2 due today/.test(document.getElementById('due-count').textContent)");
    eval(
        tab,
        "(function(c){c.checked=true;c.dispatchEvent(new Event('change'))})(document.getElementById('f-due')), ''",
    );
    wait_for(tab, "due only: two cards", "document.querySelector('.card-count').textContent === '1 of 2'");
    // The note page shows its due reviews next to its practice links.
    open(tab, &format!("{base}en/gil-basics.html"));
    wait_for(tab, "the note's due count", "/2 due today/.test(document.querySelector('.due-note').textContent)");

    // A mock interview: three to five questions of one topic, basic to deep.
    open(tab, &format!("{base}en/drill.html?topic=convoy-effect&mode=mock"));
    wait_for(tab, "a mock interview", "document.querySelector('#stage .card-count')");
    let mut levels = Vec::new();
    loop {
        let count =
            eval(tab, "document.querySelector('.card-count') ? document.querySelector('.card-count').textContent : ''");
        if count.is_empty() {
            break;
        }
        assert!(count.starts_with("Question "), "{count}");
        levels.push(eval(tab, "document.querySelector('.card .q-meta .level').className"));
        eval(
            tab,
            "(document.querySelector('.card .reveal').click(), document.querySelector('.card .knew').click(), '')",
        );
    }
    assert!((3..=5).contains(&levels.len()), "{levels:?}");
    let mut sorted = levels.clone();
    sorted.sort();
    assert_eq!(levels, sorted, "from basic to deep");
    assert!(eval(tab, "document.querySelector('.card-done').textContent").starts_with("Done:"));

    // Progress by topic and level.
    open(tab, &format!("{base}en/drill.html?mode=progress"));
    wait_for(tab, "the progress table", "document.querySelector('.progress-table')");
    let topics: usize =
        eval(tab, "String(document.querySelectorAll('#f-topic option[value]:not([value=\"\"])').length)")
            .parse()
            .unwrap();
    let rows: usize =
        eval(tab, "String(document.querySelectorAll('.progress-table tbody tr').length)").parse().unwrap();
    assert_eq!(rows, topics + 3 + 1, "a row per topic, per level and the total");

    // Progress from another device: imported from a file.
    open(tab, &format!("{base}en/drill.html"));
    eval(
        tab,
        "(function(){var f=new File([JSON.stringify({v:1,q:{'en/gil-basics/imported':{h:'x',ok:true,n:1,r:1,box:2,due:1,last:99999}}})],'p.json',{type:'application/json'});var t=new DataTransfer();t.items.add(f);var i=document.getElementById('import');i.files=t.files;i.dispatchEvent(new Event('change'))})(), ''",
    );
    wait_for(
        tab,
        "the import is reported",
        "/Imported progress for 1 questions/.test(document.getElementById('io-status').textContent)",
    );
    eval(tab, "(function(i){i.files=new DataTransfer().files})(document.getElementById('import')), ''");
    eval(
        tab,
        "(function(){var f=new File(['not json'],'p.json');var t=new DataTransfer();t.items.add(f);var i=document.getElementById('import');i.files=t.files;i.dispatchEvent(new Event('change'))})(), ''",
    );
    wait_for(
        tab,
        "a bad file is refused",
        "/not gil-lab progress/.test(document.getElementById('io-status').textContent)",
    );
    eval(tab, "(localStorage.clear(), '')");
}

fn searching(tab: &Tab, base: &str, out: &Path) {
    viewport(tab, 1280, 900, false);
    open(tab, &format!("{base}en/index.html"));
    assert!(first_result(tab, "convoy").ends_with("en/convoy-effect.html"), "`convoy` finds the convoy note first");
    let snippet = eval(tab, "document.querySelector('#search-results li').innerHTML");
    assert!(snippet.contains("<mark>"), "hits are highlighted: {snippet}");
    open(tab, &format!("{base}ko/index.html"));
    for q in ["컨보이", "컨보이가", "convoy", "호위 효과"] {
        let first = first_result(tab, q);
        assert!(first.contains("ko/convoy-effect.html"), "`{q}` finds the Korean convoy note first, not {first}");
    }
    // Spelling variants.
    let a = first_result(tab, "쓰레드");
    let b = first_result(tab, "스레드");
    assert_eq!(a, b, "쓰레드 and 스레드 search alike");
    // The keyboard: `/` focuses, arrows move, Enter opens; more on demand.
    open(tab, &format!("{base}en/index.html"));
    key(tab, "document.body", "/");
    assert_eq!(eval(tab, "document.activeElement.id"), "search-input");
    search(tab, "thread");
    wait_for(tab, "many results", "document.querySelector('#search-results .r-more button')");
    assert_eq!(eval(tab, "String(document.querySelectorAll('#search-results li:not(.r-more)').length)"), "20");
    eval(tab, "(document.querySelector('#search-results .r-more button').click(), '')");
    wait_for(tab, "more than 20", "document.querySelectorAll('#search-results li:not(.r-more)').length > 20");
    key(tab, "document.getElementById('search-input')", "ArrowDown");
    key(tab, "document.getElementById('search-input')", "ArrowDown");
    let second = eval(tab, "document.querySelector('#search-results li.active a').getAttribute('href')");
    assert_eq!(second, eval(tab, "document.querySelectorAll('#search-results li a')[1].getAttribute('href')"));
    key(tab, "document.getElementById('search-input')", "Enter");
    let target = second.split('#').next().unwrap_or("").trim_start_matches("../").to_owned();
    wait_for(
        tab,
        "Enter opens the result",
        &format!("location.href.indexOf({}) >= 0", serde_json::to_string(&target).unwrap()),
    );
    // Straight from the file system too: pages, charts and search.
    open(tab, &format!("file://{}/ko/index.html", out.display()));
    assert!(first_result(tab, "컨보이가").ends_with("convoy-effect.html"), "search works from file://");
}

/// On a 360 px phone each chart is its narrow drawing with text of 11 px or more.
fn charts_on_a_phone(tab: &Tab, base: &str) {
    viewport(tab, 360, 740, true);
    for page in ["en/convoy-effect.html", "ko/model-vs-reality.html", "en/memory-management.html", "ko/drill.html"] {
        open(tab, &format!("{base}{page}"));
        let found = eval(
            tab,
            "(function(){var imgs=[].slice.call(document.querySelectorAll('figure.chart picture:not([hidden]) img'));return Promise.all(imgs.map(function(i){i.loading='eager';return (i.complete&&i.naturalWidth?Promise.resolve():new Promise(function(r){i.onload=r;i.onerror=r})).then(function(){return fetch(i.currentSrc).then(function(r){return r.text()}).then(function(t){var sizes=(t.match(/font-size=\"[0-9.]+\"/g)||[]).map(function(s){return parseFloat(s.slice(11))});var vb=parseFloat((t.match(/<svg[^>]* width=\"([0-9.]+)\"/)||[0,0])[1]);var px=Math.min.apply(null,sizes)*i.getBoundingClientRect().width/vb;return {src:i.currentSrc,px:px}})})})).then(function(l){return JSON.stringify(l)})})()",
        );
        let list: Vec<serde_json::Value> = serde_json::from_str(&found).expect("a list");
        assert!(!list.is_empty(), "{page} has charts");
        for c in list {
            let src = c["src"].as_str().unwrap_or("");
            let px = c["px"].as_f64().unwrap_or(0.0);
            assert!(src.ends_with(".phone.svg"), "{page}: a phone gets the narrow chart, not {src}");
            assert!(px >= 11.0, "{page}: {src} has text of {px:.1} px on a phone");
        }
        // Zoomable timelines draw their text at 11 px or more too.
        let small = eval(
            tab,
            "String([].filter.call(document.querySelectorAll('.tl-plot svg text'),function(t){return parseFloat(getComputedStyle(t).fontSize)<11}).length)",
        );
        assert_eq!(small, "0", "{page}: timeline text under 11 px");
    }
}

/// Moves a control of the explorable figure `fig` (an index among the
/// page's) to `value`, as a reader would (input events); returns the
/// figure's chart address, its first value and its current table row.
fn move_control(tab: &Tab, fig: usize, control: usize, value: usize) -> (String, String, String) {
    eval(
        tab,
        &format!(
            "(function(){{var f=document.querySelectorAll('figure.explore')[{fig}];var c=f.querySelectorAll('.explore-controls input, .explore-controls select')[{control}];c.value='{value}';c.dispatchEvent(new Event('input',{{bubbles:true}}));c.dispatchEvent(new Event('change',{{bubbles:true}}))}})(), ''"
        ),
    );
    explored(tab, fig)
}

fn explored(tab: &Tab, fig: usize) -> (String, String, String) {
    let got = eval(
        tab,
        &format!(
            "(function(){{var f=document.querySelectorAll('figure.explore')[{fig}];return JSON.stringify([f.querySelector('picture img').getAttribute('src'),f.querySelector('.explore-values dd').textContent,f.querySelector('.explore-table tr.current').textContent])}})()"
        ),
    );
    let v: Vec<String> = serde_json::from_str(&got).expect("three strings");
    (v[0].clone(), v[1].clone(), v[2].clone())
}

/// The explorable figures, from file:// (nothing fetched): moving each
/// control swaps the chart for the chosen variant's (which loads), the
/// values and the table's current row; controls are big enough to touch,
/// and on a phone the figure fits and loads the narrow drawing.
fn explorable_figures(tab: &Tab, out: &Path) {
    for (width, phone) in [(1280, false), (360, true)] {
        viewport(tab, width, 900, phone);
        // The convoy note's switch interval, the WSGI grid, the old vs new GIL.
        for (page, control, to) in
            [("en/convoy-effect.html", 0, 0), ("ko/wsgi-servers.html", 1, 4), ("en/new-gil.html", 0, 1)]
        {
            open(tab, &format!("file://{}/{page}", out.display()));
            wait_for(
                tab,
                "the controls are shown",
                "!document.querySelector('figure.explore .explore-controls').hidden",
            );
            let sizes = eval(
                tab,
                "JSON.stringify([].map.call(document.querySelectorAll('.explore-controls input, .explore-controls select'),function(c){var r=c.getBoundingClientRect();return [r.width,r.height]}))",
            );
            let sizes: Vec<(f64, f64)> = serde_json::from_str(&sizes).expect("sizes");
            assert!(sizes.len() >= 2, "{page}: {sizes:?}");
            for (w, h) in sizes {
                assert!(
                    h >= 44.0 && w >= 44.0,
                    "{page} at {width} px: a control of {w} x {h} px is too small to touch"
                );
            }
            // A reader moves what is on the screen (the drawings load lazily).
            eval(tab, "(document.querySelector('figure.explore').scrollIntoView(), '')");
            let before = explored(tab, 0);
            let was: usize = eval(
                tab,
                &format!("document.querySelectorAll('figure.explore')[0].querySelectorAll('.explore-controls input, .explore-controls select')[{control}].value"),
            )
            .parse()
            .expect("a position");
            let after = move_control(tab, 0, control, to);
            assert_ne!(before.0, after.0, "{page}: the chart changes");
            assert_ne!(before.1, after.1, "{page}: the values change");
            assert_ne!(before.2, after.2, "{page}: the table's current row moves");
            // The variant's drawing exists and loads, in the size the screen
            // needs; a timeline already turned into its zoomable view shows the
            // variant's data instead.
            let pic = "document.querySelector('figure.explore picture')";
            if eval(tab, &format!("String({pic}.hidden)")) == "true" {
                wait_for(
                    tab,
                    "the chosen variant's view",
                    &format!(
                        "(function(p){{return p.getAttribute('data-viewing')===p.getAttribute('data-timeline')&&p.nextElementSibling.querySelector('svg rect')}})({pic})"
                    ),
                );
            } else {
                wait_for(
                    tab,
                    "the chosen variant's chart loads",
                    "(function(i){return i.complete&&i.naturalWidth>0})(document.querySelector('figure.explore picture img'))",
                );
                let src = eval(tab, "document.querySelector('figure.explore picture img').currentSrc");
                assert_eq!(src.ends_with(".phone.svg"), phone, "{page} at {width} px: {src}");
                assert!(src.starts_with("file://"), "{src}");
            }
            assert!(overflow(tab) <= 0.0, "{page} at {width} px sticks out by {} px", overflow(tab));
            // Back again: the first variant's numbers return.
            let back = move_control(tab, 0, control, was);
            assert_eq!(back, before, "{page}: the controls go back");
        }
    }
}

/// A pointer event on the timeline view of figure `fig` (a selector), at a
/// fraction of its plot's width and a pixel height.
fn point(tab: &Tab, fig: &str, kind: &str, pointer: &str, x: f64, y: f64) {
    eval(
        tab,
        &format!(
            "(function(p){{var r=p.getBoundingClientRect();p.dispatchEvent(new PointerEvent('{kind}',{{clientX:r.left+r.width*{x},clientY:r.top+{y},pointerId:7,pointerType:'{pointer}',isPrimary:true,bubbles:true}}))}})(document.querySelector('{fig} .tl-plot')), ''"
        ),
    );
}

/// A timeline becomes a view that zooms, pans and reads out the bar under
/// the pointer or a finger, with a legend that says what each state means;
/// the trace offered beside it parses as Chrome trace events with a track
/// per core, thread and GIL.
fn zoomable_timelines(tab: &Tab, base: &str, out: &Path) {
    let fig = "#chart-convoy-effect-echo-timeline";
    for (width, phone, url) in [
        (1280, false, format!("{base}en/convoy-effect.html")),
        (360, true, format!("file://{}/ko/convoy-effect.html", out.display())),
    ] {
        viewport(tab, width, 900, phone);
        open(tab, &url);
        // On the screen already, the picture waits for a tap.
        eval(tab, &format!("(document.querySelector('{fig}').scrollIntoView(), '')"));
        eval(tab, &format!("(document.querySelector('{fig} picture img').click(), '')"));
        wait_for(tab, "the zoomable view", &format!("document.querySelector('{fig} .tl-plot svg rect')"));
        assert_eq!(eval(tab, &format!("String(document.querySelector('{fig} picture').hidden)")), "true");
        let legend = eval(tab, &format!("String(document.querySelectorAll('{fig} .tl-legend li').length)"));
        assert!(legend.parse::<usize>().unwrap() >= 3, "{url}: a legend of {legend} entries");
        let help = eval(tab, &format!("document.querySelector('{fig} .tl-legend').textContent"));
        assert!(help.contains("take_gil"), "the legend explains the states: {help}");
        // Zoom in with the buttons, then pan by dragging.
        eval(
            tab,
            &format!(
                "(function(f){{f.querySelector('.tl-in').click();f.querySelector('.tl-in').click()}})(document.querySelector('{fig}')), ''"
            ),
        );
        let zoom: f64 =
            eval(tab, &format!("document.querySelector('{fig}').getAttribute('data-zoom')")).parse().unwrap();
        assert!(zoom > 2.0, "{url}: zoomed {zoom} times");
        let ticks = |tab: &Tab| {
            eval(tab, &format!("document.querySelector('{fig} .tl-plot svg text:nth-of-type(2)').textContent"))
        };
        let before = ticks(tab);
        point(tab, fig, "pointerdown", "mouse", 0.6, 40.0);
        point(tab, fig, "pointermove", "mouse", 0.3, 40.0);
        point(tab, fig, "pointerup", "mouse", 0.3, 40.0);
        wait_for(
            tab,
            "the view pans",
            &format!(
                "document.querySelector('{fig} .tl-plot svg text:nth-of-type(2)').textContent !== {}",
                serde_json::to_string(&before).unwrap()
            ),
        );
        // A tap (or a hover) reads the bar under it: lane, state, start, length.
        let pointer = if phone { "touch" } else { "mouse" };
        point(tab, fig, "pointerdown", pointer, 0.5, 30.0);
        point(tab, fig, "pointerup", pointer, 0.5, 30.0);
        wait_for(tab, "a readout", &format!("document.querySelector('{fig}').getAttribute('data-readout')"));
        let readout = eval(tab, &format!("document.querySelector('{fig} .tl-readout').textContent"));
        assert!(readout.contains("echo") && readout.contains(" · "), "{url}: readout `{readout}`");
        assert!(readout.contains("ms") || readout.contains("µs") || readout.contains("ns"), "{readout}");
        eval(tab, &format!("(document.querySelector('{fig} .tl-reset').click(), '')"));
        assert_eq!(eval(tab, &format!("document.querySelector('{fig}').getAttribute('data-zoom')")), "1");
        assert!(overflow(tab) <= 0.0, "{url}: the view sticks out by {} px", overflow(tab));
    }
    // The trace beside the timeline, as a reader downloads it.
    viewport(tab, 1280, 900, false);
    open(tab, &format!("{base}en/convoy-effect.html"));
    let tracks = eval(
        tab,
        &format!(
            "fetch(document.querySelector('{fig} a.trace-link').href).then(function(r){{return r.json()}}).then(function(t){{return JSON.stringify(t.traceEvents.filter(function(e){{return e.ph==='M'&&e.name==='thread_name'}}).map(function(e){{return e.args.name}}))}})"
        ),
    );
    let tracks: Vec<String> = serde_json::from_str(&tracks).expect("track names");
    for t in ["core 0", "core 1", "echo", "spinner", "GIL"] {
        assert!(tracks.iter().any(|n| n == t), "the downloaded trace has no track `{t}`: {tracks:?}");
    }
}

/// A note prints without navigation, its charts sized to the page.
fn printing(tab: &Tab, base: &str) {
    viewport(tab, 1280, 900, false);
    open(tab, &format!("{base}en/convoy-effect.html"));
    media(tab, "print");
    for hidden in [".site-header", ".sidebar", ".site-footer", ".prevnext", "details.data"] {
        assert_eq!(
            eval(tab, &format!("getComputedStyle(document.querySelector('{hidden}')).display")),
            "none",
            "{hidden} in print"
        );
    }
    let tallest: f64 = eval(
        tab,
        "String(Math.max.apply(null,[].map.call(document.querySelectorAll('figure.chart img'),function(i){return i.getBoundingClientRect().height})))",
    )
    .parse()
    .expect("a number");
    // 7 cm at 96 px per inch.
    assert!(tallest <= 265.0, "a chart prints {tallest} px tall");
    // No emulation: printing uses print media itself.
    media(tab, "");
    let pdf = tab
        .print_to_pdf(Some(PrintToPdfOptions {
            paper_width: Some(8.27),
            paper_height: Some(11.69),
            ..Default::default()
        }))
        .expect("a PDF");
    // Page objects: `/Type /Page` not followed by `s` (that is the page tree).
    let text = String::from_utf8_lossy(&pdf);
    let pages = text.match_indices("/Type /Page").filter(|(i, _)| !text[i + 11..].starts_with('s')).count();
    eprintln!("en/convoy-effect.html prints on {pages} A4 pages");
    assert!((1..=12).contains(&pages), "the convoy note prints on {pages} A4 pages (24 before)");
}

fn screenshots(tab: &Tab, base: &str, dir: &Option<PathBuf>) {
    for (w, h, phone) in [(360, 740, true), (1280, 900, false)] {
        viewport(tab, w, h, phone);
        for dark in [false, true] {
            let t = if dark { "dark" } else { "light" };
            for (name, page) in [
                ("note", "en/convoy-effect.html"),
                ("note-ko", "ko/convoy-effect.html"),
                ("drill", "en/drill.html?topic=convoy-effect&mode=cards"),
            ] {
                open(tab, &format!("{base}{page}"));
                theme(tab, dark);
                std::thread::sleep(Duration::from_millis(200));
                screenshot(tab, dir, &format!("{name}-{w}-{t}"));
            }
            // A chart, and a question answered wrong with its explanation.
            open(tab, &format!("{base}en/convoy-effect.html"));
            theme(tab, dark);
            eval(
                tab,
                "(function(f){f.querySelector('img').loading='eager';f.scrollIntoView()})(document.getElementById('chart-convoy-effect-sweep-trips')), ''",
            );
            wait_for(tab, "the chart", "document.querySelector('#chart-convoy-effect-sweep-trips img').complete");
            std::thread::sleep(Duration::from_millis(300));
            screenshot(tab, dir, &format!("chart-{w}-{t}"));
            let q = "document.querySelector('section.quiz li.question[data-kind=single]')";
            eval(
                tab,
                &format!(
                    "(function(q){{var w=q.getAttribute('data-answer')==='0'?'1':'0';q.querySelector('input[value=\"'+w+'\"]').click();q.scrollIntoView()}})({q}), ''"
                ),
            );
            std::thread::sleep(Duration::from_millis(300));
            screenshot(tab, dir, &format!("quiz-{w}-{t}"));
            eval(tab, "(localStorage.removeItem('gil-lab:progress'), '')");
            open(tab, &format!("{base}ko/index.html"));
            theme(tab, dark);
            search(tab, "컨보이가");
            wait_for(tab, "results", "document.querySelector('#search-results li a')");
            screenshot(tab, dir, &format!("search-{w}-{t}"));
        }
    }
    eval(tab, "(localStorage.clear(), '')");
}
