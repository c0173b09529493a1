//! One note's page, with what it adds to the drill, the Anki deck, search
//! and the book pages; or, for a note not yet written in this language, a
//! page that says so and links to the other language.

use std::collections::{BTreeMap, BTreeSet};

use super::sources::{PageEnv, Placed};
use super::{Chapter, Ctx, File, Link, SiteError};
use crate::i18n::{Lang, ui};
use crate::markdown::{self, MdError, Section, TocEntry};
use crate::quiz::{self, Checked, Place};
use crate::search;

/// A drill question: (level, note slug, note title, HTML).
pub(super) type DrillRow = (u8, String, String, String);

/// A note's rendered body, for the cheat sheet and the print page.
pub(super) struct Body {
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// The body with its quiz.
    pub html: String,
}

/// A rendered note and its contributions to the other pages.
pub(super) struct NoteOut {
    pub page: File,
    pub anki: Vec<[String; 3]>,
    pub drill: Vec<DrillRow>,
    pub doc: Option<search::Doc>,
    pub body: Option<Body>,
}

fn to_err(file: &str) -> impl Fn(MdError) -> SiteError + '_ {
    move |e: MdError| SiteError { file: file.to_owned(), line: e.line, message: e.message }
}

/// Where the quiz goes while the body renders: the quiz's links need the
/// body's sections and figures.
const QUIZ_HERE: &str = "<!--gil-lab:quiz-->";

/// Renders chapter `i` of `lang`.
pub(super) fn render(cx: &Ctx<'_>, lang: Lang, i: usize) -> Result<NoteOut, SiteError> {
    let chapters = &cx.chapters[&lang];
    let ch = &chapters[i];
    let Some(n) = cx.note(&ch.slug, lang) else { return stub(cx, lang, i) };
    let u = ui(lang);
    let code = lang.code();
    let root = "../";
    let mut env = PageEnv::new(cx.built, cx.highlighter, lang, root);
    if !n.quiz.is_empty() {
        env.quiz = Some(QUIZ_HERE.into());
    }
    let mut body = n.body.clone();
    if !n.quiz.is_empty() && !n.places_quiz {
        // The quiz goes at the end unless the note places it.
        body.push_str("\n\n{{quiz}}\n");
    }
    let rendered = markdown::render(&body, n.body_line, lang, &env).map_err(to_err(&n.src.path))?;
    within_budget(&env, &n.src.path, n.body_line)?;
    let mut html = rendered.html.clone();
    let mut anki_rows = Vec::new();
    let mut drill_rows = Vec::new();
    if !n.quiz.is_empty() {
        let qfile = n.src.quiz.as_ref().map_or(n.src.path.clone(), |q| q.0.clone());
        let placed = env.placed.borrow().clone();
        let sees = backing(&n.quiz, &placed, &rendered.sections, lang).map_err(to_err(&qfile))?;
        let quiz_html = quiz::quiz_html(&n.quiz, &n.src.slug, &sees, lang, &env).map_err(to_err(&qfile))?;
        html = html.replacen(QUIZ_HERE, &quiz_html, 1);
        let text_env = PageEnv { text_charts: true, ..PageEnv::new(cx.built, cx.highlighter, lang, root) };
        let note_url = format!("{code}/{}.html", n.src.slug);
        anki_rows = quiz::anki_rows(&n.quiz, &n.meta.title, &note_url, lang, &text_env).map_err(to_err(&qfile))?;
        let url = format!("{}.html", n.src.slug);
        let prefix = format!("{}--", n.src.slug);
        for (c, see) in n.quiz.iter().zip(sees) {
            let place = Place {
                slug: &n.src.slug,
                prefix: &prefix,
                source: Some((&url, &n.meta.title)),
                see: see.map(|(href, text)| (format!("{url}{href}"), text)),
            };
            let html = quiz::question_html(c, &place, lang, &env).map_err(to_err(&qfile))?;
            drill_rows.push((c.q.level, n.src.slug.clone(), n.meta.title.clone(), html));
        }
    }
    let mut toc: Vec<TocEntry> = rendered.toc.clone();
    if !n.quiz.is_empty() {
        toc.push(TocEntry { level: 2, id: "quiz-title".into(), text: u.quiz.into() });
    }
    let link = |c: Option<&Chapter>| c.map(|c| Link { url: format!("{}.html", c.slug), title: c.title.clone() });
    let used: Vec<Link> = n
        .experiments
        .iter()
        .filter_map(|e| {
            let run = cx.input.runs.get(e)?;
            Some(Link { url: format!("experiments/{e}.html"), title: run.src.def.title.get(lang).to_owned() })
        })
        .collect();
    let path = format!("{}.html", n.src.slug);
    let mut ctx = cx.base(lang, root, &path, &n.meta.title, &n.meta.summary);
    ctx.insert("note", &n.meta);
    ctx.insert("current", &n.src.slug);
    ctx.insert("level_name", u.levels[usize::from(n.meta.level - 1)]);
    ctx.insert("body", &html);
    ctx.insert("toc", &toc);
    ctx.insert("prev", &link(if i > 0 { chapters.get(i - 1) } else { None }));
    ctx.insert("next", &link(chapters.get(i + 1)));
    ctx.insert("experiments", &used);
    ctx.insert("questions", &n.quiz.len());
    ctx.insert("edit_url", &cx.input.config.edit_url(code, &n.src.slug));
    ctx.insert("has_summary", &html.contains(" class=\"summary\">"));
    // Explorable figures and zoomable timelines share a script.
    ctx.insert("explore", &(html.contains("<figure class=\"chart explore\"") || html.contains(" data-timeline=\"")));
    let page = (format!("{code}/{path}"), cx.page("note.html", &ctx)?);
    let mut sections = rendered.sections.clone();
    for c in &n.quiz {
        if let Some(last) = sections.last_mut() {
            last.text.push(' ');
            last.text.push_str(&c.q.question);
        }
    }
    let alias = cx
        .note(&n.src.slug, lang.other())
        .map(|o| {
            let mut words = vec![o.meta.title.clone()];
            words.extend(markdown::scan_headings(&o.body));
            words.join(" · ")
        })
        .unwrap_or_default();
    let doc = search::Doc {
        url: format!("{code}/{path}"),
        title: n.meta.title.clone(),
        summary: n.meta.summary.clone(),
        sections,
        alias,
    };
    let body = Body { slug: n.src.slug.clone(), title: n.meta.title.clone(), summary: n.meta.summary.clone(), html };
    Ok(NoteOut { page, anki: anki_rows, drill: drill_rows, doc: Some(doc), body: Some(body) })
}

