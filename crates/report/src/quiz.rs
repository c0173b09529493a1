//! Quizzes: the file format, validation and rendering.
//!
//! A note's quiz is `notes/LANG/SLUG.quiz.yaml`, a list of questions:
//!
//! ```yaml
//! - id: what-it-protects
//!   level: 1                 # 1 basic, 2 applied, 3 practice
//!   type: single             # single, multiple or short
//!   question: What does the GIL protect?
//!   choices: [Reference counts and the interpreter's state, Every Python object from races]
//!   answer: 0                # an index; a list of indices for multiple; text for short
//!   explanation: |
//!     Markdown, with directives ({{countdown.ratio | .2}}, {{chart: countdown.time}}).
//! ```
//!
//! Without JavaScript every answer sits behind a `<details>` disclosure; the
//! site's script grades each question as it is answered (with the
//! explanation and the chart or section that backs it), keeps the answers
//! and results in `localStorage` under each question's key and hash, and
//! schedules reviews (`practice.js`).

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::i18n::{Lang, ui};
use crate::markdown::{self, Env, MdError};
use charts::escape;

/// A question as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Id, unique in the note; the same in both languages.
    pub id: String,
    /// 1 (basic), 2 (applied) or 3 (practice).
    pub level: u8,
    /// `single`, `multiple` or `short`.
    #[serde(rename = "type")]
    pub kind: Kind,
    /// The question (Markdown).
    pub question: String,
    /// Choices (Markdown), for single and multiple.
    #[serde(default)]
    pub choices: Vec<String>,
    /// The answer.
    pub answer: serde_yaml::Value,
    /// Why (Markdown, may use directives).
    pub explanation: String,
}

/// Question kinds.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One right choice.
    Single,
    /// Several right choices.
    Multiple,
    /// A short typed answer.
    Short,
}

/// A checked answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Right choices, by index.
    Choices(Vec<usize>),
    /// Accepted texts.
    Text(Vec<String>),
}

/// A validated question: the source and its answer.
#[derive(Clone, Debug)]
pub struct Checked {
    /// As written.
    pub q: Question,
    /// The answer.
    pub answer: Answer,
    /// 1-based line of the question in its file.
    pub line: usize,
}

