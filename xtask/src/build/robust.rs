//! The robustness pass of `cargo xtask check`: every claim of the notes at
//! every parameter set whose fit objective is within 5% of the best
//! (`calibration::robustness`). The experiments run with those costs as the
//! defaults of every scenario (a scenario that sets a cost keeps it), the
//! calibration is compared at them, and each claim is evaluated again.

use calibration::{Candidate, ClaimCheck, Params, Robustness};
use report::markdown::DirectiveKind;

use super::*;

/// Where the result is kept for the site.
pub(super) const FILE: &str = "calibration/robustness.json";

/// A claim of the notes, first place it is made.
struct Found {
    source: String,
    claim: experiments::expr::Claim,
    note: String,
    line: usize,
}

/// Every claim of the notes, once (English first: the Korean notes make the
/// same claims), but those about the robustness itself.
fn claims(plan: &pages::Plan) -> Result<Vec<Found>> {
    // A claim about the robustness itself is not one of its inputs.
    let meta = |c: &experiments::expr::Claim| {
        c.left.names().into_iter().chain(c.right.names()).any(|n| n.starts_with("calibration.robust."))
    };
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for n in &plan.notes {
        let (_, body, first) = pages::front_matter(&n.src.path, &n.src.source).map_err(pages_err)?;
        let directives =
            report::markdown::scan(&body, first).map_err(|e| anyhow!("{}:{}: {}", n.src.path, e.line, e.message))?;
        for d in directives {
            if let DirectiveKind::Claim { source, claim } = d.kind
                && !meta(&claim)
                && seen.insert(source.clone())
            {
                out.push(Found { source, claim, note: n.src.path.clone(), line: d.line });
            }
        }
    }
    Ok(out)
}

/// The scenario fields a candidate sets, as defaults.
fn defaults(p: &Params) -> Vec<(String, serde_yaml::Value)> {
    let ns = |v: u64| serde_yaml::Value::String(format!("{v}ns"));
    vec![
        ("machine.costs.context_switch".into(), ns(p.context_switch_ns)),
        ("machine.costs.wakeup_latency".into(), ns(p.wakeup_latency_ns)),
        ("machine.costs.wakeup_jitter".into(), ns(p.wakeup_jitter_ns)),
        ("machine.costs.timer_slack".into(), ns(p.timer_slack_ns)),
        ("machine.costs.futex_wake".into(), ns(p.futex_wake_ns)),
        ("interp.tick".into(), ns(p.tick_ns)),
    ]
}

/// The fit's candidates, if there is a fit.
fn candidates(root: &Path) -> Result<Option<Vec<Candidate>>> {
    Ok(read_fit(root)?.map(|f| calibration::near_optimal(&f)))
}

/// Every value the claims can use at parameters `p`: experiment id to its
/// values.
fn values_at(
    paths: &Paths,
    cache: &Cache,
    defs: &BTreeMap<String, ExperimentSource>,
    used: &BTreeSet<String>,
    measured: Option<&calibration::Measured>,
    p: &Params,
) -> Result<BTreeMap<String, BTreeMap<String, f64>>> {
    let set = defaults(p);
    let prepared: Vec<Prepared> = used
        .iter()
        .filter(|id| defs.contains_key(*id))
        .map(|id| prepare_with(paths, id, &defs[id], &set))
        .collect::<Result<_>>()?;
    let (executed, comparison) = rayon::join(
        || execute(cache, &prepared, false),
        || match measured {
            Some(m) if used.contains(pages::CALIBRATION) => calibration_comparison_at(cache, m, p).map(Some),
            _ => Ok(None),
        },
    );
    let Executed { data, .. } = executed?;
    let mut out = BTreeMap::new();
    for (id, d) in &data {
        let v = experiments::values(&defs[id].def, d).map_err(|e| anyhow!("{id}: {e}"))?;
        out.insert(id.clone(), v);
    }
    if let Some(mut c) = comparison? {
        c.cross_validation = read_cross_validation(&paths.root)?;
        let v = report::calibration::Calibration { cmp: &c, measured: "" }.values();
        out.insert(pages::CALIBRATION.to_owned(), v);
    }
    Ok(out)
}

