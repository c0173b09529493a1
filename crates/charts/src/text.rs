//! Where a chart's text lands, estimated without fonts: each `<text>` of an
//! SVG becomes a box from its position, anchor, baseline shift, rotation,
//! font size and an estimate of its width (Hangul and other wide characters
//! take a full em, Latin letters about half). [`problems`] finds text that
//! overlaps other text or leaves the drawing; the site build rejects such
//! a chart.

/// A piece of text and the box it covers, in SVG units.
#[derive(Clone, Debug, PartialEq)]
pub struct TextBox {
    /// The text.
    pub text: String,
    /// Font size in SVG units.
    pub size: f64,
    /// Left, top, right, bottom.
    pub rect: (f64, f64, f64, f64),
}

/// Estimated advance of a character, in ems. Generous for Latin text, so a
/// font a little wider than the estimate still fits.
fn advance(c: char) -> f64 {
    match c {
        '\u{1100}'..='\u{11FF}'
        | '\u{2E80}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF00}'..='\u{FF60}' => 1.0,
        ' ' => 0.3,
        'i' | 'l' | 'j' | 'I' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' | '(' | ')' | '[' | ']' => 0.3,
        'f' | 't' | 'r' | '-' => 0.38,
        'm' | 'w' | 'M' | 'W' | '%' | '@' => 0.85,
        'A'..='Z' | '×' | '≈' => 0.68,
        '0'..='9' => 0.58,
        _ => 0.56,
    }
}

/// Estimated width of `text` at `size`.
pub fn width(text: &str, size: f64) -> f64 {
    text.chars().map(advance).sum::<f64>() * size
}

fn attr_f64(node: &roxmltree::Node<'_, '_>, name: &str) -> f64 {
    node.attribute(name).and_then(|v| v.trim_end_matches("px").parse().ok()).unwrap_or(0.0)
}

/// `rotate(a, cx, cy)` of a `transform` attribute.
fn rotation(transform: &str) -> Option<(f64, f64, f64)> {
    let inner = transform.trim().strip_prefix("rotate(")?.strip_suffix(')')?;
    let n: Vec<f64> = inner.split([',', ' ']).filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect();
    match n.as_slice() {
        [a] => Some((*a, 0.0, 0.0)),
        [a, cx, cy] => Some((*a, *cx, *cy)),
        _ => None,
    }
}

/// Every text of an SVG with its estimated box; the SVG's width and height.
pub fn boxes(svg: &str) -> Result<(Vec<TextBox>, (f64, f64)), String> {
    let doc = roxmltree::Document::parse(svg).map_err(|e| format!("not SVG: {e}"))?;
    let root = doc.root_element();
    let size = (attr_f64(&root, "width"), attr_f64(&root, "height"));
    let mut out = Vec::new();
    for node in doc.descendants().filter(|n| n.has_tag_name("text")) {
        let text: String = node.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
        let text = text.trim().to_owned();
        if text.is_empty() {
            continue;
        }
        let (x, y) = (attr_f64(&node, "x"), attr_f64(&node, "y"));
        let fs = attr_f64(&node, "font-size");
        let w = width(&text, fs);
        let (left, right) = match node.attribute("text-anchor") {
            Some("middle") => (x - w / 2.0, x + w / 2.0),
            Some("end") => (x - w, x),
            _ => (x, x + w),
        };
        // plotters' vertical anchors: top (0.76em), centre (0.5ex), bottom (-0.5ex); else the baseline.
        let (top, bottom) = match node.attribute("dy") {
            Some("0.76em") => (y, y + fs),
            Some("0.5ex") => (y - fs / 2.0, y + fs / 2.0),
            Some("-0.5ex") => (y - fs, y),
            _ => (y - 0.8 * fs, y + 0.2 * fs),
        };
        let mut rect = (left, top, right, bottom);
        if let Some((angle, cx, cy)) = node.attribute("transform").and_then(rotation) {
            let (sin, cos) = angle.to_radians().sin_cos();
            let corners = [(left, top), (right, top), (left, bottom), (right, bottom)].map(|(px, py)| {
                let (dx, dy) = (px - cx, py - cy);
                (cx + dx * cos - dy * sin, cy + dx * sin + dy * cos)
            });
            let xs = corners.map(|c| c.0);
            let ys = corners.map(|c| c.1);
            let min = |v: [f64; 4]| v.iter().copied().fold(f64::INFINITY, f64::min);
            let max = |v: [f64; 4]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            rect = (min(xs), min(ys), max(xs), max(ys));
        }
        out.push(TextBox { text, size: fs, rect });
    }
    Ok((out, size))
}

