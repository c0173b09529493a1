//! The study site: notes and experiments in, every page and file out.
//!
//! [`plan`] reads the notes (front matter, directives, quizzes), checks that
//! every note exists in both languages with the same experiments and quiz,
//! and lists the experiments to run. [`render`] takes their results and
//! returns the whole site as files; [`check_links`] verifies that every
//! internal link and anchor resolves. Nothing here touches the filesystem:
//! `xtask` reads the inputs, runs the experiments and writes the output.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::calibration::Comparison;
use crate::chart::{self, escape};
use crate::experiment::{self, ExperimentData, ExperimentDef};
use crate::i18n::{Lang, ui};
use crate::markdown::{self, Env, MdError, TocEntry};
use crate::quiz::{self, Checked};
use crate::search;

/// An error at a place in the sources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteError {
    /// File, as given.
    pub file: String,
    /// 1-based line (1 when the whole file is at fault).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for SiteError {}

fn err<T>(file: &str, line: usize, message: impl Into<String>) -> Result<T, SiteError> {
    Err(SiteError { file: file.to_owned(), line, message: message.into() })
}

/// A note file as read.
#[derive(Clone, Debug)]
pub struct NoteSource {
    /// Its language.
    pub lang: Lang,
    /// File stem: the same in both languages.
    pub slug: String,
    /// Path for messages.
    pub path: String,
    /// Its text.
    pub source: String,
    /// Its quiz file, if any: (path, text).
    pub quiz: Option<(String, String)>,
}

/// Front matter.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NoteMeta {
    /// Title.
    pub title: String,
    /// One-line summary.
    pub summary: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Position in the curriculum.
    pub order: u32,
    /// Difficulty, 1 to 3.
    pub level: u8,
}

/// A note after planning.
#[derive(Clone, Debug)]
pub struct Note {
    /// Source.
    pub src: NoteSource,
    /// Front matter.
    pub meta: NoteMeta,
    /// Body (after the front matter).
    pub body: String,
    /// Line of the body's first line in the file.
    pub body_line: usize,
    /// Its quiz, validated.
    pub quiz: Vec<Checked>,
    /// Experiments the note and its quiz use, sorted.
    pub experiments: BTreeSet<String>,
    /// Whether the body places the quiz with `{{quiz}}` (else it goes last).
    pub places_quiz: bool,
}

/// An experiment definition as read.
#[derive(Clone, Debug)]
pub struct ExperimentSource {
    /// Path for messages.
    pub path: String,
    /// Its text (to place errors on lines).
    pub source: String,
    /// The parsed definition.
    pub def: ExperimentDef,
}

impl ExperimentSource {
    /// The line an error at `path` (`values.speedup.expr`, `charts[1].x`) refers to.
    pub fn line(&self, path: &str) -> usize {
        if let Some(rest) = path.strip_prefix("values.") {
            let name = rest.split('.').next().unwrap_or(rest);
            return line_of(&self.source, &format!("{name}:"));
        }
        if let Some(rest) = path.strip_prefix("charts[") {
            if let Some(i) = rest.split(']').next().and_then(|n| n.parse::<usize>().ok()) {
                if let Some(c) = self.def.charts.get(i) {
                    return line_of(&self.source, &format!("id: {}", c.id));
                }
            }
        }
        line_of(&self.source, &format!("{}:", path.split(['.', '[']).next().unwrap_or(path)))
    }
}

/// The notes, checked, and what to run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Notes in curriculum order, English then Korean for each slug.
    pub notes: Vec<Note>,
    /// Experiments some note uses.
    pub used: BTreeSet<String>,
    /// Experiments no note uses.
    pub unused: Vec<String>,
}

/// Parses an experiment definition; errors carry the line.
pub fn parse_experiment(path: &str, source: &str) -> Result<ExperimentSource, SiteError> {
    // Size, depth and aliases first: the YAML parser is slow on deep nesting.
    workloads::limits::check_yaml(source, &workloads::Limits::default()).map_err(|e| SiteError {
        file: path.to_owned(),
        line: e.line,
        message: e.message,
    })?;
    let de = serde_yaml::Deserializer::from_str(source);
    let def: ExperimentDef = serde_path_to_error::deserialize(de).map_err(|e| {
        // A field's own check may have no place (or line 1): use its key's line.
        let top = e.path().iter().next().map(|seg| seg.to_string()).unwrap_or_default();
        let line = match e.inner().location() {
            Some(l) if l.line() > 1 || top.is_empty() => l.line(),
            _ => line_of(source, &format!("{top}:")),
        };
        let msg = e.inner().to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
        SiteError { file: path.to_owned(), line, message: format!("{}: {msg}", e.path()) }
    })?;
    if let Err(message) = scenario_path(&def.scenario) {
        return err(path, line_of(source, "scenario:"), format!("scenario: {message}"));
    }
    let mut ids = BTreeSet::new();
    for (i, c) in def.charts.iter().enumerate() {
        if !ids.insert(&c.id) {
            return err(
                path,
                line_of(source, &format!("id: {}", c.id)),
                format!("charts[{i}]: another chart has the id `{}`", c.id),
            );
        }
    }
    Ok(ExperimentSource { path: path.to_owned(), source: source.to_owned(), def })
}

