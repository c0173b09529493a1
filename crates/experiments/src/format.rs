//! Numbers in prose: `{{exp.value | .2}}`.
//!
//! Specs: (none) three significant digits; `.N` N decimals; `sN` N
//! significant digits; `int` rounded with thousands separators; `%` or `%.N`
//! a percentage; `x` or `x.N` a factor (`1.9×` in English, `1.9배` in
//! Korean, which counts multiples with the word 배).

use crate::lang::Lang;

/// How to write a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Spec {
    /// Significant digits.
    Sig(usize),
    /// Decimal places.
    Fixed(usize),
    /// Integer with separators.
    Int,
    /// Percentage with decimals.
    Percent(usize),
    /// A factor with decimals: `×` in English, `배` in Korean.
    Times(usize),
}

/// Parses a format spec.
pub fn parse(spec: &str) -> Result<Spec, String> {
    let s = spec.trim();
    let digits = |t: &str| -> Result<usize, String> {
        t.parse::<usize>()
            .ok()
            .filter(|n| *n <= 12)
            .ok_or_else(|| format!("format `{spec}`: expected a small number of digits (0 to 12)"))
    };
    Ok(match s {
        "" => Spec::Sig(3),
        "int" => Spec::Int,
        "%" => Spec::Percent(0),
        "x" | "×" => Spec::Times(1),
        _ if s.starts_with("%.") => Spec::Percent(digits(&s[2..])?),
        _ if s.starts_with("x.") => Spec::Times(digits(&s[2..])?),
        _ if s.starts_with('.') => Spec::Fixed(digits(&s[1..])?),
        _ if s.starts_with('s') => Spec::Sig(digits(&s[1..]).and_then(|n| {
            if n == 0 { Err(format!("format `{spec}`: at least 1 significant digit")) } else { Ok(n) }
        })?),
        _ => return Err(format!("unknown format `{spec}`: use .N, sN, int, %, %.N or x")),
    })
}

/// Writes `v` per `spec`.
pub fn number(v: f64, spec: &Spec, lang: Lang) -> String {
    // Both languages write digits and separators alike; only a factor's unit differs.
    let s = match spec {
        Spec::Fixed(n) => fixed(v, *n),
        Spec::Sig(n) => sig(v, *n),
        Spec::Int => thousands(v.round()),
        Spec::Percent(n) => format!("{}%", percent(v, *n)),
        Spec::Times(n) => {
            let unit = match lang {
                Lang::En => "×",
                Lang::Ko => "배",
            };
            format!("{}{unit}", fixed(v, *n))
        }
    };
    no_negative_zero(s)
}

/// Beyond this a number is written in scientific notation: its digits past
/// the 17th are noise, and a page is no place for 300 of them.
const HUGE: f64 = 1e15;

fn fixed(v: f64, n: usize) -> String {
    if v.abs() >= HUGE || !v.is_finite() { scientific(v) } else { format!("{v:.n$}") }
}

/// `v` times 100, written without overflowing for the largest values.
fn percent(v: f64, n: usize) -> String {
    let p = v * 100.0;
    if p.is_finite() || !v.is_finite() {
        return fixed(p, n);
    }
    let e = scientific(v);
    match e.split_once('e').and_then(|(m, x)| Some((m, x.parse::<i32>().ok()?))) {
        Some((m, x)) => format!("{m}e{}", x + 2),
        None => e,
    }
}

fn scientific(v: f64) -> String {
    if v.is_finite() { format!("{v:.2e}") } else { format!("{v}") }
}

/// `-0.00` and `-0%` (a tiny negative value, rounded) are written unsigned.
fn no_negative_zero(s: String) -> String {
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| !c.is_ascii_digit() || c == '0') => rest.to_owned(),
        _ => s,
    }
}

fn sig(v: f64, n: usize) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let mag = v.abs().log10().floor() as i32;
    if mag >= n as i32 - 1 {
        return thousands(v.round());
    }
    let decimals = (n as i32 - 1 - mag) as usize;
    format!("{v:.decimals$}")
}

fn thousands(v: f64) -> String {
    if v.abs() >= HUGE || !v.is_finite() {
        return scientific(v);
    }
    let neg = v < 0.0;
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(v: f64, spec: &str) -> String {
        number(v, &parse(spec).unwrap(), Lang::En)
    }

    #[test]
    fn formats() {
        assert_eq!(f(1.23456, ""), "1.23");
        assert_eq!(f(0.0012345, ""), "0.00123");
        assert_eq!(f(123.456, ""), "123");
        assert_eq!(f(12345.6, ""), "12,346");
        assert_eq!(f(1.23456, ".2"), "1.23");
        assert_eq!(f(1_234_567.0, "int"), "1,234,567");
        assert_eq!(f(0.4567, "%"), "46%");
        assert_eq!(f(0.4567, "%.1"), "45.7%");
        assert_eq!(f(1.95, "x"), "1.9×");
        // Rounded to nothing, a tiny negative value carries no sign; a huge
        // one is written with an exponent, not 300 digits of noise.
        assert_eq!(f(-1e-7, ".2"), "0.00");
        assert_eq!(f(-1e-7, "%"), "0%");
        assert_eq!(f(-0.004, ".2"), "0.00");
        assert_eq!(f(-0.006, ".2"), "-0.01");
        assert_eq!(f(1e300, ""), "1.00e300");
        assert_eq!(f(-1.03e308, "%"), "-1.03e310%");
        assert_eq!(f(-1.03e306, "%"), "-1.03e308%");
        assert_eq!(f(2e15, "int"), "2.00e15");
        assert_eq!(f(1.96, "x.2"), "1.96×");
        assert_eq!(f(2.0, "s2"), "2.0");
        assert_eq!(number(213.94, &parse("x").unwrap(), Lang::Ko), "213.9배");
        assert_eq!(number(1.96, &parse("x.2").unwrap(), Lang::Ko), "1.96배");
        assert_eq!(number(0.4567, &parse("%").unwrap(), Lang::Ko), "46%");
        assert!(parse("bogus").is_err());
        assert!(parse(".99").is_err());
    }
}
