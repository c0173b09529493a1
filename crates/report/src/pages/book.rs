//! Pages made of every note: the cheat sheet (each note's marked summary
//! and its myths), the whole book on one page for printing, and the
//! sitemap.

use std::collections::BTreeSet;

use serde::Serialize;

use super::note::Body;
use super::{Config, Ctx, File, SiteError};
use crate::i18n::{Lang, ui};
use charts::escape;

/// The parts of a note's HTML between `start` (included) and the first of
/// `ends` after it (excluded), for every `start`.
fn blocks<'h>(html: &'h str, start: &str, ends: &[&str]) -> Vec<&'h str> {
    let mut out = Vec::new();
    let mut from = 0;
    // Each end's first place at or after the last block's start (the
    // page's length: none), searched again only once a block passes it, so
    // that a page of thousands of blocks is read once, not once a block.
    let mut next: Vec<usize> = ends.iter().map(|e| html.find(e).unwrap_or(html.len())).collect();
    while let Some(i) = html[from..].find(start) {
        let a = from + i;
        let after = a + start.len();
        for (e, place) in ends.iter().zip(next.iter_mut()) {
            if *place < after {
                *place = html[after..].find(e).map_or(html.len(), |j| after + j);
            }
        }
        let b = next.iter().copied().min().unwrap_or(html.len());
        out.push(&html[a..b]);
        from = b.max(after);
    }
    out
}