/// A definition's scenario path must stay inside the repository: relative,
/// with no `..` (the build also checks where symbolic links lead).
pub fn scenario_path(p: &str) -> Result<(), String> {
    let path = std::path::Path::new(p);
    let inside = path.components().all(|c| matches!(c, std::path::Component::Normal(_) | std::path::Component::CurDir));
    if p.is_empty() || !inside || p.contains('\\') {
        return Err(format!(
            "`{p}` is not a path inside the repository: write it from the repository root, like examples/scenarios/convoy.yaml"
        ));
    }
    Ok(())
}

/// The first line containing `needle` (1 if none).
pub fn line_of(source: &str, needle: &str) -> usize {
    source.lines().position(|l| l.contains(needle)).map_or(1, |i| i + 1)
}

/// Splits front matter from the body: (meta, body, line of the body).
pub fn front_matter(path: &str, source: &str) -> Result<(NoteMeta, String, usize), SiteError> {
    let Some(rest) = source.strip_prefix("---\n") else {
        return err(
            path,
            1,
            "a note starts with front matter between `---` lines (title, summary, tags, order, level)",
        );
    };
    let Some(end) = rest.find("\n---\n").or_else(|| rest.strip_suffix("\n---").map(|r| r.len())) else {
        return err(path, 1, "the front matter is not closed with `---`");
    };
    let yaml = &rest[..end];
    workloads::limits::check_yaml(yaml, &workloads::Limits::default()).map_err(|e| SiteError {
        file: path.to_owned(),
        line: e.line + 1,
        message: format!("front matter: {}", e.message),
    })?;
    let meta: NoteMeta = serde_yaml::from_str(yaml).map_err(|e| {
        let line = e.location().map_or(1, |l| l.line() + 1);
        let msg = e.to_string();
        SiteError {
            file: path.to_owned(),
            line,
            message: format!("front matter: {}", msg.split(" at line ").next().unwrap_or(&msg)),
        }
    })?;
    if !(1..=3).contains(&meta.level) {
        return err(path, 1 + line_of(yaml, "level:"), format!("front matter: level {} is not 1, 2 or 3", meta.level));
    }
    let body_start = (end + 5).min(rest.len());
    let body_line = yaml.lines().count() + 3;
    Ok((meta, rest[body_start..].to_owned(), body_line))
}

