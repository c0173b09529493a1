//! Values and charts for pages, from every [`Source`]: the experiments'
//! results and the calibration comparison, treated alike.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use super::explore::{self, Explores};
use super::{ExperimentRun, File, SiteError};
use crate::i18n::{Lang, ui};
use crate::markdown::Env;
use charts::{self as chart, escape};
use experiments::{Link, Source, Table};

/// One source's values and charts, built.
pub(super) struct BuiltSource {
    pub values: BTreeMap<String, f64>,
    /// Chart ids in order.
    pub chart_ids: Vec<String>,
    pub charts: BTreeMap<(String, Lang), (chart::Chart, Table)>,
    pub links: BTreeMap<Lang, Link>,
    /// Explorable figure ids in order.
    pub explore_ids: Vec<String>,
    pub explores: Explores,
    /// The size of `trace.json`, the traced run for Perfetto, if any.
    pub trace_bytes: Option<usize>,
    /// Charts whose zoomable view's data was written (`CHART.LANG.js`).
    pub views: BTreeSet<(String, Lang)>,
}

/// The largest trace file (`trace.json`, for Perfetto) the site offers;
/// a larger run is left to `cargo xtask sim --trace-format chrome`.
pub const TRACE_FILE_MAX: usize = 1_000_000;

/// The largest data file of a zoomable timeline (`CHART.LANG.js`): a
/// denser chart stays a picture (its trace still opens in Perfetto).
pub const VIEW_MAX: usize = 400_000;

/// Draws a chart in both sizes, checking its text: (file, bytes) twice.
pub(super) fn draw_both(
    c: &chart::Chart,
    name: &dyn Fn(&str) -> String,
    place: &(dyn Fn(&str) -> (String, usize) + Sync),
    path: &str,
    what: &str,
) -> Result<Vec<File>, SiteError> {
    let mut out = Vec::new();
    for (size, suffix) in [(chart::Size::Wide, ""), (chart::Size::Narrow, ".phone")] {
        let svg = chart::svg_sized(c, size);
        let name = name(suffix);
        // Text that overlaps or is cut off fails the build.
        let problems = chart::text::problems(&svg).unwrap_or_else(|e| vec![e]);
        if !problems.is_empty() {
            let (file, line) = place(path);
            return Err(SiteError { file, line, message: format!("{what} ({name}): {}", problems.join("; ")) });
        }
        out.push((name, svg.into_bytes()));
    }
    Ok(out)
}

/// Every source, by id.
pub(super) type Built = BTreeMap<String, BuiltSource>;

/// A source with the file and line its errors are reported at.
pub(super) struct Located<'a> {
    pub source: &'a dyn Source,
    /// The definition file and the line of an error path in it.
    pub place: &'a (dyn Fn(&str) -> (String, usize) + Sync),
}

/// Values, charts and data files of every source, in parallel (drawing
/// charts is most of the work).
pub(super) fn build(sources: &BTreeMap<String, Located<'_>>, files: &mut Vec<File>) -> Result<Built, SiteError> {
    type Out = (String, BuiltSource, Vec<File>);
    let outs: Vec<Result<Out, SiteError>> = sources
        .par_iter()
        .map(|(id, located)| {
            let at = |e: experiments::ExpError| {
                let (file, line) = (located.place)(&e.path);
                SiteError { file, line, message: e.to_string() }
            };
            let src = located.source;
            let values = src.values().map_err(&at)?;
            let chart_ids = src.chart_ids();
            let mut charts = BTreeMap::new();
            let mut views = BTreeSet::new();
            let mut out = Vec::new();
            for (ci, cid) in chart_ids.iter().enumerate() {
                for lang in Lang::ALL {
                    let (c, table) = src.chart(cid, lang).map_err(&at)?;
                    let name = |suffix: &str| format!("experiments/{id}/{cid}.{}{suffix}.svg", lang.code());
                    out.extend(draw_both(
                        &c,
                        &name,
                        located.place,
                        &format!("charts[{ci}]"),
                        &format!("chart `{cid}`"),
                    )?);
                    // The data of its zoomable view, when small enough.
                    if let Some(js) = experiments::interactive(&c, lang).filter(|js| js.len() <= VIEW_MAX) {
                        out.push((format!("experiments/{id}/{cid}.{}.js", lang.code()), js.into_bytes()));
                        views.insert((cid.clone(), lang));
                    }
                    charts.insert((cid.clone(), lang), (c, table));
                }
            }
            let explore_ids = src.explore_ids();
            let explores = explore::build(id, located, &mut out)?;
            let mut trace_bytes = None;
            for (name, bytes) in src.data_files() {
                if name == "trace.json" {
                    if bytes.len() > TRACE_FILE_MAX {
                        continue;
                    }
                    trace_bytes = Some(bytes.len());
                }
                out.push((format!("experiments/{id}/{name}"), bytes));
            }
            let links = Lang::ALL.into_iter().map(|l| (l, src.link(l))).collect();
            let built = BuiltSource { values, chart_ids, charts, links, explore_ids, explores, trace_bytes, views };
            Ok((id.clone(), built, out))
        })
        .collect();
    let mut built = Built::new();
    let mut errors: Vec<SiteError> = Vec::new();
    for out in outs {
        match out {
            Ok((id, b, more)) => {
                built.insert(id, b);
                files.extend(more);
            }
            Err(e) => errors.push(e),
        }
    }
    // Every source's first error, not only the first source's.
    if let Some(first) = errors.first() {
        let mut e = first.clone();
        for more in &errors[1..] {
            e.message.push_str(&format!("\n{more}"));
        }
        return Err(e);
    }
    Ok(built)
}

