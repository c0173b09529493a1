//! Unit tests of Markdown rendering.

use super::*;

struct Fake;

impl Env for Fake {
    fn value(&self, exp: &str, name: &str) -> Result<f64, String> {
        match (exp, name) {
            ("ex", "ratio") => Ok(1.0034),
            ("ex", "big") => Ok(12345.6),
            _ => Err(format!("no value {exp}.{name}")),
        }
    }
    fn chart(&self, exp: &str, chart: &str) -> Result<String, String> {
        Ok(format!("<figure data-chart=\"{exp}.{chart}\"></figure>"))
    }
    fn experiment_url(&self, exp: &str) -> Result<String, String> {
        Ok(format!("experiments/{exp}.html"))
    }
    fn quiz(&self) -> Result<String, String> {
        Ok("<section class=\"quiz\"></section>".into())
    }
    fn highlight(&self, src: &str, lang_tag: &str) -> String {
        crate::highlight::Highlighter::new().highlight(src, lang_tag)
    }
}

#[test]
fn renders_directives_callouts_anchors_and_code() {
    let body = "## Why it matters\n\nThe ratio is {{ex.ratio | .2}} and {{ex.big | int}} ({{claim: ex.ratio ~= 1 +- 0.05}}).\n\n:::myth\n**Myth:** threads are faster.\n:::\n\n{{chart: ex.time}}\n\nSee [the other note](other.md#part) and `{{not.a.directive}}`.\n\n```python\nx = \"{{ex.ratio}}\"\n```\n\n{{quiz}}\n";
    let r = render(body, 10, Lang::En, &Fake).unwrap();
    assert!(r.html.contains("<h2 id=\"why-it-matters\">Why it matters <a class=\"anchor\" href=\"#why-it-matters\""));
    assert!(r.html.contains("The ratio is 1.00 and 12,346"));
    assert!(r.html.contains("<span class=\"claim\""));
    assert!(r.html.contains("✔ 1.00 ≈ 1 ± 0.05"));
    assert!(r.html.contains("<aside class=\"callout myth\">"));
    assert!(r.html.contains("<figure data-chart=\"ex.time\">"));
    assert!(r.html.contains("href=\"other.html#part\""));
    assert!(r.html.contains("<code>{{not.a.directive}}</code>"));
    let code = &r.html[r.html.find("<pre").unwrap()..];
    assert!(code.contains("ex.ratio") && !code.contains("1.00"), "directives in code blocks stay as written");
    assert!(r.html.contains("hl-"), "code is highlighted");
    assert!(r.html.contains("<section class=\"quiz\">"));
    assert_eq!(r.toc, vec![TocEntry { level: 2, id: "why-it-matters".into(), text: "Why it matters".into() }]);
}

#[test]
fn errors_carry_the_file_line() {
    let err = |body: &str| render(body, 5, Lang::En, &Fake).unwrap_err();
    assert_eq!(
        err("a\n\nb {{claim: ex.ratio > 2}}\n"),
        MdError { line: 7, message: "false claim `ex.ratio > 2`: the values are 1.00 > 2".into() }
    );
    assert_eq!(err("{{ex.nothing}}\n").message, "no value ex.nothing");
    assert_eq!(err("x\n:::oops\n").line, 6);
    assert!(err(":::note\nopen\n").message.contains("not closed"));
    assert!(err("text {{chart: ex.a}}\n").message.contains("alone"));
    assert!(err("{{bogus}}\n").message.contains("expected experiment.value"));
    assert!(err("{{ex.ratio | bad}}\n").message.contains("unknown format"));
    let mid = err("It is {{ex.ratio | .2}} {{claim: ex.ratio < 2}}, and more.\n");
    assert_eq!((mid.line, mid.message.contains("interrupt a sentence")), (5, true));
    assert!(err("It is {{claim: ex.ratio < 2}}\nand more.\n").message.contains("interrupt"));
}

#[test]
fn claim_badges_may_close_a_sentence() {
    for body in [
        "It is 1 {{claim: ex.ratio < 2}}.\n",
        "It is 1 {{claim: ex.ratio < 2}} {{claim: ex.ratio > 0}}.\n",
        "It is 1 (one {{claim: ex.ratio < 2}}).\n",
        "It is 1\n{{claim: ex.ratio < 2}}\n{{claim: ex.ratio > 0}}.\n",
        "- It is 1 {{claim: ex.ratio < 2}}\n- next\n",
        "It is 1 {{claim: ex.ratio < 2}}\n\nNext paragraph.\n",
        "It is 1 {{claim: ex.ratio < 2}}",
    ] {
        render(body, 1, Lang::En, &Fake).unwrap_or_else(|e| panic!("{body:?}: {}", e.message));
    }
}

#[test]
fn an_unclosed_directive_is_an_error_at_its_line() {
    // `{{x.y .` used to be shown as written, and the build passed.
    let e = render("fine\n\nsee {{x.y . and more\n", 3, Lang::En, &Fake).unwrap_err();
    assert_eq!(e.line, 5);
    assert!(e.message.contains("not closed"), "{}", e.message);
    assert_eq!(scan("a\n{{ex.ratio\n", 1).unwrap_err().line, 2);
    // Escaped, in code, or closed: fine.
    let r = render("\\{{ not a directive\n\n`{{x`\n\n```\n{{open\n```\n", 1, Lang::En, &Fake).unwrap();
    assert!(r.html.contains("{{ not a directive"), "{}", r.html);
}

