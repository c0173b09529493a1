//! What a reader does: quizzes, practice, search, charts on a phone,
//! printing, screenshots.

use std::path::{Path, PathBuf};
use std::time::Duration;

use headless_chrome::Tab;
use headless_chrome::types::PrintToPdfOptions;

use crate::page::*;

pub(crate) fn quizzes(tab: &Tab, base: &str) {
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

pub(crate) fn practice(tab: &Tab, base: &str) {
    // Long on purpose: one reader's walk through the drill (cards, Leitner
    // boxes, a mock interview, progress, export and import), step by step.
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

pub(crate) fn searching(tab: &Tab, base: &str, out: &Path) {
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
pub(crate) fn charts_on_a_phone(tab: &Tab, base: &str) {
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

/// A note prints without navigation, its charts sized to the page.
pub(crate) fn printing(tab: &Tab, base: &str) {
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

pub(crate) fn screenshots(tab: &Tab, base: &str, dir: &Option<PathBuf>) {
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