/// A chart placed with an anchor on a page: what a quiz question can link to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Placed {
    /// The figure's id (`chart-EXP-ID`).
    pub anchor: String,
    /// The experiment (or other source) it comes from.
    pub exp: String,
    /// Its title, in the page's language.
    pub title: String,
}

/// What a page's directives see.
pub(super) struct PageEnv<'a> {
    pub built: &'a Built,
    pub highlighter: &'a crate::highlight::Highlighter,
    pub lang: Lang,
    pub root: &'a str,
    pub quiz: Option<String>,
    /// Charts become text (Anki decks carry no images).
    pub text_charts: bool,
    /// Charts given an anchor on this page: a chart shown again (in a
    /// quiz's explanation) gets none, so ids stay unique.
    pub anchored: RefCell<BTreeSet<String>>,
    /// The anchored charts, in the order the page shows them.
    pub placed: RefCell<Vec<Placed>>,
    /// What the page's explorable figures add, in bytes (their HTML and
    /// every variant's charts), by figure.
    pub explore_weight: RefCell<BTreeMap<String, usize>>,
}

impl<'a> PageEnv<'a> {
    pub fn new(
        built: &'a Built,
        highlighter: &'a crate::highlight::Highlighter,
        lang: Lang,
        root: &'a str,
    ) -> PageEnv<'a> {
        PageEnv {
            built,
            highlighter,
            lang,
            root,
            quiz: None,
            text_charts: false,
            anchored: RefCell::default(),
            placed: RefCell::default(),
            explore_weight: RefCell::default(),
        }
    }

    fn source(&self, exp: &str) -> Result<&BuiltSource, String> {
        self.built.get(exp).ok_or_else(|| format!("no experiment `{exp}`"))
    }
}

impl Env for PageEnv<'_> {
    fn value(&self, exp: &str, name: &str) -> Result<f64, String> {
        let vals = &self.source(exp)?.values;
        vals.get(name).copied().ok_or_else(|| {
            // The names that share the most leading characters, not hundreds.
            let shared = |k: &str| k.chars().zip(name.chars()).take_while(|(a, b)| a == b).count();
            let mut known: Vec<&String> = vals.keys().collect();
            known.sort_by_key(|k| std::cmp::Reverse(shared(k)));
            known.truncate(12);
            known.sort();
            format!(
                "experiment `{exp}` has no value `{name}` (it has {known:?}{})",
                if vals.len() > 12 { ", ..." } else { "" }
            )
        })
    }

    fn chart(&self, exp: &str, id: &str) -> Result<String, String> {
        let src = self.source(exp)?;
        let Some((c, table)) = src.charts.get(&(id.to_owned(), self.lang)) else {
            return Err(format!("experiment `{exp}` has no chart `{id}` (it has {:?})", src.chart_ids));
        };
        if self.text_charts {
            return Ok(format!("<p>[{}]</p>", escape(&c.title)));
        }
        let anchor = self.anchored.borrow_mut().insert(format!("{exp}.{id}"));
        if anchor {
            let placed = Placed { anchor: format!("chart-{exp}-{id}"), exp: exp.to_owned(), title: c.title.clone() };
            self.placed.borrow_mut().push(placed);
        }
        Ok(figure(exp, id, c, table, src, self.lang, self.root, anchor))
    }

    fn explore(&self, exp: &str, id: &str) -> Result<String, String> {
        let src = self.source(exp)?;
        let Some(b) = src.explores.get(&(id.to_owned(), self.lang)) else {
            return Err(format!("experiment `{exp}` has no explorable figure `{id}` (it has {:?})", src.explore_ids));
        };
        if self.text_charts {
            return Ok(format!("<p>[{}]</p>", escape(&b.fig.title)));
        }
        let anchor = self.anchored.borrow_mut().insert(format!("{exp}.explore.{id}"));
        if anchor {
            // A quiz question about this experiment can point here.
            let placed =
                Placed { anchor: format!("explore-{exp}-{id}"), exp: exp.to_owned(), title: b.fig.title.clone() };
            self.placed.borrow_mut().push(placed);
        }
        let html = explore::figure(exp, b, &src.links[&self.lang], self.lang, self.root, anchor);
        self.explore_weight.borrow_mut().insert(format!("{exp}.{id}"), html.len() + b.weight);
        Ok(html)
    }

    fn experiment_url(&self, exp: &str) -> Result<String, String> {
        Ok(format!("{}{}", self.root, self.source(exp)?.links[&self.lang].href))
    }

    fn quiz(&self) -> Result<String, String> {
        self.quiz.clone().ok_or_else(|| "this note has no quiz".into())
    }

    fn highlight(&self, src: &str, lang_tag: &str) -> String {
        self.highlighter.highlight(src, lang_tag)
    }
}

