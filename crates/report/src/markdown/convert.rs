//! Markdown (with directives resolved) to HTML: anchors, the table of
//! contents, text by section, highlighted code, links between notes.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

use super::*;

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

/// A heading being read: level, explicit id, classes, inner events, plain text.
type OpenHeading<'a> = (HeadingLevel, Option<String>, Vec<String>, Vec<Event<'a>>, String);

/// Markdown (with directives resolved) to HTML, with anchors, a table of
/// contents and highlighted code. In data text, raw HTML becomes text and
/// an unsafe link is an error at its byte offset.
pub(super) fn to_html(markdown: &str, trust: Trust, env: &dyn Env) -> Result<Rendered, (usize, String)> {
    // Long on purpose: one pass over pulldown-cmark's events, whose state
    // (an open heading, a code block, a table) lives across the arms.
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut events = Vec::new();
    let mut toc = Vec::new();
    let mut text = String::new();
    let mut used_ids: BTreeSet<String> = BTreeSet::new();
    let mut next_suffix: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
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
            // Data text embeds nothing: an image shows as its alt text.
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) if trust == Trust::Data => continue,
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
                // Resume after the last suffix this base took: a note with
                // thousands of equal headings stays linear.
                let k = next_suffix.entry(base.clone()).or_insert(2usize);
                while !used_ids.insert(id.clone()) {
                    id = format!("{base}-{k}");
                    *k += 1;
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
