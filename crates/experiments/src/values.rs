//! Named values: a metric of one point, or an expression over other values.

use std::collections::BTreeMap;

use crate::data::{ExpError, ExperimentData, fail, metric, numeric, show};
use crate::def::{ExperimentDef, ValueDef};
use crate::expr::{self, Expr};

/// Every named value of an experiment, computed from its results.
pub fn values(def: &ExperimentDef, data: &ExperimentData) -> Result<BTreeMap<String, f64>, ExpError> {
    evaluate(&def.values, data, "values")
}

/// Every value of `defs` (errors at `PREFIX.NAME`).
pub(crate) fn evaluate(
    defs: &BTreeMap<String, ValueDef>,
    data: &ExperimentData,
    prefix: &str,
) -> Result<BTreeMap<String, f64>, ExpError> {
    let mut done: BTreeMap<String, f64> = BTreeMap::new();
    let cx = Cx { defs, data, prefix };
    for name in defs.keys() {
        let mut stack = Vec::new();
        value(&cx, name, &mut done, &mut stack)?;
    }
    Ok(done)
}

struct Cx<'a> {
    defs: &'a BTreeMap<String, ValueDef>,
    data: &'a ExperimentData,
    prefix: &'a str,
}

fn value(cx: &Cx<'_>, name: &str, done: &mut BTreeMap<String, f64>, stack: &mut Vec<String>) -> Result<f64, ExpError> {
    let (defs, data) = (cx.defs, cx.data);
    if let Some(v) = done.get(name) {
        return Ok(*v);
    }
    let path = format!("{}.{name}", cx.prefix);
    let Some(v) = defs.get(name) else { return fail(path, format!("no value named `{name}`")) };
    if stack.iter().any(|s| s == name) {
        return fail(path, format!("defined in terms of itself ({} -> {name})", stack.join(" -> ")));
    }
    stack.push(name.to_owned());
    let result = match (&v.metric, &v.expr, &v.param) {
        (Some(m), None, None) => {
            let point = data.one(&v.at, &format!("{path}.where"))?;
            let x = metric(&point.summary, m).map_err(|e| ExpError { path: format!("{path}.metric"), message: e })?;
            Ok(x * v.scale.unwrap_or(1.0))
        }
        (None, None, Some(param)) => {
            let point = data.one(&v.at, &format!("{path}.where"))?;
            match point.setting(param) {
                Some(set) => match numeric(set) {
                    Some(x) => Ok(x * v.scale.unwrap_or(1.0)),
                    None => fail(
                        format!("{path}.param"),
                        format!("`{param}` is `{}`, not a number or a duration", show(set)),
                    ),
                },
                None => {
                    fail(format!("{path}.param"), format!("`{param}` is not set by the experiment's cases or sweep"))
                }
            }
        }
        (None, Some(src), None) => {
            if !v.at.is_empty() {
                return fail(format!("{path}.where"), "`where` belongs to a metric, not an expression");
            }
            let e: Expr = expr::parse_expr(src).map_err(|m| ExpError { path: format!("{path}.expr"), message: m })?;
            let mut err = None;
            let x = e.eval(&mut |n| match value(cx, n, done, stack) {
                Ok(x) => Ok(x),
                Err(e) => {
                    let msg = e.message.clone();
                    err = Some(e);
                    Err(msg)
                }
            });
            match (x, err) {
                (Ok(x), _) => Ok(x * v.scale.unwrap_or(1.0)),
                (Err(_), Some(e)) => Err(e),
                (Err(m), None) => fail(format!("{path}.expr"), m),
            }
        }
        _ => fail(path.clone(), "a value has one of `metric`, `expr` and `param`"),
    };
    stack.pop();
    let x = result?;
    if !x.is_finite() {
        return fail(path, format!("is not a finite number ({x})"));
    }
    done.insert(name.to_owned(), x);
    Ok(x)
}
