//! The link check: every internal link and anchor of the built site resolves.

use std::collections::{BTreeMap, BTreeSet};

use super::{File, SiteError};

/// Every `href` and `src` of the HTML files that points inside the site
/// must name an existing file, and its `#anchor` an existing id there.
///
/// `origins` maps a page to the sources it was rendered from (file name,
/// text; a note, then its quiz): a broken link on such a page is reported
/// at the source line that wrote it, which is where the author must fix it.
pub fn check_links(files: &[File], origins: &BTreeMap<String, Vec<(String, String)>>) -> Result<(), SiteError> {
    check_links_in(files).map_err(|(e, target)| {
        let Some(sources) = origins.get(&e.file) else { return e };
        // The author wrote `x.md` where the page says `x.html`.
        let (f, anchor) = target.split_once('#').map_or((target.as_str(), ""), |(f, a)| (f, a));
        let written = f.strip_suffix(".html").map(|stem| format!("{stem}.md"));
        let wrote = |l: &str| {
            written.as_deref().is_some_and(|w| l.contains(w) && l.contains(anchor)) || l.contains(target.as_str())
        };
        sources
            .iter()
            .find_map(|(file, source)| {
                let i = source.lines().position(wrote)?;
                Some(SiteError { file: file.clone(), line: i + 1, message: e.message.clone() })
            })
            .unwrap_or(e)
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
            // A query string is for the page's script; the file must exist.
            let file = file.split_once('?').map_or(file, |(f, _)| f);
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
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn resolve(from: &str, rel: &str) -> String {
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

/// (line, value) of every `name="value"` attribute of a tag (text that
/// only looks like one, such as `<a href="x">` written in inline code, is
/// escaped and outside any tag).
fn attrs(html: &str, name: &str) -> Vec<(usize, String)> {
    let needle = format!(" {name}=\"");
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    // Lines counted incrementally: pages are long and links many.
    let (mut line, mut counted) = (1, 0);
    let (mut in_tag, mut quote) = (false, None::<u8>);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match (in_tag, quote) {
            (false, _) => in_tag = b == b'<',
            (true, Some(q)) => {
                if b == q {
                    quote = None;
                }
            }
            (true, None) => {
                if b == b' ' && html[i..].starts_with(&needle) {
                    let start = i + needle.len();
                    let Some(len) = html[start..].find('"') else { break };
                    let value = html[start..start + len].replace("&amp;", "&");
                    line += bytes[counted..start].iter().filter(|c| **c == b'\n').count();
                    counted = start;
                    out.push((line, value));
                    i = start + len + 1;
                    continue;
                }
                match b {
                    b'>' => in_tag = false,
                    b'"' | b'\'' => quote = Some(b),
                    _ => {}
                }
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod attr_tests {
    use super::attrs;

    /// Attributes of tags count; the same text inside escaped code or a
    /// quoted attribute value does not.
    #[test]
    fn only_attributes_of_tags_are_links() {
        let html = "<p>Write <code>&lt;a href=\"missing.html\"&gt;</code> for a link.</p>\n\
                    <a title='a > b href=\"no.html\"' href=\"yes.html\">x</a>\n<a\nhref=\"x\" href=\"two.html\">";
        assert_eq!(attrs(html, "href"), [(2, "yes.html".to_owned()), (4, "two.html".to_owned())]);
    }
}
