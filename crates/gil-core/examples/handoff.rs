//! The new GIL's forced switch, step by step, driving the state machine by
//! hand: `cargo run -p gil-core --example handoff`.
#![allow(missing_docs, clippy::print_stdout)]
use gil_core::{Acquire, Cause, Check, Gil, Policy, ReleaseKind, ThreadId, WakeOrder};

fn main() {
    let interval = 5_000_000; // 5 ms, CPython's default
    let mut gil = Gil::new(Policy::New { switch_interval_ns: interval }, WakeOrder::Fifo, 1);
    let (cpu, io) = (ThreadId(0), ThreadId(1));
    println!("t=0: cpu takes the free GIL: {:?}", gil.acquire(cpu, Cause::Entry, 0));
    let Acquire::Wait { deadline, .. } = gil.acquire(io, Cause::Entry, 1_000) else { return };
    println!("t=1us: io finds it held and sleeps until {deadline:?} (one interval)");
    // The wait times out with no switch in between: io sets the drop request.
    let t = deadline.unwrap_or(interval);
    println!("t={t}: io's wait times out: {:?}", gil.acquire(io, Cause::TimedOut, t));
    println!("cpu's next check point: {:?} (drop request: {})", gil.at_check(cpu), gil.drop_requested());
    let released = gil.release(cpu, ReleaseKind::Forced, t + 100);
    println!("cpu drops it, wakes {:?} and parks until someone takes it: {released:?}", released.woken);
    println!("io takes it and unparks cpu: {:?}", gil.acquire(io, Cause::Signalled, t + 5_000));
    assert_eq!(gil.at_check(io), Check::Continue);
    println!("{:?}", gil.stats());
}
