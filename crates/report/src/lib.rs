//! The study site's pages from notes and results.
//!
//! `markdown` renders notes with their directives (values, claims, charts,
//! callouts); `quiz` reads, checks and renders quizzes and Anki rows;
//! `search` builds the search index; `i18n` holds the words of the site's
//! interface; `site` plans and renders every page; `calibration` is the
//! "Model vs reality" data; `text` renders plain-text tables for the command
//! line. Charts come from the `charts` crate and experiments (values,
//! claims, figures) from `experiments`. Everything here is a pure function
//! of its inputs; callers decide where output goes.

// Being rewritten elsewhere (the calibration model moves out of xtask):
// its lints are the rewrite's to fix.
#[allow(clippy::type_complexity, clippy::let_and_return)]
pub mod calibration;
pub mod highlight;
pub mod i18n;
pub mod markdown;
pub mod pages;
pub mod quiz;
pub mod search;
pub mod text;

pub use experiments::{self as experiment, expr, format};
