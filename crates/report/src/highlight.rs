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

/// CSS for highlighted code in light and dark themes.
pub fn highlight_css() -> String {
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    let style = ClassStyle::SpacedPrefixed { prefix: "hl-" };
    let light =
        syntect::html::css_for_theme_with_class_style(&themes.themes["InspiredGitHub"], style).unwrap_or_default();
    let dark =
        syntect::html::css_for_theme_with_class_style(&themes.themes["base16-ocean.dark"], style).unwrap_or_default();
    // The dark rules apply under the dark theme only.
    let dark_scoped: String = dark
        .lines()
        .map(|l| if l.starts_with('.') { format!(":root[data-theme=\"dark\"] {l}") } else { l.to_owned() })
        .collect::<Vec<_>>()
        .join("\n");
    format!("/* Light: InspiredGitHub. */\n{light}\n/* Dark: base16-ocean.dark. */\n{dark_scoped}\n")
}
