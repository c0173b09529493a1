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

use plotters::prelude::*;
use plotters::style::FontFamily;
use serde::{Deserialize, Serialize};

mod axes;
mod bars;
mod frame;
mod heatmap;
mod line;
pub mod text;
mod timeline;

use axes::*;
use bars::*;
use frame::*;
use heatmap::*;
use line::*;
use timeline::*;

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
    /// Values the axes reach besides the data's.
    #[serde(default)]
    pub fit: Fit,
}

/// Values each axis must reach besides the data's, so that several charts
/// (the variants of an explorable figure) share their axes: a reader who
/// switches between them sees the data move, not the axes. The value axis of
/// bars and the horizontal axis of a distribution count as `y` and `x`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    /// The horizontal axis's extent to reach: (low, high).
    pub x: Option<(f64, f64)>,
    /// The vertical axis's.
    pub y: Option<(f64, f64)>,
}

impl Fit {
    pub(crate) fn of(extent: Option<(f64, f64)>) -> impl Iterator<Item = f64> {
        extent.into_iter().flat_map(|(a, b)| [a, b])
    }
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
        let fit = chart.fit;
        let res = match &chart.plot {
            Plot::Line { x, y, series } => line(&root, &lay, title, x, y, series, false, fit),
            Plot::Cdf { x, y_label, series } => {
                let y = Axis { label: y_label.clone(), log: false };
                line(&root, &lay, title, x, &y, series, true, fit)
            }
            Plot::Bars { categories, y, groups } => bars(&root, &lay, title, categories, y, groups, fit.y),
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

/// What a drawing function returns: plotters' errors, boxed.
type Res = Result<(), Box<dyn std::error::Error>>;

#[cfg(test)]
mod tests;
