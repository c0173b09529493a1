//! Heat maps: a metric over two settings, in viridis.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::*;

/// Viridis, by interpolation between eight anchors (colour-blind safe,
/// readable in grey).
pub(crate) fn viridis(t: f64) -> RGBColor {
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

pub(crate) fn heatmap(
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
