//! Notes' Markdown: directives, callouts, anchors, a table of contents and
//! build-time syntax highlighting.
//!
//! Directives (never inside code):
//!
//! * `{{exp.value}}` or `{{exp.value | .2}}`: a value computed from an
//!   experiment's results (see `format` for the specs);
//! * `{{claim: exp.a / exp.b < 1.2}}`: a claim checked at build time, shown
//!   with its value; a false claim fails the build;
//! * `{{chart: exp.chart}}`, alone on its line: a figure with the chart and its data;
//! * `{{explore: exp.figure}}`, alone on its line: an explorable figure
//!   (controls over the experiment's swept settings);
//! * `{{experiment: exp}}`: a link to the experiment's page;
//! * `{{quiz}}`: where the note's quiz goes.
//!
//! Callouts are fenced by lines `:::myth` (or `note`, `tip`, `warning`) and `:::`.

mod convert;
mod scan;

use std::collections::BTreeSet;

use crate::i18n::{Lang, ui};
use charts::escape;
pub use convert::slug;
use convert::to_html;
use experiments::expr::{self, Claim};
use experiments::format;
pub use scan::{Checked, check_claim, parse_directive, scan, scan_headings};
use scan::{Fences, ends_sentence, spans};

/// A directive found in a note, with its 1-based line in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Directive {
    /// Line in the file.
    pub line: usize,
    /// What it asks for.
    pub kind: DirectiveKind,
}

/// What a directive asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum DirectiveKind {
    /// A value, formatted.
    Value {
        /// Experiment id.
        exp: String,
        /// Value name.
        name: String,
        /// Format spec.
        spec: format::Spec,
    },
    /// A claim.
    Claim {
        /// As written.
        source: String,
        /// Parsed.
        claim: Claim,
    },
    /// A chart figure.
    Chart {
        /// Experiment id.
        exp: String,
        /// Chart id.
        chart: String,
    },
    /// An explorable figure.
    Explore {
        /// Experiment id.
        exp: String,
        /// Figure id.
        id: String,
    },
    /// A link to an experiment.
    Experiment(String),
    /// The quiz.
    Quiz,
}

impl DirectiveKind {
    /// Experiments this directive depends on.
    pub fn experiments(&self) -> Vec<String> {
        match self {
            DirectiveKind::Value { exp, .. }
            | DirectiveKind::Chart { exp, .. }
            | DirectiveKind::Explore { exp, .. }
            | DirectiveKind::Experiment(exp) => vec![exp.clone()],
            DirectiveKind::Claim { claim, .. } => {
                let mut names: Vec<&str> = claim.left.names();
                names.extend(claim.right.names());
                names.iter().filter_map(|n| n.split_once('.').map(|(e, _)| e.to_owned())).collect()
            }
            DirectiveKind::Quiz => Vec::new(),
        }
    }
}

/// An error at a line of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MdError {
    /// 1-based line in the file.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// What directives need from the build.
pub trait Env {
    /// The value `name` of experiment `exp`.
    fn value(&self, exp: &str, name: &str) -> Result<f64, String>;
    /// The figure HTML of chart `chart` of experiment `exp`.
    fn chart(&self, exp: &str, chart: &str) -> Result<String, String>;
    /// The HTML of explorable figure `id` of experiment `exp`.
    fn explore(&self, exp: &str, id: &str) -> Result<String, String> {
        Err(format!("explorable figure `{exp}.{id}` cannot be shown here"))
    }
    /// The URL of experiment `exp`'s page.
    fn experiment_url(&self, exp: &str) -> Result<String, String>;
    /// The note's quiz HTML.
    fn quiz(&self) -> Result<String, String>;
    /// A code block, highlighted.
    fn highlight(&self, src: &str, lang_tag: &str) -> String;
}

/// A heading of the table of contents.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TocEntry {
    /// 2 or 3.
    pub level: u8,
    /// Anchor id.
    pub id: String,
    /// Text.
    pub text: String,
}

/// A rendered note body.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    /// HTML.
    pub html: String,
    /// Headings of level 2 and 3.
    pub toc: Vec<TocEntry>,
    /// Plain text (for the search index).
    pub text: String,
    /// The plain text by section: the part before the first heading (with
    /// an empty id), then one per heading of level 2 or 3.
    pub sections: Vec<Section>,
}