/// Text that overlaps other text (by more than `slack` units each way) or
/// sticks out of the drawing, described for a person: the first
/// [`MAX_PROBLEMS`], then a count of the rest (a crowded chart has
/// millions of overlapping pairs).
pub fn problems(svg: &str) -> Result<Vec<String>, String> {
    const SLACK: f64 = 0.5;
    let (boxes, (w, h)) = boxes(svg)?;
    let mut out = Vec::new();
    let mut more = 0usize;
    let mut push = |p: String| {
        if out.len() < MAX_PROBLEMS {
            out.push(p);
        } else {
            more += 1;
        }
    };
    for (i, a) in boxes.iter().enumerate() {
        let (l, t, r, b) = a.rect;
        if w > 0.0 && h > 0.0 && (l < -SLACK || t < -SLACK || r > w + SLACK || b > h + SLACK) {
            push(format!("`{}` is cut off at the edge of the chart", a.text));
        }
        for bx in &boxes[i + 1..] {
            let (l2, t2, r2, b2) = bx.rect;
            let dx = r.min(r2) - l.max(l2);
            let dy = b.min(b2) - t.max(t2);
            if dx > SLACK && dy > SLACK {
                push(format!("`{}` overlaps `{}`", a.text, bx.text));
            }
        }
    }
    if more > 0 {
        out.push(format!("and {more} more"));
    }
    Ok(out)
}

/// How many problems [`problems`] lists before it only counts them.
pub const MAX_PROBLEMS: usize = 10;

/// The smallest font size of the SVG's text, in SVG units.
pub fn smallest_font(svg: &str) -> Result<f64, String> {
    let (boxes, _) = boxes(svg)?;
    Ok(boxes.iter().map(|b| b.size).fold(f64::INFINITY, f64::min))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg(texts: &str) -> String {
        format!("<svg width=\"200\" height=\"100\" xmlns=\"http://www.w3.org/2000/svg\">{texts}</svg>")
    }

    #[test]
    fn boxes_follow_anchor_baseline_and_rotation() {
        let (b, size) = boxes(&svg(
            "<text x=\"100\" y=\"10\" dy=\"0.76em\" text-anchor=\"middle\" font-size=\"10\">abcd</text>\
             <text x=\"16\" y=\"50\" dy=\"0.76em\" text-anchor=\"middle\" font-size=\"10\" transform=\"rotate(270, 16, 50)\">abcd</text>\
             <text x=\"190\" y=\"50\" dy=\"0.5ex\" text-anchor=\"end\" font-size=\"10\">가나</text>",
        ))
        .unwrap();
        assert_eq!(size, (200.0, 100.0));
        assert_eq!(b[0].rect, (100.0 - 11.2, 10.0, 100.0 + 11.2, 20.0));
        // Rotated a quarter turn back: tall and narrow, centred on (16, 50).
        let (l, t, r, bo) = b[1].rect;
        assert!((l - 16.0).abs() < 1e-9 && (r - 26.0).abs() < 1e-9, "{:?}", b[1].rect);
        assert!((t - 38.8).abs() < 1e-9 && (bo - 61.2).abs() < 1e-9, "{:?}", b[1].rect);
        // Hangul is a full em per syllable.
        assert_eq!(b[2].rect, (170.0, 45.0, 190.0, 55.0));
    }

    /// A crowded chart's millions of overlapping pairs make a short error.
    #[test]
    fn lists_the_first_problems_and_counts_the_rest() {
        let texts: String = (0..100).map(|_| "<text x=\"10\" y=\"50\" font-size=\"10\">same</text>").collect();
        let p = problems(&svg(&texts)).unwrap();
        assert_eq!(p.len(), MAX_PROBLEMS + 1);
        assert_eq!(p[MAX_PROBLEMS], format!("and {} more", 100 * 99 / 2 - MAX_PROBLEMS));
    }

    #[test]
    fn finds_overlaps_and_text_cut_off() {
        let clash = svg("<text x=\"10\" y=\"10\" font-size=\"10\">first label</text>\
             <text x=\"30\" y=\"12\" font-size=\"10\">second</text>\
             <text x=\"10\" y=\"60\" font-size=\"10\">apart</text>");
        assert_eq!(problems(&clash).unwrap(), ["`first label` overlaps `second`"]);
        let edge = svg("<text x=\"195\" y=\"50\" font-size=\"10\">too far</text>");
        assert_eq!(problems(&edge).unwrap(), ["`too far` is cut off at the edge of the chart"]);
        assert_eq!(smallest_font(&clash).unwrap(), 10.0);
        assert!(boxes("<svg").is_err());
    }
}
