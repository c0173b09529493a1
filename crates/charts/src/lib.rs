//! Charts as SVG, drawn with plotters.
//!
//! A [`Chart`] is plain data, already in the reader's language; [`svg`] turns
//! it into SVG bytes that depend on nothing but the chart: plotters is built
//! without font support, so it never measures text with the machine's fonts
//! (the browser places text, by `text-anchor`), and numbers are formatted by
//! Rust's own algorithm. Every chart carries a `<title>` and a `<desc>` for
//! screen readers; colours come from the Okabe-Ito palette (distinguishable
//! with every common colour-vision deficiency) and viridis for heat maps.
//!
//! Every chart has two drawings ([`Size`]): one for pages and one for
//! phones, whose text stays at least 11 CSS px on a 360 px screen. Log axes
//! get round ticks spaced so their labels never touch, and bars whose names
//! do not fit their columns lie down. [`text`] estimates where each text of
//! an SVG lands; the site build rejects a chart whose text overlaps or is
//! cut off.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontFamily;
use serde::{Deserialize, Serialize};

pub mod text;

/// Font stack written into the SVG; Korean text needs a Hangul face.
const FONT: &str =
    "system-ui, -apple-system, 'Segoe UI', 'Noto Sans KR', 'Apple SD Gothic Neo', 'Malgun Gothic', sans-serif";

/// Okabe-Ito colours, in the order series use them.
pub const PALETTE: [(u8, u8, u8); 8] = [
    (0, 114, 178),   // blue
    (213, 94, 0),    // vermillion
    (0, 158, 115),   // bluish green
    (230, 159, 0),   // orange
    (204, 121, 167), // reddish purple
    (86, 180, 233),  // sky blue
    (240, 228, 66),  // yellow
    (0, 0, 0),       // black
];

/// The two drawings of every chart: one for pages, one for phones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// 760 x 420, for a column of text.
    Wide,
    /// 360 x 440, for a phone 360 CSS px wide: its text stays at least
    /// 11 CSS px there; the title goes to the page's caption and the
    /// legend below the plot.
    Narrow,
}

/// Sizes of one drawing. Font sizes are in SVG units (plotters writes
/// `size / 1.24`; [`style`] takes units).
struct Layout {
    w: u32,
    h: u32,
    /// Title size, or no title (the page's caption has it).
    caption: Option<f64>,
    label: f64,
    desc: f64,
    legend: f64,
    margin: u32,
    x_area: u32,
    y_area: u32,
    /// How many ticks an axis of numbers may have.
    x_ticks: usize,
    y_ticks: usize,
    /// The legend in a strip under the plot rather than inside it.
    legend_below: bool,
    /// Timeline lane labels.
    lane_area: u32,
}

impl Size {
    fn layout(self) -> Layout {
        match self {
            Size::Wide => Layout {
                w: 760,
                h: 420,
                caption: Some(16.13),
                label: 10.5,
                desc: 11.3,
                legend: 10.5,
                margin: 16,
                x_area: 46,
                y_area: 70,
                x_ticks: 10,
                y_ticks: 10,
                legend_below: false,
                lane_area: 110,
            },
            Size::Narrow => Layout {
                w: 360,
                h: 440,
                caption: None,
                label: 13.0,
                desc: 13.0,
                legend: 13.0,
                margin: 10,
                x_area: 44,
                y_area: 62,
                x_ticks: 5,
                y_ticks: 6,
                legend_below: true,
                lane_area: 96,
            },
        }
    }
}

/// A chart, ready to draw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// Unique id (used for element ids in the SVG).
    pub id: String,
    /// Title, drawn above the plot and given to screen readers.
    pub title: String,
    /// What the chart shows, for screen readers.
    pub description: String,
    /// The plot itself.
    pub plot: Plot,
}

/// An axis of numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    /// Label with unit.
    pub label: String,
    /// Logarithmic scale.
    pub log: bool,
}

/// A named sequence of (x, y) points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// The points, in x order.
    pub points: Vec<(f64, f64)>,
}

/// One lane of a timeline: a label and its intervals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lane {
    /// Lane label (a thread or a core).
    pub label: String,
    /// (start, end, style index into the legend) in the x unit.
    pub spans: Vec<(f64, f64, usize)>,
}

/// A point event on a lane.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Marker {
    /// Lane index.
    pub lane: usize,
    /// Position on the x axis.
    pub at: f64,
    /// Index into the marker legend.
    pub kind: usize,
}

/// What to draw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Plot {
    /// Lines with points: y against a numeric x, one line per series.
    Line {
        /// Horizontal axis.
        x: Axis,
        /// Vertical axis.
        y: Axis,
        /// The lines.
        series: Vec<Series>,
    },
    /// Grouped bars: one group per category, one bar per series.
    Bars {
        /// Category names along the horizontal axis.
        categories: Vec<String>,
        /// Vertical axis.
        y: Axis,
        /// One value per category for each series.
        groups: Vec<(String, Vec<f64>)>,
    },
    /// Lanes of coloured intervals over time (a GIL timeline or a Gantt chart).
    Timeline {
        /// Time axis.
        x: Axis,
        /// The axis range (the traced window), or the spans' extent.
        range: Option<(f64, f64)>,
        /// Legend entries (span styles) that stay visible even where they
        /// fill only part of a pixel column (running states).
        #[serde(default)]
        emphasis: Vec<usize>,
        /// The lanes, top to bottom.
        lanes: Vec<Lane>,
        /// Names and colours of span styles.
        legend: Vec<(String, (u8, u8, u8))>,
        /// Point events.
        markers: Vec<Marker>,
        /// Names and colours of marker kinds.
        marker_legend: Vec<(String, (u8, u8, u8))>,
    },
    /// Cumulative distributions: y from 0 to 1 against x.
    Cdf {
        /// Horizontal axis.
        x: Axis,
        /// Vertical axis label.
        y_label: String,
        /// One curve per series (x values in increasing order, y fractions).
        series: Vec<Series>,
    },
    /// A grid of coloured cells with their values written in.
    Heatmap {
        /// Column names (left to right) and axis label.
        x: (String, Vec<String>),
        /// Row names (bottom to top) and axis label.
        y: (String, Vec<String>),
        /// Values by row then column; `None` is a missing cell.
        values: Vec<Vec<Option<f64>>>,
        /// Colour scale label.
        scale: String,
    },
}