/// Evaluates every claim of the notes at every candidate of the fit; `None`
/// without a fit.
pub(super) fn check(paths: &Paths) -> Result<Option<Robustness>> {
    let root = &paths.root;
    let Some(candidates) = candidates(root)? else { return Ok(None) };
    let defs = read_experiments(root)?;
    let measured = read_calibration(root)?;
    let found = claims(&plan_notes(read_notes(root)?, &defs, measured.is_some())?)?;
    let used: BTreeSet<String> = found
        .iter()
        .flat_map(|f| f.claim.left.names().into_iter().chain(f.claim.right.names()))
        .filter_map(|n| n.split_once('.').map(|(e, _)| e.to_owned()))
        .collect();
    let cache = Cache::new(paths.cache.clone());
    let mut claims: Vec<ClaimCheck> = found
        .iter()
        .map(|f| ClaimCheck {
            claim: f.source.clone(),
            note: f.note.clone(),
            line: f.line,
            left: Vec::new(),
            right: Vec::new(),
            holds: Vec::new(),
        })
        .collect();
    for c in &candidates {
        let values = values_at(paths, &cache, &defs, &used, measured.as_ref().map(|(m, _)| m), &c.params)?;
        for (f, out) in found.iter().zip(&mut claims) {
            let mut lookup = |n: &str| -> Result<f64, String> {
                let (e, v) = n.split_once('.').ok_or_else(|| format!("`{n}` is not experiment.value"))?;
                values.get(e).and_then(|m| m.get(v)).copied().ok_or_else(|| format!("no value `{n}`"))
            };
            let at = |what: &str, e: String| anyhow!("{}:{}: claim `{}` ({what}): {e}", f.note, f.line, f.source);
            let left = f.claim.left.eval(&mut lookup).map_err(|e| at("left side", e))?;
            let right = f.claim.right.eval(&mut lookup).map_err(|e| at("right side", e))?;
            out.left.push(left);
            out.right.push(right);
            out.holds.push(f.claim.holds(left, right));
        }
    }
    Ok(Some(Robustness { near: calibration::robustness::NEAR, candidates, claims }))
}

/// The kept result, if any.
pub(super) fn read(root: &Path) -> Result<Option<Robustness>> {
    match std::fs::read_to_string(root.join(FILE)) {
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| anyhow!("{FILE}:{}: {e}", e.line())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {FILE}")),
    }
}

/// The file's text: pretty JSON with a final newline.
pub(super) fn text(r: &Robustness) -> Result<String> {
    Ok(serde_json::to_string_pretty(r)? + "\n")
}

/// `p` as the fit's parameters read.
pub(super) fn describe_params(p: &Params) -> String {
    let us = |ns: u64| format!("{}", ns as f64 / 1000.0);
    format!(
        "context switch {} us, wake-up {} + {} us, waker {} us, timer slack {} us",
        us(p.context_switch_ns),
        us(p.wakeup_latency_ns),
        us(p.wakeup_jitter_ns),
        us(p.futex_wake_ns),
        us(p.timer_slack_ns)
    )
}

/// A report for the terminal: the candidates, then every claim that fails
/// at one of them.
pub(super) fn report(r: &Robustness) -> String {
    let mut s = format!(
        "robustness: {} claims at {} parameter sets within {:.0}% of the fit's best objective",
        r.claims.len(),
        r.candidates.len(),
        (r.near - 1.0) * 100.0
    );
    for (i, c) in r.candidates.iter().enumerate() {
        s.push_str(&format!("\n  [{}] objective {:.4}: {}", i + 1, c.objective, describe_params(&c.params)));
    }
    let flipping = r.flipping();
    if flipping.is_empty() {
        s.push_str("\nevery claim holds at every one of them");
    } else {
        s.push_str(&format!("\n{} claims do not hold at all of them:", flipping.len()));
        for c in flipping {
            let at: Vec<String> = c
                .holds
                .iter()
                .zip(c.left.iter().zip(&c.right))
                .enumerate()
                .map(|(i, (h, (l, rt)))| {
                    format!("[{}] {} {:.4} vs {:.4}", i + 1, if *h { "holds" } else { "FAILS" }, l, rt)
                })
                .collect();
            s.push_str(&format!("\n  {}:{}: {}\n    {}", c.note, c.line, c.claim, at.join("; ")));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kept file must follow the notes and the fit: a claim added,
    /// removed or moved to another note, or a new fit, needs
    /// `cargo xtask check --write-robustness`.
    #[test]
    fn the_kept_robustness_follows_the_notes_and_the_fit() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace");
        let kept = read(root).unwrap().expect("calibration/robustness.json");
        let hint = "run `cargo xtask check --write-robustness`";
        assert_eq!(kept.candidates, candidates(root).unwrap().expect("a fit"), "{hint}");
        assert_eq!(kept.candidates[0].params, calibration::current_params(), "the fit's best is the defaults");
        let defs = read_experiments(root).unwrap();
        let found = claims(&plan_notes(read_notes(root).unwrap(), &defs, true).unwrap()).unwrap();
        let want: Vec<(&str, &str)> = found.iter().map(|f| (f.source.as_str(), f.note.as_str())).collect();
        let have: Vec<(&str, &str)> = kept.claims.iter().map(|c| (c.claim.as_str(), c.note.as_str())).collect();
        assert_eq!(have, want, "{hint}");
        let n = kept.candidates.len();
        assert!(kept.claims.iter().all(|c| c.holds.len() == n && c.left.len() == n && c.right.len() == n));
        // At the defaults every claim holds, or the site would not build.
        assert!(kept.claims.iter().all(|c| c.holds[0]));
    }
}