/// Reads and cross-checks the notes; `known` lists the defined experiments.
pub fn plan(sources: Vec<NoteSource>, known: &BTreeSet<String>) -> Result<Plan, SiteError> {
    let mut notes: Vec<Note> = Vec::new();
    for src in sources {
        let (meta, body, body_line) = front_matter(&src.path, &src.source)?;
        let mut experiments = BTreeSet::new();
        let directives = markdown::scan(&body, body_line).map_err(|e| SiteError {
            file: src.path.clone(),
            line: e.line,
            message: e.message,
        })?;
        let mut quizzes = 0;
        for d in &directives {
            for exp in d.kind.experiments() {
                if !known.contains(&exp) {
                    return err(&src.path, d.line, format!("no experiment `{exp}` (notes/experiments/{exp}.yaml)"));
                }
                experiments.insert(exp);
            }
            quizzes += usize::from(d.kind == markdown::DirectiveKind::Quiz);
        }
        let quiz = match &src.quiz {
            Some((qpath, qsrc)) => {
                let q = quiz::parse(qsrc).map_err(|e| SiteError {
                    file: qpath.clone(),
                    line: e.line,
                    message: e.message,
                })?;
                for exp in quiz::experiments(&q).map_err(|e| SiteError {
                    file: qpath.clone(),
                    line: e.line,
                    message: e.message,
                })? {
                    if !known.contains(&exp) {
                        return err(qpath, 1, format!("no experiment `{exp}` (notes/experiments/{exp}.yaml)"));
                    }
                    experiments.insert(exp);
                }
                q
            }
            None => Vec::new(),
        };
        if quizzes > 1 {
            return err(&src.path, body_line, "`{{quiz}}` appears more than once");
        }
        if quizzes == 1 && quiz.is_empty() {
            return err(&src.path, body_line, format!("`{{{{quiz}}}}` but no quiz file {}.quiz.yaml", src.slug));
        }
        notes.push(Note { src, meta, body, body_line, quiz, experiments, places_quiz: quizzes == 1 });
    }
    // Both languages, the same experiments and quiz.
    let slugs: BTreeSet<String> = notes.iter().map(|n| n.src.slug.clone()).collect();
    let mut ordered = Vec::new();
    for slug in &slugs {
        let pair: Vec<&Note> = notes.iter().filter(|n| &n.src.slug == slug).collect();
        for lang in Lang::ALL {
            if !pair.iter().any(|n| n.src.lang == lang) {
                let have = pair[0];
                return err(
                    &have.src.path,
                    1,
                    format!("no {} translation: add notes/{}/{slug}.md", lang.name(), lang.code()),
                );
            }
        }
        let (a, b) = (
            pair.iter().find(|n| n.src.lang == Lang::En).unwrap(),
            pair.iter().find(|n| n.src.lang == Lang::Ko).unwrap(),
        );
        if a.experiments != b.experiments {
            let only_a: Vec<&String> = a.experiments.difference(&b.experiments).collect();
            let only_b: Vec<&String> = b.experiments.difference(&a.experiments).collect();
            return err(
                &b.src.path,
                1,
                format!(
                    "the translations use different experiments (only in English: {only_a:?}; only here: {only_b:?})"
                ),
            );
        }
        if a.meta.order != b.meta.order || a.meta.level != b.meta.level {
            return err(&b.src.path, 1, "order and level must be the same in both languages");
        }
        match (a.quiz.is_empty(), b.quiz.is_empty()) {
            (true, true) => {}
            (false, false) => {
                if let Err((line, message)) = quiz::agree(&a.quiz, &b.quiz) {
                    let file = b.src.quiz.as_ref().map_or(&b.src.path, |q| &q.0);
                    return err(file, line, message);
                }
            }
            _ => return err(&b.src.path, 1, "a quiz exists in one language only"),
        }
        ordered.push((a.meta.order, slug.clone()));
    }
    ordered.sort();
    for w in ordered.windows(2) {
        if w[0].0 == w[1].0 {
            let n = notes.iter().find(|n| n.src.slug == w[1].1).unwrap();
            return err(&n.src.path, 1, format!("order {} is also the order of `{}`", w[1].0, w[0].1));
        }
    }
    let rank: BTreeMap<&str, usize> = ordered.iter().enumerate().map(|(i, (_, s))| (s.as_str(), i)).collect();
    notes.sort_by_key(|n| (rank[n.src.slug.as_str()], n.src.lang));
    let used: BTreeSet<String> = notes.iter().flat_map(|n| n.experiments.iter().cloned()).collect();
    let unused = known.iter().filter(|k| !used.contains(*k)).cloned().collect();
    Ok(Plan { notes, used, unused })
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
}

/// The pseudo-experiment id of the calibration data.
pub const CALIBRATION: &str = "calibration";

/// One output file.
pub type File = (String, Vec<u8>);

/// Per experiment: values, charts per language (chart, data table), figures.
struct Built {
    values: BTreeMap<String, BTreeMap<String, f64>>,
    charts: BTreeMap<(String, String, Lang), (chart::Chart, experiment::Table)>,
}

struct PageEnv<'a> {
    built: &'a Built,
    runs: &'a BTreeMap<String, ExperimentRun>,
    lang: Lang,
    root: &'a str,
    quiz: Option<String>,
    /// Charts become text (Anki decks carry no images).
    text_charts: bool,
}

impl Env for PageEnv<'_> {
    fn value(&self, exp: &str, name: &str) -> Result<f64, String> {
        let vals = self.built.values.get(exp).ok_or_else(|| format!("no experiment `{exp}`"))?;
        vals.get(name).copied().ok_or_else(|| {
            // The names that share the most leading characters, not hundreds.
            let shared = |k: &str| k.chars().zip(name.chars()).take_while(|(a, b)| a == b).count();
            let mut known: Vec<&String> = vals.keys().collect();
            known.sort_by_key(|k| std::cmp::Reverse(shared(k)));
            known.truncate(12);
            known.sort();
            format!(
                "experiment `{exp}` has no value `{name}` (it has {known:?}{})",
                if vals.len() > 12 { ", ..." } else { "" }
            )
        })
    }

    fn chart(&self, exp: &str, id: &str) -> Result<String, String> {
        let Some((c, table)) = self.built.charts.get(&(exp.to_owned(), id.to_owned(), self.lang)) else {
            if exp == CALIBRATION {
                let ids: Vec<&str> = self
                    .built
                    .charts
                    .keys()
                    .filter(|k| k.0 == CALIBRATION && k.2 == self.lang)
                    .map(|k| k.1.as_str())
                    .collect();
                return Err(format!("the calibration data has no chart `{id}` (it has {ids:?})"));
            }
            let run = self.runs.get(exp).ok_or_else(|| format!("no experiment `{exp}`"))?;
            let ids: Vec<&str> = run.src.def.charts.iter().map(|c| c.id.as_str()).collect();
            return Err(format!("experiment `{exp}` has no chart `{id}` (it has {ids:?})"));
        };
        if self.text_charts {
            return Ok(format!("<p>[{}]</p>", escape(&c.title)));
        }
        Ok(figure(exp, id, c, table, self.lang, self.root, self.runs))
    }

    fn experiment_url(&self, exp: &str) -> Result<String, String> {
        if exp == CALIBRATION {
            return Ok(format!("{}experiments/{CALIBRATION}/measured.json", self.root));
        }
        if !self.runs.contains_key(exp) {
            return Err(format!("no experiment `{exp}`"));
        }
        Ok(format!("{}{}/experiments/{exp}.html", self.root, self.lang.code()))
    }

    fn quiz(&self) -> Result<String, String> {
        self.quiz.clone().ok_or_else(|| "this note has no quiz".into())
    }
}

