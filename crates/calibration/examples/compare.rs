//! Compares the checked-in measurements with the model at its defaults,
//! without xtask: `cargo run -p calibration --example compare [FILE]`.

#![allow(clippy::print_stdout)]

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let default = concat!(env!("CARGO_MANIFEST_DIR"), "/../../calibration/measured.json");
    let path = std::env::args().nth(1).unwrap_or_else(|| default.to_owned());
    let measured: calibration::Measured = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let cmp = calibration::compare(&measured, &calibration::current_params())?;
    for r in cmp.rows.iter().filter(|r| r.group == "echo" && r.source.starts_with("3.12")) {
        println!(
            "{:<24} real {:>8.3}  model {:>8.3}  {}",
            r.what,
            r.real,
            r.sim,
            if r.agrees() { "agrees" } else { "" }
        );
    }
    let agree = cmp.rows.iter().filter(|r| r.agrees()).count();
    println!("{agree} of {} ratios agree", cmp.rows.len());
    Ok(())
}
