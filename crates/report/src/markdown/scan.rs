//! Reading a body without rendering it: fenced code, directive spans and
//! their parsing, the directives and headings of a note, claims checked.

use super::*;

/// Fenced code blocks, followed line by line: directives and callouts do
/// not apply inside them.
#[derive(Default)]
pub(super) struct Fences {
    /// The fence that opened the current block (``` or ~~~, or longer).
    open: Option<String>,
}

impl Fences {
    /// Whether `line` belongs to a fenced code block, its fences included.
    pub(super) fn code(&mut self, line: &str) -> bool {
        let t = line.trim_start();
        let marker: String = t.chars().take_while(|c| *c == '`' || *c == '~').collect();
        if let Some(open) = &self.open {
            if marker.len() >= open.len() && marker.starts_with(&open[..1]) && t[marker.len()..].trim().is_empty() {
                self.open = None;
            }
            return true;
        }
        if marker.len() >= 3 && (marker.chars().all(|c| c == '`') || marker.chars().all(|c| c == '~')) {
            self.open = Some(marker);
            return true;
        }
        false
    }
}

/// Calls `f(line_index, line)` for every line outside fenced code blocks.
fn outside_code(body: &str, mut f: impl FnMut(usize, &str)) {
    let mut fences = Fences::default();
    for (i, line) in body.lines().enumerate() {
        if !fences.code(line) {
            f(i, line);
        }
    }
}

/// Byte ranges of `{{...}}` in a line, skipping inline code spans; an
/// `{{` that no `}}` closes on its line is an error (it used to be shown
/// as written).
pub(super) fn spans(line: &str) -> Result<Vec<(usize, usize)>, String> {
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
        let names: Vec<&str> = claim.left.names().into_iter().chain(claim.right.names()).collect();
        for n in &names {
            if !n.contains('.') {
                return Err(format!("claim `{}`: write values as experiment.value, not `{n}`", rest.trim()));
            }
        }
        if names.is_empty() {
            return Err(format!(
                "claim `{}` tests no value: a claim compares an experiment's values (experiment.value)",
                rest.trim()
            ));
        }
        return Ok(DirectiveKind::Claim { source: rest.trim().to_owned(), claim });
    }
    if let Some(rest) = inner.strip_prefix("chart:") {
        let Some((exp, chart)) = rest.trim().split_once('.') else {
            return Err(format!("chart `{}`: write experiment.chart", rest.trim()));
        };
        return Ok(DirectiveKind::Chart { exp: exp.trim().to_owned(), chart: chart.trim().to_owned() });
    }
    if let Some(rest) = inner.strip_prefix("explore:") {
        let Some((exp, id)) = rest.trim().split_once('.') else {
            return Err(format!("explore `{}`: write experiment.figure", rest.trim()));
        };
        return Ok(DirectiveKind::Explore { exp: exp.trim().to_owned(), id: id.trim().to_owned() });
    }
    if let Some(rest) = inner.strip_prefix("experiment:") {
        return Ok(DirectiveKind::Experiment(rest.trim().to_owned()));
    }
    let (name, spec) = inner.split_once('|').map_or((inner, ""), |(n, s)| (n.trim(), s.trim()));
    let Some((exp, value)) = name.split_once('.') else {
        return Err(format!(
            "`{{{{{inner}}}}}`: expected experiment.value, chart:, explore:, claim:, experiment: or quiz"
        ));
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

/// Whether the text after a claim lets its badge close a sentence: other
/// claims, spaces and a closing bracket may come first, then `.`, `!`, `?`,
/// the end of the paragraph, or a block (table row, list item, callout,
/// chart).
pub(super) fn ends_sentence(rest: &str) -> bool {
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
            let block = ["|", "- ", "* ", ":::", "{{chart", "{{explore"].iter().any(|p| line.starts_with(p));
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