/// Draws `chart` as SVG for pages ([`Size::Wide`]).
pub fn svg(chart: &Chart) -> String {
    svg_sized(chart, Size::Wide)
}

/// Draws `chart` as SVG at `size`.
pub fn svg_sized(chart: &Chart, size: Size) -> String {
    let lay = size.layout();
    let mut buf = String::new();
    // The `expect`s below cannot fire: plotters' SVG backend writes into our
    // String, and its only errors are those of an I/O target; filling and
    // presenting do not depend on the data.
    {
        let root = SVGBackend::with_string(&mut buf, (lay.w, lay.h)).into_drawing_area();
        root.fill(&WHITE).expect("drawing into a string cannot fail");
        let title = chart.title.as_str();
        let res = match &chart.plot {
            Plot::Line { x, y, series } => line(&root, &lay, title, x, y, series, false),
            Plot::Cdf { x, y_label, series } => {
                let y = Axis { label: y_label.clone(), log: false };
                line(&root, &lay, title, x, &y, series, true)
            }
            Plot::Bars { categories, y, groups } => bars(&root, &lay, title, categories, y, groups),
            Plot::Timeline { x, range, emphasis, lanes, legend, markers, marker_legend } => {
                let spans = Spans { range: *range, emphasis, lanes, legend, markers, marker_legend };
                timeline(&root, &lay, title, x, &spans)
            }
            Plot::Heatmap { x, y, values, scale } => heatmap(&root, &lay, title, x, y, values, scale),
        };
        if let Err(e) = res {
            // Drawing into a string fails only on invalid ranges, which the
            // data guards against; show the problem instead of a broken image.
            root.fill(&WHITE).expect("drawing into a string cannot fail");
            let _ = root.draw_text(&format!("cannot draw: {e}"), &style(12.0), (10, 20));
        }
        root.present().expect("drawing into a string cannot fail");
    }
    accessible(&buf, chart)
}

/// Adds `role`, `aria-labelledby`, `<title>` and `<desc>` to plotters' SVG.
fn accessible(svg: &str, chart: &Chart) -> String {
    let id = sanitize(&chart.id);
    let Some(open_end) = svg.find('>') else { return svg.to_owned() };
    let (head, rest) = svg.split_at(open_end);
    format!(
        "{head} role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\n<title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>{}",
        escape(&chart.title),
        escape(&chart.description),
        &rest[1..]
    )
}

/// An id with every character but ASCII letters and digits replaced by `-`.
pub fn sanitize(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect()
}

/// Escapes text for XML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A text style whose SVG font size is `units` (plotters divides by 1.24).
fn style(units: f64) -> TextStyle<'static> {
    TextStyle::from((FontFamily::Name(FONT), units * 1.24))
}

fn rgb((r, g, b): (u8, u8, u8)) -> RGBColor {
    RGBColor(r, g, b)
}

fn colour(i: usize) -> RGBColor {
    rgb(PALETTE[i % PALETTE.len()])
}

/// A short, exact-enough label for an axis tick.
pub fn tick(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    let s = if !(1e-3..1e6).contains(&a) {
        format!("{v:.0e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    // Drop trailing zeros of a decimal.
    if s.contains('.') && !s.contains('e') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s }
}

/// Largest magnitude an axis spans: plotters' tick search never ends on an
/// infinite or zero bound (a log axis from 5e-324 to 1e308 hung a build).
const AXIS_MAX: f64 = 1e300;
/// A log axis spans at most 1e-150 to 1e150: the ratio of its bounds must
/// stay finite too, or plotters counts ticks up to `usize::MAX`.
const LOG_MAX: f64 = 1e150;

/// Whether a value can be placed on an axis: beyond [`AXIS_MAX`] it would
/// overflow plotters' pixel arithmetic; such values stay in the data table.
fn drawable(v: f64, log: bool) -> bool {
    v.is_finite() && if log { (1.0 / LOG_MAX..=LOG_MAX).contains(&v) } else { v.abs() <= AXIS_MAX }
}

/// `lo..hi` made drawable: finite, non-empty, within ±[`AXIS_MAX`] (within
/// 1/[`LOG_MAX`] to [`LOG_MAX`] on a log axis).
fn bounded(lo: f64, hi: f64, log: bool) -> (f64, f64) {
    if log {
        let lo = if lo.is_nan() { 1.0 } else { lo.clamp(1.0 / LOG_MAX, LOG_MAX / 10.0) };
        let hi = if hi.is_nan() || hi <= lo { lo * 10.0 } else { hi.min(LOG_MAX) };
        return (lo, hi);
    }
    let lo = if lo.is_nan() { 0.0 } else { lo.clamp(-AXIS_MAX, AXIS_MAX / 2.0) };
    let hi = if hi.is_nan() || hi <= lo { lo + lo.abs().max(1.0) } else { hi.min(AXIS_MAX) };
    (lo, hi)
}

/// Range of values padded a little, never empty; positive for log axes.
fn range(values: impl Iterator<Item = f64>, log: bool, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| drawable(*v, log)) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return if log { (1.0, 10.0) } else { (0.0, 1.0) };
    }
    if log {
        return bounded(lo / 1.5, hi * 1.5, true);
    }
    if from_zero && lo > 0.0 {
        lo = 0.0;
    }
    if hi <= lo {
        hi = lo + lo.abs().max(1.0);
    }
    let pad = (hi - lo) * 0.06;
    bounded(if from_zero && lo >= 0.0 { lo } else { lo - pad }, hi + pad, false)
}