fn table_html(table: &Table) -> String {
    let (head, rows) = table;
    let mut h = String::from("<div class=\"table-wrap\"><table>\n<thead><tr>");
    for c in head {
        h.push_str(&format!("<th>{}</th>", escape(c)));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in rows.iter().take(400) {
        h.push_str("<tr>");
        for c in r {
            h.push_str(&format!("<td>{}</td>", escape(c)));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n");
    h
}

/// The link to a traced run's file for Perfetto, with its size.
pub(super) fn trace_link(href: &str, bytes: usize, lang: Lang) -> String {
    let size = if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{} kB", bytes.div_ceil(1000))
    };
    format!("<a class=\"trace-link\" href=\"{href}\" download>{} (JSON, {size})</a>", ui(lang).trace_download)
}

/// A chart with its caption, link and data table; an `anchor`ed one has
/// an id (`chart-EXP-ID`) to link to. A timeline or gantt chart offers
/// its run's trace for Perfetto beside it.
#[allow(clippy::too_many_arguments)]
pub(super) fn figure(
    exp: &str,
    id: &str,
    c: &chart::Chart,
    table: &Table,
    src: &BuiltSource,
    lang: Lang,
    root: &str,
    anchor: bool,
) -> String {
    let u = ui(lang);
    let link = &src.links[&lang];
    let trace = match (&c.plot, src.trace_bytes) {
        (chart::Plot::Timeline { .. }, Some(bytes)) => {
            format!(" · {}", trace_link(&format!("{root}experiments/{exp}/trace.json"), bytes, lang))
        }
        _ => String::new(),
    };
    let anchor = if anchor { format!(" id=\"chart-{exp}-{id}\" data-exp=\"{exp}\"") } else { String::new() };
    let view = if src.views.contains(&(id.to_owned(), lang)) {
        format!(" data-timeline=\"{root}experiments/{exp}/{id}.{}.js\"", lang.code())
    } else {
        String::new()
    };
    format!(
        "<figure class=\"chart\"{anchor}>\n<picture{view}><source media=\"(max-width: 600px)\" srcset=\"{root}experiments/{exp}/{id}.{code}.phone.svg\" width=\"360\" height=\"440\"><img src=\"{root}experiments/{exp}/{id}.{code}.svg\" width=\"760\" height=\"420\" alt=\"{alt}\" loading=\"lazy\"></picture>\n<figcaption><span class=\"chart-title\">{ct}</span> <span class=\"chart-desc\">{desc}</span> <a href=\"{root}{href}\">{text}</a>{trace}</figcaption>\n<details class=\"data\"><summary>{ud}</summary>\n{table}<p class=\"downloads\"><a href=\"{root}experiments/{exp}/data.csv\" download>CSV</a> · <a href=\"{root}experiments/{exp}/data.json\" download>JSON</a></p></details>\n</figure>\n",
        code = lang.code(),
        alt = escape(&c.title),
        ct = escape(&c.title),
        desc = escape(&c.description),
        href = link.href,
        text = escape(&link.text),
        ud = u.data,
        table = table_html(table),
    )
}

/// Experiments as sources, their errors placed in their definition files.
pub(super) fn experiment_place(run: &ExperimentRun) -> impl Fn(&str) -> (String, usize) + Sync + '_ {
    move |path: &str| (run.src.path.clone(), run.src.line(path))
}
