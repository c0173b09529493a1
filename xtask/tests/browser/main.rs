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
//! explorable figures (controls swap the variant's chart, values and table
//! row, from file://) and zoomable timelines (zoom, pan, readout, legend,
//! the trace for Perfetto), printing, and that every link of every page
//! type resolves under the sub-path.
//!
//! Skipped (with a message) when no Chromium is installed, unless
//! `REQUIRE_BROWSER=1`, which `.ci/run` sets after installing Debian's
//! `chromium`. `CHROME=/path` picks another binary. `SCREENSHOTS=DIR`
//! saves screenshots of a note, the drill and search at 360 and 1280 px in
//! both themes.

mod figures;
mod page;
mod walks;

use std::ffi::OsStr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::{Browser, LaunchOptions, Tab};

use figures::*;
use page::*;
use walks::*;

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
