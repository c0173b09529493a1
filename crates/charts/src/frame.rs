//! What every kind of chart shares: legends (inside the plot, or in a
//! strip below it on phones), the plot's size and the chart builder.

use plotters::chart::MeshStyle;
use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;

use crate::*;

/// How a legend entry's swatch looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Swatch {
    Line,
    Block,
    Marker,
}

pub(crate) type Entry<'a> = (&'a str, RGBColor, Swatch);

pub(crate) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// A legend strip and its rows of entries.
pub(crate) type Strip<'a> = (Area<'a>, Vec<Vec<usize>>);

/// Legend entries packed into rows that fit `width`.
pub(crate) fn legend_rows(entries: &[Entry<'_>], lay: &Layout, width: f64) -> Vec<Vec<usize>> {
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

pub(crate) fn legend_row_height(lay: &Layout) -> u32 {
    (lay.legend * 1.6).ceil() as u32 + 4
}

/// Splits off a strip under the plot for the legend when the layout puts
/// it there: (plot area, strip and its rows).
pub(crate) fn below<'a, 'e>(
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
pub(crate) fn draw_legend(
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
pub(crate) fn plot_pixels(area: &DrawingArea<SVGBackend<'_>, Shift>, lay: &Layout, y_area: u32) -> (f64, f64) {
    let (w, h) = area.dim_in_pixel();
    let title = lay.caption.map_or(0.0, |c| c * 1.24 + 10.0);
    (f64::from(w) - f64::from(2 * lay.margin + y_area), f64::from(h) - f64::from(2 * lay.margin + lay.x_area) - title)
}

/// Room left of the plot for tick labels like these and the axis name.
pub(crate) fn y_area(lay: &Layout, ticks: &[f64]) -> u32 {
    let widest = ticks.iter().map(|v| text::width(&tick(*v), lay.label)).fold(0.0, f64::max);
    ((widest + lay.desc * 1.3 + 18.0).ceil() as u32).max(lay.y_area)
}

pub(crate) fn builder<'a, 'b>(
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

/// The grid and text styles every x-y chart shares.
pub(crate) fn mesh_style<'m, 'a, 'b, 'c, X: Ranged, Y: Ranged>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, SVGBackend<'c>>,
    lay: &Layout,
) -> &'m mut MeshStyle<'a, 'b, X, Y, SVGBackend<'c>> {
    mesh.label_style(style(lay.label))
        .axis_desc_style(style(lay.desc))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
}

/// The legend inside the plot at `at`, when the layout keeps it there (not
/// in a strip below).
pub(crate) fn inner_legend<'a, 'b: 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, CT>,
    lay: &Layout,
    at: SeriesLabelPosition,
) -> Res {
    if !lay.legend_below {
        chart
            .configure_series_labels()
            .position(at)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font(style(lay.legend))
            .draw()?;
    }
    Ok(())
}
