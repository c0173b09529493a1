//! What an experiment's explorable figures add to its runs: the traces of
//! their variants.

use anyhow::{Result, anyhow};
use report::pages::ExperimentSource;

/// The traces the explorable figures of `src` need, as (point, from, to),
/// each once; `points` are the experiment's runs in order.
pub(super) fn traces(src: &ExperimentSource, points: &[workloads::Point]) -> Result<Vec<(usize, u64, u64)>> {
    let def = &src.def;
    let settings: Vec<Vec<(String, serde_yaml::Value)>> =
        points.iter().map(|p| p.set.iter().map(|s| (s.path.clone(), s.value.clone())).collect()).collect();
    let mut out = Vec::new();
    for i in 0..def.explore.len() {
        let lay = experiments::explore::layout(def, i, &settings)
            .map_err(|e| anyhow!("{}:{}: {e}", src.path, src.line(&e.path)))?;
        if let Some((from, to)) = lay.window {
            for p in lay.variants.iter().filter_map(|v| v.traced) {
                if !out.contains(&(p, from, to)) {
                    out.push((p, from, to));
                }
            }
        }
    }
    Ok(out)
}
