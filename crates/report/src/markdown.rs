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
//! * `{{experiment: exp}}`: a link to the experiment's page;
//! * `{{quiz}}`: where the note's quiz goes.
//!
//! Callouts are fenced by lines `:::myth` (or `note`, `tip`, `warning`) and `:::`.

use std::collections::BTreeSet;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

use crate::i18n::{Lang, ui};
use charts::escape;
use experiments::expr::{self, Claim};
use experiments::format;

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
    /// A link to an experiment.
    Experiment(String),
    /// The quiz.
    Quiz,
}

impl DirectiveKind {
    /// Experiments this directive depends on.
    pub fn experiments(&self) -> Vec<String> {
        match self {
            DirectiveKind::Value { exp, .. } | DirectiveKind::Chart { exp, .. } | DirectiveKind::Experiment(exp) => {
                vec![exp.clone()]
            }
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

/// Calls `f(line_index, line)` for every line outside fenced code blocks.
fn outside_code(body: &str, mut f: impl FnMut(usize, &str)) {
    let mut fence: Option<String> = None;
    for (i, line) in body.lines().enumerate() {
        let t = line.trim_start();
        let marker: String = t.chars().take_while(|c| *c == '`' || *c == '~').collect();
        if let Some(open) = &fence {
            if marker.len() >= open.len() && marker.starts_with(&open[..1]) && t[marker.len()..].trim().is_empty() {
                fence = None;
            }
            continue;
        }
        if marker.len() >= 3 && (marker.chars().all(|c| c == '`') || marker.chars().all(|c| c == '~')) {
            fence = Some(marker);
            continue;
        }
        f(i, line);
    }
}

/// Byte ranges of `{{...}}` in a line, skipping inline code spans; an
/// `{{` that no `}}` closes on its line is an error (it used to be shown
/// as written).
fn spans(line: &str) -> Result<Vec<(usize, usize)>, String> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let run = bytes[i..].iter().take_while(|b| **b == b'`').count();
            let close = "`".repeat(run);
            match line[i + run..].find(&close) {
                Some(j) => i += run + j + run,
                None => i += run,
            }
            continue;
        }
        if bytes[i] == b'\\' && line[i + 1..].starts_with("{{") {
            i += 3;
            continue;
        }
        if line[i..].starts_with("{{") {
            let Some(j) = line[i + 2..].find("}}") else {
                let start: String = line[i..].chars().take(20).collect();
                return Err(format!(
                    "`{start}` opens a directive that is not closed on its line: close it with `}}}}`, or write `\\{{{{` for literal braces"
                ));
            };
            out.push((i, i + 2 + j + 2));
            i += 2 + j + 2;
            continue;
        }
        i += line[i..].chars().next().map_or(1, char::len_utf8);
    }
    Ok(out)
}

/// Parses the inside of `{{...}}`.
pub fn parse_directive(inner: &str) -> Result<DirectiveKind, String> {
    let inner = inner.trim();
    if inner == "quiz" {
        return Ok(DirectiveKind::Quiz);
    }
    if let Some(rest) = inner.strip_prefix("claim:") {
        let claim = expr::parse_claim(rest).map_err(|e| format!("claim `{}`: {e}", rest.trim()))?;
        for n in claim.left.names().into_iter().chain(claim.right.names()) {
            if !n.contains('.') {
                return Err(format!("claim `{}`: write values as experiment.value, not `{n}`", rest.trim()));
            }
        }
        return Ok(DirectiveKind::Claim { source: rest.trim().to_owned(), claim });
    }
    if let Some(rest) = inner.strip_prefix("chart:") {
        let Some((exp, chart)) = rest.trim().split_once('.') else {
            return Err(format!("chart `{}`: write experiment.chart", rest.trim()));
        };
        return Ok(DirectiveKind::Chart { exp: exp.trim().to_owned(), chart: chart.trim().to_owned() });
    }
    if let Some(rest) = inner.strip_prefix("experiment:") {
        return Ok(DirectiveKind::Experiment(rest.trim().to_owned()));
    }
    let (name, spec) = inner.split_once('|').map_or((inner, ""), |(n, s)| (n.trim(), s.trim()));
    let Some((exp, value)) = name.split_once('.') else {
        return Err(format!("`{{{{{inner}}}}}`: expected experiment.value, chart:, claim:, experiment: or quiz"));
    };
    if exp.is_empty() || value.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)) {
        return Err(format!("`{{{{{inner}}}}}` is not a value reference like experiment.value"));
    }
    Ok(DirectiveKind::Value { exp: exp.into(), name: value.into(), spec: format::parse(spec)? })
}