fn table_html(table: &experiment::Table) -> String {
    let (head, rows) = table;
    let mut h = String::from("<div class=\"table-wrap\"><table>\n<thead><tr>");
    for c in head {
        h.push_str(&format!("<th>{}</th>", escape(c)));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in rows.iter().take(400) {
        h.push_str("<tr>");
        for c in r {
            h.push_str(&format!("<td>{}</td>", escape(c)));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n");
    h
}

fn figure(
    exp: &str,
    id: &str,
    c: &chart::Chart,
    table: &experiment::Table,
    lang: Lang,
    root: &str,
    runs: &BTreeMap<String, ExperimentRun>,
) -> String {
    let u = ui(lang);
    let title = runs.get(exp).map_or(exp.to_owned(), |r| r.src.def.title.get(lang).to_owned());
    let link = if exp == CALIBRATION {
        let measured = match lang {
            Lang::En => "measurements (JSON)",
            Lang::Ko => "측정 데이터 (JSON)",
        };
        format!("<a href=\"{root}experiments/{CALIBRATION}/measured.json\">{measured}</a>")
    } else {
        format!(
            "<a href=\"{root}{code}/experiments/{exp}.html\">{ue}: {title}</a>",
            code = lang.code(),
            ue = u.experiment,
            title = escape(&title)
        )
    };
    format!(
        "<figure class=\"chart\">\n<img src=\"{root}experiments/{exp}/{id}.{code}.svg\" width=\"760\" height=\"420\" alt=\"{alt}\" loading=\"lazy\">\n<figcaption><span class=\"chart-title\">{ct}</span> <span class=\"chart-desc\">{desc}</span> {link}</figcaption>\n<details class=\"data\"><summary>{ud}</summary>\n{table}<p class=\"downloads\"><a href=\"{root}experiments/{exp}/data.csv\" download>CSV</a> · <a href=\"{root}experiments/{exp}/data.json\" download>JSON</a></p></details>\n</figure>\n",
        code = lang.code(),
        alt = escape(&c.title),
        ct = escape(&c.title),
        desc = escape(&c.description),
        ud = u.data,
        table = table_html(table),
    )
}

/// Values, charts and data files of every experiment (and of the calibration).
fn build_experiments(
    runs: &BTreeMap<String, ExperimentRun>,
    calibration: Option<&(Comparison, String)>,
    files: &mut Vec<File>,
) -> Result<Built, SiteError> {
    let mut built = Built { values: BTreeMap::new(), charts: BTreeMap::new() };
    if let Some((cmp, measured)) = calibration {
        built.values.insert(CALIBRATION.into(), cmp.values());
        for id in cmp.chart_ids() {
            for lang in Lang::ALL {
                if let Some((c, table)) = cmp.chart(&id, lang) {
                    files.push((
                        format!("experiments/{CALIBRATION}/{id}.{}.svg", lang.code()),
                        chart::svg(&c).into_bytes(),
                    ));
                    built.charts.insert((CALIBRATION.into(), id.clone(), lang), (c, table));
                }
            }
        }
        files.push((format!("experiments/{CALIBRATION}/data.csv"), cmp.csv().into_bytes()));
        let json = serde_json::to_string_pretty(cmp).expect("plain data serialises");
        files.push((format!("experiments/{CALIBRATION}/data.json"), json.into_bytes()));
        files.push((format!("experiments/{CALIBRATION}/measured.json"), measured.clone().into_bytes()));
    }
    // Experiments in parallel: drawing charts is most of the work.
    type Out =
        (String, BTreeMap<String, f64>, Vec<((String, String, Lang), (chart::Chart, experiment::Table))>, Vec<File>);
    let outs: Vec<Result<Out, SiteError>> = runs
        .par_iter()
        .map(|(id, run)| {
            let path = &run.src.path;
            let at = |e: experiment::ExpError| SiteError {
                file: path.clone(),
                line: run.src.line(&e.path),
                message: e.to_string(),
            };
            let values = experiment::values(&run.src.def, &run.data).map_err(&at)?;
            let mut charts = Vec::new();
            let mut files = Vec::new();
            for (i, def) in run.src.def.charts.iter().enumerate() {
                for lang in Lang::ALL {
                    let (c, table) = experiment::build_chart(&run.src.def, id, i, &run.data, lang).map_err(&at)?;
                    files.push((
                        format!("experiments/{id}/{}.{}.svg", def.id, lang.code()),
                        chart::svg(&c).into_bytes(),
                    ));
                    charts.push(((id.clone(), def.id.clone(), lang), (c, table)));
                }
            }
            files.push((format!("experiments/{id}/data.csv"), experiment::csv(&run.src.def, &run.data).into_bytes()));
            let json = serde_json::to_string_pretty(&run.data.points).expect("plain data serialises");
            files.push((format!("experiments/{id}/data.json"), json.into_bytes()));
            Ok((id.clone(), values, charts, files))
        })
        .collect();
    for out in outs {
        let (id, values, charts, more) = out?;
        built.values.insert(id, values);
        built.charts.extend(charts);
        files.extend(more);
    }
    Ok(built)
}

#[derive(Serialize)]
struct NoteCard<'a> {
    slug: &'a str,
    url: String,
    title: &'a str,
    summary: &'a str,
    tags: &'a [String],
    level: u8,
    level_name: &'static str,
    questions: usize,
    order: u32,
}

#[derive(Serialize)]
struct Link {
    url: String,
    title: String,
}

/// Renders the site.
pub fn render(input: &Input) -> Result<Vec<File>, SiteError> {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html"]);
    // Tera's default also escapes `/`, which would mangle every URL.
    tera.set_escape_fn(|s| escape(s));
    tera.register_filter("slug", |v: &tera::Value, _: &std::collections::HashMap<String, tera::Value>| {
        Ok(tera::Value::String(tag_file(v.as_str().unwrap_or_default())))
    });
    // All at once: templates inherit from each other.
    tera.add_raw_templates(input.templates.iter().map(|(n, s)| (n.as_str(), s.as_str()))).map_err(|e| {
        let name = input.templates.iter().map(|(n, _)| n).find(|n| e.to_string().contains(n.as_str()));
        SiteError { file: format!("templates/{}", name.map_or("", |n| n.as_str())), line: 1, message: tera_error(&e) }
    })?;
    let mut files: Vec<File> = Vec::new();
    let built = build_experiments(&input.runs, input.calibration.as_ref(), &mut files)?;
    let notes = &input.plan.notes;
    let page = |tera: &tera::Tera, name: &str, ctx: &tera::Context| -> Result<Vec<u8>, SiteError> {
        tera.render(name, ctx).map(String::into_bytes).map_err(|e| SiteError {
            file: format!("templates/{name}"),
            line: 1,
            message: tera_error(&e),
        })
    };
    let mut search_docs: BTreeMap<Lang, Vec<search::Doc>> = BTreeMap::new();
    let mut anki: BTreeMap<Lang, Vec<[String; 3]>> = BTreeMap::new();
    let mut drill: BTreeMap<Lang, Vec<(u8, String, String, String)>> = BTreeMap::new();
    let tags_of = |lang: Lang| -> BTreeMap<String, Vec<&Note>> {
        let mut m: BTreeMap<String, Vec<&Note>> = BTreeMap::new();
        for n in notes.iter().filter(|n| n.src.lang == lang) {
            for t in &n.meta.tags {
                m.entry(t.clone()).or_default().push(n);
            }
        }
        m
    };
    for lang in Lang::ALL {
        let u = ui(lang);
        let code = lang.code();
        let mine: Vec<&Note> = notes.iter().filter(|n| n.src.lang == lang).collect();
        let cards: Vec<NoteCard<'_>> = mine
            .iter()
            .map(|n| NoteCard {
                slug: &n.src.slug,
                url: format!("{}.html", n.src.slug),
                title: &n.meta.title,
                summary: &n.meta.summary,
                tags: &n.meta.tags,
                level: n.meta.level,
                level_name: u.levels[usize::from(n.meta.level - 1)],
                questions: n.quiz.len(),
                order: n.meta.order,
            })
            .collect();
        // Notes, rendered in parallel (highlighting and charts dominate).
        struct NoteOut {
            page: File,
            anki: Vec<[String; 3]>,
            drill: Vec<(u8, String, String, String)>,
            doc: search::Doc,
        }
        fn to_err(file: &str) -> impl Fn(MdError) -> SiteError + '_ {
            move |e: MdError| SiteError { file: file.to_owned(), line: e.line, message: e.message }
        }
        let render_note = |i: usize, n: &&Note| -> Result<NoteOut, SiteError> {
            let root = "../";
            let mut env = PageEnv { built: &built, runs: &input.runs, lang, root, quiz: None, text_charts: false };
            let mut anki_rows = Vec::new();
            let mut drill_rows = Vec::new();
            if !n.quiz.is_empty() {
                let qfile = n.src.quiz.as_ref().map_or(n.src.path.clone(), |q| q.0.clone());
                env.quiz = Some(quiz::quiz_html(&n.quiz, &n.src.slug, lang, &env).map_err(to_err(&qfile))?);
                let text_env = PageEnv { built: &built, runs: &input.runs, lang, root, quiz: None, text_charts: true };
                let note_url = format!("{code}/{}.html", n.src.slug);
                anki_rows =
                    quiz::anki_rows(&n.quiz, &n.meta.title, &note_url, lang, &text_env).map_err(to_err(&qfile))?;
                for c in &n.quiz {
                    let url = format!("{}.html", n.src.slug);
                    let html =
                        quiz::question_html(c, &format!("{}--", n.src.slug), Some((&url, &n.meta.title)), lang, &env)
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
            let link = |k: Option<&&Note>| {
                k.map(|n| Link { url: format!("{}.html", n.src.slug), title: n.meta.title.clone() })
            };
            let used: Vec<Link> = n
                .experiments
                .iter()
                .filter_map(|e| {
                    let run = input.runs.get(e)?;
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
            let page = (format!("{code}/{}.html", n.src.slug), page(&tera, "note.html", &ctx)?);
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
        };
        let outs: Vec<Result<NoteOut, SiteError>> =
            mine.par_iter().enumerate().map(|(i, n)| render_note(i, n)).collect();
        // Every note's first error, not only the first note's.
        let errors: Vec<String> = outs.iter().filter_map(|o| o.as_ref().err().map(ToString::to_string)).collect();
        if errors.len() > 1 {
            let first = outs.into_iter().find_map(Result::err).expect("an error");
            return Err(SiteError { message: format!("{}\n{}", first.message, errors[1..].join("\n")), ..first });
        }
        for out in outs {
            let out = out?;
            files.push(out.page);
            anki.entry(lang).or_default().extend(out.anki);
            drill.entry(lang).or_default().extend(out.drill);
            search_docs.entry(lang).or_default().push(out.doc);
        }
        // The language's index.
        let mut ctx = base_ctx(lang, "../", "index.html", u.notes);
        ctx.insert("notes", &cards);
        ctx.insert("question_count", &cards.iter().map(|c| c.questions).sum::<usize>());
        files.push((format!("{code}/index.html"), page(&tera, "index.html", &ctx)?));
        // Tags.
        let tags = tags_of(lang);
        let tag_list: Vec<(String, usize)> = tags.iter().map(|(t, ns)| (t.clone(), ns.len())).collect();
        let mut ctx = base_ctx(lang, "../../", "tags/index.html", u.tags);
        ctx.insert("tags", &tag_list);
        files.push((format!("{code}/tags/index.html"), page(&tera, "tags.html", &ctx)?));
        for (tag, ns) in &tags {
            let list: Vec<Link> = ns
                .iter()
                .map(|n| Link { url: format!("../{}.html", n.src.slug), title: n.meta.title.clone() })
                .collect();
            let mut ctx = base_ctx(lang, "../../", "tags/index.html", &format!("{}: {tag}", u.tags));
            ctx.insert("tag", tag);
            ctx.insert("notes", &list);
            files.push((format!("{code}/tags/{}.html", tag_file(tag)), page(&tera, "tag.html", &ctx)?));
        }
        // Experiments.
        let root = "../../";
        let mut listing = Vec::new();
        for (id, run) in &input.runs {
            let def = &run.src.def;
            let env = PageEnv { built: &built, runs: &input.runs, lang, root, quiz: None, text_charts: false };
            let desc = markdown::render_data(def.description.get(lang), 1, lang, &env).map_err(|e| SiteError {
                file: run.src.path.clone(),
                line: 1,
                message: format!("description: {}", e.message),
            })?;
            let charts: Vec<String> = def
                .charts
                .iter()
                .map(|c| {
                    let (chart, table) = &built.charts[&(id.clone(), c.id.clone(), lang)];
                    figure(id, &c.id, chart, table, lang, root, &input.runs)
                })
                .collect();
            let values: Vec<(String, String, String)> = built.values[id]
                .iter()
                .map(|(k, v)| {
                    let d = &def.values[k];
                    let how = match (&d.metric, &d.expr) {
                        (Some(m), _) => {
                            let at =
                                d.at.iter()
                                    .map(|(p, v)| format!("{p}={}", experiment::show(v)))
                                    .collect::<Vec<_>>()
                                    .join(", ");
                            if at.is_empty() { m.clone() } else { format!("{m} [{at}]") }
                        }
                        (_, Some(e)) => e.clone(),
                        _ => String::new(),
                    };
                    (k.clone(), crate::format::number(*v, &crate::format::Spec::Sig(4), lang), how)
                })
                .collect();
            let used_in: Vec<Link> = notes
                .iter()
                .filter(|n| n.src.lang == lang && n.experiments.contains(id))
                .map(|n| Link { url: format!("../{}.html", n.src.slug), title: n.meta.title.clone() })
                .collect();
            let overrides: Vec<String> = def.set.iter().map(|(k, v)| format!("{k}={}", experiment::show(v))).collect();
            let mut ctx = base_ctx(lang, root, &format!("experiments/{id}.html"), def.title.get(lang));
            ctx.insert("id", id);
            ctx.insert("description", &desc.html);
            ctx.insert("charts", &charts);
            ctx.insert("values", &values);
            ctx.insert("scenario_file", &run.scenario.0);
            ctx.insert("scenario_html", &markdown::highlight(&run.scenario.1, "yaml"));
            ctx.insert("overrides", &overrides);
            ctx.insert("command", &run.command);
            ctx.insert("fingerprint", &run.fingerprint);
            ctx.insert("used_in", &used_in);
            ctx.insert("points", &run.data.points.len());
            files.push((format!("{code}/experiments/{id}.html"), page(&tera, "experiment.html", &ctx)?));
            listing.push(Link { url: format!("{id}.html"), title: def.title.get(lang).to_owned() });
            search_docs.entry(lang).or_default().push(search::Doc {
                url: format!("{code}/experiments/{id}.html"),
                title: def.title.get(lang).to_owned(),
                summary: String::new(),
                text: desc.text,
            });
        }
        let mut ctx = base_ctx(lang, root, "experiments/index.html", u.experiments);
        ctx.insert("experiments", &listing);
        files.push((format!("{code}/experiments/index.html"), page(&tera, "experiments.html", &ctx)?));
        // Drill.
        let mut levels: Vec<(u8, &str, Vec<(String, String, String)>, String)> = Vec::new();
        for level in 1..=3u8 {
            let qs: Vec<(String, String, String)> = drill
                .get(&lang)
                .map(|d| d.iter().filter(|q| q.0 == level).map(|q| (q.1.clone(), q.2.clone(), q.3.clone())).collect())
                .unwrap_or_default();
            // Progress is kept per question set: new questions start afresh.
            let mut h = Sha256::new();
            for q in &qs {
                h.update(q.0.as_bytes());
                h.update(q.2.as_bytes());
            }
            let hash = format!(
                "drill-{code}-{level}-{}",
                &h.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect::<String>()
            );
            levels.push((level, u.levels[usize::from(level - 1)], qs, hash));
        }
        let mut ctx = base_ctx(lang, "../", "drill.html", u.drill);
        ctx.insert("levels", &levels);
        let topics: Vec<(&str, &str)> = notes
            .iter()
            .filter(|n| n.src.lang == lang && !n.quiz.is_empty())
            .map(|n| (n.src.slug.as_str(), n.meta.title.as_str()))
            .collect();
        ctx.insert("topics", &topics);
        ctx.insert("question_count", &levels.iter().map(|l| l.2.len()).sum::<usize>());
        files.push((format!("{code}/drill.html"), page(&tera, "drill.html", &ctx)?));
        // Anki.
        let deck_name = format!("gil-lab::{}", lang.name());
        let mut deck = format!("#separator:tab\n#html:true\n#notetype:Basic\n#deck:{deck_name}\n#tags column:3\n");
        for row in anki.get(&lang).map(Vec::as_slice).unwrap_or_default() {
            deck.push_str(&row.join("\t"));
            deck.push('\n');
        }
        files.push((format!("anki/gil-lab-{code}.txt"), deck.into_bytes()));
        // Search.
        let idx = search::build(search_docs.get(&lang).map(Vec::as_slice).unwrap_or_default());
        // A script, not JSON: `fetch` is refused on file:// pages, a script is not.
        let json = serde_json::to_string(&idx).expect("plain data");
        files.push((
            format!("assets/search-{code}.js"),
            format!("(window.GIL_LAB_SEARCH=window.GIL_LAB_SEARCH||{{}})[\"{code}\"]={json};\n").into_bytes(),
        ));
    }
    // The landing page and the 404 page.
    let mut ctx = base_ctx(Lang::En, "", "index.html", "gil-lab");
    ctx.insert("landing", &true);
    files.push(("index.html".into(), page(&tera, "root.html", &ctx)?));
    let ctx = base_ctx(Lang::En, "/", "index.html", ui(Lang::En).not_found);
    files.push(("404.html".into(), page(&tera, "404.html", &ctx)?));
    files.push(("assets/highlight.css".into(), markdown::highlight_css().into_bytes()));
    files.extend(input.assets.iter().cloned());
    files.sort_by(|a, b| a.0.cmp(&b.0));
    for w in files.windows(2) {
        if w[0].0 == w[1].0 {
            return err(&w[0].0, 1, "two outputs have this path");
        }
    }
    Ok(files)
}

/// A tag's file name (letters of any script kept).
pub fn tag_file(tag: &str) -> String {
    markdown::slug(tag)
}

fn base_ctx(lang: Lang, root: &str, path_in_lang: &str, title: &str) -> tera::Context {
    let mut ctx = tera::Context::new();
    ctx.insert("lang", lang.code());
    ctx.insert("ui", ui(lang));
    ctx.insert("root", root);
    ctx.insert("title", title);
    ctx.insert("other_lang", lang.other().code());
    ctx.insert("other_lang_name", lang.other().name());
    ctx.insert("other_url", &format!("{root}{}/{path_in_lang}", lang.other().code()));
    ctx.insert("landing", &false);
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

/// Every `href` and `src` of the HTML files that points inside the site
/// must name an existing file, and its `#anchor` an existing id there.
///
/// `origins` maps a page to the source it was rendered from (file name,
/// text): a broken link on such a page is reported at the source line that
/// wrote it, which is where the author must fix it.
pub fn check_links(files: &[File], origins: &BTreeMap<String, (String, String)>) -> Result<(), SiteError> {
    check_links_in(files).map_err(|(e, target)| {
        let Some((file, source)) = origins.get(&e.file) else { return e };
        // The author wrote `x.md` where the page says `x.html`.
        let (f, anchor) = target.split_once('#').map_or((target.as_str(), ""), |(f, a)| (f, a));
        let written = f.strip_suffix(".html").map(|stem| format!("{stem}.md"));
        let line = source.lines().position(|l| {
            written.as_deref().is_some_and(|w| l.contains(w) && l.contains(anchor)) || l.contains(target.as_str())
        });
        match line {
            Some(i) => SiteError { file: file.clone(), line: i + 1, message: e.message },
            None => e,
        }
    })
}

/// Link check proper: the error and the offending target.
fn check_links_in(files: &[File]) -> Result<(), (SiteError, String)> {
    let paths: BTreeSet<&str> = files.iter().map(|f| f.0.as_str()).collect();
    let mut ids: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (path, bytes) in files.iter().filter(|f| f.0.ends_with(".html")) {
        let html = std::str::from_utf8(bytes).unwrap_or("");
        ids.insert(path, attrs(html, "id").into_iter().map(|(_, v)| v).collect());
    }
    for (path, bytes) in files.iter().filter(|f| f.0.ends_with(".html") && f.0 != "404.html") {
        let html = std::str::from_utf8(bytes).unwrap_or("");
        for (line, target) in attrs(html, "href").into_iter().chain(attrs(html, "src")) {
            if target.is_empty()
                || target.contains("://")
                || target.starts_with("mailto:")
                || target.starts_with("data:")
            {
                continue;
            }
            let (file, anchor) = target.split_once('#').map_or((target.as_str(), None), |(f, a)| (f, Some(a)));
            let resolved = if file.is_empty() { path.to_string() } else { resolve(path, file) };
            if !paths.contains(resolved.as_str()) {
                let e = SiteError {
                    file: path.clone(),
                    line,
                    message: format!("broken link `{target}`: no file {resolved}"),
                };
                return Err((e, target));
            }
            if let Some(a) = anchor.filter(|a| !a.is_empty()) {
                let a = percent_decode(a);
                if !ids.get(resolved.as_str()).is_some_and(|s| s.contains(&a)) {
                    let e = SiteError {
                        file: path.clone(),
                        line,
                        message: format!("broken link `{target}`: {resolved} has no id `{a}`"),
                    };
                    return Err((e, target));
                }
            }
        }
    }
    Ok(())
}

/// Decodes `%XX` escapes (in an anchor or a URL path); anything else,
/// including a malformed escape, is kept as it is.
pub fn percent_decode(s: &str) -> String {
    let hex = |b: u8| char::from(b).to_digit(16);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn resolve(from: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = if rel.starts_with('/') { Vec::new() } else { from.split('/').collect() };
    if !rel.starts_with('/') {
        parts.pop();
    }
    for seg in rel.trim_start_matches('/').split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if joined.is_empty() || rel.ends_with('/') {
        format!("{joined}{}index.html", if joined.is_empty() { "" } else { "/" })
    } else {
        joined
    }
}

/// (line, value) of every `name="value"` attribute.
fn attrs(html: &str, name: &str) -> Vec<(usize, String)> {
    let needle = format!(" {name}=\"");
    let mut out = Vec::new();
    let mut from = 0;
    // Lines counted incrementally: pages are long and links many.
    let (mut line, mut counted) = (1, 0);
    while let Some(i) = html[from..].find(&needle) {
        let start = from + i + needle.len();
        let Some(len) = html[start..].find('"') else { break };
        let value = html[start..start + len].replace("&amp;", "&");
        line += html.as_bytes()[counted..start].iter().filter(|b| **b == b'\n').count();
        counted = start;
        out.push((line, value));
        from = start + len;
    }
    out
}

#[cfg(test)]
mod tests {
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
        let origins: BTreeMap<String, (String, String)> =
            [("en/a.html".to_owned(), ("notes/en/a.md".to_owned(), "# A\n\nSee [m](missing.md).\n".to_owned()))].into();
        let e = check_links(&broken, &origins).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("notes/en/a.md", 3));
        assert_eq!(resolve("en/experiments/x.html", "../../experiments/x/a.svg"), "experiments/x/a.svg");
        assert_eq!(percent_decode("gil%EC%9D%B4"), "gil이");
        // Malformed escapes stay as they are, even before a multi-byte character.
        assert_eq!(percent_decode("%a가%+1"), "%a가%+1");
    }
}
