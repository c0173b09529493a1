//! Explorable figures on pages (`{{explore: EXP.ID}}`): every variant's
//! drawings, zoomable views and traces, built with the sources' charts, and
//! the figure's HTML, which `explore.js` brings to life.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::sources::{Located, TRACE_FILE_MAX, VIEW_MAX, draw_both, trace_link};
use super::{File, SiteError};
use crate::i18n::{Lang, ui};
use charts::escape;
use experiments::explore::{ExploredVariant, ShownControl};
use experiments::{Explored, Link};

/// An explorable figure, drawn.
pub(super) struct BuiltExplore {
    pub fig: Explored,
    /// What a reader downloads to see every variant, besides the page:
    /// each variant's charts at their larger drawing.
    pub weight: usize,
    /// The size of each variant's trace file (`vN.trace.json`), if traced
    /// and small enough to offer.
    pub traces: Vec<Option<usize>>,
    /// Per chart, whether every variant has a zoomable view
    /// (`vN.CHART.LANG.js`).
    pub zoomable: Vec<bool>,
}

/// A source's explorable figures, by (figure id, language).
pub(super) type Explores = BTreeMap<(String, Lang), BuiltExplore>;

/// The most a note may add through its explorable figures, in bytes:
/// their HTML and every variant's charts (see `docs/notes.md`).
pub const EXPLORE_BUDGET: usize = 2_000_000;

/// Where variant `n`'s chart `chart` of figure `fig` of `exp` is drawn,
/// from the site's root (`suffix` is `""` or `".phone"`).
pub(super) fn variant_file(exp: &str, fig: &str, n: usize, chart: &str, lang: Lang, suffix: &str) -> String {
    format!("experiments/{exp}/{fig}/v{n}.{chart}.{}{suffix}.svg", lang.code())
}

/// Every explorable figure of source `id` in both languages: their files
/// go to `out`.
pub(super) fn build(id: &str, located: &Located<'_>, out: &mut Vec<File>) -> Result<Explores, SiteError> {
    let src = located.source;
    let at = |e: experiments::ExpError| {
        let (file, line) = (located.place)(&e.path);
        SiteError { file, line, message: e.to_string() }
    };
    let mut explores = Explores::new();
    for (ei, eid) in src.explore_ids().iter().enumerate() {
        for lang in Lang::ALL {
            let fig = src.explore(eid, lang).map_err(at)?;
            let mut weight = draw_variants(id, ei, &fig, lang, located, out)?;
            let zoomable = views(id, &fig, lang, &mut weight, out);
            // Each variant's run for Perfetto: the same in both languages,
            // written with the first.
            let traces = match explores.get(&(eid.clone(), Lang::En)) {
                Some(first) => first.traces.clone(),
                None => traces(id, &fig, out),
            };
            explores.insert((eid.clone(), lang), BuiltExplore { fig, weight, traces, zoomable });
        }
    }
    Ok(explores)
}

/// Draws every variant's charts of figure `ei` (in parallel: a figure may
/// have dozens); returns what a reader downloads to see them all (each
/// chart at its larger drawing).
fn draw_variants(
    id: &str,
    ei: usize,
    fig: &Explored,
    lang: Lang,
    located: &Located<'_>,
    out: &mut Vec<File>,
) -> Result<usize, SiteError> {
    let eid = &fig.id;
    let drawn: Vec<Result<Vec<File>, SiteError>> = fig
        .variants
        .par_iter()
        .enumerate()
        .map(|(n, v)| {
            let mut files = Vec::new();
            for (ci, ((c, _), cid)) in v.charts.iter().zip(&fig.chart_ids).enumerate() {
                let name = |suffix: &str| variant_file(id, eid, n, cid, lang, suffix);
                let path = format!("explore[{ei}].charts[{ci}]");
                let what = format!("explorable figure `{eid}`, chart `{cid}`");
                files.extend(draw_both(c, &name, located.place, &path, &what)?);
            }
            Ok(files)
        })
        .collect();
    let mut weight = 0;
    for files in drawn {
        let files = files?;
        weight += files.chunks(2).map(|pair| pair.iter().map(|f| f.1.len()).max().unwrap_or(0)).sum::<usize>();
        out.extend(files);
    }
    Ok(weight)
}