/// Rewrites the `attr="..."` values of our own HTML (values hold no
/// quotes); `None` drops the attribute.
fn rewrite(html: &str, attr: &str, f: impl Fn(&str) -> Option<String>) -> String {
    let needle = format!(" {attr}=\"");
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        let start = i + needle.len();
        let Some(len) = rest[start..].find('"') else { break };
        out.push_str(&rest[..i]);
        if let Some(v) = f(&rest[start..start + len]) {
            out.push_str(&needle);
            out.push_str(&v);
            out.push('"');
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// A note's HTML moved to another page of the same folder: its own ids
/// dropped, its `#anchor` links pointing back into the note.
fn detach(html: &str, slug: &str) -> String {
    let html = strip_anchors(html);
    let html = rewrite(&html, "id", |_| None);
    rewrite(&html, "href", |h| {
        Some(if let Some(a) = h.strip_prefix('#') { format!("{slug}.html#{a}") } else { h.into() })
    })
}

/// Removes the `<a class="anchor" ...>#</a>` links of headings.
fn strip_anchors(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(" <a class=\"anchor\"") {
        out.push_str(&rest[..i]);
        match rest[i..].find("</a>") {
            Some(j) => rest = &rest[i + j + 4..],
            None => {
                rest = &rest[i..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

#[derive(Serialize)]
struct Sheet {
    slug: String,
    title: String,
    summary: String,
    rules: Vec<String>,
    myths: Vec<String>,
}

/// The cheat sheet: for each note, its summary line, the sections its
/// author marked `{.summary}` and its "myth vs measured" callouts, taken
/// from the rendered note, so nothing is written twice.
pub(super) fn cheatsheet(cx: &Ctx<'_>, lang: Lang, bodies: &[Body]) -> Result<File, SiteError> {
    let u = ui(lang);
    let sheets: Vec<Sheet> = bodies
        .iter()
        .map(|b| {
            let html = b.html.split("<section class=\"quiz\"").next().unwrap_or("");
            let rules = ["<h2 ", "<h3 "]
                .iter()
                .flat_map(|h| {
                    let marked = format!("{h}id=\"");
                    blocks(html, &marked, &["<h2 ", "<h1 "])
                        .into_iter()
                        .filter(|blk| blk[..blk.find('>').unwrap_or(0)].contains(" class=\"summary\""))
                        .map(|blk| {
                            // The note's heading gives way to the note's title.
                            let close = if h.starts_with("<h2") { "</h2>" } else { "</h3>" };
                            let body = blk.find(close).map_or(blk, |i| &blk[i + 5..]);
                            detach(body, &b.slug)
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            let myths = blocks(html, "<aside class=\"callout myth\">", &["</aside>"])
                .into_iter()
                .map(|blk| {
                    let inner = &blk["<aside class=\"callout myth\">".len()..];
                    let inner = match inner.find("</p>") {
                        // The callout's title: the sheet has its own heading.
                        Some(i) if inner[..i].contains("callout-title") => &inner[i + 4..],
                        _ => inner,
                    };
                    detach(inner, &b.slug)
                })
                .collect();
            Sheet { slug: b.slug.clone(), title: b.title.clone(), summary: b.summary.clone(), rules, myths }
        })
        .filter(|s| !s.rules.is_empty() || !s.myths.is_empty())
        .collect();
    let mut ctx = cx.base(lang, "../", "cheatsheet.html", u.cheatsheet, u.cheatsheet_description);
    ctx.insert("sheets", &sheets);
    Ok((format!("{}/cheatsheet.html", lang.code()), cx.page("cheatsheet.html", &ctx)?))
}

/// A note's HTML inside the whole book: ids prefixed with the note's slug,
/// links between notes turned into links inside the page.
fn in_book(html: &str, slug: &str, slugs: &BTreeSet<&str>) -> String {
    let p = |v: &str| format!("{slug}--{v}");
    let html = html.replace(" loading=\"lazy\"", "");
    let html = rewrite(&html, "id", |v| Some(p(v)));
    let html = rewrite(&html, "aria-labelledby", |v| Some(v.split(' ').map(p).collect::<Vec<_>>().join(" ")));
    let html = rewrite(&html, "name", |v| Some(p(v)));
    rewrite(&html, "href", |h| {
        if let Some(a) = h.strip_prefix('#') {
            return Some(format!("#{}", p(a)));
        }
        let (file, anchor) = h.split_once('#').map_or((h, None), |(f, a)| (f, Some(a)));
        match file.strip_suffix(".html") {
            Some(other) if slugs.contains(other) => {
                Some(anchor.map_or_else(|| format!("#{other}"), |a| format!("#{other}--{a}")))
            }
            _ => Some(h.to_owned()),
        }
    })
}

/// Every note of a language on one page, for printing.
pub(super) fn print(cx: &Ctx<'_>, lang: Lang, bodies: &[Body]) -> Result<File, SiteError> {
    let u = ui(lang);
    let slugs: BTreeSet<&str> = bodies.iter().map(|b| b.slug.as_str()).collect();
    let notes: Vec<(String, String, String, String)> = bodies
        .iter()
        .map(|b| (b.slug.clone(), b.title.clone(), b.summary.clone(), in_book(&b.html, &b.slug, &slugs)))
        .collect();
    let mut ctx = cx.base(lang, "../", "print.html", u.print_book, u.print_description);
    ctx.insert("book", &notes);
    Ok((format!("{}/print.html", lang.code()), cx.page("print.html", &ctx)?))
}

/// `sitemap.xml`: every page but the 404 and print pages, with its
/// translation; only with a base URL (a sitemap's addresses are absolute).
pub(super) fn sitemap(cfg: &Config, files: &[File]) -> Option<File> {
    cfg.base_url.as_ref()?;
    let pages: BTreeSet<&str> = files
        .iter()
        .map(|f| f.0.as_str())
        .filter(|p| p.ends_with(".html") && *p != "404.html" && !p.ends_with("/print.html"))
        .collect();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for p in &pages {
        let url = |p: &str| escape(&cfg.url(p).unwrap_or_default());
        xml.push_str(&format!("<url><loc>{}</loc>", url(p)));
        let pair = Lang::ALL.iter().find_map(|l| {
            let rest = p.strip_prefix(&format!("{}/", l.code()))?;
            let other = format!("{}/{rest}", l.other().code());
            pages.contains(other.as_str()).then(|| [(l.code(), p.to_string()), (l.other().code(), other)])
        });
        for (lang, page) in pair.into_iter().flatten() {
            xml.push_str(&format!("<xhtml:link rel=\"alternate\" hreflang=\"{lang}\" href=\"{}\"/>", url(&page)));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    Some(("sitemap.xml".into(), xml.into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_move_into_the_book_and_the_cheat_sheet_with_their_links() {
        let slugs: BTreeSet<&str> = ["a", "b"].into();
        let html = "<h2 id=\"x\">X <a class=\"anchor\" href=\"#x\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h2><a href=\"#x\">here</a> <a href=\"b.html#y\">b</a> <a href=\"c.html\">c</a> <a href=\"b.html\">b</a><input name=\"q-1\"><section aria-labelledby=\"quiz-title\"><img src=\"s.svg\" loading=\"lazy\">";
        assert_eq!(
            in_book(html, "a", &slugs),
            "<h2 id=\"a--x\">X <a class=\"anchor\" href=\"#a--x\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h2><a href=\"#a--x\">here</a> <a href=\"#b--y\">b</a> <a href=\"c.html\">c</a> <a href=\"#b\">b</a><input name=\"a--q-1\"><section aria-labelledby=\"a--quiz-title\"><img src=\"s.svg\">"
        );
        assert_eq!(
            detach(
                "<h3 id=\"x\">X <a class=\"anchor\" href=\"#x\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h3><p>See <a href=\"#y\">y</a>.</p>",
                "a"
            ),
            "<h3>X</h3><p>See <a href=\"a.html#y\">y</a>.</p>"
        );
        assert_eq!(
            blocks("<h2 id=\"a\">A</h2>1<h2 id=\"b\">B</h2>2", "<h2 ", &["<h2 "]),
            ["<h2 id=\"a\">A</h2>1", "<h2 id=\"b\">B</h2>2"]
        );
    }

    #[test]
    fn the_sitemap_pairs_translations() {
        let cfg = Config { base_url: Some("https://e.org/g/".into()), ..Config::default() };
        let files: Vec<File> = ["en/a.html", "ko/a.html", "en/only.html", "404.html", "en/print.html", "x.css"]
            .iter()
            .map(|p| (p.to_string(), Vec::new()))
            .collect();
        let xml = String::from_utf8(sitemap(&cfg, &files).unwrap().1).unwrap();
        assert!(xml.contains("<url><loc>https://e.org/g/en/a.html</loc><xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"https://e.org/g/en/a.html\"/><xhtml:link rel=\"alternate\" hreflang=\"ko\" href=\"https://e.org/g/ko/a.html\"/></url>"), "{xml}");
        assert!(xml.contains("<url><loc>https://e.org/g/en/only.html</loc></url>"));
        assert!(!xml.contains("404") && !xml.contains("print") && !xml.contains("x.css"));
        assert!(sitemap(&Config::default(), &files).is_none());
    }
}
