//! The pages that gather notes: a language's index, tags, experiment pages,
//! the interview drill, the Anki deck and the search index.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::explore;
use super::note::DrillRow;
use super::sources::{PageEnv, figure};
use super::{Chapter, Ctx, File, Link, Note, SiteError, tag_file};
use crate::i18n::{Lang, ui};
use crate::markdown;
use crate::search;

/// The language's index page: every chapter, translated or not.
pub(super) fn index(cx: &Ctx<'_>, lang: Lang) -> Result<File, SiteError> {
    let u = ui(lang);
    let chapters = &cx.chapters[&lang];
    let mut ctx = cx.base(lang, "../", "index.html", u.notes, u.index_description);
    ctx.insert("notes", chapters);
    ctx.insert("levels", &u.levels);
    ctx.insert("question_count", &chapters.iter().map(|c| c.questions).sum::<usize>());
    Ok((format!("{}/index.html", lang.code()), cx.page("index.html", &ctx)?))
}

/// The tag list and a page per tag.
pub(super) fn tags(cx: &Ctx<'_>, lang: Lang) -> Result<Vec<File>, SiteError> {
    let (u, code) = (ui(lang), lang.code());
    let mut tags: BTreeMap<String, Vec<&Chapter>> = BTreeMap::new();
    for c in &cx.chapters[&lang] {
        for t in &c.tags {
            tags.entry(t.clone()).or_default().push(c);
        }
    }
    let mut files = Vec::new();
    let tag_list: Vec<(String, usize)> = tags.iter().map(|(t, ns)| (t.clone(), ns.len())).collect();
    let mut ctx = cx.base(lang, "../../", "tags/index.html", u.tags, u.tags_description);
    ctx.insert("tags", &tag_list);
    files.push((format!("{code}/tags/index.html"), cx.page("tags.html", &ctx)?));
    for (tag, ns) in &tags {
        let list: Vec<Link> =
            ns.iter().map(|c| Link { url: format!("../{}.html", c.slug), title: c.title.clone() }).collect();
        let title = format!("{}: {tag}", u.tags);
        let file = format!("tags/{}.html", tag_file(tag));
        // A tag may have no notes in the other language: its switch goes to the tag list.
        let mut ctx = cx.base(lang, "../../", &file, &title, &title);
        ctx.insert("other_url", &format!("../../{}/tags/index.html", lang.other().code()));
        ctx.insert("tag", tag);
        ctx.insert("notes", &list);
        files.push((format!("{code}/{file}"), cx.page("tag.html", &ctx)?));
    }
    Ok(files)
}

/// A page per experiment and their list; their text goes to search.
pub(super) fn experiments(cx: &Ctx<'_>, lang: Lang, docs: &mut Vec<search::Doc>) -> Result<Vec<File>, SiteError> {
    let (u, code) = (ui(lang), lang.code());
    let root = "../../";
    let mut files = Vec::new();
    let mut listing = Vec::new();
    for (id, run) in &cx.input.runs {
        let def = &run.src.def;
        let env = PageEnv::new(cx.built, cx.highlighter, lang, root);
        let desc = markdown::render_data(def.description.get(lang), 1, lang, &env).map_err(|e| SiteError {
            file: run.src.path.clone(),
            line: 1,
            message: format!("description: {}", e.message),
        })?;
        let built = &cx.built[id];
        let charts: Vec<String> = built
            .chart_ids
            .iter()
            .map(|c| {
                let (chart, table) = &built.charts[&(c.clone(), lang)];
                figure(id, c, chart, table, built, lang, root, true)
            })
            .collect();
        let explores: Vec<String> = built
            .explore_ids
            .iter()
            .filter_map(|e| built.explores.get(&(e.clone(), lang)))
            .map(|b| explore::figure(id, b, &built.links[&lang], lang, root, true))
            .collect();
        let values: Vec<(String, String, String)> = built
            .values
            .iter()
            .map(|(k, v)| {
                let d = &def.values[k];
                let how = match (&d.metric, &d.expr) {
                    (Some(m), _) => {
                        let at = d.at.iter().map(|(p, v)| format!("{p}={}", experiments::show(v))).collect::<Vec<_>>();
                        if at.is_empty() { m.clone() } else { format!("{m} [{}]", at.join(", ")) }
                    }
                    (_, Some(e)) => e.clone(),
                    _ => String::new(),
                };
                (k.clone(), experiments::format::number(*v, &experiments::format::Spec::Sig(4), lang), how)
            })
            .collect();
        let used_in: Vec<Link> = cx
            .input
            .plan
            .notes
            .iter()
            .filter(|n| n.src.lang == lang && n.experiments.contains(id))
            .map(|n| Link { url: format!("../{}.html", n.src.slug), title: n.meta.title.clone() })
            .collect();
        let overrides: Vec<String> = def.set.iter().map(|(k, v)| format!("{k}={}", experiments::show(v))).collect();
        let summary: String = desc.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let summary = match summary.char_indices().nth(200) {
            Some((i, _)) => format!("{}…", &summary[..i]),
            None => summary,
        };
        let mut ctx = cx.base(lang, root, &format!("experiments/{id}.html"), def.title.get(lang), &summary);
        ctx.insert("id", id);
        ctx.insert("description", &desc.html);
        ctx.insert("charts", &charts);
        ctx.insert("explores", &explores);
        let zoomable = charts.iter().chain(&explores).any(|h| h.contains(" data-timeline=\""));
        ctx.insert("interactive", &(zoomable || !explores.is_empty()));
        ctx.insert("values", &values);
        ctx.insert("scenario_file", &run.scenario.0);
        ctx.insert("scenario_html", &cx.highlighter.highlight(&run.scenario.1, "yaml"));
        ctx.insert("overrides", &overrides);
        ctx.insert("command", &run.command);
        ctx.insert("fingerprint", &run.fingerprint);
        ctx.insert("used_in", &used_in);
        // Its reproduction scripts: name and the first line of their docstring.
        let scripts: Vec<(String, String)> = def
            .reproduce
            .iter()
            .map(|name| {
                let text = cx.input.scripts.iter().find(|s| &s.name == name).map_or("", |s| s.text.as_str());
                let title = text.split("\"\"\"").nth(1).and_then(|d| d.lines().next()).unwrap_or("").trim();
                (name.clone(), title.to_owned())
            })
            .collect();
        ctx.insert("scripts", &scripts);
        ctx.insert("points", &run.data.points.len());
        files.push((format!("{code}/experiments/{id}.html"), cx.page("experiment.html", &ctx)?));
        listing.push(Link { url: format!("{id}.html"), title: def.title.get(lang).to_owned() });
        docs.push(search::Doc {
            url: format!("{code}/experiments/{id}.html"),
            title: def.title.get(lang).to_owned(),
            summary: String::new(),
            sections: desc.sections,
            alias: def.title.get(lang.other()).to_owned(),
        });
    }
    let mut ctx = cx.base(lang, root, "experiments/index.html", u.experiments, u.experiments_description);
    ctx.insert("experiments", &listing);
    files.push((format!("{code}/experiments/index.html"), cx.page("experiments.html", &ctx)?));
    Ok(files)
}