type Res = Result<(), Box<dyn std::error::Error>>;

/// The label of band `i` at `pos` = i + 0.5, nothing elsewhere: ticks fall
/// on band edges and middles, and only the middles are labelled.
fn middle_label(pos: f64, names: &[String]) -> String {
    let i = pos.floor() as usize;
    if (pos - pos.floor() - 0.5).abs() < 1e-6 && i < names.len() { names[i].clone() } else { String::new() }
}

/// Round ticks from `lo` to `hi`, at most `max` of them (1, 2 or 5 times a
/// power of ten apart).
fn linear_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    let span = hi - lo;
    if span.is_nan() || span <= 0.0 || max < 2 {
        return vec![lo];
    }
    let mut step = 10f64.powf((span / max as f64).log10().floor());
    if !step.is_normal() {
        // A span of subnormal numbers: no round step exists between them.
        return vec![lo, hi];
    }
    for m in [1.0, 2.0, 5.0, 10.0, 20.0, 50.0] {
        if span / (step * m) <= max as f64 {
            step *= m;
            break;
        }
    }
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Ticks of a log axis from `lo` to `hi`, `pixels` long: the densest of
/// 1-9, 1-2-5, 1-3, 1 times a power of ten (then every other power, ...)
/// whose neighbours stand at least `gap(a, b)` pixels apart.
fn log_ticks(lo: f64, hi: f64, pixels: f64, gap: &dyn Fn(&str, &str) -> f64) -> Vec<f64> {
    let at = |v: f64| pixels * (v / lo).ln() / (hi / lo).ln();
    let fits = |ticks: &[f64]| ticks.windows(2).all(|w| at(w[1]) - at(w[0]) >= gap(&tick(w[0]), &tick(w[1])));
    let decades = |mults: &[f64], every: i32| {
        let mut out = Vec::new();
        let (first, last) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
        let mut e = first;
        while e <= last {
            for m in mults {
                let v = m * 10f64.powi(e);
                if v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9) {
                    out.push(v);
                }
            }
            e += every;
        }
        out
    };
    let all: [&[f64]; 4] = [&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], &[1.0, 2.0, 5.0], &[1.0, 3.0], &[1.0]];
    for mults in all {
        let t = decades(mults, 1);
        if t.len() >= 2 && fits(&t) {
            return t;
        }
    }
    for every in 2..=12 {
        let t = decades(&[1.0], every);
        if t.len() >= 2 && fits(&t) {
            return t;
        }
    }
    // Less than a decade with no round value inside: ticks as on a linear axis.
    let mut t = linear_ticks(lo, hi, 5);
    while t.len() > 2 && !fits(&t) {
        t = linear_ticks(lo, hi, t.len() - 1);
    }
    t
}

/// The minor grid of a log axis: every 1-9 multiple of a power of ten.
fn log_grid(lo: f64, hi: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut e = lo.log10().floor() as i32;
    while 10f64.powi(e) <= hi {
        for m in 1..10 {
            let v = f64::from(m) * 10f64.powi(e);
            if v >= lo && v <= hi {
                out.push(v);
            }
        }
        e += 1;
    }
    out
}

/// How a legend entry's swatch looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Swatch {
    Line,
    Block,
    Marker,
}

type Entry<'a> = (&'a str, RGBColor, Swatch);

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// A legend strip and its rows of entries.
type Strip<'a> = (Area<'a>, Vec<Vec<usize>>);

/// Legend entries packed into rows that fit `width`.
fn legend_rows(entries: &[Entry<'_>], lay: &Layout, width: f64) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut used = 0.0;
    for (i, (label, ..)) in entries.iter().enumerate() {
        let w = 24.0 + text::width(label, lay.legend) + 14.0;
        match rows.last_mut() {
            Some(row) if used + w <= width => row.push(i),
            _ => {
                rows.push(vec![i]);
                used = 0.0;
            }
        }
        used += w;
    }
    rows
}

fn legend_row_height(lay: &Layout) -> u32 {
    (lay.legend * 1.6).ceil() as u32 + 4
}

/// Splits off a strip under the plot for the legend when the layout puts
/// it there: (plot area, strip and its rows).
fn below<'a, 'e>(
    root: &DrawingArea<SVGBackend<'a>, Shift>,
    lay: &Layout,
    entries: &[Entry<'e>],
) -> (Area<'a>, Option<Strip<'a>>) {
    if !lay.legend_below || entries.is_empty() {
        return (root.clone(), None);
    }
    let rows = legend_rows(entries, lay, f64::from(lay.w - 2 * lay.margin));
    let strip = rows.len() as u32 * legend_row_height(lay) + 8;
    let (plot, legend) = root.split_vertically(lay.h - strip);
    (plot, Some((legend, rows)))
}

/// Draws legend rows into a strip.
fn draw_legend(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    lay: &Layout,
    entries: &[Entry<'_>],
    rows: &[Vec<usize>],
) -> Res {
    let rh = legend_row_height(lay) as i32;
    let sw = (lay.legend * 1.1) as i32;
    for (r, row) in rows.iter().enumerate() {
        let y = 4 + r as i32 * rh;
        let mut x = lay.margin as i32;
        for &i in row {
            let (label, c, kind) = entries[i];
            let mid = y + rh / 2 - 2;
            match kind {
                Swatch::Line => area.draw(&PathElement::new(vec![(x, mid), (x + 18, mid)], c.stroke_width(3)))?,
                Swatch::Block => {
                    area.draw(&Rectangle::new([(x + 2, mid - sw / 2), (x + 2 + sw, mid + sw / 2)], c.filled()))?
                }
                Swatch::Marker => area.draw(&TriangleMarker::new((x + 9, mid), 6, c.filled()))?,
            }
            let pos = plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            );
            area.draw_text(label, &style(lay.legend).pos(pos), (x + 24, mid))?;
            x += 24 + text::width(label, lay.legend).ceil() as i32 + 14;
        }
    }
    Ok(())
}

/// The plot's size in pixels after the margins, title and label areas.
fn plot_pixels(area: &DrawingArea<SVGBackend<'_>, Shift>, lay: &Layout, y_area: u32) -> (f64, f64) {
    let (w, h) = area.dim_in_pixel();
    let title = lay.caption.map_or(0.0, |c| c * 1.24 + 10.0);
    (f64::from(w) - f64::from(2 * lay.margin + y_area), f64::from(h) - f64::from(2 * lay.margin + lay.x_area) - title)
}

/// Room left of the plot for tick labels like these and the axis name.
fn y_area(lay: &Layout, ticks: &[f64]) -> u32 {
    let widest = ticks.iter().map(|v| text::width(&tick(*v), lay.label)).fold(0.0, f64::max);
    ((widest + lay.desc * 1.3 + 18.0).ceil() as u32).max(lay.y_area)
}

fn builder<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, Shift>,
    lay: &Layout,
    title: &str,
    y_area: u32,
) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut b = ChartBuilder::on(area);
    if let Some(size) = lay.caption {
        b.caption(title, style(size));
    }
    // The last tick label on the right is centred on the plot's edge.
    b.margin(lay.margin).margin_right(lay.margin.max(24)).x_label_area_size(lay.x_area).y_label_area_size(y_area);
    b
}