/// Parses and validates a quiz file; errors carry the file line.
pub fn parse(source: &str) -> Result<Vec<Checked>, MdError> {
    // Size, depth and aliases first: the YAML parser is slow on deep nesting.
    workloads::limits::check_yaml(source, &workloads::Limits::default())
        .map_err(|e| MdError { line: e.line, message: e.message })?;
    let questions: Vec<Question> = serde_yaml::from_str(source).map_err(|e| MdError {
        line: e.location().map_or(1, |l| l.line()),
        message: e.to_string().split(" at line ").next().unwrap_or_default().to_owned(),
    })?;
    let lines = item_lines(source);
    let mut out: Vec<Checked> = Vec::new();
    for (i, q) in questions.into_iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(1);
        let fail = |m: String| Err(MdError { line, message: format!("question `{}`: {m}", q.id) });
        if q.id.is_empty() || !q.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return fail("an id is letters, digits, `-` and `_`".into());
        }
        if out.iter().any(|o| o.q.id == q.id) {
            return fail("another question has this id".into());
        }
        if !(1..=3).contains(&q.level) {
            return fail(format!("level {} is not 1, 2 or 3", q.level));
        }
        if q.question.trim().is_empty() || q.explanation.trim().is_empty() {
            return fail("needs a question and an explanation".into());
        }
        let answer = match q.kind {
            Kind::Single | Kind::Multiple => {
                if q.choices.len() < 2 {
                    return fail("needs at least two choices".into());
                }
                if q.choices.iter().any(|c| c.trim().is_empty()) {
                    return fail("a choice is empty".into());
                }
                if let Some((i, c)) =
                    q.choices.iter().enumerate().find(|(i, c)| q.choices[..*i].iter().any(|d| d.trim() == c.trim()))
                {
                    return fail(format!("choice {i} repeats an earlier one: `{}`", c.trim()));
                }
                let idx: Vec<usize> = match &q.answer {
                    serde_yaml::Value::Number(n) => n.as_u64().map(|v| vec![v as usize]).unwrap_or_default(),
                    serde_yaml::Value::Sequence(s) => s.iter().filter_map(|v| v.as_u64().map(|v| v as usize)).collect(),
                    _ => Vec::new(),
                };
                let count = match &q.answer {
                    serde_yaml::Value::Sequence(s) => s.len(),
                    _ => 1,
                };
                if idx.is_empty() || idx.len() != count {
                    return fail("the answer is the index of a choice (from 0), or a list of them".into());
                }
                if let Some(bad) = idx.iter().find(|i| **i >= q.choices.len()) {
                    return fail(format!(
                        "answer {bad} is not among the {} choices (numbered from 0)",
                        q.choices.len()
                    ));
                }
                if q.kind == Kind::Single && idx.len() != 1 {
                    return fail("a single-choice question has exactly one answer".into());
                }
                let mut sorted = idx.clone();
                sorted.sort_unstable();
                sorted.dedup();
                if sorted.len() != idx.len() {
                    return fail("the answer lists a choice twice".into());
                }
                Answer::Choices(sorted)
            }
            Kind::Short => {
                if !q.choices.is_empty() {
                    return fail("a short-answer question has no choices".into());
                }
                let texts: Vec<String> = match &q.answer {
                    serde_yaml::Value::String(s) => vec![s.clone()],
                    serde_yaml::Value::Number(n) => vec![n.to_string()],
                    serde_yaml::Value::Sequence(s) => s.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
                    _ => Vec::new(),
                };
                if texts.is_empty() || texts.iter().any(|t| t.trim().is_empty()) {
                    return fail("a short answer is a text or a list of accepted texts".into());
                }
                Answer::Text(texts)
            }
        };
        out.push(Checked { q, answer, line });
    }
    if out.is_empty() {
        return Err(MdError { line: 1, message: "a quiz needs at least one question".into() });
    }
    Ok(out)
}

/// 1-based lines where each top-level `- ` item starts.
fn item_lines(source: &str) -> Vec<usize> {
    source.lines().enumerate().filter(|(_, l)| l.starts_with("- ")).map(|(i, _)| i + 1).collect()
}

/// Checks that two translations of a quiz ask the same things: same ids in
/// the same order, levels, kinds, choice counts and answers by index.
pub fn agree(a: &[Checked], b: &[Checked]) -> Result<(), (usize, String)> {
    if a.len() != b.len() {
        return Err((1, format!("{} questions here, {} in the other language", b.len(), a.len())));
    }
    for (x, y) in a.iter().zip(b) {
        let differ =
            |what: &str| Err((y.line, format!("question `{}`: {what} differs from the other language", y.q.id)));
        if x.q.id != y.q.id {
            return Err((
                y.line,
                format!("question `{}` is `{}` in the other language (same order, same ids)", y.q.id, x.q.id),
            ));
        }
        if x.q.level != y.q.level {
            return differ("the level");
        }
        if x.q.kind != y.q.kind {
            return differ("the type");
        }
        if x.q.choices.len() != y.q.choices.len() {
            return differ("the number of choices");
        }
        if let (Answer::Choices(p), Answer::Choices(q)) = (&x.answer, &y.answer)
            && p != q
        {
            return differ("the answer");
        }
    }
    Ok(())
}

/// Experiments a quiz's texts use.
pub fn experiments(quiz: &[Checked]) -> Result<Vec<String>, MdError> {
    let mut out = Vec::new();
    for c in quiz {
        for text in std::iter::once(&c.q.question).chain(&c.q.choices).chain(std::iter::once(&c.q.explanation)) {
            for d in markdown::scan(text, c.line)? {
                out.extend(d.kind.experiments());
            }
        }
    }
    Ok(out)
}

