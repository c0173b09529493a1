//! One note's page, with what it adds to the drill, the Anki deck and search.

use super::sources::PageEnv;
use super::{Ctx, File, Link, Note, SiteError, base_ctx};
use crate::i18n::{Lang, ui};
use crate::markdown::{self, MdError, TocEntry};
use crate::quiz;
use crate::search;

/// A drill question: (level, note slug, note title, HTML).
pub(super) type DrillRow = (u8, String, String, String);

/// A rendered note and its contributions to the other pages.
pub(super) struct NoteOut {
    pub page: File,
    pub anki: Vec<[String; 3]>,
    pub drill: Vec<DrillRow>,
    pub doc: search::Doc,
}

fn to_err(file: &str) -> impl Fn(MdError) -> SiteError + '_ {
    move |e: MdError| SiteError { file: file.to_owned(), line: e.line, message: e.message }
}

/// Renders note `mine[i]` (the notes of `lang`, in order).
pub(super) fn render(cx: &Ctx<'_>, lang: Lang, mine: &[&Note], i: usize) -> Result<NoteOut, SiteError> {
    let n = mine[i];
    let u = ui(lang);
    let code = lang.code();
    let root = "../";
    let mut env = PageEnv { built: cx.built, highlighter: cx.highlighter, lang, root, quiz: None, text_charts: false };
    let mut anki_rows = Vec::new();
    let mut drill_rows = Vec::new();
    if !n.quiz.is_empty() {
        let qfile = n.src.quiz.as_ref().map_or(n.src.path.clone(), |q| q.0.clone());
        env.quiz = Some(quiz::quiz_html(&n.quiz, &n.src.slug, lang, &env).map_err(to_err(&qfile))?);
        let text_env =
            PageEnv { built: cx.built, highlighter: cx.highlighter, lang, root, quiz: None, text_charts: true };
        let note_url = format!("{code}/{}.html", n.src.slug);
        anki_rows = quiz::anki_rows(&n.quiz, &n.meta.title, &note_url, lang, &text_env).map_err(to_err(&qfile))?;
        for c in &n.quiz {
            let url = format!("{}.html", n.src.slug);
            let html = quiz::question_html(c, &format!("{}--", n.src.slug), Some((&url, &n.meta.title)), lang, &env)
                .map_err(to_err(&qfile))?;
            drill_rows.push((c.q.level, n.src.slug.clone(), n.meta.title.clone(), html));
        }
    }
    let mut body = n.body.clone();
    if !n.quiz.is_empty() && !n.places_quiz {
        // The quiz goes at the end unless the note places it.
        body.push_str("\n\n{{quiz}}\n");
    }
    let rendered = markdown::render(&body, n.body_line, lang, &env).map_err(to_err(&n.src.path))?;
    let mut toc: Vec<TocEntry> = rendered.toc.clone();
    if !n.quiz.is_empty() {
        toc.push(TocEntry { level: 2, id: "quiz-title".into(), text: u.quiz.into() });
    }
    let link = |k: Option<&&Note>| k.map(|n| Link { url: format!("{}.html", n.src.slug), title: n.meta.title.clone() });
    let used: Vec<Link> = n
        .experiments
        .iter()
        .filter_map(|e| {
            let run = cx.input.runs.get(e)?;
            Some(Link { url: format!("experiments/{e}.html"), title: run.src.def.title.get(lang).to_owned() })
        })
        .collect();
    let mut ctx = base_ctx(lang, root, &format!("{}.html", n.src.slug), &n.meta.title);
    ctx.insert("note", &n.meta);
    ctx.insert("level_name", u.levels[usize::from(n.meta.level - 1)]);
    ctx.insert("body", &rendered.html);
    ctx.insert("toc", &toc);
    ctx.insert("prev", &link(if i > 0 { mine.get(i - 1) } else { None }));
    ctx.insert("next", &link(mine.get(i + 1)));
    ctx.insert("experiments", &used);
    ctx.insert("questions", &n.quiz.len());
    let page = (format!("{code}/{}.html", n.src.slug), cx.page("note.html", &ctx)?);
    let mut text = rendered.text;
    for c in &n.quiz {
        text.push('\n');
        text.push_str(&c.q.question);
    }
    let doc = search::Doc {
        url: format!("{code}/{}.html", n.src.slug),
        title: n.meta.title.clone(),
        summary: n.meta.summary.clone(),
        text,
    };
    Ok(NoteOut { page, anki: anki_rows, drill: drill_rows, doc })
}