fn line(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    lay: &Layout,
    title: &str,
    x: &Axis,
    y: &Axis,
    series: &[Series],
    cdf: bool,
) -> Res {
    let xs = || series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let ys = || series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
    let (x0, x1) = range(xs(), x.log, false);
    let (y0, mut y1) = if cdf { (0.0, 1.0) } else { range(ys(), y.log, true) };
    let labelled = series.len() > 1 || series.iter().any(|s| !s.label.is_empty());
    let entries: Vec<Entry<'_>> = if labelled {
        series.iter().enumerate().map(|(i, s)| (s.label.as_str(), colour(i), Swatch::Line)).collect()
    } else {
        Vec::new()
    };
    if labelled && !cdf && !lay.legend_below {
        // Headroom for the legend (upper right), so it hides no point.
        let share = 0.07 * series.len() as f64 + 0.06;
        y1 = if y.log { y1 * (y1 / y0).powf(share) } else { y1 + (y1 - y0) * share };
    }
    let (y0, y1) = if cdf { (y0, y1) } else { bounded(y0, y1, y.log) };
    let (area, strip) = below(root, lay, &entries);
    let y_area = if y.log && !cdf { y_area(lay, &[y0, y1]) } else { y_area(lay, &linear_ticks(y0, y1, lay.y_ticks)) };
    let (pw, ph) = plot_pixels(&area, lay, y_area);
    let label = lay.label;
    let x_gap = move |a: &str, b: &str| (text::width(a, label) + text::width(b, label)) / 2.0 + 8.0;
    let y_gap = move |_: &str, _: &str| label * 1.5;
    let mut builder = builder(&area, lay, title, y_area);
    macro_rules! draw {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .x_desc(x.label.as_str())
                .y_desc(y.label.as_str())
                .x_labels(lay.x_ticks)
                .y_labels(lay.y_ticks)
                .x_label_formatter(&|v| tick(*v))
                .y_label_formatter(&|v| tick(*v))
                .label_style(style(lay.label))
                .axis_desc_style(style(lay.desc))
                .light_line_style(RGBColor(235, 235, 235))
                .bold_line_style(RGBColor(215, 215, 215))
                .draw()?;
            for (i, s) in series.iter().enumerate() {
                let c = colour(i);
                let pts: Vec<(f64, f64)> =
                    s.points.iter().copied().filter(|(a, b)| drawable(*a, x.log) && drawable(*b, y.log)).collect();
                chart
                    .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))?
                    .label(s.label.as_str())
                    .legend(move |(a, b)| PathElement::new(vec![(a, b), (a + 18, b)], c.stroke_width(2)));
                if !cdf {
                    chart.draw_series(pts.iter().map(|p| Circle::new(*p, 4, c.filled())))?;
                }
            }
            if labelled && !lay.legend_below {
                chart
                    .configure_series_labels()
                    .position(if cdf { SeriesLabelPosition::LowerRight } else { SeriesLabelPosition::UpperRight })
                    .background_style(WHITE.mix(0.85))
                    .border_style(RGBColor(200, 200, 200))
                    .label_font(style(lay.legend))
                    .draw()?;
            }
        }};
    }
    let log_x =
        || (x0..x1).log_scale().with_key_points(log_ticks(x0, x1, pw, &x_gap)).with_light_points(log_grid(x0, x1));
    let log_y =
        || (y0..y1).log_scale().with_key_points(log_ticks(y0, y1, ph, &y_gap)).with_light_points(log_grid(y0, y1));
    match (x.log, y.log && !cdf) {
        (false, false) => draw!(builder.build_cartesian_2d(x0..x1, y0..y1)?),
        (true, false) => draw!(builder.build_cartesian_2d(log_x(), y0..y1)?),
        (false, true) => draw!(builder.build_cartesian_2d(x0..x1, log_y())?),
        (true, true) => draw!(builder.build_cartesian_2d(log_x(), log_y())?),
    }
    if let Some((strip, rows)) = strip {
        draw_legend(&strip, lay, &entries, &rows)?;
    }
    Ok(())
}