/// A stable id of a quiz's content (for `localStorage` keys).
pub fn hash(lang: Lang, slug: &str, quiz: &[Checked]) -> String {
    let mut h = Sha256::new();
    h.update(lang.code());
    h.update(slug);
    for c in quiz {
        for part in [&c.q.id, &c.q.question, &c.q.explanation] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        for ch in &c.q.choices {
            h.update(ch.as_bytes());
            h.update([0]);
        }
    }
    let digest = h.finalize();
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// A question's text as HTML: quizzes are data, so their own HTML is shown
/// as text ([`markdown::Trust::Data`]), in pages and in Anki decks alike.
fn md(text: &str, line: usize, lang: Lang, env: &dyn Env) -> Result<String, MdError> {
    Ok(markdown::render_data(text, line, lang, env)?.html)
}

/// Markdown rendered inline (without the wrapping paragraph).
fn md_inline(text: &str, line: usize, lang: Lang, env: &dyn Env) -> Result<String, MdError> {
    let html = md(text, line, lang, env)?;
    let t = html.trim();
    Ok(match t.strip_prefix("<p>").and_then(|r| r.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_owned(),
        _ => t.to_owned(),
    })
}

/// Letters for choices.
fn letter(i: usize) -> char {
    char::from(b'A' + (i % 26) as u8)
}

/// Where a question is shown.
#[derive(Clone, Debug, Default)]
pub struct Place<'a> {
    /// The note's slug (the question's topic).
    pub slug: &'a str,
    /// Keeps ids unique on pages with many quizzes (`slug--` in the drill).
    pub prefix: &'a str,
    /// A link to the note, in the drill: (URL, title).
    pub source: Option<(&'a str, &'a str)>,
    /// The chart or section that backs the answer: (URL, text).
    pub see: Option<(String, String)>,
}

