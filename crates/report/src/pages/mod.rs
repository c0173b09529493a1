//! The study site's pages: notes and sources of values in, every page and
//! file out.
//!
//! [`plan`] reads the notes (front matter, directives, quizzes), checks that
//! every note exists in both languages with the same experiments and quiz,
//! and lists the experiments to run. [`render`] takes their results (and
//! the calibration comparison: every [`experiments::Source`] alike) and
//! returns the whole site as files; [`check_links`] verifies that every
//! internal link and anchor resolves. Nothing here touches the filesystem:
//! `xtask` reads the inputs, runs the experiments and writes the output.
//!
//! Modules: `config` (publishing settings), `plan` (reading notes),
//! `sources` (values and charts of every source, figures), `note` (a
//! note's page, or the page that says it is not translated yet), `lists`
//! (index, tags, experiment pages, drill, Anki, search), `book` (the cheat
//! sheet, the whole-book print page, the sitemap), `links` (the link check).

mod book;
mod config;
mod explore;
mod links;
mod lists;
mod note;
mod plan;
mod reproduce;
mod sources;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use ::calibration::Comparison;

use crate::calibration::Calibration;
use crate::highlight::Highlighter;
use crate::i18n::{Lang, ui};
use charts::escape;
use experiments::{ExperimentData, Results};

pub use config::{Config, parse_spellings};
pub use links::{check_links, percent_decode};
pub use plan::{
    ExperimentSource, Note, NoteMeta, NoteSource, Plan, front_matter, line_of, parse_experiment, plan, scenario_path,
};
pub use reproduce::Script;

/// An error at a place in the sources.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct SiteError {
    /// File, as given.
    pub file: String,
    /// 1-based line (1 when the whole file is at fault).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn err<T>(file: &str, line: usize, message: impl Into<String>) -> Result<T, SiteError> {
    Err(SiteError { file: file.to_owned(), line, message: message.into() })
}

/// What an experiment page shows besides its definition.
#[derive(Clone, Debug)]
pub struct ExperimentRun {
    /// The definition.
    pub src: ExperimentSource,
    /// Results.
    pub data: ExperimentData,
    /// The scenario file's path and text.
    pub scenario: (String, String),
    /// Fingerprint of the simulator code it ran with.
    pub fingerprint: String,
    /// The command that reproduces it.
    pub command: String,
}

/// Everything the site needs.
#[derive(Clone, Debug)]
pub struct Input {
    /// The plan.
    pub plan: Plan,
    /// Results of every used experiment, by id.
    pub runs: BTreeMap<String, ExperimentRun>,
    /// Templates: (name, source).
    pub templates: Vec<(String, String)>,
    /// Files copied as they are: (path in the site, bytes).
    pub assets: Vec<(String, Vec<u8>)>,
    /// Model vs reality (`{{calibration...}}` in notes): the comparison and
    /// the measurements file it came from.
    pub calibration: Option<(Comparison, String)>,
    /// Publishing settings.
    pub config: Config,
    /// Groups of spellings search treats alike (`notes/spellings.yaml`).
    pub spellings: Vec<Vec<String>>,
    /// Reproduction scripts (`notes/reproduce/*.py`).
    pub scripts: Vec<Script>,
}

/// A note's place in the curriculum, in one language: the note, or (when
/// it is not translated yet) its other language's version.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Chapter {
    slug: String,
    title: String,
    summary: String,
    tags: Vec<String>,
    level: u8,
    level_name: &'static str,
    order: u32,
    questions: usize,
    /// The language the note is written in, when it is not this one.
    untranslated: Option<&'static str>,
}

/// The pseudo-experiment id of the calibration data.
pub const CALIBRATION: &str = "calibration";

/// One output file.
pub type File = (String, Vec<u8>);

#[derive(Serialize)]
struct Link {
    url: String,
    title: String,
}

/// What every page renderer shares.
struct Ctx<'a> {
    tera: &'a tera::Tera,
    input: &'a Input,
    built: &'a sources::Built,
    highlighter: &'a Highlighter,
    /// Chapters in curriculum order, by language.
    chapters: BTreeMap<Lang, Vec<Chapter>>,
}

