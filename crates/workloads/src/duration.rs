//! Durations written with units (`5ms`, `20us`, `1.5s`, `forever`) and random
//! durations (`{exp: 50us}`, `{uniform: [10us, 20us]}`).

use std::fmt;

use scheduler::Dist;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A non-negative duration in nanoseconds, written with a unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(pub u64);

const UNITS: [(&str, f64); 6] = [("ns", 1.0), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("min", 60e9)];

/// Parses `5ms`, `20us`, `1.5s`, `100ns`, `2min`; the unit is mandatory.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let unit = unit.trim();
    if number.is_empty() {
        return Err(format!("`{text}` is not a duration: write a number and a unit, like 5ms, 20us or 1s"));
    }
    if unit.is_empty() {
        return Err(format!("`{text}` has no unit: write it like {text}ms, {text}us or {text}s"));
    }
    let Some(&(_, scale)) = UNITS.iter().find(|(u, _)| *u == unit) else {
        return Err(format!("`{unit}` is not a time unit: use ns, us, ms, s or min"));
    };
    let value: f64 = number.parse().map_err(|_| format!("`{number}` is not a number"))?;
    if value.is_sign_negative() {
        return Err(format!("`{text}` is negative: durations must be strictly positive"));
    }
    let ns = value * scale;
    if !ns.is_finite() || ns > scheduler::MAX_DURATION_NS as f64 {
        return Err(format!("`{text}` is too long: the longest duration is 2^61 ns, about 73 years"));
    }
    // Decimal fractions are inexact in binary: accept what rounds cleanly.
    let whole = ns.round();
    if (ns - whole).abs() > 1e-6 * whole.max(1.0) {
        return Err(format!("`{text}` is not a whole number of nanoseconds"));
    }
    Ok(Duration(whole as u64))
}

/// A time window `FROM..TO` (`0ms..20ms`) in nanoseconds; the end comes
/// after the start.
pub fn parse_window(text: &str) -> Result<(u64, u64), String> {
    let (a, b) = text.split_once("..").ok_or("write FROM..TO, like 0ms..20ms")?;
    let (a, b) = (parse_duration(a)?.0, parse_duration(b)?.0);
    if b <= a {
        return Err("the end must come after the start".into());
    }
    Ok((a, b))
}

/// Formats nanoseconds with the largest unit that keeps the number exact.
pub fn format_duration(ns: u64) -> String {
    for (unit, scale) in [("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000)] {
        if ns >= scale && ns.is_multiple_of(scale) {
            return format!("{}{unit}", ns / scale);
        }
    }
    if ns >= 1_000_000 {
        return format!("{}ms", ns as f64 / 1e6);
    }
    if ns >= 1_000 {
        return format!("{}us", ns as f64 / 1e3);
    }
    format!("{ns}ns")
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration with a unit, like 5ms, 20us or 1s")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                parse_duration(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                Err(E::custom(format!("`{v}` has no unit: write it like {v}ms, {v}us or {v}s")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                Err(E::custom(format!("`{v}` has no unit: write it like {v}ms, {v}us or {v}s")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                Err(E::custom(format!("`{v}` has no unit: write it like {v}ms or {v}s")))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_duration(self.0))
    }
}

/// A duration in a program: fixed, random, or `forever`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DurationSpec(pub Dist);

impl<'de> Deserialize<'de> for DurationSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DurationSpec, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DurationSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration (5ms), `forever`, {exp: MEAN} or {uniform: [LOW, HIGH]}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DurationSpec, E> {
                if v.trim() == "forever" {
                    return Ok(DurationSpec(Dist::Forever));
                }
                parse_duration(v).map(|d| DurationSpec(Dist::Fixed(d.0))).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DurationSpec, E> {
                Err(E::custom(format!("`{v}` has no unit: write it like {v}ms, {v}us or {v}s")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DurationSpec, E> {
                Err(E::custom(format!("`{v}` has no unit: write it like {v}ms, {v}us or {v}s")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<DurationSpec, E> {
                Err(E::custom(format!("`{v}` has no unit: write it like {v}ms or {v}s")))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DurationSpec, A::Error> {
                let Some(key) = map.next_key::<String>()? else {
                    return Err(de::Error::custom("expected {exp: MEAN} or {uniform: [LOW, HIGH]}"));
                };
                let dist = match key.as_str() {
                    "exp" => Dist::Exp { mean: map.next_value::<Duration>()?.0 },
                    "uniform" => {
                        let Range(lo, hi) = map.next_value()?;
                        Dist::Uniform { lo: lo.0, hi: hi.0 }
                    }
                    other => {
                        return Err(de::Error::custom(format!(
                            "unknown distribution `{other}`: use {{exp: MEAN}} or {{uniform: [LOW, HIGH]}}"
                        )));
                    }
                };
                if map.next_key::<String>()?.is_some() {
                    return Err(de::Error::custom("a random duration has exactly one distribution"));
                }
                Ok(DurationSpec(dist))
            }
        }
        d.deserialize_any(V)
    }
}

struct Range(Duration, Duration);

impl<'de> Deserialize<'de> for Range {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Range, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Range;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("two durations [LOW, HIGH]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Range, A::Error> {
                let lo = seq.next_element()?.ok_or_else(|| de::Error::custom("expected [LOW, HIGH]"))?;
                let hi = seq.next_element()?.ok_or_else(|| de::Error::custom("expected [LOW, HIGH]"))?;
                if seq.next_element::<Duration>()?.is_some() {
                    return Err(de::Error::custom("expected exactly two durations [LOW, HIGH]"));
                }
                Ok(Range(lo, hi))
            }
        }
        d.deserialize_seq(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_run_from_a_start_to_a_later_end() {
        assert_eq!(parse_window("0ms..20ms"), Ok((0, 20_000_000)));
        assert_eq!(parse_window("1us..2us"), Ok((1_000, 2_000)));
        assert!(parse_window("5ms").unwrap_err().contains("FROM..TO"));
        assert!(parse_window("5ms..5ms").unwrap_err().contains("after the start"));
        assert!(parse_window("5..6ms").unwrap_err().contains("no unit"));
    }

    #[test]
    fn parses_units_and_rejects_the_rest() {
        let ok = |s: &str| parse_duration(s).unwrap().0;
        assert_eq!(ok("5ms"), 5_000_000);
        assert_eq!(ok("20us"), 20_000);
        assert_eq!(ok("20µs"), 20_000);
        assert_eq!(ok("1.5s"), 1_500_000_000);
        assert_eq!(ok("100ns"), 100);
        assert_eq!(ok("0ms"), 0);
        assert_eq!(ok("2min"), 120_000_000_000);
        let err = |s: &str| parse_duration(s).unwrap_err();
        assert!(err("5").contains("no unit"));
        assert!(err("-5ms").contains("negative"));
        assert!(err("5parsecs").contains("not a time unit"));
        assert!(err("ms").contains("not a duration"));
        assert!(err("0.5ns").contains("whole number"));
    }

    #[test]
    fn formats_with_the_largest_exact_unit() {
        assert_eq!(format_duration(5_000_000), "5ms");
        assert_eq!(format_duration(1_500_000_000), "1500ms");
        assert_eq!(format_duration(20_000), "20us");
        assert_eq!(format_duration(7), "7ns");
        for ns in [1, 999, 1_000, 12_345, 5_000_000, 1_000_000_000] {
            assert_eq!(parse_duration(&format_duration(ns)).unwrap().0, ns);
        }
    }
}