/// The zoomable views of a figure's timelines, for every variant or none:
/// per chart, whether it has them. Their bytes count to `weight`.
fn views(id: &str, fig: &Explored, lang: Lang, weight: &mut usize, out: &mut Vec<File>) -> Vec<bool> {
    let mut zoomable = Vec::new();
    for (ci, cid) in fig.chart_ids.iter().enumerate() {
        let data: Option<Vec<String>> = fig
            .variants
            .iter()
            .map(|v| {
                let chart = &v.charts.get(ci)?.0;
                experiments::interactive(chart, lang).filter(|js| js.len() <= VIEW_MAX)
            })
            .collect();
        let data = data.filter(|d| !d.is_empty());
        zoomable.push(data.is_some());
        for (n, js) in data.into_iter().flatten().enumerate() {
            *weight += js.len();
            let name = format!("experiments/{id}/{}/v{n}.{cid}.{}.js", fig.id, lang.code());
            out.push((name, js.into_bytes()));
        }
    }
    zoomable
}

/// Writes each traced variant's run for Perfetto (in parallel) when small
/// enough: per variant, the file's size if written.
fn traces(id: &str, fig: &Explored, out: &mut Vec<File>) -> Vec<Option<usize>> {
    let written: Vec<(usize, Option<File>)> = fig
        .variants
        .par_iter()
        .enumerate()
        .filter_map(|(n, v)| v.trace.as_ref().map(|t| (n, t)))
        .map(|(n, t)| {
            let json = experiments::chrome::chrome_trace_json(t);
            let name = format!("experiments/{id}/{}/v{n}.trace.json", fig.id);
            (json.len(), (json.len() <= TRACE_FILE_MAX).then_some((name, json)))
        })
        .collect();
    let sizes = written.iter().map(|(len, f)| f.as_ref().map(|_| *len)).collect();
    out.extend(written.into_iter().filter_map(|(_, f)| f));
    sizes
}

/// How variant `v`'s control values read, one per control.
fn setting(fig: &Explored, v: &ExploredVariant) -> Vec<String> {
    fig.controls.iter().zip(&v.at).map(|(c, &i)| c.values.get(i).cloned().unwrap_or_default()).collect()
}

/// An explorable figure: its controls (shown only with scripts), the
/// default variant's charts and values, and a table of every variant.
/// `explore.js` swaps the charts (loading only the chosen variant's
/// drawings), the values and the table's current row when a control moves.
pub(super) fn figure(exp: &str, b: &BuiltExplore, link: &Link, lang: Lang, root: &str, anchor: bool) -> String {
    let fig = &b.fig;
    let key = format!("{exp}-{}", fig.id);
    let n = fig.default;
    let Some(current) = fig.variants.get(n) else { return String::new() };
    let id = if anchor { format!(" id=\"explore-{key}\"") } else { String::new() };
    let mut h = format!(
        "<figure class=\"chart explore\"{id} data-base=\"{root}experiments/{exp}/{fig_id}/\" data-lang=\"{code}\" data-charts=\"{charts}\" data-variant=\"{n}\">\n",
        fig_id = fig.id,
        code = lang.code(),
        charts = escape(&fig.chart_ids.join(" ")),
    );
    h.push_str(&format!(
        "<div class=\"explore-controls\" role=\"group\" hidden aria-label=\"{}\">\n",
        escape(&fig.title)
    ));
    for (ci, c) in fig.controls.iter().enumerate() {
        h.push_str(&control(&format!("x-{key}-{ci}"), c, current.at.get(ci).copied().unwrap_or(0)));
    }
    h.push_str("</div>\n");
    h.push_str(&pictures(exp, b, current, lang, root));
    if !fig.values.is_empty() {
        h.push_str("<dl class=\"explore-values\" aria-live=\"polite\">");
        for ((label, spec), v) in fig.values.iter().zip(&current.values) {
            h.push_str(&format!(
                "<div><dt>{}</dt><dd>{}</dd></div>",
                escape(label),
                escape(&experiments::format::number(*v, spec, lang))
            ));
        }
        h.push_str("</dl>\n");
    }
    // The chosen variant's run for Perfetto (the script follows the controls).
    let traces = &b.traces;
    let trace = if traces.iter().any(Option::is_some) {
        let href = format!("{root}experiments/{exp}/{}/v{n}.trace.json", fig.id);
        let shown = traces.get(n).copied().flatten();
        let link = trace_link(&href, shown.unwrap_or(0), lang);
        let sizes = serde_json::to_string(traces).unwrap_or_default();
        let hidden = if shown.is_some() { "" } else { " hidden" };
        format!(" <span class=\"trace-for\" data-sizes=\"{sizes}\"{hidden}>· {link}</span>")
    } else {
        String::new()
    };
    h.push_str(&format!(
        "<figcaption><span class=\"chart-title\">{}</span> <span class=\"chart-desc\">{}</span> <a href=\"{root}{}\">{}</a>{trace}</figcaption>\n",
        escape(&fig.title),
        escape(&fig.description),
        link.href,
        escape(&link.text),
    ));
    h.push_str(&table(exp, fig, lang, root));
    h.push_str("</figure>\n");
    h
}

