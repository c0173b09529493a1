//! Reproduction scripts (`notes/reproduce/NAME.py`): short, dependency-free
//! Python a reader downloads from an experiment's page and runs on their
//! own machine. A script names the numbers it prints beside its own as
//! `NAME = None  # {{experiment.value}}`; the build writes the value in place
//! of `None` (`site/reproduce/NAME.py`), so the script in the repository
//! still runs and says the numbers are filled in when the site is built.

use std::collections::BTreeMap;

use super::sources::Built;
use super::{ExperimentRun, File, SiteError};
use crate::markdown::{DirectiveKind, parse_directive};

/// A reproduction script as read.
#[derive(Clone, Debug)]
pub struct Script {
    /// Its name (`cpu-threads`): the file stem.
    pub name: String,
    /// Path for messages.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// A number as a Python literal, four significant digits.
fn literal(v: f64) -> String {
    if v == 0.0 {
        return "0.0".into();
    }
    let digits = (3 - v.abs().log10().floor() as i32).clamp(1, 12) as usize;
    format!("{v:.digits$}")
}

/// The script with its values written in.
pub fn fill(script: &Script, built: &Built) -> Result<String, SiteError> {
    let at = |i: usize, message: String| SiteError { file: script.path.clone(), line: i + 1, message };
    let mut out = String::with_capacity(script.text.len());
    for (i, line) in script.text.split_inclusive('\n').enumerate() {
        let Some(open) = line.find("# {{") else {
            out.push_str(line);
            continue;
        };
        let Some(close) = line[open..].find("}}") else {
            return Err(at(i, "`{{` is not closed on its line".into()));
        };
        let kind = parse_directive(&line[open + 4..open + close]).map_err(|m| at(i, m))?;
        let DirectiveKind::Value { exp, name, .. } = kind else {
            return Err(at(i, "a script takes values only: `NAME = None  # {{experiment.value}}`".into()));
        };
        let Some(src) = built.get(&exp) else {
            return Err(at(
                i,
                format!("no experiment `{exp}` that a note uses (a script's numbers come from the notes' experiments)"),
            ));
        };
        let Some(v) = src.values.get(&name) else {
            return Err(at(i, format!("experiment `{exp}` has no value `{name}`")));
        };
        let Some(eq) = line[..open].find(" = None") else {
            return Err(at(i, "write the value's line as `NAME = None  # {{experiment.value}}`".into()));
        };
        out.push_str(&line[..eq]);
        out.push_str(&format!(" = {}", literal(*v)));
        out.push_str(&line[eq + 7..]);
    }
    Ok(out)
}

/// Every script, filled in, as `reproduce/NAME.py`; every experiment's
/// `reproduce:` must name one.
pub fn files(
    scripts: &[Script],
    runs: &BTreeMap<String, ExperimentRun>,
    built: &Built,
) -> Result<Vec<File>, SiteError> {
    for run in runs.values() {
        for name in &run.src.def.reproduce {
            if !scripts.iter().any(|s| &s.name == name) {
                return Err(SiteError {
                    file: run.src.path.clone(),
                    line: super::line_of(&run.src.source, "reproduce:"),
                    message: format!("reproduce: no script notes/reproduce/{name}.py"),
                });
            }
        }
    }
    scripts.iter().map(|s| Ok((format!("reproduce/{}.py", s.name), fill(s, built)?.into_bytes()))).collect()
}

#[cfg(test)]
mod tests {
    use super::literal;

    #[test]
    fn values_become_short_python_literals() {
        assert_eq!(literal(1.00366), "1.004");
        assert_eq!(literal(0.04213), "0.04213");
        assert_eq!(literal(2450.3), "2450.3");
        assert_eq!(literal(0.0), "0.0");
        assert_eq!(literal(-12.5), "-12.50");
    }
}