/// A heading and the plain text up to the next one (for search snippets).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Section {
    /// Anchor id ("" before the first heading).
    pub id: String,
    /// Heading text.
    pub heading: String,
    /// Plain text.
    pub text: String,
}

/// Whose text a Markdown body is, which decides what HTML it may carry.
///
/// Notes are the site's source, written and reviewed like code (as mdBook
/// treats its chapters): raw HTML in them reaches the page. Quiz texts and
/// experiment descriptions are data: raw HTML in them is shown as text, and
/// links may only go to `http:`, `https:`, `mailto:` or relative URLs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trust {
    /// A note: raw HTML passes.
    Source,
    /// A quiz or experiment text: raw HTML is escaped, links are checked.
    Data,
}

/// Marks a directive's HTML in data text until the Markdown is rendered
/// (private-use characters, which data text may not contain).
const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';

/// Renders a note body, resolving directives with `env`. Directive and
/// callout errors carry their file line.
pub fn render(body: &str, first_line: usize, lang: Lang, env: &dyn Env) -> Result<Rendered, MdError> {
    render_as(body, first_line, lang, env, Trust::Source)
}

/// Renders a quiz text or an experiment description: as [`render`], but
/// the text's own HTML is escaped and its links checked ([`Trust::Data`]).
pub fn render_data(body: &str, first_line: usize, lang: Lang, env: &dyn Env) -> Result<Rendered, MdError> {
    render_as(body, first_line, lang, env, Trust::Data)
}

fn render_as(body: &str, first_line: usize, lang: Lang, env: &dyn Env, trust: Trust) -> Result<Rendered, MdError> {
    if trust == Trust::Data
        && let Some(i) = body.lines().position(|l| l.contains([MARK_OPEN, MARK_CLOSE]))
    {
        return Err(MdError {
            line: first_line + i,
            message: "contains U+E000 or U+E001, private-use characters".into(),
        });
    }
    let mut r = Resolver {
        env,
        lang,
        trust,
        held: Vec::new(),
        out: String::with_capacity(body.len() + 256),
        err: None,
        callouts: 0,
    };
    let mut fences = Fences::default();
    let mut line_start = 0usize;
    for (i, line) in body.lines().enumerate() {
        let start = line_start;
        line_start += line.len() + 1;
        if body[start..].starts_with(line) && body[start + line.len()..].starts_with('\r') {
            line_start += 1;
        }
        let line_no = first_line + i;
        if fences.code(line) {
            r.out.push_str(line);
            r.out.push('\n');
        } else if let Some(kind) = line.trim_start().strip_prefix(":::") {
            r.callout(kind.trim(), line_no);
        } else {
            r.line(line, &body[start..], line_no);
        }
    }
    if r.callouts > 0 && r.err.is_none() {
        r.err = Some(MdError {
            line: first_line + body.lines().count().saturating_sub(1),
            message: "a callout is not closed with `:::`".into(),
        });
    }
    if let Some(e) = r.err {
        return Err(e);
    }
    let out = r.out;
    let mut rendered = to_html(&out, trust, env).map_err(|(offset, message)| MdError {
        line: first_line + out.as_bytes()[..offset.min(out.len())].iter().filter(|b| **b == b'\n').count(),
        message,
    })?;
    put_back(&mut rendered, &r.held);
    Ok(rendered)
}

/// A directive's output: its HTML, its plain text, whether it is HTML (not
/// text), and whether it is a block.
type Resolved = (String, String, bool, bool);

/// Directives and callouts of a body being resolved into Markdown.
struct Resolver<'e> {
    env: &'e dyn Env,
    lang: Lang,
    trust: Trust,
    /// Data text: directive HTML waits here, as (html, plain text, whether
    /// it is a block), while the text's own HTML is escaped.
    held: Vec<(String, String, bool)>,
    /// The Markdown with directives resolved.
    out: String,
    /// The first error.
    err: Option<MdError>,
    /// Callouts open.
    callouts: usize,
}