/// Every directive of a note body whose first line is `first_line` of its file.
pub fn scan(body: &str, first_line: usize) -> Result<Vec<Directive>, MdError> {
    let mut out = Vec::new();
    let mut err = None;
    outside_code(body, |i, line| {
        let spans = match spans(line) {
            Ok(s) => s,
            Err(message) => {
                err.get_or_insert(MdError { line: first_line + i, message });
                return;
            }
        };
        for (a, b) in spans {
            match parse_directive(&line[a + 2..b - 2]) {
                Ok(kind) => out.push(Directive { line: first_line + i, kind }),
                Err(message) => {
                    err.get_or_insert(MdError { line: first_line + i, message });
                }
            }
        }
    });
    match err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// The text of a body's ATX headings (`## Title {#id .class}`), outside code.
pub fn scan_headings(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    outside_code(body, |_, line| {
        let t = line.trim_start();
        let hashes = t.chars().take_while(|c| *c == '#').count();
        if (1..=6).contains(&hashes) && t[hashes..].starts_with(' ') {
            let text = t[hashes..].trim();
            let text = match text.rfind(" {") {
                Some(i) if text.ends_with('}') => &text[..i],
                _ => text,
            };
            out.push(text.trim_end_matches('#').trim().to_owned());
        }
    });
    out
}

/// A checked claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// Whether it holds.
    pub holds: bool,
    /// Its values, as text (`1.00 < 1.2`).
    pub shown: String,
    /// The badge shown in the page.
    pub html: String,
}

