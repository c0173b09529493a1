//! Unit tests of front matter and the link check.

use std::collections::BTreeMap;

use super::links::resolve;
use super::*;

#[test]
fn front_matter_errors_name_the_line() {
    let e = front_matter("n.md", "---\ntitle: T\nsummary: S\norder: x\nlevel: 1\n---\nbody").unwrap_err();
    assert_eq!(e.line, 4, "{e}");
    assert!(e.message.contains("order"), "{e}");
    let e = front_matter("n.md", "no front matter").unwrap_err();
    assert_eq!(e.line, 1);
    let e = front_matter("n.md", "---\ntitle: T\nsummary: S\norder: 1\nlevel: 7\n---\nbody").unwrap_err();
    assert_eq!(e.line, 5, "{e}");
    let e = front_matter("n.md", "---\ntitle: ' '\nsummary: S\norder: 1\nlevel: 1\n---\nbody").unwrap_err();
    assert_eq!(e.line, 2, "{e}");
    let (meta, body, line) =
        front_matter("n.md", "---\ntitle: T\nsummary: S\norder: 1\nlevel: 2\n---\nfirst\nsecond").unwrap();
    assert_eq!((meta.level, body.as_str(), line), (2, "first\nsecond", 7));
}

#[test]
fn an_experiments_scenario_stays_inside_the_repository() {
    let def = |scenario: &str| format!("title: T\ndescription: D\nscenario: {scenario}\n");
    parse_experiment("e.yaml", &def("examples/scenarios/convoy.yaml")).unwrap();
    for bad in ["../outside.yaml", "examples/../../x.yaml", "/etc/passwd", "''", "a\\\\..\\\\b.yaml"] {
        let e = parse_experiment("e.yaml", &def(bad)).unwrap_err();
        assert_eq!(e.line, 3, "{bad}: {e}");
        assert!(e.message.contains("inside the repository"), "{bad}: {e}");
    }
    let e = parse_experiment("e.yaml", &format!("title: T\ndescription: {}", "[".repeat(50_000))).unwrap_err();
    assert!(e.message.contains("deep"), "{e}");
}

#[test]
fn links_are_resolved_and_checked() {
    let files: Vec<File> = vec![
        (
            "en/a.html".into(),
            b"<a href=\"b.html#x\">b</a>\n<a href=\"../assets/s.css\">s</a> <img src=\"../x.svg\">".to_vec(),
        ),
        ("en/b.html".into(), b"<h2 id=\"x\">x</h2><a href=\"#x\">self</a><a href=\"./\">idx</a>".to_vec()),
        ("en/index.html".into(), b"".to_vec()),
        ("assets/s.css".into(), b"".to_vec()),
        ("x.svg".into(), b"".to_vec()),
    ];
    let none = BTreeMap::new();
    check_links(&files, &none).unwrap();
    let mut broken = files.clone();
    broken[0].1 = b"ok\n<a href=\"b.html#nope\">b</a>".to_vec();
    let e = check_links(&broken, &none).unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("en/a.html", 2));
    assert!(e.message.contains("has no id `nope`"));
    broken[0].1 = b"<a href=\"missing.html\">m</a>".to_vec();
    assert!(check_links(&broken, &none).unwrap_err().message.contains("no file en/missing.html"));
    // Reported where the author wrote it.
    let origins: BTreeMap<String, Vec<(String, String)>> =
        [("en/a.html".to_owned(), vec![("notes/en/a.md".to_owned(), "# A\n\nSee [m](missing.md).\n".to_owned())])]
            .into();
    let e = check_links(&broken, &origins).unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("notes/en/a.md", 3));
    // A link of the note's quiz is found in the quiz file.
    let origins: BTreeMap<String, Vec<(String, String)>> = [(
        "en/a.html".to_owned(),
        vec![
            ("notes/en/a.md".to_owned(), "# A\n\nNo link here.\n".to_owned()),
            ("notes/en/a.quiz.yaml".to_owned(), "- id: q\n  explain: see [m](missing.md)\n".to_owned()),
        ],
    )]
    .into();
    let e = check_links(&broken, &origins).unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("notes/en/a.quiz.yaml", 2));
    assert_eq!(resolve("en/experiments/x.html", "../../experiments/x/a.svg"), "experiments/x/a.svg");
    assert_eq!(percent_decode("gil%EC%9D%B4"), "gil이");
    // Malformed escapes stay as they are, even before a multi-byte character.
    assert_eq!(percent_decode("%a가%+1"), "%a가%+1");
}

/// A note named like one of the site's own pages, or tags that would share
/// a page, are refused at the note, not found later as two outputs with
/// one path.
#[test]
fn pages_and_tags_that_would_share_a_path_are_refused_at_the_note() {
    let note = |slug: &str, tags: &str| NoteSource {
        lang: Lang::En,
        slug: slug.into(),
        path: format!("notes/en/{slug}.md"),
        source: format!(
            "---\ntitle: T\nsummary: S\norder: {}\nlevel: 1\ntags: {tags}\n---\nbody\n",
            u32::from(slug.as_bytes()[0])
        ),
        quiz: None,
    };
    let known = std::collections::BTreeSet::new();
    let e = plan(vec![note("print", "[a]")], &known).unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("notes/en/print.md", 1), "{e}");
    for (tags, why) in [("[GIL, gil]", "share the page"), ("[index]", "list of tags"), ("['..']", "no letter")] {
        let e = plan(vec![note("a", tags)], &known).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("notes/en/a.md", 6), "{tags}: {e}");
        assert!(e.message.contains(why), "{tags}: {e}");
    }
    let e = plan(vec![note("a", "[GIL]"), note("b", "[gil]")], &known).unwrap_err();
    assert_eq!(e.file, "notes/en/b.md", "{e}");
    assert!(e.message.contains("tags/gil.html"), "{e}");
    plan(vec![note("a", "[GIL]"), note("b", "[GIL]")], &known).unwrap();
}