impl Ctx<'_> {
    /// The note of `slug` in `lang`, if it is written.
    fn note(&self, slug: &str, lang: Lang) -> Option<&Note> {
        self.input.plan.notes.iter().find(|n| n.src.slug == slug && n.src.lang == lang)
    }

    /// What every page of a language shows: `path` is the page's place
    /// under the language's folder, `root` leads back to the site's root.
    fn base(&self, lang: Lang, root: &str, path: &str, title: &str, description: &str) -> tera::Context {
        let mut ctx = base_ctx(self.input, lang, root, title, description);
        let code = lang.code();
        let other = lang.other().code();
        ctx.insert("other_url", &format!("{root}{other}/{path}"));
        let cfg = &self.input.config;
        ctx.insert("canonical", &cfg.url(&format!("{code}/{path}")));
        let alternates: Vec<(&str, String)> =
            match (cfg.url(&format!("{code}/{path}")), cfg.url(&format!("{other}/{path}"))) {
                (Some(a), Some(b)) => vec![(code, a), (other, b)],
                _ => Vec::new(),
            };
        ctx.insert("alternates", &alternates);
        ctx.insert("chapters", &self.chapters[&lang]);
        ctx.insert("current", "");
        ctx
    }

    fn page(&self, name: &str, ctx: &tera::Context) -> Result<Vec<u8>, SiteError> {
        self.tera.render(name, ctx).map(String::into_bytes).map_err(|e| SiteError {
            file: format!("templates/{name}"),
            line: 1,
            message: tera_error(&e),
        })
    }
}

fn templates(input: &Input) -> Result<tera::Tera, SiteError> {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html"]);
    // Tera's default also escapes `/`, which would mangle every URL.
    tera.set_escape_fn(escape);
    tera.register_filter("slug", |v: &tera::Value, _: &std::collections::HashMap<String, tera::Value>| {
        Ok(tera::Value::String(tag_file(v.as_str().unwrap_or_default())))
    });
    // All at once: templates inherit from each other.
    tera.add_raw_templates(input.templates.iter().map(|(n, s)| (n.as_str(), s.as_str()))).map_err(|e| {
        let name = input.templates.iter().map(|(n, _)| n).find(|n| e.to_string().contains(n.as_str()));
        SiteError { file: format!("templates/{}", name.map_or("", |n| n.as_str())), line: 1, message: tera_error(&e) }
    })?;
    Ok(tera)
}

