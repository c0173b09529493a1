//! A one-note site built with the library alone: the note is written to a
//! temporary directory, read back, planned, rendered with the repository's
//! templates and link-checked, and the pages are written next to it:
//! `cargo run -p report --example one_note`.
#![allow(missing_docs, clippy::print_stdout)]
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use report::highlight::Highlighter;
use report::i18n::Lang;
use report::pages::{self, Input, NoteSource};

const NOTE: &str = "---\ntitle: {title}\nsummary: {summary}\ntags: [gil]\norder: 1\nlevel: 1\n---\n\n## {heading}\n\n{body}\n\n```python\nimport sys\nprint(sys.getswitchinterval())\n```\n";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("gil-lab-one-note-{}", std::process::id()));
    for (lang, title, heading, body) in [
        (Lang::En, "The switch interval", "Five milliseconds", "A waiter asks the holder to drop the GIL after 5 ms."),
        (Lang::Ko, "스위치 간격", "5밀리초", "기다리는 스레드는 5ms 뒤에 GIL을 놓아 달라고 요청한다."),
    ] {
        let text = NOTE.replace("{title}", title).replace("{summary}", title).replace("{heading}", heading);
        let path = dir.join("notes").join(lang.code()).join("interval.md");
        std::fs::create_dir_all(path.parent().unwrap_or(&dir))?;
        std::fs::write(&path, text.replace("{body}", body))?;
    }
    let mut notes = Vec::new();
    for lang in Lang::ALL {
        let path = dir.join("notes").join(lang.code()).join("interval.md");
        let source = std::fs::read_to_string(&path)?;
        notes.push(NoteSource { lang, slug: "interval".into(), path: path.display().to_string(), source, quiz: None });
    }
    let plan = pages::plan(notes, &BTreeSet::new())?;
    let templates_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates");
    let mut templates = Vec::new();
    let mut assets = Vec::new();
    for e in std::fs::read_dir(&templates_dir)?.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".html") {
            templates.push((name, std::fs::read_to_string(e.path())?));
        }
    }
    for e in std::fs::read_dir(templates_dir.join("static"))?.flatten() {
        assets.push((format!("assets/{}", e.file_name().to_string_lossy()), std::fs::read(e.path())?));
    }
    let input = Input {
        plan,
        runs: BTreeMap::new(),
        templates,
        assets,
        calibration: None,
        config: pages::Config::default(),
        spellings: Vec::new(),
        scripts: Vec::new(),
    };
    let files = pages::render(&input, &Highlighter::new())?;
    pages::check_links(&files, &BTreeMap::new())?;
    for (path, bytes) in &files {
        let p = dir.join("site").join(path);
        std::fs::create_dir_all(p.parent().unwrap_or(&dir))?;
        std::fs::write(p, bytes)?;
    }
    println!("{} files: open {}", files.len(), dir.join("site/en/interval.html").display());
    Ok(())
}