fn bars(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    lay: &Layout,
    title: &str,
    categories: &[String],
    y: &Axis,
    groups: &[(String, Vec<f64>)],
) -> Res {
    let (y0, mut y1) = range(groups.iter().flat_map(|g| g.1.iter().copied()), y.log, true);
    let labelled = groups.len() > 1 || groups.iter().any(|g| !g.0.is_empty());
    let entries: Vec<Entry<'_>> = if labelled {
        groups.iter().enumerate().map(|(i, g)| (g.0.as_str(), colour(i), Swatch::Block)).collect()
    } else {
        Vec::new()
    };
    if groups.len() > 1 && !lay.legend_below {
        // Room above the bars for the legend.
        y1 = if y.log { y1 * (y1 / y0).powf(0.25) } else { y1 + (y1 - y0) * 0.22 };
    }
    let (y0, y1) = bounded(y0, y1, y.log);
    let (area, strip) = below(root, lay, &entries);
    let y_area = if y.log { y_area(lay, &[y0, y1]) } else { y_area(lay, &linear_ticks(y0, y1, lay.y_ticks)) };
    let (pw, ph) = plot_pixels(&area, lay, y_area);
    let label = lay.label;
    let y_gap = move |_: &str, _: &str| label * 1.5;
    let n = categories.len().max(1) as f64;
    // Names too long for their column: bars lie down, names on the left.
    let widest = categories.iter().map(|c| text::width(c, lay.label)).fold(0.0, f64::max);
    if widest + 8.0 > pw / n {
        hbars(&area, lay, title, categories, y, groups, widest)?;
        if let Some((strip, rows)) = strip {
            draw_legend(&strip, lay, &entries, &rows)?;
        }
        return Ok(());
    }
    let mut builder = builder(&area, lay, title, y_area);
    let cats = categories.to_vec();
    let k = groups.len().max(1) as f64;
    let width = 0.8 / k;
    // On a log axis bars start at the bottom of the axis, not at zero.
    let base = if y.log { y0 } else { y0.max(0.0) };
    macro_rules! draw {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(categories.len().max(1) * 2 + 1)
                .y_labels(lay.y_ticks)
                .x_label_formatter(&|v: &f64| middle_label(*v, &cats))
                .y_desc(y.label.as_str())
                .y_label_formatter(&|v| tick(*v))
                .label_style(style(lay.label))
                .axis_desc_style(style(lay.desc))
                .light_line_style(RGBColor(235, 235, 235))
                .bold_line_style(RGBColor(215, 215, 215))
                .draw()?;
            for (gi, (label, values)) in groups.iter().enumerate() {
                let c = colour(gi);
                let rects = values.iter().enumerate().filter(|(_, v)| drawable(**v, y.log)).map(move |(ci, v)| {
                    let left = ci as f64 + 0.1 + gi as f64 * width;
                    Rectangle::new([(left, base.min(*v)), (left + width * 0.92, *v)], c.filled())
                });
                chart
                    .draw_series(rects)?
                    .label(label.as_str())
                    .legend(move |(a, b)| Rectangle::new([(a, b - 6), (a + 14, b + 6)], c.filled()));
            }
            if labelled && !lay.legend_below {
                chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::UpperRight)
                    .background_style(WHITE.mix(0.85))
                    .border_style(RGBColor(200, 200, 200))
                    .label_font(style(lay.legend))
                    .draw()?;
            }
        }};
    }
    if y.log {
        let log_y =
            (y0..y1).log_scale().with_key_points(log_ticks(y0, y1, ph, &y_gap)).with_light_points(log_grid(y0, y1));
        draw!(builder.build_cartesian_2d(0.0..n, log_y)?);
    } else {
        draw!(builder.build_cartesian_2d(0.0..n, y0..y1)?);
    }
    if let Some((strip, rows)) = strip {
        draw_legend(&strip, lay, &entries, &rows)?;
    }
    Ok(())
}

/// Bars lying down: categories top to bottom, values along the bottom.
fn hbars(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    lay: &Layout,
    title: &str,
    categories: &[String],
    x: &Axis,
    groups: &[(String, Vec<f64>)],
    widest: f64,
) -> Res {
    let (x0, mut x1) = range(groups.iter().flat_map(|g| g.1.iter().copied()), x.log, true);
    let labelled = groups.len() > 1 || groups.iter().any(|g| !g.0.is_empty());
    if labelled && !lay.legend_below {
        // Room on the right for the legend.
        let share = 0.35;
        x1 = if x.log { x1 * (x1 / x0).powf(share) } else { x1 + (x1 - x0) * share };
    }
    let names_area = ((widest + 14.0).ceil() as u32).min(lay.w / 2);
    let (pw, _) = plot_pixels(area, lay, names_area);
    let label = lay.label;
    let x_gap = move |a: &str, b: &str| (text::width(a, label) + text::width(b, label)) / 2.0 + 8.0;
    let n = categories.len().max(1);
    let names = categories.to_vec();
    let k = groups.len().max(1) as f64;
    let height = 0.8 / k;
    let base = if x.log { x0 } else { x0.max(0.0) };
    let mut builder = builder(area, lay, title, names_area);
    macro_rules! draw {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(n * 2 + 1)
                .x_labels(lay.x_ticks)
                // Category i occupies [n - i - 1, n - i).
                .y_label_formatter(&move |v: &f64| middle_label(n as f64 - v, &names))
                .x_desc(x.label.as_str())
                .x_label_formatter(&|v| tick(*v))
                .label_style(style(lay.label))
                .axis_desc_style(style(lay.desc))
                .light_line_style(RGBColor(235, 235, 235))
                .bold_line_style(RGBColor(215, 215, 215))
                .draw()?;
            for (gi, (label, values)) in groups.iter().enumerate() {
                let c = colour(gi);
                let rects = values.iter().enumerate().filter(|(_, v)| v.is_finite() && (!x.log || **v > 0.0)).map(
                    move |(ci, v)| {
                        let top = (n - ci) as f64 - 0.1 - gi as f64 * height;
                        Rectangle::new([(base.min(*v), top - height * 0.92), (*v, top)], c.filled())
                    },
                );
                chart
                    .draw_series(rects)?
                    .label(label.as_str())
                    .legend(move |(a, b)| Rectangle::new([(a, b - 6), (a + 14, b + 6)], c.filled()));
            }
            if labelled && !lay.legend_below {
                chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::LowerRight)
                    .background_style(WHITE.mix(0.85))
                    .border_style(RGBColor(200, 200, 200))
                    .label_font(style(lay.legend))
                    .draw()?;
            }
        }};
    }
    if x.log {
        let log_x =
            (x0..x1).log_scale().with_key_points(log_ticks(x0, x1, pw, &x_gap)).with_light_points(log_grid(x0, x1));
        draw!(builder.build_cartesian_2d(log_x, 0.0..n as f64)?);
    } else {
        draw!(builder.build_cartesian_2d(x0..x1, 0.0..n as f64)?);
    }
    Ok(())
}