/// Evaluates a claim.
pub fn check_claim(source: &str, claim: &Claim, env: &dyn Env, lang: Lang) -> Result<Checked, String> {
    let mut lookup = |n: &str| -> Result<f64, String> {
        let (e, v) = n.split_once('.').ok_or_else(|| format!("`{n}` is not experiment.value"))?;
        env.value(e, v)
    };
    let left = claim.left.eval(&mut lookup)?;
    let right = claim.right.eval(&mut lookup)?;
    let holds = claim.holds(left, right);
    // The computed side keeps three significant digits; bounds read as written.
    let spec = format::Spec::Sig(3);
    let bound = |v: f64| trim_zeros(&format::number(v, &spec, lang));
    let tol = match claim.tolerance {
        Some(expr::Tolerance::Abs(t)) => format!(" ± {}", bound(t)),
        Some(expr::Tolerance::Rel(r)) => format!(" ± {}", format::number(r, &format::Spec::Percent(0), lang)),
        None => String::new(),
    };
    let shown = format!("{} {} {}{tol}", format::number(left, &spec, lang), claim.op, bound(right));
    let title = format!("{}: {source}", ui(lang).checked);
    let html = format!("<span class=\"claim\" title=\"{}\">✔ {}</span>", escape(&title), escape(&shown));
    Ok(Checked { holds, shown, html })
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s.to_owned() }
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
    // Data text: directive HTML waits here, as (html, plain text, whether
    // it is a block), while the text's own HTML is escaped.
    let mut held: Vec<(String, String, bool)> = Vec::new();
    let mut out = String::with_capacity(body.len() + 256);
    let mut err: Option<MdError> = None;
    let mut callouts = 0usize;
    let mut fence: Option<String> = None;
    let mut line_start = 0usize;
    for (i, line) in body.lines().enumerate() {
        let start = line_start;
        line_start += line.len() + 1;
        if body[start..].starts_with(line) && body[start + line.len()..].starts_with('\r') {
            line_start += 1;
        }
        let line_no = first_line + i;
        let t = line.trim_start();
        let marker: String = t.chars().take_while(|c| *c == '`' || *c == '~').collect();
        if let Some(open) = &fence {
            if marker.len() >= open.len() && marker.starts_with(&open[..1]) && t[marker.len()..].trim().is_empty() {
                fence = None;
            }
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if marker.len() >= 3 && (marker.chars().all(|c| c == '`') || marker.chars().all(|c| c == '~')) {
            fence = Some(marker);
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if let Some(kind) = t.strip_prefix(":::") {
            let kind = kind.trim();
            if kind.is_empty() {
                if callouts == 0 {
                    err.get_or_insert(MdError { line: line_no, message: "`:::` closes no callout".into() });
                } else {
                    callouts -= 1;
                    out.push_str("\n</aside>\n\n");
                }
                continue;
            }
            let u = ui(lang);
            let title = match kind {
                "myth" => u.myth,
                "note" => u.note,
                "tip" => u.tip,
                "warning" => u.warning,
                other => {
                    err.get_or_insert(MdError {
                        line: line_no,
                        message: format!("unknown callout `{other}`: use myth, note, tip or warning"),
                    });
                    continue;
                }
            };
            callouts += 1;
            out.push_str(&format!("\n<aside class=\"callout {kind}\">\n<p class=\"callout-title\">{title}</p>\n\n"));
            continue;
        }
        let mut last = 0;
        let spans = match spans(line) {
            Ok(s) => s,
            Err(message) => {
                err.get_or_insert(MdError { line: line_no, message });
                Vec::new()
            }
        };
        for (a, b) in spans {
            out.push_str(&line[last..a]);
            last = b;
            let kind = match parse_directive(&line[a + 2..b - 2]) {
                Ok(k) => k,
                Err(message) => {
                    err.get_or_insert(MdError { line: line_no, message });
                    continue;
                }
            };
            // (HTML, its plain text, whether it is HTML, whether a block).
            let res = match &kind {
                DirectiveKind::Value { exp, name, spec } => {
                    env.value(exp, name).map(|v| (format::number(v, spec, lang), String::new(), false, false))
                }
                DirectiveKind::Claim { .. } if !ends_sentence(&body[(start + b).min(body.len())..]) => {
                    Err("a claim badge must not interrupt a sentence: put it just before the full stop".into())
                }
                DirectiveKind::Claim { source, claim } => match check_claim(source, claim, env, lang) {
                    Ok(c) if c.holds => Ok((c.html, format!("✔ {}", c.shown), true, false)),
                    Ok(c) => Err(format!("false claim `{source}`: the values are {}", c.shown)),
                    Err(e) => Err(format!("claim `{source}`: {e}")),
                },
                DirectiveKind::Chart { exp, chart } => {
                    if line.trim() != &line[a..b] {
                        Err("a chart stands alone on its line".into())
                    } else {
                        env.chart(exp, chart).map(|h| (format!("\n{h}\n"), String::new(), true, true))
                    }
                }
                DirectiveKind::Experiment(exp) => env.experiment_url(exp).map(|u| {
                    let text = format!("{}: {}", experiments::words::words(lang).experiment, exp);
                    (format!("<a class=\"exp-link\" href=\"{u}\">{}</a>", escape(&text)), text, true, false)
                }),
                DirectiveKind::Quiz => {
                    if line.trim() != &line[a..b] {
                        Err("the quiz stands alone on its line".into())
                    } else {
                        env.quiz().map(|h| (format!("\n{h}\n"), String::new(), true, true))
                    }
                }
            };
            match res {
                Ok((html, plain, true, block)) if trust == Trust::Data => {
                    out.push(MARK_OPEN);
                    out.push_str(&held.len().to_string());
                    out.push(MARK_CLOSE);
                    held.push((html, plain, block));
                }
                Ok((html, ..)) => out.push_str(&html),
                Err(message) => {
                    err.get_or_insert(MdError { line: line_no, message });
                }
            }
        }
        out.push_str(&line[last..]);
        out.push('\n');
    }
    if callouts > 0 && err.is_none() {
        err = Some(MdError {
            line: first_line + body.lines().count().saturating_sub(1),
            message: "a callout is not closed with `:::`".into(),
        });
    }
    if let Some(e) = err {
        return Err(e);
    }
    let mut r = to_html(&out, trust, env).map_err(|(offset, message)| MdError {
        line: first_line + out.as_bytes()[..offset.min(out.len())].iter().filter(|b| **b == b'\n').count(),
        message,
    })?;
    if !held.is_empty() {
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
    Ok(r)
}

/// Whether a link in data text may go to `url`: relative, or `http:`,
/// `https:` or `mailto:` (browsers ignore blanks and control characters in
/// a scheme, so they are ignored here too).
fn safe_url(url: &str) -> bool {
    let clean: String = url.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_control()).collect();
    let clean = clean.to_ascii_lowercase();
    let Some(colon) = clean.find(':') else { return true };
    if clean[..colon].contains(['/', '?', '#']) {
        return true;
    }
    ["http", "https", "mailto"].contains(&&clean[..colon])
}

/// Whether the text after a claim lets its badge close a sentence: other
/// claims, spaces and a closing bracket may come first, then `.`, `!`, `?`,
/// the end of the paragraph, or a block (table row, list item, callout,
/// chart).
fn ends_sentence(rest: &str) -> bool {
    let mut r = rest;
    loop {
        let t = r.trim_start_matches([' ', '\t']);
        if let Some(after) = t.strip_prefix("{{claim:") {
            match after.find("}}") {
                Some(j) => r = &after[j + 2..],
                None => return false,
            }
            continue;
        }
        if let Some(next) = t.strip_prefix('\n').or_else(|| t.strip_prefix("\r\n")) {
            let line = next.lines().next().unwrap_or("").trim_start();
            let block = ["|", "- ", "* ", ":::", "{{chart"].iter().any(|p| line.starts_with(p));
            if line.is_empty() || block {
                return true;
            }
            if line.starts_with("{{claim:") {
                r = next;
                continue;
            }
            return false;
        }
        let t = t.strip_prefix(')').unwrap_or(t);
        return t.is_empty() || t.starts_with(['.', '!', '?']);
    }
}

/// A heading being read: level, explicit id, classes, inner events, plain text.
type OpenHeading<'a> = (HeadingLevel, Option<String>, Vec<String>, Vec<Event<'a>>, String);