/// The interview drill: every question by level, with filters, flashcards,
/// spaced repetition, progress and mock interviews (`practice.js`).
pub(super) fn drill(cx: &Ctx<'_>, lang: Lang, drill: &[DrillRow], mine: &[&Note]) -> Result<File, SiteError> {
    let (u, code) = (ui(lang), lang.code());
    /// (note slug, note title, question HTML), as the template reads them.
    type Question = (String, String, String);
    let mut levels: Vec<(u8, &str, Vec<Question>, String)> = Vec::new();
    for level in 1..=3u8 {
        let qs: Vec<Question> =
            drill.iter().filter(|q| q.0 == level).map(|q| (q.1.clone(), q.2.clone(), q.3.clone())).collect();
        // Progress is kept per question set: new questions start afresh.
        let mut h = Sha256::new();
        for q in &qs {
            h.update(q.0.as_bytes());
            h.update(q.2.as_bytes());
        }
        let hash = format!(
            "drill-{code}-{level}-{}",
            &h.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect::<String>()
        );
        levels.push((level, u.levels[usize::from(level - 1)], qs, hash));
    }
    let mut ctx = cx.base(lang, "../", "drill.html", u.drill, u.drill_description);
    ctx.insert("levels", &levels);
    let topics: Vec<(&str, &str)> =
        mine.iter().filter(|n| !n.quiz.is_empty()).map(|n| (n.src.slug.as_str(), n.meta.title.as_str())).collect();
    ctx.insert("topics", &topics);
    ctx.insert("question_count", &levels.iter().map(|l| l.2.len()).sum::<usize>());
    Ok((format!("{code}/drill.html"), cx.page("drill.html", &ctx)?))
}

/// The Anki deck of a language: tab-separated, HTML fields.
pub(super) fn anki(lang: Lang, rows: &[[String; 3]]) -> File {
    let code = lang.code();
    let deck_name = format!("gil-lab::{}", lang.name());
    let mut deck = format!("#separator:tab\n#html:true\n#notetype:Basic\n#deck:{deck_name}\n#tags column:3\n");
    for row in rows {
        deck.push_str(&row.join("\t"));
        deck.push('\n');
    }
    (format!("anki/gil-lab-{code}.txt"), deck.into_bytes())
}

/// The search data of a language, as a script: `fetch` is refused on
/// file:// pages, a script is not.
pub(super) fn search_index(lang: Lang, docs: &[search::Doc]) -> File {
    let code = lang.code();
    let data = search::build(docs);
    let json = serde_json::to_string(&data).unwrap_or_default();
    (
        format!("assets/search-{code}.js"),
        format!("(window.GIL_LAB_SEARCH=window.GIL_LAB_SEARCH||{{}})[\"{code}\"]={json};\n").into_bytes(),
    )
}
