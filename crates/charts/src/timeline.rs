//! Timelines: one lane per thread (or core), spans coloured by state.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::*;

/// A timeline's data, borrowed from its [`Plot::Timeline`].
pub(crate) struct Spans<'a> {
    pub range: Option<(f64, f64)>,
    pub emphasis: &'a [usize],
    pub lanes: &'a [Lane],
    pub legend: &'a [(String, (u8, u8, u8))],
    pub markers: &'a [Marker],
    pub marker_legend: &'a [(String, (u8, u8, u8))],
}

pub(crate) fn timeline(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    lay: &Layout,
    title: &str,
    x: &Axis,
    s: &Spans<'_>,
) -> Res {
    // Long on purpose: plotters' builder, mesh, spans, markers and legend
    // share one borrowed chart context, drawn in this order.
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
