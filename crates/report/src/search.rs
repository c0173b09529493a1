//! The client-side search index, one per language.
//!
//! Text is lower-cased and split into runs of letters and digits. Latin and
//! digit runs become words; Hangul runs become overlapping two-syllable
//! bigrams (Korean words carry particles, so `스레드가` and `스레드를` share
//! `스레` and `레드`), which lets a query match inside words without a
//! dictionary. The index maps each term to the pages containing it (grouped
//! by page set, to keep it small), with page titles and summaries to show; the page script tokenises queries the same
//! way (`tokens` in `site.js` mirrors [`tokens`]).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

/// One page to index.
#[derive(Clone, Debug)]
pub struct Doc {
    /// URL, relative to the site root.
    pub url: String,
    /// Title.
    pub title: String,
    /// One-line summary.
    pub summary: String,
    /// Headings and body text.
    pub text: String,
}

/// The serialised index: compact, because it is downloaded whole.
///
/// Terms are grouped by the set of pages they occur on: each group is
/// (page numbers joined by `,`, terms joined by a space), so a term costs
/// its own length plus one byte.
#[derive(Clone, Debug, Serialize)]
pub struct Index {
    /// Pages: [url, title, summary].
    pub docs: Vec<[String; 3]>,
    /// (pages, terms) groups, sorted.
    pub groups: Vec<(String, String)>,
}

impl Index {
    /// The pages a term occurs on (exact match).
    pub fn pages(&self, term: &str) -> Vec<u32> {
        self.groups
            .iter()
            .find(|(_, terms)| terms.split(' ').any(|t| t == term))
            .map(|(pages, _)| pages.split(',').filter_map(|p| p.parse().ok()).collect())
            .unwrap_or_default()
    }
}

fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c) || ('\u{3131}'..='\u{318E}').contains(&c)
}

/// Search terms of `text`.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    let mut hangul = false;
    let flush = |run: &mut String, hangul: bool, out: &mut Vec<String>| {
        if run.is_empty() {
            return;
        }
        let chars: Vec<char> = run.chars().collect();
        if hangul {
            if chars.len() == 1 {
                out.push(run.clone());
            }
            for w in chars.windows(2) {
                out.push(w.iter().collect());
            }
        } else if chars.len() >= 2 || chars[0].is_ascii_digit() {
            out.push(run.clone());
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            let h = is_hangul(c);
            if !run.is_empty() && h != hangul {
                flush(&mut run, hangul, &mut out);
            }
            hangul = h;
            run.extend(c.to_lowercase());
        } else {
            flush(&mut run, hangul, &mut out);
        }
    }
    flush(&mut run, hangul, &mut out);
    out
}

/// Builds the index of `docs`.
pub fn build(docs: &[Doc]) -> Index {
    let mut terms: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        for t in tokens(&d.title).into_iter().chain(tokens(&d.summary)).chain(tokens(&d.text)) {
            terms.entry(t).or_default().insert(i as u32);
        }
    }
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (t, pages) in terms {
        let key = pages.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        groups.entry(key).or_default().push(t);
    }
    Index {
        docs: docs.iter().map(|d| [d.url.clone(), d.title.clone(), d.summary.clone()]).collect(),
        groups: groups.into_iter().map(|(k, ts)| (k, ts.join(" "))).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenises_latin_words_and_hangul_bigrams() {
        assert_eq!(tokens("The GIL's switch-interval (5ms)"), ["the", "gil", "switch", "interval", "5ms"]);
        assert_eq!(tokens("스레드가 GIL을 기다린다"), ["스레", "레드", "드가", "gil", "을", "기다", "다린", "린다"]);
        assert_eq!(tokens("a 1 x"), ["1"]);
    }

    #[test]
    fn index_maps_terms_to_pages() {
        let idx = build(&[
            Doc {
                url: "en/a.html".into(),
                title: "Threads".into(),
                summary: "".into(),
                text: "GIL and threads".into(),
            },
            Doc {
                url: "ko/a.html".into(), title: "스레드".into(), summary: "".into(), text: "GIL과 스레드".into()
            },
        ]);
        assert_eq!(idx.pages("gil"), [0, 1]);
        assert_eq!(idx.pages("스레"), [1]);
        assert_eq!(idx.pages("threads"), [0]);
        assert_eq!(idx.pages("nothing"), Vec::<u32>::new());
    }
}
