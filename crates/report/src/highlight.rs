//! Build-time syntax highlighting with syntect, as a value the caller owns.
//!
//! Highlighting is the slowest part of rendering a note (syntect compiles
//! its regular expressions on first use), so a [`Highlighter`] remembers
//! every block it has highlighted; a build can seed it with the blocks of
//! the previous build ([`Highlighter::with_blocks`]) and keep what it used
//! ([`Highlighter::used`]).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use charts::escape;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// A highlighted block: (language tag, source, HTML).
pub type Block = (String, String, String);

/// Highlights code blocks and remembers them.
#[derive(Debug, Default)]
pub struct Highlighter {
    /// HTML by (language tag, source), with whether this highlighter used it.
    memo: Mutex<HashMap<(String, String), (String, bool)>>,
}

impl Highlighter {
    /// An empty highlighter.
    pub fn new() -> Highlighter {
        Highlighter::default()
    }

    /// A highlighter that knows `blocks` already (from an earlier build).
    pub fn with_blocks(blocks: impl IntoIterator<Item = Block>) -> Highlighter {
        let memo = blocks.into_iter().map(|(lang, src, html)| ((lang, src), (html, false))).collect();
        Highlighter { memo: Mutex::new(memo) }
    }

    /// The blocks used so far, sorted: what the next build needs.
    pub fn used(&self) -> Vec<Block> {
        let m = self.memo.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out: Vec<Block> =
            m.iter().filter(|(_, v)| v.1).map(|((l, s), v)| (l.clone(), s.clone(), v.0.clone())).collect();
        out.sort();
        out
    }

    /// Highlighted `<pre>` for a code block (classes styled by the site's CSS).
    pub fn highlight(&self, src: &str, lang_tag: &str) -> String {
        let key = (lang_tag.to_owned(), src.to_owned());
        if let Some(hit) = self.memo.lock().unwrap_or_else(PoisonError::into_inner).get_mut(&key) {
            hit.1 = true;
            return hit.0.clone();
        }
        let html = highlight_uncached(src, lang_tag);
        self.memo.lock().unwrap_or_else(PoisonError::into_inner).insert(key, (html.clone(), true));
        html
    }
}

fn highlight_uncached(src: &str, lang_tag: &str) -> String {
    let set = syntaxes();
    let token = match lang_tag {
        "py" | "python3" | "pycon" => "python",
        "sh" | "shell" | "console" => "bash",
        "yml" => "yaml",
        other => other,
    };
    let syntax = if token.is_empty() { None } else { set.find_syntax_by_token(token) };
    let class = if lang_tag.is_empty() { String::new() } else { format!(" class=\"language-{}\"", escape(lang_tag)) };
    let Some(syntax) = syntax else {
        return format!("<pre class=\"code\"><code{class}>{}</code></pre>\n", escape(src));
    };
    let mut generator =
        ClassedHTMLGenerator::new_with_class_style(syntax, set, ClassStyle::SpacedPrefixed { prefix: "hl-" });
    for line in syntect::util::LinesWithEndings::from(src) {
        if generator.parse_html_for_line_which_includes_newline(line).is_err() {
            return format!("<pre class=\"code\"><code{class}>{}</code></pre>\n", escape(src));
        }
    }
    format!("<pre class=\"code\"><code{class}>{}</code></pre>\n", generator.finalize())
}

/// Code colours: (selector, light, dark). The background comes first.
/// Every colour keeps at least 4.5:1 contrast with its background (WCAG
/// AA; a test checks), in both themes.
const CODE_COLOURS: [(&str, &str, &str); 9] = [
    ("pre.code", "#f6f8fa", "#161b22"),
    ("pre.code code", "#1f2328", "#e6edf3"),
    (".hl-string", "#0a3069", "#a5d6ff"),
    (".hl-constant", "#0550ae", "#79c0ff"),
    (".hl-keyword, .hl-storage", "#a40e26", "#ff7b72"),
    (".hl-entity.hl-name, .hl-support.hl-function", "#6639ba", "#d2a8ff"),
    (".hl-support, .hl-entity.hl-other", "#953800", "#ffa657"),
    (".hl-variable.hl-parameter, .hl-variable.hl-language", "#1f2328", "#e6edf3"),
    (".hl-comment, .hl-comment *", "#57606a", "#9ea7b3"),
];

/// CSS for highlighted code in light and dark themes: dark when the reader
/// chose it, or when the system prefers it and the reader chose nothing.
pub fn highlight_css() -> String {
    let mut light = String::new();
    let mut dark = String::new();
    for (i, (sel, l, d)) in CODE_COLOURS.iter().enumerate() {
        let prop = if i == 0 { "background" } else { "color" };
        light.push_str(&format!("{sel} {{ {prop}: {l}; }}\n"));
        let scoped = |root: &str| sel.split(", ").map(|s| format!("{root} {s}")).collect::<Vec<_>>().join(", ");
        dark.push_str(&format!("{} {{ {prop}: {d}; }}\n", scoped(":root[data-theme=\"dark\"]")));
        dark.push_str(&format!(
            "@media (prefers-color-scheme: dark) {{ {} {{ {prop}: {d}; }} }}\n",
            scoped(":root:not([data-theme=\"light\"])")
        ));
    }
    format!(
        "/* Code colours (report::highlight): light, then dark. */\n{light}.hl-keyword, .hl-storage {{ font-weight: 600; }}\n.hl-comment {{ font-style: italic; }}\n{dark}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luminance(hex: &str) -> f64 {
        let c = |i: usize| {
            let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if v <= 0.03928 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn code_colours_keep_their_contrast_in_both_themes() {
        let (_, bg_light, bg_dark) = CODE_COLOURS[0];
        for (sel, l, d) in &CODE_COLOURS[1..] {
            assert!(contrast(l, bg_light) >= 4.5, "{sel} light: {:.2}", contrast(l, bg_light));
            assert!(contrast(d, bg_dark) >= 4.5, "{sel} dark: {:.2}", contrast(d, bg_dark));
        }
        let css = highlight_css();
        assert!(css.contains(
            ":root[data-theme=\"dark\"] .hl-comment, :root[data-theme=\"dark\"] .hl-comment * { color: #9ea7b3; }"
        ));
        assert!(css.contains("@media (prefers-color-scheme: dark) { :root:not([data-theme=\"light\"]) pre.code { background: #161b22; } }"));
    }
}