/// Renders the site; `highlighter` highlights code (and remembers it for
/// the next build).
pub fn render(input: &Input, highlighter: &Highlighter) -> Result<Vec<File>, SiteError> {
    let tera = templates(input)?;
    let mut files: Vec<File> = Vec::new();
    // Every source of values and charts, placed for errors.
    let places: BTreeMap<&String, _> =
        input.runs.iter().map(|(id, run)| (id, sources::experiment_place(run))).collect();
    let results: BTreeMap<&String, Results<'_>> =
        input.runs.iter().map(|(id, run)| (id, Results { id, def: &run.src.def, data: &run.data })).collect();
    let calibration = input.calibration.as_ref().map(|(cmp, measured)| Calibration { cmp, measured });
    let measured_place = |_: &str| ("calibration/measured.json".to_owned(), 1);
    let mut all: BTreeMap<String, sources::Located<'_>> =
        results.iter().map(|(id, r)| ((*id).clone(), sources::Located { source: r, place: &places[id] })).collect();
    if let Some(c) = &calibration {
        all.insert(CALIBRATION.into(), sources::Located { source: c, place: &measured_place });
    }
    let built = sources::build(&all, &mut files)?;
    files.extend(reproduce::files(&input.scripts, &input.runs, &built)?);
    let chapters = Lang::ALL.into_iter().map(|l| (l, chapters(&input.plan, l))).collect();
    let cx = Ctx { tera: &tera, input, built: &built, highlighter, chapters };
    // Both languages at once: each is mostly sequential after its notes.
    let per_lang: Vec<Result<Vec<File>, SiteError>> =
        Lang::ALL.into_par_iter().map(|lang| render_lang(&cx, lang)).collect();
    for out in per_lang {
        files.extend(out?);
    }
    // The landing page and the 404 page.
    let cfg = &input.config;
    let mut ctx = base_ctx(input, Lang::En, "", &cfg.title, ui(Lang::En).landing);
    ctx.insert("landing", &true);
    ctx.insert("canonical", &cfg.url(""));
    files.push(("index.html".into(), cx.page("root.html", &ctx)?));
    // A server sends it for a missing page at any depth: links start at the base path.
    let ctx = base_ctx(input, Lang::En, &cfg.base_path(), ui(Lang::En).not_found, ui(Lang::En).not_found);
    files.push(("404.html".into(), cx.page("404.html", &ctx)?));
    files.push(("assets/highlight.css".into(), crate::highlight::highlight_css().into_bytes()));
    files.extend(input.assets.iter().cloned());
    if let Some(map) = book::sitemap(cfg, &files) {
        files.push(map);
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    for w in files.windows(2) {
        if w[0].0 == w[1].0 {
            return err(&w[0].0, 1, "two outputs have this path");
        }
    }
    Ok(files)
}

/// One language's notes, lists, cheatsheet and print page.
fn render_lang(cx: &Ctx<'_>, lang: Lang) -> Result<Vec<File>, SiteError> {
    let mut files: Vec<File> = Vec::new();
    let mine: Vec<&Note> = cx.input.plan.notes.iter().filter(|n| n.src.lang == lang).collect();
    let count = cx.chapters[&lang].len();
    // Notes, rendered in parallel (highlighting and charts dominate).
    let outs: Vec<Result<note::NoteOut, SiteError>> =
        (0..count).into_par_iter().map(|i| note::render(cx, lang, i)).collect();
    // Every note's first error, not only the first note's.
    let mut errors = outs.iter().filter_map(|o| o.as_ref().err());
    if let Some(first) = errors.next() {
        let rest: Vec<String> = errors.map(ToString::to_string).collect();
        let mut e = first.clone();
        if !rest.is_empty() {
            e.message = format!("{}\n{}", e.message, rest.join("\n"));
        }
        return Err(e);
    }
    let (mut anki, mut drill, mut docs, mut bodies) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for out in outs {
        let out = out?;
        files.push(out.page);
        anki.extend(out.anki);
        drill.extend(out.drill);
        docs.extend(out.doc);
        bodies.extend(out.body);
    }
    // The lists and books in three independent groups at once; errors in
    // the order a sequential build would meet them.
    let ((lists, (experiments, search)), (cheatsheet, print)) = rayon::join(
        || {
            rayon::join(
                || (lists::index(cx, lang), lists::tags(cx, lang), lists::drill(cx, lang, &drill, &mine)),
                || {
                    let pages = lists::experiments(cx, lang, &mut docs);
                    let search = lists::search_index(lang, &docs);
                    (pages, search)
                },
            )
        },
        || rayon::join(|| book::cheatsheet(cx, lang, &bodies), || book::print(cx, lang, &bodies)),
    );
    let (index, tags, drill) = lists;
    files.push(index?);
    files.extend(tags?);
    files.extend(experiments?);
    files.push(drill?);
    files.push(lists::anki(lang, &anki));
    files.push(search);
    files.push(cheatsheet?);
    files.push(print?);
    Ok(files)
}

/// The chapters of `lang` in curriculum order (the plan's order).
fn chapters(plan: &Plan, lang: Lang) -> Vec<Chapter> {
    let mut out: Vec<Chapter> = Vec::new();
    for n in &plan.notes {
        if out.iter().any(|c| c.slug == n.src.slug) {
            continue;
        }
        let here = plan.notes.iter().find(|m| m.src.slug == n.src.slug && m.src.lang == lang);
        let note = here.unwrap_or(n);
        out.push(Chapter {
            slug: note.src.slug.clone(),
            title: note.meta.title.clone(),
            summary: note.meta.summary.clone(),
            tags: note.meta.tags.clone(),
            level: note.meta.level,
            level_name: ui(lang).levels[usize::from(note.meta.level.clamp(1, 3) - 1)],
            order: note.meta.order,
            questions: here.map_or(0, |n| n.quiz.len()),
            untranslated: if here.is_some() { None } else { Some(note.src.lang.code()) },
        });
    }
    out
}

/// A tag's file name (letters of any script kept).
pub fn tag_file(tag: &str) -> String {
    crate::markdown::slug(tag)
}

/// What every page shows, whatever its language folder.
fn base_ctx(input: &Input, lang: Lang, root: &str, title: &str, description: &str) -> tera::Context {
    let (cfg, spellings) = (&input.config, &input.spellings);
    let mut ctx = tera::Context::new();
    ctx.insert("lang", lang.code());
    ctx.insert("ui", ui(lang));
    // The scripts' words, and the spellings search and short answers treat alike.
    let mut words = serde_json::to_value(crate::i18n::js(lang)).unwrap_or_default();
    words["same"] = serde_json::to_value(spellings).unwrap_or_default();
    ctx.insert("js_ui", &serde_json::to_string(&words).unwrap_or_default().replace('<', "\\u003c"));
    ctx.insert("site", cfg);
    ctx.insert("root", root);
    ctx.insert("title", title);
    ctx.insert("description", description);
    ctx.insert("other_lang", lang.other().code());
    ctx.insert("other_lang_name", lang.other().name());
    ctx.insert("other_url", &format!("{root}{}/index.html", lang.other().code()));
    ctx.insert("landing", &false);
    ctx.insert("canonical", &None::<String>);
    ctx.insert("alternates", &Vec::<(String, String)>::new());
    ctx.insert("chapters", &Vec::<Chapter>::new());
    ctx.insert("current", "");
    ctx
}

fn tera_error(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(&format!(": {s}"));
        src = s.source();
    }
    msg
}

#[cfg(test)]
mod tests;