/// A stable id of one question's content: saved answers to a question
/// that has changed since are not restored.
pub fn question_hash(c: &Checked) -> String {
    let mut h = Sha256::new();
    for part in std::iter::once(&c.q.question).chain(&c.q.choices) {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.update(answer_key(&c.answer).as_bytes());
    h.finalize().iter().take(5).map(|b| format!("{b:02x}")).collect()
}

/// The text that stands for an answer in [`question_hash`]. It spells what
/// the derived `Debug` printed when the ids were first published, so saved
/// progress survives; written out, so that renaming a variant or a field
/// cannot move every id.
fn answer_key(answer: &Answer) -> String {
    let list = |items: Vec<String>| items.join(", ");
    match answer {
        Answer::Choices(idx) => format!("Choices([{}])", list(idx.iter().map(usize::to_string).collect())),
        // A string's escaped, quoted form (`"a \"b\""`), as `Debug` writes it.
        Answer::Text(texts) => format!("Text([{}])", list(texts.iter().map(|t| format!("{t:?}")).collect())),
    }
}

/// The HTML of one question. Pages without JavaScript show the answer
/// behind a disclosure; the site's script grades each question when it is
/// answered (`q-check`, `q-result`) and keeps progress under `data-key`.
pub fn question_html(c: &Checked, place: &Place<'_>, lang: Lang, env: &dyn Env) -> Result<String, MdError> {
    let u = ui(lang);
    let q = &c.q;
    let id = format!("{}{}", place.prefix, q.id);
    let mut h = String::new();
    let kind = match q.kind {
        Kind::Single => "single",
        Kind::Multiple => "multiple",
        Kind::Short => "short",
    };
    let answer_attr = match &c.answer {
        Answer::Choices(idx) => idx.iter().map(usize::to_string).collect::<Vec<_>>().join(","),
        Answer::Text(t) => serde_json::to_string(t).unwrap_or_default(),
    };
    h.push_str(&format!(
        "<li class=\"question\" id=\"q-{id}\" data-id=\"{}\" data-key=\"{}\" data-hash=\"{}\" data-topic=\"{}\" data-level=\"{}\" data-kind=\"{kind}\" data-answer=\"{}\">\n",
        escape(&id),
        escape(&format!("{}/{}/{}", lang.code(), place.slug, q.id)),
        question_hash(c),
        escape(place.slug),
        q.level,
        escape(&answer_attr)
    ));
    let from = place.source.map_or(String::new(), |(url, title)| {
        format!(" <a class=\"q-source\" href=\"{}\">{}</a>", escape(url), escape(title))
    });
    h.push_str(&format!(
        "<p class=\"q-meta\"><span class=\"level level-{}\">{} {} · {}</span>{from}</p>\n",
        q.level,
        u.level,
        q.level,
        u.levels[usize::from(q.level - 1)]
    ));
    h.push_str(&format!("<div class=\"q-text\">{}</div>\n", md(&q.question, c.line, lang, env)?));
    let choices: Vec<String> = q.choices.iter().map(|ch| md_inline(ch, c.line, lang, env)).collect::<Result<_, _>>()?;
    match q.kind {
        Kind::Single | Kind::Multiple => {
            let input = if q.kind == Kind::Single { "radio" } else { "checkbox" };
            h.push_str("<ol class=\"choices\">\n");
            for (i, choice) in choices.iter().enumerate() {
                h.push_str(&format!(
                    "<li><label><input type=\"{input}\" name=\"q-{id}\" value=\"{i}\"> <span class=\"letter\">{}.</span> <span class=\"choice-text\">{choice}</span></label></li>\n",
                    letter(i),
                ));
            }
            h.push_str("</ol>\n");
        }
        Kind::Short => {
            h.push_str(&format!(
                "<p><input class=\"short\" type=\"text\" name=\"q-{id}\" aria-label=\"{}\" placeholder=\"{}\" autocomplete=\"off\"></p>\n",
                escape(u.your_answer),
                escape(u.your_answer)
            ));
        }
    }
    // A single choice is graded when picked; the others need a button.
    if q.kind != Kind::Single {
        h.push_str(&format!(
            "<p class=\"q-actions js-only\"><button type=\"button\" class=\"q-check\">{}</button></p>\n",
            u.check
        ));
    }
    h.push_str("<p class=\"q-result js-only\" role=\"status\"></p>\n");
    let key = match &c.answer {
        Answer::Choices(idx) => {
            idx.iter().map(|&i| format!("{}. {}", letter(i), choices[i])).collect::<Vec<_>>().join("; ")
        }
        Answer::Text(t) => escape(&t[0]),
    };
    let see = place.see.as_ref().map_or(String::new(), |(url, text)| {
        format!("<p class=\"q-see\"><a href=\"{}\">{}</a></p>\n", escape(url), escape(text))
    });
    h.push_str(&format!(
        "<details class=\"answer\"><summary>{}</summary>\n<p class=\"a-key\"><strong>{key}</strong></p>\n{}{see}</details>\n</li>\n",
        u.answer,
        md(&q.explanation, c.line, lang, env)?
    ));
    Ok(h)
}

/// The HTML of a note's quiz; `sees` gives each question's backing link.
pub fn quiz_html(
    quiz: &[Checked],
    slug: &str,
    sees: &[Option<(String, String)>],
    lang: Lang,
    env: &dyn Env,
) -> Result<String, MdError> {
    let u = ui(lang);
    let mut h = format!(
        "<section class=\"quiz\" data-quiz=\"{}\" aria-labelledby=\"quiz-title\">\n<h2 id=\"quiz-title\">{} <a class=\"anchor\" href=\"#quiz-title\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h2>\n<ol class=\"questions\">\n",
        hash(lang, slug, quiz),
        u.quiz
    );
    for (i, c) in quiz.iter().enumerate() {
        let see = sees.get(i).cloned().flatten();
        h.push_str(&question_html(c, &Place { slug, prefix: "", source: None, see }, lang, env)?);
    }
    h.push_str(&format!(
        "</ol>\n<div class=\"quiz-controls js-only\"><span class=\"score\" aria-live=\"polite\"></span> <button type=\"button\" class=\"retry\" hidden>{}</button> <button type=\"button\" class=\"reset\">{}</button></div>\n</section>\n",
        u.retry, u.reset
    ));
    Ok(h)
}

/// Anki rows (front, back, tags) for the questions of a note. Charts become
/// links, since an imported text file carries no images.
pub fn anki_rows(
    quiz: &[Checked],
    slug: &str,
    note_url: &str,
    lang: Lang,
    env: &dyn Env,
) -> Result<Vec<[String; 3]>, MdError> {
    let mut rows = Vec::new();
    for c in quiz {
        let q = &c.q;
        let mut front = md(&q.question, c.line, lang, env)?;
        if !q.choices.is_empty() {
            front.push_str("<ol type=\"A\">");
            for ch in &q.choices {
                front.push_str(&format!("<li>{}</li>", md_inline(ch, c.line, lang, env)?));
            }
            front.push_str("</ol>");
        }
        let key = match &c.answer {
            Answer::Choices(idx) => idx.iter().map(|&i| letter(i).to_string()).collect::<Vec<_>>().join(", "),
            Answer::Text(t) => escape(&t[0]),
        };
        let explanation = md(&q.explanation, c.line, lang, env)?;
        let back = format!(
            "<p><b>{key}</b></p>{explanation}<p><a href=\"{}\">gil-lab: {}</a></p>",
            escape(note_url),
            escape(slug)
        );
        let clean = |s: String| s.replace(['\t', '\n', '\r'], " ");
        rows.push([clean(front), clean(back), clean(format!("gil-lab {slug} level-{}", q.level))]);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_keys_spell_what_the_published_ids_hashed() {
        let texts = Answer::Text(vec!["a".into(), "say \"hi\"\n".into()]);
        for a in [Answer::Choices(vec![0, 2]), Answer::Choices(vec![]), texts] {
            assert_eq!(answer_key(&a), format!("{a:?}"));
        }
    }

    const QUIZ: &str = "- id: a\n  level: 1\n  type: single\n  question: Q?\n  choices: [x, y]\n  answer: 1\n  explanation: Because.\n- id: b\n  level: 2\n  type: multiple\n  question: Which?\n  choices: [x, y, z]\n  answer: [2, 0]\n  explanation: Both.\n- id: c\n  level: 3\n  type: short\n  question: Name it\n  answer: [GIL, global interpreter lock]\n  explanation: It.\n";

    #[test]
    fn parses_and_validates() {
        let q = parse(QUIZ).unwrap();
        assert_eq!(q.len(), 3);
        assert_eq!(q[1].answer, Answer::Choices(vec![0, 2]));
        assert_eq!(q[2].answer, Answer::Text(vec!["GIL".into(), "global interpreter lock".into()]));
        assert_eq!((q[0].line, q[1].line, q[2].line), (1, 8, 15));
    }

    #[test]
    fn rejects_empty_and_repeated_choices() {
        let q = |choices: &str| {
            parse(&format!(
                "- id: a\n  level: 1\n  type: single\n  question: Q\n  choices: {choices}\n  answer: 0\n  explanation: E\n"
            ))
        };
        assert!(q("[x, ' ']").unwrap_err().message.contains("empty"));
        assert!(q("[x, y, ' x']").unwrap_err().message.contains("choice 2 repeats"));
        q("[x, y]").unwrap();
    }

    #[test]
    fn rejects_bad_questions_with_their_line() {
        let bad = |src: &str| parse(src).unwrap_err();
        let e = bad(
            "- id: a\n  level: 1\n  type: single\n  question: Q\n  choices: [x, y]\n  answer: 2\n  explanation: E\n",
        );
        assert_eq!(e.line, 1);
        assert!(e.message.contains("answer 2 is not among the 2 choices"), "{}", e.message);
        assert!(
            bad("- id: a\n  level: 4\n  type: short\n  question: Q\n  answer: x\n  explanation: E\n")
                .message
                .contains("level 4")
        );
        let dup = format!("{QUIZ}- id: a\n  level: 1\n  type: short\n  question: Q\n  answer: x\n  explanation: E\n");
        let e = bad(&dup);
        assert_eq!(e.line, 21);
        assert!(e.message.contains("another question has this id"));
        assert!(bad("- id: a\n  level: 1\n  type: single\n  question: Q\n  choices: [x, y]\n  answer: [0, 1]\n  explanation: E\n").message.contains("exactly one"));
        assert!(
            bad("- id: a\n  level: 1\n  type: single\n  question: Q\n  choices: [x]\n  answer: 0\n  explanation: E\n")
                .message
                .contains("two choices")
        );
        assert!(bad("- id: a\n  lvl: 1\n").message.contains("unknown field"));
    }

    struct NoEnv;

    impl Env for NoEnv {
        fn value(&self, _: &str, _: &str) -> Result<f64, String> {
            Err("no values".into())
        }
        fn chart(&self, _: &str, _: &str) -> Result<String, String> {
            Err("no charts".into())
        }
        fn experiment_url(&self, _: &str) -> Result<String, String> {
            Err("no experiments".into())
        }
        fn quiz(&self) -> Result<String, String> {
            Err("no quiz".into())
        }
        fn highlight(&self, src: &str, lang_tag: &str) -> String {
            crate::highlight::Highlighter::new().highlight(src, lang_tag)
        }
    }

    /// Quiz texts are data: their HTML reaches neither pages nor decks.
    #[test]
    fn quiz_html_is_escaped_in_pages_and_anki_rows() {
        let evil = "- id: x\n  level: 1\n  type: single\n  question: \"<script>alert(1)</script> Q?\"\n  choices: [\"<img src=x onerror=alert(2)>\", \"<b>two</b>\"]\n  answer: 0\n  explanation: \"<iframe src=x></iframe>\"\n- id: y\n  level: 2\n  type: short\n  question: Q\n  answer: \"<script>\"\n  explanation: E\n";
        let q = parse(evil).unwrap();
        let page = quiz_html(&q, "s", &[], Lang::En, &NoEnv).unwrap();
        let rows = anki_rows(&q, "<i>title</i>", "en/s.html\"><script>", Lang::En, &NoEnv).unwrap();
        let deck = rows.iter().flat_map(|r| [r[0].clone(), r[1].clone()]).collect::<Vec<_>>().join("\n");
        for out in [&page, &deck] {
            for tag in ["<script", "<img", "<iframe", "<b>two", "<i>"] {
                assert!(!out.contains(tag), "{tag} in:\n{out}");
            }
        }
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; Q?"), "{page}");
        assert!(deck.contains("&lt;img src=x onerror=alert(2)&gt;"), "{deck}");
    }

    #[test]
    fn deep_quiz_yaml_is_refused_fast() {
        let t = std::time::Instant::now();
        let e = parse(&format!("- id: {}", "[".repeat(100_000))).unwrap_err();
        assert!(e.message.contains("deep"), "{}", e.message);
        assert!(t.elapsed().as_secs() < 5, "{:?}", t.elapsed());
    }

    #[test]
    fn translations_must_agree() {
        let en = parse(QUIZ).unwrap();
        let ko = parse(&QUIZ.replace("answer: 1", "answer: 0")).unwrap();
        assert!(agree(&en, &ko).unwrap_err().1.contains("the answer differs"));
        let ko = parse(&QUIZ.replace("id: b", "id: bb")).unwrap();
        assert!(agree(&en, &ko).unwrap_err().1.contains("same ids"));
        assert!(agree(&en, &parse(&QUIZ.replace("Q?", "질문?")).unwrap()).is_ok());
    }
}
