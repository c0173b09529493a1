//! Explorable figures and zoomable timelines: controls that swap a
//! figure's variant (from file://, nothing fetched), and timelines that
//! pan, zoom and read out the bar under the pointer or a finger.

use std::path::Path;

use headless_chrome::Tab;

use crate::page::*;

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
pub(crate) fn explorable_figures(tab: &Tab, out: &Path) {
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
pub(crate) fn zoomable_timelines(tab: &Tab, base: &str, out: &Path) {
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
