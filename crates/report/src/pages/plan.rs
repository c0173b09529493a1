//! Reading the notes: front matter, directives, quizzes, and the checks
//! that tie the two languages together.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{SiteError, err};
use crate::i18n::Lang;
use crate::markdown;
use crate::quiz::{self, Checked};
use experiments::ExperimentDef;

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
        if let Some(rest) = path.strip_prefix("charts[")
            && let Some(i) = rest.split(']').next().and_then(|n| n.parse::<usize>().ok())
            && let Some(c) = self.def.charts.get(i)
        {
            return line_of(&self.source, &format!("id: {}", c.id));
        }
        if let Some(rest) = path.strip_prefix("explore[")
            && let Some(i) = rest.split(']').next().and_then(|n| n.parse::<usize>().ok())
            && let Some(e) = self.def.explore.get(i)
        {
            // The figure's `id:` line, after `explore:`.
            let start = line_of(&self.source, "explore:");
            let needle = format!("id: {}", e.id);
            let found = self.source.lines().skip(start).position(|l| l.contains(&needle));
            return found.map_or(start, |k| start + k + 1);
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
    let mut ids = BTreeSet::new();
    for (i, e) in def.explore.iter().enumerate() {
        if e.id.is_empty() || !e.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return err(
                path,
                line_of(source, &format!("id: {}", e.id)),
                format!("explore[{i}]: the id `{}` may hold only letters, digits, `-` and `_`", e.id),
            );
        }
        if !ids.insert(&e.id) {
            return err(
                path,
                line_of(source, &format!("id: {}", e.id)),
                format!("explore[{i}]: another explorable figure has the id `{}`", e.id),
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
    if meta.title.trim().is_empty() {
        return err(path, 1 + line_of(yaml, "title:"), "front matter: the title is empty");
    }
    let body_start = (end + 5).min(rest.len());
    let body_line = yaml.lines().count() + 3;
    Ok((meta, rest[body_start..].to_owned(), body_line))
}

/// Pages each language folder has besides the notes.
const RESERVED_PAGES: [&str; 6] = ["index", "cheatsheet", "print", "drill", "tags", "experiments"];

/// A note's tags must each name a page of their own: a word with a letter
/// or digit in it, and not `index` (the list of tags). Two spellings that
/// share a page are found across all notes, in [`plan`].
fn check_tags(path: &str, source: &str, tags: &[String]) -> Result<(), SiteError> {
    let line = line_of(source, "tags:");
    for tag in tags {
        if !tag.chars().any(char::is_alphanumeric) {
            return err(path, line, format!("tag `{tag}` has no letter or digit"));
        }
        if super::tag_file(tag) == "index" {
            return err(path, line, format!("tag `{tag}`: the list of tags has that page; choose another word"));
        }
    }
    Ok(())
}

/// Reads and cross-checks the notes; `known` lists the defined experiments.
pub fn plan(sources: Vec<NoteSource>, known: &BTreeSet<String>) -> Result<Plan, SiteError> {
    let mut notes: Vec<Note> = Vec::new();
    for src in sources {
        let (meta, body, body_line) = front_matter(&src.path, &src.source)?;
        if RESERVED_PAGES.contains(&src.slug.as_str()) {
            return err(
                &src.path,
                1,
                format!("a note cannot be named `{}`: the site's own page has that name; rename the file", src.slug),
            );
        }
        check_tags(&src.path, &src.source, &meta.tags)?;
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
    // Across the notes of a language too, two spellings of a tag would
    // share its page.
    let mut tag_pages: BTreeMap<(Lang, String), (&str, &str)> = BTreeMap::new();
    for n in &notes {
        for tag in &n.meta.tags {
            let key = (n.src.lang, super::tag_file(tag));
            match tag_pages.get(&key) {
                Some((other, other_path)) if *other != tag.as_str() => {
                    return err(
                        &n.src.path,
                        line_of(&n.src.source, "tags:"),
                        format!(
                            "tag `{tag}` and `{other}` ({other_path}) would share the page tags/{}.html; spell them alike",
                            key.1
                        ),
                    );
                }
                Some(_) => {}
                None => {
                    tag_pages.insert(key, (tag.as_str(), n.src.path.as_str()));
                }
            }
        }
    }
    // A note may be written in one language only (the other shows that it
    // is not translated yet); translations use the same experiments and quiz.
    let slugs: BTreeSet<String> = notes.iter().map(|n| n.src.slug.clone()).collect();
    let mut ordered = Vec::new();
    for slug in &slugs {
        let pair: Vec<&Note> = notes.iter().filter(|n| &n.src.slug == slug).collect();
        let (en, ko) = (pair.iter().find(|n| n.src.lang == Lang::En), pair.iter().find(|n| n.src.lang == Lang::Ko));
        if let (Some(a), Some(b)) = (en, ko) {
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
        }
        ordered.push((pair[0].meta.order, slug.clone()));
    }
    ordered.sort();
    for w in ordered.windows(2) {
        if w[0].0 == w[1].0 {
            let path = notes.iter().find(|n| n.src.slug == w[1].1).map_or("notes", |n| n.src.path.as_str());
            return err(path, 1, format!("order {} is also the order of `{}`", w[1].0, w[0].1));
        }
    }
    let rank: BTreeMap<&str, usize> = ordered.iter().enumerate().map(|(i, (_, s))| (s.as_str(), i)).collect();
    notes.sort_by_key(|n| (rank[n.src.slug.as_str()], n.src.lang));
    let used: BTreeSet<String> = notes.iter().flat_map(|n| n.experiments.iter().cloned()).collect();
    let unused = known.iter().filter(|k| !used.contains(*k)).cloned().collect();
    Ok(Plan { notes, used, unused })
}