impl Resolver<'_> {
    fn fail(&mut self, line: usize, message: String) {
        self.err.get_or_insert(MdError { line, message });
    }

    /// A `:::KIND` line opening a callout, or `:::` closing one.
    fn callout(&mut self, kind: &str, line_no: usize) {
        if kind.is_empty() {
            if self.callouts == 0 {
                self.fail(line_no, "`:::` closes no callout".into());
            } else {
                self.callouts -= 1;
                self.out.push_str("\n</aside>\n\n");
            }
            return;
        }
        let u = ui(self.lang);
        let title = match kind {
            "myth" => u.myth,
            "note" => u.note,
            "tip" => u.tip,
            "warning" => u.warning,
            other => {
                return self.fail(line_no, format!("unknown callout `{other}`: use myth, note, tip or warning"));
            }
        };
        self.callouts += 1;
        self.out.push_str(&format!("\n<aside class=\"callout {kind}\">\n<p class=\"callout-title\">{title}</p>\n\n"));
    }

    /// A line of text with its directives resolved; `rest` is the body from
    /// this line on.
    fn line(&mut self, line: &str, rest: &str, line_no: usize) {
        let spans = spans(line).unwrap_or_else(|message| {
            self.fail(line_no, message);
            Vec::new()
        });
        let mut last = 0;
        for (a, b) in spans {
            self.out.push_str(&line[last..a]);
            last = b;
            let res = parse_directive(&line[a + 2..b - 2])
                .and_then(|kind| self.directive(&kind, line, (a, b), &rest[b.min(rest.len())..]));
            match res {
                Ok((html, plain, true, block)) if self.trust == Trust::Data => {
                    self.out.push(MARK_OPEN);
                    self.out.push_str(&self.held.len().to_string());
                    self.out.push(MARK_CLOSE);
                    self.held.push((html, plain, block));
                }
                Ok((html, ..)) => self.out.push_str(&html),
                Err(message) => self.fail(line_no, message),
            }
        }
        self.out.push_str(&line[last..]);
        self.out.push('\n');
    }

    /// What directive `kind`, at bytes `a..b` of `line`, becomes; `after` is
    /// the body after it.
    fn directive(
        &self,
        kind: &DirectiveKind,
        line: &str,
        (a, b): (usize, usize),
        after: &str,
    ) -> Result<Resolved, String> {
        let (env, lang) = (self.env, self.lang);
        let alone = line.trim() == &line[a..b];
        match kind {
            DirectiveKind::Value { exp, name, spec } => {
                env.value(exp, name).map(|v| (format::number(v, spec, lang), String::new(), false, false))
            }
            DirectiveKind::Claim { .. } if !ends_sentence(after) => {
                Err("a claim badge must not interrupt a sentence: put it just before the full stop".into())
            }
            DirectiveKind::Claim { source, claim } => match check_claim(source, claim, env, lang) {
                Ok(c) if c.holds => Ok((c.html, format!("✔ {}", c.shown), true, false)),
                Ok(c) => Err(format!("false claim `{source}`: the values are {}", c.shown)),
                Err(e) => Err(format!("claim `{source}`: {e}")),
            },
            DirectiveKind::Chart { .. } if !alone => Err("a chart stands alone on its line".into()),
            DirectiveKind::Chart { exp, chart } => {
                env.chart(exp, chart).map(|h| (format!("\n{h}\n"), String::new(), true, true))
            }
            DirectiveKind::Explore { .. } if !alone => Err("an explorable figure stands alone on its line".into()),
            DirectiveKind::Explore { exp, id } => {
                env.explore(exp, id).map(|h| (format!("\n{h}\n"), String::new(), true, true))
            }
            DirectiveKind::Experiment(exp) => env.experiment_url(exp).map(|u| {
                let text = format!("{}: {}", experiments::words::words(lang).experiment, exp);
                (format!("<a class=\"exp-link\" href=\"{u}\">{}</a>", escape(&text)), text, true, false)
            }),
            DirectiveKind::Quiz if !alone => Err("the quiz stands alone on its line".into()),
            DirectiveKind::Quiz => env.quiz().map(|h| (format!("\n{h}\n"), String::new(), true, true)),
        }
    }
}

/// Puts the held directive HTML of data text back where its marks are.
fn put_back(r: &mut Rendered, held: &[(String, String, bool)]) {
    let mark = |i: usize| format!("{MARK_OPEN}{i}{MARK_CLOSE}");
    for (i, (html, plain, block)) in held.iter().enumerate() {
        // A figure alone on its line is a block, not a paragraph's text.
        if *block {
            r.html = r.html.replace(&format!("<p>{}</p>\n", mark(i)), &format!("{}\n", html.trim_matches('\n')));
        }
        r.html = r.html.replace(&mark(i), html);
        r.text = r.text.replace(&mark(i), plain);
        for t in &mut r.toc {
            t.text = t.text.replace(&mark(i), plain);
        }
    }
}

#[cfg(test)]
mod tests;