/// The page of a note written only in the other language.
fn stub(cx: &Ctx<'_>, lang: Lang, i: usize) -> Result<NoteOut, SiteError> {
    let chapters = &cx.chapters[&lang];
    let ch = &chapters[i];
    let code = lang.code();
    let path = format!("{}.html", ch.slug);
    let mut ctx = cx.base(lang, "../", &path, &ch.title, &ch.summary);
    ctx.insert("chapter", ch);
    ctx.insert("current", &ch.slug);
    let link = |c: Option<&Chapter>| c.map(|c| Link { url: format!("{}.html", c.slug), title: c.title.clone() });
    ctx.insert("prev", &link(if i > 0 { chapters.get(i - 1) } else { None }));
    ctx.insert("next", &link(chapters.get(i + 1)));
    let page = (format!("{code}/{path}"), cx.page("untranslated.html", &ctx)?);
    let doc = search::Doc {
        url: format!("{code}/{path}"),
        title: ch.title.clone(),
        summary: ch.summary.clone(),
        sections: Vec::new(),
        alias: String::new(),
    };
    Ok(NoteOut { page, anki: Vec::new(), drill: Vec::new(), doc: Some(doc), body: None })
}

/// Search terms of a text for matching questions to sections: Latin words
/// of three letters or more, and Hangul bigrams.
fn terms(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let lower = word.to_lowercase();
        let chars: Vec<char> = lower.chars().collect();
        if chars.iter().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(c)) {
            out.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
        } else if chars.len() >= 3 {
            out.insert(lower);
        }
    }
    out
}

