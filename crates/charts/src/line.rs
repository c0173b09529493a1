//! Line charts and CDFs.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::*;

#[allow(clippy::too_many_arguments)]
pub(crate) fn line(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    lay: &Layout,
    title: &str,
    x: &Axis,
    y: &Axis,
    series: &[Series],
    cdf: bool,
    fit: Fit,
) -> Res {
    let xs = || series.iter().flat_map(|s| s.points.iter().map(|p| p.0)).chain(Fit::of(fit.x));
    let ys = || series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).chain(Fit::of(fit.y));
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
            mesh_style(&mut chart.configure_mesh(), lay)
                .x_desc(x.label.as_str())
                .y_desc(y.label.as_str())
                .x_labels(lay.x_ticks)
                .y_labels(lay.y_ticks)
                .x_label_formatter(&|v| tick(*v))
                .y_label_formatter(&|v| tick(*v))
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
            if labelled {
                inner_legend(
                    &mut chart,
                    lay,
                    if cdf { SeriesLabelPosition::LowerRight } else { SeriesLabelPosition::UpperRight },
                )?;
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