/// A timeline's data, borrowed from its [`Plot::Timeline`].
struct Spans<'a> {
    range: Option<(f64, f64)>,
    emphasis: &'a [usize],
    lanes: &'a [Lane],
    legend: &'a [(String, (u8, u8, u8))],
    markers: &'a [Marker],
    marker_legend: &'a [(String, (u8, u8, u8))],
}

fn timeline(root: &DrawingArea<SVGBackend<'_>, Shift>, lay: &Layout, title: &str, x: &Axis, s: &Spans<'_>) -> Res {
    let (lanes, legend, emphasis) = (s.lanes, s.legend, s.emphasis);
    let n = lanes.len().max(1);
    let (t0, t1) = match s.range {
        Some((a, b)) if b > a => (a, b),
        _ => {
            let t0 = lanes.iter().flat_map(|l| l.spans.iter().map(|s| s.0)).fold(f64::INFINITY, f64::min);
            let t1 = lanes.iter().flat_map(|l| l.spans.iter().map(|s| s.1)).fold(f64::NEG_INFINITY, f64::max);
            if t0.is_finite() && t1 > t0 { (t0, t1) } else { (0.0, 1.0) }
        }
    };
    // The legend always takes the bottom strip; lanes get the rest.
    let entries: Vec<Entry<'_>> = legend
        .iter()
        .map(|(l, c)| (l.as_str(), rgb(*c), Swatch::Block))
        .chain(s.marker_legend.iter().map(|(l, c)| (l.as_str(), rgb(*c), Swatch::Marker)))
        .collect();
    let rows = legend_rows(&entries, lay, f64::from(lay.w - 2 * lay.margin));
    let strip = rows.len().max(1) as u32 * legend_row_height(lay) + 8;
    let (plot_area, legend_area) = root.split_vertically(lay.h - strip);
    let widest = lanes.iter().map(|l| text::width(&l.label, lay.label)).fold(0.0, f64::max);
    let lane_area = ((widest + 14.0).ceil() as u32).clamp(lay.lane_area, lay.w * 2 / 5);
    let mut chart = builder(&plot_area, lay, title, lane_area).build_cartesian_2d(t0..t1, 0.0..n as f64)?;
    let names: Vec<String> = lanes.iter().map(|l| l.label.clone()).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n * 2 + 1)
        .x_labels(lay.x_ticks)
        // Lane i occupies [n - i - 1, n - i).
        .y_label_formatter(&move |v| middle_label(n as f64 - v, &names))
        .x_desc(x.label.as_str())
        .x_label_formatter(&|v| tick(*v))
        .label_style(style(lay.label))
        .axis_desc_style(style(lay.desc))
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(220, 220, 220))
        .draw()?;
    // One pixel column at a time: the style covering most of the column
    // wins, but an emphasised style (running) present in a column stays
    // visible over a non-emphasised winner (a 10 us burst in a 30 ms window).
    // Equal neighbouring columns merge, so a lane of thousands of tiny spans
    // draws at most a rectangle per column.
    let columns = (lay.w - lane_area - 2 * lay.margin) as usize;
    let px = (t1 - t0) / columns as f64;
    let styles = legend.len().max(1);
    for (i, lane) in lanes.iter().enumerate() {
        let top = (n - i) as f64 - 0.15;
        let bottom = (n - i - 1) as f64 + 0.15;
        let mut cover = vec![0.0f64; columns * styles];
        for &(a, b, k) in &lane.spans {
            let (a, b) = (a.max(t0), b.min(t1));
            if b <= a || k >= styles {
                continue;
            }
            let first = (((a - t0) / px).floor() as usize).min(columns - 1);
            let last = (((b - t0) / px).ceil() as usize).clamp(first + 1, columns);
            for c in first..last {
                let (ca, cb) = (t0 + c as f64 * px, t0 + (c + 1) as f64 * px);
                // At least a sliver, so an instant still counts as present.
                cover[c * styles + k] += (b.min(cb) - a.max(ca)).max(px * 1e-9);
            }
        }
        let mut rects: Vec<(usize, usize, usize)> = Vec::new();
        for c in 0..columns {
            let col = &cover[c * styles..(c + 1) * styles];
            let Some((win, _)) = col.iter().enumerate().filter(|(_, v)| **v > 0.0).max_by(|a, b| a.1.total_cmp(b.1))
            else {
                continue;
            };
            let shown = if emphasis.contains(&win) {
                win
            } else {
                emphasis
                    .iter()
                    .filter(|e| col.get(**e).is_some_and(|v| *v > 0.0))
                    .max_by(|a, b| col[**a].total_cmp(&col[**b]))
                    .copied()
                    .unwrap_or(win)
            };
            match rects.last_mut() {
                Some(last) if last.1 == c && last.2 == shown => last.1 = c + 1,
                _ => rects.push((c, c + 1, shown)),
            }
        }
        chart.draw_series(rects.iter().map(|&(a, b, k)| {
            let c = legend.get(k).map_or(RGBColor(200, 200, 200), |l| rgb(l.1));
            Rectangle::new([(t0 + a as f64 * px, bottom), (t0 + b as f64 * px, top)], c.filled())
        }))?;
    }
    chart.draw_series(s.markers.iter().filter(|m| m.lane < n).map(|m| {
        let c = s.marker_legend.get(m.kind).map_or(RGBColor(0, 0, 0), |l| rgb(l.1));
        let y = (n - m.lane) as f64 - 0.08;
        TriangleMarker::new((m.at, y), 5, c.filled())
    }))?;
    draw_legend(&legend_area, lay, &entries, &rows)
}

