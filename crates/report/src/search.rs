//! The client-side search data, one file per language.
//!
//! The browser builds its index with MiniSearch (vendored in
//! `templates/static/minisearch.js`): ranking (BM25 with fields: titles
//! and headings weigh more than the body), prefix and fuzzy matching, and a
//! tokeniser for Korean (`search.js`: particles stripped, spelling variants
//! folded (`notes/spellings.yaml`, given to every page's scripts), Hangul
//! suffixes for words inside compounds). What it downloads is
//! the pages' text by section, so results can show a snippet and link to
//! the section that matched: the documents as JSON, compressed with DEFLATE
//! and base64-encoded inside a script (a script, unlike `fetch`, also loads
//! from `file://` pages; the browser inflates it with
//! `DecompressionStream`). That keeps the file under half the size of the
//! notes' Markdown, which an index of every word would not be.

use std::io::Write;

use base64::Engine;
use serde::Serialize;

use crate::markdown::Section;

/// One page to index.
#[derive(Clone, Debug, Serialize)]
pub struct Doc {
    /// URL, relative to the site root.
    pub url: String,
    /// Title.
    pub title: String,
    /// One-line summary.
    pub summary: String,
    /// The text by section.
    pub sections: Vec<Section>,
    /// Words of the other language that name this page (its title and
    /// headings there), so an English term finds a Korean page.
    pub alias: String,
}

/// What the search script of a language holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Data {
    /// The documents, as DEFLATE-compressed JSON in base64.
    pub z: String,
}

/// The compact form of a document in the compressed JSON:
/// [url, title, summary, alias, [[id, heading, text], ...]].
type Packed<'a> = (&'a str, &'a str, &'a str, &'a str, Vec<(&'a str, &'a str, &'a str)>);

/// The search data of `docs`.
pub fn build(docs: &[Doc]) -> Data {
    let packed: Vec<Packed<'_>> = docs
        .iter()
        .map(|d| {
            let sections = d
                .sections
                .iter()
                .filter(|s| !s.heading.is_empty() || !s.text.is_empty())
                .map(|s| (s.id.as_str(), s.heading.as_str(), s.text.as_str()))
                .collect();
            (d.url.as_str(), d.title.as_str(), d.summary.as_str(), d.alias.as_str(), sections)
        })
        .collect();
    let json = serde_json::to_vec(&packed).unwrap_or_default();
    Data { z: base64::engine::general_purpose::STANDARD.encode(deflate(&json)) }
}

/// Raw DEFLATE at the best compression (deterministic: no header, no time).
pub fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    // The encoder's only errors are its writer's, and a Vec takes any bytes.
    e.write_all(bytes).expect("writing to memory cannot fail");
    e.finish().expect("writing to memory cannot fail")
}

/// The documents back from [`Data::z`] (what the page script does).
pub fn unpack(z: &str) -> Option<serde_json::Value> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(z).ok()?;
    let mut json = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::DeflateDecoder::new(&bytes[..]), &mut json).ok()?;
    serde_json::from_slice(&json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_round_trip_through_the_compressed_form() {
        let docs = vec![Doc {
            url: "ko/convoy-effect.html".into(),
            title: "호위 효과".into(),
            summary: "요약".into(),
            sections: vec![
                Section { id: String::new(), heading: String::new(), text: String::new() },
                Section {
                    id: "실험".into(), heading: "실험".into(), text: "에코 스레드가 GIL을 기다린다".into()
                },
            ],
            alias: "The convoy effect".into(),
        }];
        let data = build(&docs);
        assert_eq!(data, build(&docs), "deterministic");
        let back = unpack(&data.z).unwrap();
        assert_eq!(
            back,
            serde_json::json!([[
                "ko/convoy-effect.html",
                "호위 효과",
                "요약",
                "The convoy effect",
                [["실험", "실험", "에코 스레드가 GIL을 기다린다"]]
            ]])
        );
    }
}
