//! Parameter grids, explicit cases and overrides on the YAML tree.
//!
//! A path is dotted keys with sequence indices: `machine.cores`,
//! `threads[0].count`, `gil.switch_interval`. Setting a path creates missing
//! mapping keys (so a defaulted field can be swept) but never sequence items.
//!
//! `sweep:` maps paths to lists of values and runs every combination;
//! `cases:` lists explicit settings (paired values, like 2 threads with half
//! the work each), each optionally named by a `label` key (which sets no
//! field). Every case is crossed with the sweep grid.

use serde_yaml::{Mapping, Value};

/// One dimension of a sweep: a field path and the values it takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// Field path.
    pub path: String,
    /// Values, in file order.
    pub values: Vec<Value>,
}

/// The `sweep:` mapping of a file as axes, checking its shape; an error is
/// (field path, message).
pub fn axes(root: &Value) -> Result<Vec<Axis>, (String, String)> {
    let Some(sweep) = root.get("sweep") else { return Ok(Vec::new()) };
    let Some(map) = sweep.as_mapping() else {
        return Err(("sweep".into(), "a sweep maps field paths to lists of values".into()));
    };
    let mut out = Vec::new();
    // (canonical path, as written) of the axes so far.
    let mut seen: Vec<(String, &str)> = Vec::new();
    for (key, values) in map {
        let Some(path) = key.as_str() else {
            return Err(("sweep".into(), "sweep keys are field paths like machine.cores".into()));
        };
        let here = format!("sweep.{path}");
        if path == "sweep" || path.starts_with("sweep.") || path == "cases" || path.starts_with("cases.") {
            return Err((here, "a sweep cannot sweep the sweep or the cases".into()));
        }
        let Some(list) = values.as_sequence() else {
            return Err((here, "give the values as a list, like [1, 2, 4]".into()));
        };
        if list.is_empty() {
            return Err((here, "give at least one value".into()));
        }
        let canon = canonical(path).map_err(|m| (here.clone(), m))?;
        if let Some((_, other)) = seen.iter().find(|(c, _)| *c == canon) {
            return Err((here, format!("the same field as `sweep.{other}`: sweep it once")));
        }
        seen.push((canon, path));
        out.push(Axis { path: path.to_owned(), values: list.clone() });
    }
    Ok(out)
}

/// A field path written one way: `threads[0].program`, whatever spacing of
/// indexes it was given in.
pub fn canonical(path: &str) -> Result<String, String> {
    let mut out = String::new();
    for seg in parse_path(path)? {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    Ok(out)
}

/// Whether field `inner` is `outer` or lies inside it.
pub fn within(inner: &str, outer: &str) -> bool {
    match (canonical(inner), canonical(outer)) {
        (Ok(i), Ok(o)) => i == o || i.starts_with(&format!("{o}.")) || i.starts_with(&format!("{o}[")),
        _ => inner == outer,
    }
}

/// The case key that names a case instead of setting a field.
pub const LABEL: &str = "label";

/// One field set for a run, and where in the file the value comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// Field path.
    pub path: String,
    /// The value.
    pub value: Value,
    /// Path of the value in the file (`sweep.machine.cores[1]`, `cases[0].gil.model`).
    pub origin: String,
}

/// The `cases:` list of a file, checking its shape.
pub fn cases(root: &Value) -> Result<Vec<Vec<Setting>>, (String, String)> {
    let Some(cases) = root.get("cases") else { return Ok(Vec::new()) };
    let Some(list) = cases.as_sequence() else {
        return Err(("cases".into(), "cases is a list of mappings from field paths to values".into()));
    };
    let mut out = Vec::new();
    for (i, case) in list.iter().enumerate() {
        let Some(map) = case.as_mapping() else {
            return Err((format!("cases[{i}]"), "a case maps field paths to values".into()));
        };
        let mut settings = Vec::new();
        for (key, value) in map {
            let Some(path) = key.as_str() else {
                return Err((format!("cases[{i}]"), "case keys are field paths like machine.cores".into()));
            };
            let origin = format!("cases[{i}].{path}");
            if path == "cases" || path == "sweep" || path.starts_with("cases.") || path.starts_with("sweep.") {
                return Err((origin, "a case cannot set the sweep or the cases".into()));
            }
            if path == LABEL {
                if value.as_str().is_none_or(|l| l.chars().any(char::is_control)) {
                    return Err((origin, "a case's label is a short name, without control characters".into()));
                }
            } else {
                parse_path(path).map_err(|m| (origin.clone(), m))?;
            }
            settings.push(Setting { path: path.to_owned(), value: value.clone(), origin });
        }
        out.push(settings);
    }
    Ok(out)
}

/// Every case crossed with every combination of the axes' values (first
/// axis slowest); a single empty point without cases or axes.
pub fn grid(cases: &[Vec<Setting>], axes: &[Axis]) -> Vec<Vec<Setting>> {
    let mut points: Vec<Vec<Setting>> = if cases.is_empty() { vec![Vec::new()] } else { cases.to_vec() };
    for axis in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                axis.values.iter().enumerate().map(move |(i, v)| {
                    let mut q = p.clone();
                    let origin = format!("sweep.{}[{i}]", axis.path);
                    q.push(Setting { path: axis.path.clone(), value: v.clone(), origin });
                    q
                })
            })
            .collect();
    }
    points
}

enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn parse_path(path: &str) -> Result<Vec<Seg<'_>>, String> {
    let mut segs = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if key.is_empty() && (segs.is_empty() || rest.is_empty()) {
            return Err(format!("`{path}` is not a field path (an empty part between dots)"));
        }
        if !key.is_empty() {
            segs.push(Seg::Key(key));
        }
        while !rest.is_empty() {
            let Some((num, after)) = rest.split_once(']') else { return Err(format!("`{path}`: unclosed `[`")) };
            let i = num.parse().map_err(|_| format!("`{path}`: `{num}` is not an index"))?;
            segs.push(Seg::Index(i));
            rest = after.strip_prefix('[').unwrap_or(after);
            if !after.is_empty() && !after.starts_with('[') {
                return Err(format!("`{path}`: unexpected `{after}`"));
            }
        }
    }
    if segs.is_empty() {
        return Err("an empty field path".into());
    }
    Ok(segs)
}

/// The value at `path` in `root`, if there is one.
pub fn get_path<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut node = root;
    for seg in parse_path(path).ok()? {
        node = match seg {
            Seg::Key(k) => node.as_mapping()?.get(k)?,
            Seg::Index(n) => node.as_sequence()?.get(n)?,
        };
    }
    Some(node)
}

/// Sets `path` in `root` to `value`.
pub fn set_path(root: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let segs = parse_path(path)?;
    let mut node = root;
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        node = match seg {
            Seg::Key(k) => {
                if node.is_null() {
                    *node = Value::Mapping(Mapping::new());
                }
                let Some(map) = node.as_mapping_mut() else {
                    return Err(format!("`{path}`: `{k}` is inside something that is not a mapping"));
                };
                let key = Value::String((*k).to_owned());
                map.entry(key).or_insert_with(|| if last { Value::Null } else { Value::Mapping(Mapping::new()) })
            }
            Seg::Index(n) => {
                let Some(seq) = node.as_sequence_mut() else {
                    return Err(format!("`{path}`: [{n}] indexes something that is not a list"));
                };
                let len = seq.len();
                seq.get_mut(*n).ok_or_else(|| format!("`{path}`: index {n} is past the end (the list has {len})"))?
            }
        };
    }
    *node = value;
    Ok(())
}

/// A value as it would be written in YAML, on one line.
pub fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        // Flow style, as a list is usually written in a sweep: [0, 1].
        Value::Sequence(items) => format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(", ")),
        other => serde_yaml::to_string(other).unwrap_or_default().trim().replace('\n', " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(s: &str) -> Value {
        serde_yaml::from_str(s).unwrap()
    }

    #[test]
    fn sets_nested_and_missing_fields() {
        let mut v = yaml("machine: {cores: 2}\nthreads: [{name: a, program: [{python: 1s}]}]");
        set_path(&mut v, "machine.cores", yaml("4")).unwrap();
        set_path(&mut v, "threads[0].count", yaml("3")).unwrap();
        set_path(&mut v, "gil.switch_interval", yaml("1ms")).unwrap();
        set_path(&mut v, "threads[0].program[0].python", yaml("2s")).unwrap();
        assert_eq!(
            v,
            yaml(
                "machine: {cores: 4}\nthreads: [{name: a, count: 3, program: [{python: 2s}]}]\ngil: {switch_interval: 1ms}"
            )
        );
        assert!(set_path(&mut v, "threads[5].count", yaml("1")).unwrap_err().contains("past the end"));
        assert!(set_path(&mut v, "machine.cores.x", yaml("1")).unwrap_err().contains("not a mapping"));
        assert!(set_path(&mut v, "threads[x]", yaml("1")).is_err());
    }

    fn labels(g: &[Vec<Setting>]) -> Vec<String> {
        g.iter()
            .map(|p| p.iter().map(|s| format!("{}={}", s.path, show(&s.value))).collect::<Vec<_>>().join(" "))
            .collect()
    }

    #[test]
    fn grid_is_the_cartesian_product_in_file_order() {
        // `[` cannot start or sit in a flow-style key: paths with indices are
        // written in block style.
        let axes = axes(&yaml("sweep:\n  machine.cores: [1, 2]\n  threads[0].count: [1, 4, 8]\n")).unwrap();
        let g = grid(&[], &axes);
        assert_eq!(g.len(), 6);
        assert_eq!(labels(&g)[0], "machine.cores=1 threads[0].count=1");
        assert_eq!(labels(&g)[5], "machine.cores=2 threads[0].count=8");
        assert_eq!(g[5][1].origin, "sweep.threads[0].count[2]");
        assert_eq!(grid(&[], &[]), vec![Vec::new()]);
    }

    #[test]
    fn cases_pair_values_and_cross_the_grid() {
        let root = yaml("cases: [{a: 1, b: x}, {a: 2, b: y}]\nsweep: {c: [true, false]}");
        let g = grid(&cases(&root).unwrap(), &axes(&root).unwrap());
        assert_eq!(labels(&g), ["a=1 b=x c=true", "a=1 b=x c=false", "a=2 b=y c=true", "a=2 b=y c=false"]);
        assert_eq!(g[2][1].origin, "cases[1].b");
        assert_eq!(cases(&yaml("cases: {a: 1}")).unwrap_err().0, "cases");
        assert_eq!(cases(&yaml("cases: [1]")).unwrap_err().0, "cases[0]");
        // A label is printed in tables: no escape sequences.
        assert_eq!(cases(&yaml("cases: [{label: \"\\e[2J\"}]")).unwrap_err().0, "cases[0].label");
    }

    #[test]
    fn rejects_badly_shaped_sweeps() {
        assert_eq!(axes(&yaml("sweep: [1, 2]")).unwrap_err().0, "sweep");
        assert_eq!(axes(&yaml("sweep: {machine.cores: 4}")).unwrap_err().0, "sweep.machine.cores");
        assert_eq!(axes(&yaml("sweep: {machine.cores: []}")).unwrap_err().0, "sweep.machine.cores");
    }
}
