//! Two CPU-bound threads under the new GIL on two cores, built in code:
//! `cargo run -p scheduler --example two_threads`.
#![allow(missing_docs, clippy::print_stdout)]
use scheduler::{Dist, GilSpec, MS, Scenario, Step, ThreadSpec, simulate};

fn main() -> Result<(), scheduler::SimError> {
    for gil in [GilSpec::default(), GilSpec::old(), GilSpec::None { overhead: 0.0 }] {
        let mut sc = Scenario::new(2);
        sc.gil = gil;
        sc.process(
            "main",
            vec![
                ThreadSpec::new("a", vec![Step::Python(Dist::Fixed(500 * MS))]),
                ThreadSpec::new("b", vec![Step::Python(Dist::Fixed(500 * MS))]),
            ],
        );
        let res = simulate(&sc)?;
        let g = res.gil_totals();
        println!("{gil:?}: {:.3} s for 1 s of work, {} GIL switches", res.makespan_s(), g.switches);
    }
    Ok(())
}