/// Fails a note whose explorable figures add more than
/// [`EXPLORE_BUDGET`](super::explore::EXPLORE_BUDGET) bytes, naming each.
fn within_budget(env: &PageEnv<'_>, file: &str, line: usize) -> Result<(), SiteError> {
    let weights = env.explore_weight.borrow();
    let weight: usize = weights.values().sum();
    if weight <= super::explore::EXPLORE_BUDGET {
        return Ok(());
    }
    let figs: Vec<String> = weights.iter().map(|(f, b)| format!("{f}: {} kB", b / 1000)).collect();
    Err(SiteError {
        file: file.to_owned(),
        line,
        message: format!(
            "the explorable figures add {} kB, over the budget of {} kB per note ({}): fewer variants or charts",
            weight / 1000,
            super::explore::EXPLORE_BUDGET / 1000,
            figs.join(", ")
        ),
    })
}

/// For each question, what backs its answer in the note: the first chart
/// of an experiment its text uses, or else the section that shares the
/// most (rare) words with it. Anchors are `#id`.
fn backing(
    quiz: &[Checked],
    figs: &[Placed],
    sections: &[Section],
    lang: Lang,
) -> Result<Vec<Option<(String, String)>>, MdError> {
    let u = ui(lang);
    let candidates: Vec<(&Section, BTreeSet<String>)> = sections
        .iter()
        .filter(|s| !s.id.is_empty())
        .map(|s| (s, terms(&format!("{} {}", s.heading, s.text))))
        .collect();
    let mut df: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, t) in &candidates {
        for w in t {
            *df.entry(w.as_str()).or_default() += 1;
        }
    }
    let n = candidates.len().max(1) as f64;
    let mut out = Vec::new();
    for c in quiz {
        let mut exps = Vec::new();
        for text in [&c.q.question, &c.q.explanation] {
            for d in markdown::scan(text, c.line)? {
                exps.extend(d.kind.experiments());
            }
        }
        if let Some(f) = figs.iter().find(|f| exps.contains(&f.exp)) {
            out.push(Some((format!("#{}", f.anchor), format!("{}: {}", u.see_chart, f.title))));
            continue;
        }
        let q = terms(&format!("{} {} {}", c.q.question, c.q.choices.join(" "), c.q.explanation));
        let best = candidates
            .iter()
            .map(|(s, t)| {
                let score: f64 = q.intersection(t).map(|w| (n / df[w.as_str()] as f64).ln()).sum();
                (score, s)
            })
            .filter(|(score, _)| *score > 0.0)
            .fold(None::<(f64, &&Section)>, |best, (score, s)| match best {
                Some((b, _)) if b >= score => best,
                _ => Some((score, s)),
            });
        out.push(best.map(|(_, s)| (format!("#{}", s.id), format!("{}: {}", u.see_section, s.heading))));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_are_backed_by_a_chart_of_their_experiment_or_the_closest_section() {
        let quiz = quiz::parse(
            "- id: a\n  level: 1\n  type: short\n  question: How slow?\n  answer: x\n  explanation: \"{{convoy.slowdown}} times\"\n- id: b\n  level: 1\n  type: short\n  question: What does the switch interval set?\n  answer: x\n  explanation: How long a waiter waits before a drop request.\n",
        )
        .unwrap();
        let figs =
            [Placed { anchor: "chart-convoy-trips".into(), exp: "convoy".into(), title: "Trips & waits".into() }];
        let sections = vec![
            Section { id: "intro".into(), heading: "Intro".into(), text: "The GIL and threads.".into() },
            Section {
                id: "interval".into(),
                heading: "The switch interval".into(),
                text: "A waiter sets a drop request after the interval.".into(),
            },
            Section { id: "refs".into(), heading: "References".into(), text: "The GIL threads papers.".into() },
        ];
        let sees = backing(&quiz, &figs, &sections, Lang::En).unwrap();
        assert_eq!(sees[0], Some(("#chart-convoy-trips".into(), "See the chart: Trips & waits".into())));
        assert_eq!(sees[1], Some(("#interval".into(), "See the section: The switch interval".into())));
    }
}