/// Markdown (with directives resolved) to HTML, with anchors, a table of
/// contents and highlighted code. In data text, raw HTML becomes text and
/// an unsafe link is an error at its byte offset.
fn to_html(markdown: &str, trust: Trust, env: &dyn Env) -> Result<Rendered, (usize, String)> {
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut events = Vec::new();
    let mut toc = Vec::new();
    let mut text = String::new();
    let mut used_ids: BTreeSet<String> = BTreeSet::new();
    let mut sections = vec![Section { id: String::new(), heading: String::new(), text: String::new() }];
    let mut heading: Option<OpenHeading<'_>> = None;
    let mut code: Option<(String, String)> = None;
    for (ev, range) in Parser::new_ext(markdown, opts).into_offset_iter() {
        let ev = match ev {
            Event::Html(h) | Event::InlineHtml(h) if trust == Trust::Data => Event::Text(h),
            Event::Start(Tag::Link { ref dest_url, .. } | Tag::Image { ref dest_url, .. })
                if trust == Trust::Data && !safe_url(dest_url) =>
            {
                return Err((
                    range.start,
                    format!(
                        "the link to `{}` is not allowed here: quizzes and experiments link to http(s), mailto or relative URLs",
                        dest_url.chars().take(40).collect::<String>()
                    ),
                ));
            }
            ev => ev,
        };
        if let Some((buf, _)) = &mut code {
            match ev {
                Event::Text(t) => buf.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    if let Some((src, lang_tag)) = code.take() {
                        text.push_str(&src);
                        push_text(&mut sections, &src);
                        events.push(Event::Html(env.highlight(&src, &lang_tag).into()));
                    }
                }
                _ => {}
            }
            continue;
        }
        match ev {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang_tag = match kind {
                    CodeBlockKind::Fenced(l) => l.split_whitespace().next().unwrap_or("").to_owned(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((String::new(), lang_tag));
            }
            // Wide tables scroll in their own box, not the page.
            Event::Start(Tag::Table(_)) if heading.is_none() => {
                events.push(Event::Html("<div class=\"table-wrap\">".into()));
                events.push(ev);
            }
            Event::End(TagEnd::Table) if heading.is_none() => {
                events.push(ev);
                events.push(Event::Html("</div>".into()));
            }
            Event::Start(Tag::Heading { level, id, classes, .. }) => {
                let classes = classes.iter().map(|c| c.to_string()).collect();
                heading = Some((level, id.map(|s| s.to_string()), classes, Vec::new(), String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                // pulldown-cmark ends only the heading it started.
                let Some((level, id, classes, inner, plain)) = heading.take() else { continue };
                let base = id.unwrap_or_else(|| slug(&plain));
                let mut id = base.clone();
                let mut k = 2;
                while !used_ids.insert(id.clone()) {
                    id = format!("{base}-{k}");
                    k += 1;
                }
                let n = level as u8;
                if n == 2 || n == 3 {
                    toc.push(TocEntry { level: n, id: id.clone(), text: plain.clone() });
                    sections.push(Section { id: id.clone(), heading: plain.clone(), text: String::new() });
                }
                text.push_str(&plain);
                text.push('\n');
                let mut inner_html = String::new();
                html::push_html(&mut inner_html, inner.into_iter());
                let class = if classes.is_empty() {
                    String::new()
                } else {
                    format!(" class=\"{}\"", escape(&classes.join(" ")))
                };
                // The anchor is for pointers, not for keyboards or screen readers.
                events.push(Event::Html(
                    format!("<h{n} id=\"{id}\"{class}>{inner_html} <a class=\"anchor\" href=\"#{id}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{n}>\n", id = escape(&id))
                        .into(),
                ));
            }
            ev => {
                if let Some((_, _, _, inner, plain)) = &mut heading {
                    if let Event::Text(t) | Event::Code(t) = &ev {
                        plain.push_str(t);
                    }
                    inner.push(ev);
                } else {
                    if let Event::Text(t) | Event::Code(t) = &ev {
                        text.push_str(t);
                        text.push(' ');
                        push_text(&mut sections, t);
                    }
                    // Blocks and line breaks keep words apart.
                    let inline = matches!(
                        ev,
                        Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link)
                    );
                    if !inline && matches!(ev, Event::End(_) | Event::SoftBreak | Event::HardBreak) {
                        push_text(&mut sections, " ");
                    }
                    if let Event::Start(Tag::Link { dest_url, .. }) = &ev {
                        // Links between notes name the Markdown file.
                        if let Some(rewritten) = note_link(dest_url)
                            && let Event::Start(Tag::Link { link_type, title, id, .. }) = ev
                        {
                            events.push(Event::Start(Tag::Link { link_type, dest_url: rewritten.into(), title, id }));
                            continue;
                        }
                    }
                    events.push(ev);
                }
            }
        }
    }
    let mut html_out = String::with_capacity(markdown.len() * 2);
    html::push_html(&mut html_out, events.into_iter());
    for s in &mut sections {
        s.text = s.text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    Ok(Rendered { html: html_out, toc, text, sections })
}

/// Appends to the last section's text.
fn push_text(sections: &mut [Section], t: &str) {
    if let Some(last) = sections.last_mut() {
        last.text.push_str(t);
    }
}

/// `other.md#part` -> `other.html#part` (relative links between notes).
fn note_link(url: &str) -> Option<String> {
    if url.contains("://") || url.starts_with('/') {
        return None;
    }
    let (path, anchor) = url.split_once('#').map_or((url, None), |(p, a)| (p, Some(a)));
    let stem = path.strip_suffix(".md")?;
    Some(match anchor {
        Some(a) => format!("{stem}.html#{a}"),
        None => format!("{stem}.html"),
    })
}

/// An anchor id from heading text: letters (any script) and digits, with
/// dashes for spaces.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_') && !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() { "section".into() } else { out }
}

#[cfg(test)]
mod tests {
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
        assert!(
            r.html.contains("<h2 id=\"why-it-matters\">Why it matters <a class=\"anchor\" href=\"#why-it-matters\"")
        );
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

    #[test]
    fn data_text_links_only_to_safe_urls() {
        for ok in ["https://docs.python.org/3/", "other.html#x", "#anchor", "mailto:a@b.c", "a/b:c"] {
            render_data(&format!("[x]({ok})"), 1, Lang::En, &Fake).unwrap();
        }
        for bad in ["javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:x", "data:text/html,<b>", "vbscript:x"]
        {
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
        assert_eq!(
            s,
            [("", "", "Intro text."), ("summary", "Summary", "Key 5 ms rule."), ("deeper", "Deeper", "More.")]
        );
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
}
