//! Bar charts, standing or lying down when names do not fit.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::*;

pub(crate) fn bars(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    lay: &Layout,
    title: &str,
    categories: &[String],
    y: &Axis,
    groups: &[(String, Vec<f64>)],
    fit: Option<(f64, f64)>,
) -> Res {
    let (y0, mut y1) = range(groups.iter().flat_map(|g| g.1.iter().copied()).chain(Fit::of(fit)), y.log, true);
    let labelled = groups.len() > 1 || groups.iter().any(|g| !g.0.is_empty());
    let entries: Vec<Entry<'_>> = if labelled {
        groups.iter().enumerate().map(|(i, g)| (g.0.as_str(), colour(i), Swatch::Block)).collect()
    } else {
        Vec::new()
    };
    if labelled && !lay.legend_below {
        // Room above the bars for the legend (one labelled group has one too).
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
        hbars(&area, lay, title, categories, y, groups, widest, fit)?;
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
            mesh_style(&mut chart.configure_mesh(), lay)
                .disable_x_mesh()
                .x_labels(categories.len().max(1) * 2 + 1)
                .y_labels(lay.y_ticks)
                .x_label_formatter(&|v: &f64| middle_label(*v, &cats))
                .y_desc(y.label.as_str())
                .y_label_formatter(&|v| tick(*v))
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
            if labelled {
                inner_legend(&mut chart, lay, SeriesLabelPosition::UpperRight)?;
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
#[allow(clippy::too_many_arguments)]
pub(crate) fn hbars(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    lay: &Layout,
    title: &str,
    categories: &[String],
    x: &Axis,
    groups: &[(String, Vec<f64>)],
    widest: f64,
    fit: Option<(f64, f64)>,
) -> Res {
    let (x0, mut x1) = range(groups.iter().flat_map(|g| g.1.iter().copied()).chain(Fit::of(fit)), x.log, true);
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
            mesh_style(&mut chart.configure_mesh(), lay)
                .disable_y_mesh()
                .y_labels(n * 2 + 1)
                .x_labels(lay.x_ticks)
                // Category i occupies [n - i - 1, n - i).
                .y_label_formatter(&move |v: &f64| middle_label(n as f64 - v, &names))
                .x_desc(x.label.as_str())
                .x_label_formatter(&|v| tick(*v))
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
            if labelled {
                inner_legend(&mut chart, lay, SeriesLabelPosition::LowerRight)?;
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