/// Notes are trusted source; quiz and experiment texts are data.
#[test]
fn data_text_shows_its_html_as_text_but_keeps_directive_html() {
    let body = "<script>alert(1)</script>\n\nHi <b onclick=\"x()\">there</b> {{experiment: ex}} {{claim: ex.ratio < 2}}.\n\n{{chart: ex.time}}\n";
    let note = render(body, 1, Lang::En, &Fake).unwrap().html;
    assert!(note.contains("<script>alert(1)</script>") && note.contains("<b onclick"), "{note}");
    let data = render_data(body, 1, Lang::En, &Fake).unwrap();
    let h = &data.html;
    assert!(!h.contains("<script") && !h.contains("<b "), "{h}");
    assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && h.contains("&lt;b onclick"), "{h}");
    assert!(h.contains("<span class=\"claim\""), "{h}");
    assert!(h.contains("<a class=\"exp-link\" href=\"experiments/ex.html\">Experiment: ex</a>"), "{h}");
    assert!(h.contains("\n<figure data-chart=\"ex.time\"></figure>\n") && !h.contains("<p>\u{E000}"), "{h}");
    assert!(data.text.contains("✔ 1.00 < 2") && !data.text.contains('\u{E000}'), "{}", data.text);
    // Directive HTML is the same in both.
    let html = |f: fn(&str, usize, Lang, &dyn Env) -> Result<Rendered, MdError>| {
        f("a {{claim: ex.ratio < 2}}\n\n{{chart: ex.t}}\n", 1, Lang::En, &Fake).unwrap().html
    };
    assert_eq!(html(render), html(render_data));
}

/// Found by the boundary fuzz suite: `![alt](u)` in data text made an `<img>`.
#[test]
fn data_text_shows_an_image_as_its_alt_text() {
    let html = render_data("see ![a chart](chart.svg) and ![![x](v)](w)", 1, Lang::En, &Fake).unwrap().html;
    assert!(!html.contains("<img") && html.contains("a chart"), "{html}");
    assert!(render("![a chart](chart.svg)", 1, Lang::En, &Fake).unwrap().html.contains("<img"));
}

#[test]
fn data_text_links_only_to_safe_urls() {
    for ok in ["https://docs.python.org/3/", "other.html#x", "#anchor", "mailto:a@b.c", "a/b:c"] {
        render_data(&format!("[x]({ok})"), 1, Lang::En, &Fake).unwrap();
    }
    for bad in ["javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:x", "data:text/html,<b>", "vbscript:x"] {
        let body = format!("ok\n\n[x](<{bad}>) and ![i]({bad})\n");
        let e = render_data(&body, 10, Lang::En, &Fake).unwrap_err();
        assert_eq!(e.line, 12, "{bad}");
        assert!(e.message.contains("not allowed"), "{bad}: {}", e.message);
    }
    assert!(render_data("<javascript:alert(1)>", 1, Lang::En, &Fake).is_err());
    // Notes are trusted.
    render("[x](javascript:void(0))", 1, Lang::En, &Fake).unwrap();
}

#[test]
fn scan_finds_experiments_outside_code() {
    let d = scan("{{a.x}}\n```\n{{b.y}}\n```\n{{claim: c.z / a.x < 2}} {{chart: d.t}}\n", 1).unwrap();
    let exps: Vec<String> = d.iter().flat_map(|d| d.kind.experiments()).collect();
    assert_eq!(exps, ["a", "c", "a", "d"]);
    assert_eq!(d[1].line, 5);
}

#[test]
fn sections_split_the_text_and_heading_classes_stay() {
    let r = render(
        "Intro *text*.\n\n## Summary {.summary}\n\nKey `5 ms` rule.\n\n### Deeper\n\nMore.\n",
        1,
        Lang::En,
        &Fake,
    )
    .unwrap();
    assert!(r.html.contains("<h2 id=\"summary\" class=\"summary\">Summary <a class=\"anchor\""), "{}", r.html);
    assert!(r.html.contains("aria-hidden=\"true\" tabindex=\"-1\">#</a>"));
    let s: Vec<(&str, &str, &str)> =
        r.sections.iter().map(|s| (s.id.as_str(), s.heading.as_str(), s.text.as_str())).collect();
    assert_eq!(s, [("", "", "Intro text."), ("summary", "Summary", "Key 5 ms rule."), ("deeper", "Deeper", "More.")]);
}

#[test]
fn headings_are_found_outside_code() {
    let h = scan_headings("# A\n\n## B {.summary}\n```\n## not\n```\n### C ##\n#nope\n");
    assert_eq!(h, ["A", "B", "C"]);
}

#[test]
fn slugs_keep_korean() {
    assert_eq!(slug("GIL이 필요한 이유"), "gil이-필요한-이유");
    assert_eq!(slug("What's new in 3.12?"), "whats-new-in-312");
    assert_eq!(slug("!!!"), "section");
}

/// Equal headings take -2, -3, ... (past any id already taken), and many of
/// them stay cheap: each resumes after the last suffix its base took.
#[test]
fn equal_headings_get_numbered_ids() {
    let r = render("## H\n\n## H-2\n\n## H\n\n## H\n", 1, Lang::En, &Fake).unwrap();
    let ids: Vec<&str> = r.sections.iter().skip(1).map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["h", "h-2", "h-3", "h-4"]);
    let many = "## Same\n\n".repeat(20_000);
    let r = render(&many, 1, Lang::En, &Fake).unwrap();
    assert_eq!(r.sections.last().unwrap().id, "same-20000");
}

/// A claim must test something the notes measured: one about constants
/// alone always holds and proves nothing.
#[test]
fn a_claim_without_values_is_refused() {
    let e = super::scan::parse_directive("claim: 1 < 2").unwrap_err();
    assert!(e.contains("tests no value"), "{e}");
    assert!(super::scan::parse_directive("claim: ex.ratio < 2").is_ok());
}