/// A control's HTML: a slider with its ticks, or a select; `at` is the
/// value shown first.
fn control(cid: &str, c: &ShownControl, at: usize) -> String {
    let mut h = format!("<div class=\"control\"><label for=\"{cid}\">{}</label>", escape(&c.label));
    match c.kind {
        experiments::ControlKind::Slider => {
            // Under the thumb's centre (a 16 px thumb) at each position.
            let last = (c.values.len().saturating_sub(1)).max(1) as f64;
            let ticks: Vec<String> = c
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let f = i as f64 / last;
                    format!("<span style=\"left: calc(8px + (100% - 16px) * {f:.4})\">{}</span>", escape(v))
                })
                .collect();
            h.push_str(&format!(
                "<div class=\"slider\"><input type=\"range\" id=\"{cid}\" min=\"0\" max=\"{max}\" step=\"1\" value=\"{at}\" aria-valuetext=\"{v}\" data-values=\"{all}\"><output for=\"{cid}\">{v}</output></div><div class=\"ticks{many}\" aria-hidden=\"true\">{ticks}</div>",
                many = if c.values.len() > 4 { " many" } else { "" },
                max = c.values.len().saturating_sub(1),
                v = escape(c.values.get(at).map_or("", String::as_str)),
                all = escape(&serde_json::to_string(&c.values).unwrap_or_default()),
                ticks = ticks.concat(),
            ));
        }
        experiments::ControlKind::Select => {
            h.push_str(&format!("<select id=\"{cid}\">"));
            for (i, v) in c.values.iter().enumerate() {
                let sel = if i == at { " selected" } else { "" };
                h.push_str(&format!("<option value=\"{i}\"{sel}>{}</option>", escape(v)));
            }
            h.push_str("</select>");
        }
    }
    h.push_str("</div>\n");
    h
}

/// The shown variant's charts, each with its zoomable view when it has one.
fn pictures(exp: &str, b: &BuiltExplore, current: &ExploredVariant, lang: Lang, root: &str) -> String {
    let fig = &b.fig;
    let (n, code) = (fig.default, lang.code());
    let label: Vec<String> =
        fig.controls.iter().zip(setting(fig, current)).map(|(c, s)| format!("{}: {s}", c.label)).collect();
    let label = label.join(", ");
    let mut h = String::new();
    for (ci, ((c, _), cid)) in current.charts.iter().zip(&fig.chart_ids).enumerate() {
        let (wide, phone) =
            (variant_file(exp, &fig.id, n, cid, lang, ""), variant_file(exp, &fig.id, n, cid, lang, ".phone"));
        h.push_str(&format!(
            "<picture data-chart=\"{cid}\"{view}><source media=\"(max-width: 600px)\" srcset=\"{root}{phone}\" width=\"360\" height=\"440\"><img src=\"{root}{wide}\" width=\"760\" height=\"420\" alt=\"{alt}\" data-title=\"{title}\" loading=\"lazy\"></picture>\n",
            alt = escape(&format!("{} ({label})", c.title)),
            view = if b.zoomable.get(ci) == Some(&true) {
                format!(" data-timeline=\"{root}experiments/{exp}/{}/v{n}.{cid}.{code}.js\"", fig.id)
            } else {
                String::new()
            },
            title = escape(&c.title),
        ));
    }
    h
}

/// Every variant's values: the data without scripts, and the row the
/// controls point at.
fn table(exp: &str, fig: &Explored, lang: Lang, root: &str) -> String {
    let mut h = format!(
        "<details class=\"data\"><summary>{}</summary>\n<div class=\"table-wrap\"><table class=\"explore-table\">\n<thead><tr>",
        ui(lang).data
    );
    for c in &fig.controls {
        h.push_str(&format!("<th>{}</th>", escape(&c.label)));
    }
    for (label, _) in &fig.values {
        h.push_str(&format!("<th>{}</th>", escape(label)));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for (i, v) in fig.variants.iter().enumerate() {
        let mark = if i == fig.default { " class=\"current\" aria-current=\"true\"" } else { "" };
        h.push_str(&format!("<tr{mark}>"));
        for s in setting(fig, v) {
            h.push_str(&format!("<td>{}</td>", escape(&s)));
        }
        for ((_, spec), x) in fig.values.iter().zip(&v.values) {
            h.push_str(&format!("<td class=\"num\">{}</td>", escape(&experiments::format::number(*x, spec, lang))));
        }
        h.push_str("</tr>\n");
    }
    h.push_str(&format!(
        "</tbody></table></div>\n<p class=\"downloads\"><a href=\"{root}experiments/{exp}/data.csv\" download>CSV</a> · <a href=\"{root}experiments/{exp}/data.json\" download>JSON</a></p></details>\n"
    ));
    h
}