/// Viridis, by interpolation between eight anchors (colour-blind safe,
/// readable in grey).
fn viridis(t: f64) -> RGBColor {
    const A: [(u8, u8, u8); 8] = [
        (68, 1, 84),
        (70, 50, 127),
        (54, 92, 141),
        (39, 127, 142),
        (31, 161, 135),
        (74, 194, 109),
        (159, 218, 58),
        (253, 231, 37),
    ];
    let t = t.clamp(0.0, 1.0) * (A.len() - 1) as f64;
    let i = (t.floor() as usize).min(A.len() - 2);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    RGBColor(mix(A[i].0, A[i + 1].0), mix(A[i].1, A[i + 1].1), mix(A[i].2, A[i + 1].2))
}

fn heatmap(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    lay: &Layout,
    title: &str,
    (x_label, cols): &(String, Vec<String>),
    (y_label, rows): &(String, Vec<String>),
    values: &[Vec<Option<f64>>],
    scale: &str,
) -> Res {
    let (lo, hi) = range(values.iter().flatten().flatten().copied(), false, false);
    let (nx, ny) = (cols.len().max(1), rows.len().max(1));
    // Without a title the colour scale's name goes under the plot.
    let (area, note) = if lay.caption.is_none() {
        let (a, b) = root.split_vertically(lay.h - legend_row_height(lay) - 8);
        (a, Some(b))
    } else {
        (root.clone(), None)
    };
    let full = format!("{title} ({scale})");
    let mut chart = builder(&area, lay, &full, lay.y_area + 10).build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)?;
    let (cx, cy) = (cols.clone(), rows.clone());
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(nx * 2 + 1)
        .y_labels(ny * 2 + 1)
        .x_label_formatter(&move |v| middle_label(*v, &cx))
        .y_label_formatter(&move |v| middle_label(*v, &cy))
        .x_desc(x_label.as_str())
        .y_desc(y_label.as_str())
        .label_style(style(lay.label))
        .axis_desc_style(style(lay.desc))
        .draw()?;
    for (r, row) in values.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let Some(v) = v else { continue };
            let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
            let fill = viridis(t);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(c as f64 + 0.03, r as f64 + 0.03), (c as f64 + 0.97, r as f64 + 0.97)],
                fill.filled(),
            )))?;
            let ink = if t > 0.6 { BLACK } else { WHITE };
            let text = style(lay.label).color(&ink).pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Center,
            ));
            chart.draw_series(std::iter::once(Text::new(tick(*v), (c as f64 + 0.5, r as f64 + 0.5), text)))?;
        }
    }
    if let Some(note) = note {
        let pos = plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Center,
        );
        note.draw_text(scale, &style(lay.legend).pos(pos), (lay.margin as i32, legend_row_height(lay) as i32 / 2 + 2))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(plot: Plot) -> Chart {
        Chart { id: "t1".into(), title: "제목 <Title>".into(), description: "A & B".into(), plot }
    }

    #[test]
    fn timelines_stay_small_and_keep_short_bursts_visible() {
        // 30,000 alternating 1 us spans (the old GIL's checks) and one 10 us
        // burst of running in a long wait.
        let mut busy = Vec::new();
        for i in 0..30_000 {
            busy.push((i as f64 * 0.001, (i as f64 + 0.9) * 0.001, 0));
            busy.push(((i as f64 + 0.9) * 0.001, (i as f64 + 1.0) * 0.001, 1));
        }
        let chart = sample(Plot::Timeline {
            x: Axis { label: "ms".into(), log: false },
            range: Some((0.0, 30.0)),
            emphasis: vec![0],
            lanes: vec![
                Lane { label: "busy".into(), spans: busy },
                Lane { label: "echo".into(), spans: vec![(0.0, 15.0, 2), (15.0, 15.01, 0), (15.01, 30.0, 2)] },
            ],
            legend: vec![("run".into(), (0, 114, 178)), ("check".into(), (230, 159, 0)), ("wait".into(), (1, 2, 3))],
            markers: vec![],
            marker_legend: vec![],
        });
        let s = svg(&chart);
        assert!(s.len() < 20_000, "{} bytes", s.len());
        // The running colour: its legend swatch, the busy lane and the echo
        // lane's 10 us burst, which must stay visible.
        assert_eq!(s.matches("fill=\"#0072B2\"").count(), 3, "legend, busy lane, echo burst");
    }

    #[test]
    fn svg_is_deterministic_and_accessible() {
        let chart = sample(Plot::Line {
            x: Axis { label: "스레드 threads".into(), log: true },
            y: Axis { label: "time (s)".into(), log: false },
            series: vec![
                Series { label: "1 core".into(), points: vec![(1.0, 0.4), (2.0, 0.41), (4.0, 0.42)] },
                Series { label: "2 cores".into(), points: vec![(1.0, 0.4), (2.0, 0.78), (4.0, 0.9)] },
            ],
        });
        let a = svg(&chart);
        assert_eq!(a, svg(&chart));
        assert!(a.starts_with("<svg"));
        assert!(a.contains("role=\"img\" aria-labelledby=\"t1-title t1-desc\""));
        assert!(a.contains("<title id=\"t1-title\">제목 &lt;Title&gt;</title>"));
        assert!(a.contains("<desc id=\"t1-desc\">A &amp; B</desc>"));
        assert!(a.contains("스레드 threads"));
        assert!(a.contains("rgb(0,114,178)") || a.contains("#0072B2"), "Okabe-Ito blue");
    }

    /// Extreme values used to hang plotters' tick search (a log axis from
    /// 5e-324 to 1e308) or give it infinite bounds.
    #[test]
    fn extreme_values_draw_and_end() {
        let values = [5e-324, 1e-300, 1.0, 1e300, 1e308, f64::MAX, -f64::MAX, f64::NAN, f64::INFINITY, 0.0];
        for (xlog, ylog) in [(false, false), (true, false), (false, true), (true, true)] {
            let series = vec![
                Series { label: "a".into(), points: values.iter().map(|&v| (v, v)).collect() },
                Series { label: "b".into(), points: vec![(1e308, 5e-324), (5e-324, 1e308)] },
            ];
            let plot = Plot::Line {
                x: Axis { label: "x".into(), log: xlog },
                y: Axis { label: "y".into(), log: ylog },
                series,
            };
            assert!(svg(&sample(plot)).starts_with("<svg"));
            let plot = Plot::Bars {
                categories: vec!["a".into(), "b".into()],
                y: Axis { label: "y".into(), log: ylog },
                groups: vec![("g".into(), vec![5e-324, 1e308]), ("h".into(), vec![f64::MAX, -1e308])],
            };
            assert!(svg(&sample(plot)).starts_with("<svg"));
        }
        for (lo, hi, log) in
            [(5e-324, 1e308, true), (0.0, f64::INFINITY, true), (-1e308, 1e308, false), (f64::NAN, 1.0, false)]
        {
            let (a, b) = bounded(lo, hi, log);
            assert!(a.is_finite() && b.is_finite() && a < b && (!log || a > 0.0), "{lo} {hi} -> {a} {b}");
        }
    }

    #[test]
    fn every_kind_draws_without_error() {
        let kinds = [
            Plot::Bars {
                categories: vec!["a".into(), "b".into()],
                y: Axis { label: "rps".into(), log: false },
                groups: vec![("x".into(), vec![1.0, 2.0]), ("y".into(), vec![3.0, f64::NAN])],
            },
            Plot::Timeline {
                x: Axis { label: "ms".into(), log: false },
                range: Some((0.0, 3.0)),
                lanes: vec![Lane { label: "T0".into(), spans: vec![(0.0, 1.0, 0), (1.0, 2.5, 1)] }],
                legend: vec![("python".into(), (0, 114, 178)), ("wait".into(), (230, 159, 0))],
                markers: vec![Marker { lane: 0, at: 1.0, kind: 0 }],
                marker_legend: vec![("drop request".into(), (0, 0, 0))],
                emphasis: vec![0],
            },
            Plot::Cdf {
                x: Axis { label: "ms".into(), log: false },
                y_label: "fraction".into(),
                series: vec![Series { label: "p".into(), points: vec![(1.0, 0.0), (2.0, 0.5), (3.0, 1.0)] }],
            },
            Plot::Heatmap {
                x: ("threads".into(), vec!["1".into(), "4".into()]),
                y: ("workers".into(), vec!["1".into(), "2".into()]),
                values: vec![vec![Some(1.0), Some(2.0)], vec![None, Some(4.0)]],
                scale: "rps".into(),
            },
            // Degenerate data must not panic.
            Plot::Line {
                x: Axis { label: "".into(), log: true },
                y: Axis { label: "".into(), log: true },
                series: vec![],
            },
        ];
        for plot in kinds {
            let s = svg(&sample(plot));
            assert!(s.contains("</svg>") && !s.contains("cannot draw"), "{s}");
        }
    }

    #[test]
    fn phone_drawings_keep_text_large_and_apart() {
        let long = Plot::Bars {
            categories: (1..=12).map(|i| format!("a long category name {i}")).collect(),
            y: Axis { label: "ratio".into(), log: true },
            groups: vec![("real".into(), (1..=12).map(f64::from).collect()), ("model".into(), vec![2.0; 12])],
        };
        let gc = Plot::Line {
            x: Axis { label: "collection length (ms)".into(), log: true },
            y: Axis { label: "p99 latency (ms)".into(), log: true },
            series: vec![Series {
                label: "".into(),
                points: vec![(0.1, 2.3), (1.0, 2.4), (30.0, 31.0), (100.0, 100.0)],
            }],
        };
        for plot in [long, gc] {
            for size in [Size::Wide, Size::Narrow] {
                let s = svg_sized(&sample(plot.clone()), size);
                assert_eq!(text::problems(&s).unwrap(), Vec::<String>::new(), "{size:?}");
                if size == Size::Narrow {
                    // 360 units shown 326 CSS px wide (a 360 px phone less the margins): at least 11 px.
                    assert!(text::smallest_font(&s).unwrap() * 326.0 / 360.0 >= 11.0);
                    assert!(s.contains("width=\"360\""));
                }
            }
        }
    }

    #[test]
    fn the_checker_sees_text_that_cannot_fit() {
        // Sixty names in 440 px: lying down, they still collide.
        let crowded = Plot::Bars {
            categories: (0..60).map(|i| format!("category {i}")).collect(),
            y: Axis { label: "n".into(), log: false },
            groups: vec![("".into(), vec![1.0; 60])],
        };
        let s = svg_sized(&sample(crowded), Size::Narrow);
        assert!(text::problems(&s).unwrap().iter().any(|p| p.contains("overlaps")));
    }

    #[test]
    fn log_ticks_thin_out_until_labels_fit() {
        let gap = |_: &str, _: &str| 30.0;
        assert_eq!(log_ticks(1.0, 10.0, 2000.0, &gap), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]);
        assert_eq!(log_ticks(1.0, 10.0, 500.0, &gap), [1.0, 2.0, 5.0, 10.0]);
        assert_eq!(log_ticks(1.0, 1000.0, 300.0, &gap), [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]);
        assert_eq!(log_ticks(1.0, 1e6, 100.0, &gap), [1.0, 1e2, 1e4, 1e6]);
        assert_eq!(log_ticks(3.1, 4.5, 100.0, &gap), [3.5, 4.0, 4.5]);
        assert_eq!(linear_ticks(0.0, 1.0, 5), [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
    }

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(0.1 + 0.2), "0.3");
        assert_eq!(tick(1500.0), "1500");
        assert_eq!(tick(12.5), "12.5");
        assert_eq!(tick(2.0), "2");
        assert_eq!(tick(1e-6), "1e-6");
    }
}
