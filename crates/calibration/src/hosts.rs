//! Hosts other than the fitted one. The fit describes the machine of
//! `calibration/measured.json` (its `machine`); a family measured again on
//! another machine (a later `session`) is simulated at that machine's own
//! costs, set from its probes, not fitted: a wake-up's latency and the
//! waker's cost (`calibration/probes/wake-latency.c`) and the speed of a
//! loopback socket call (`calibration/probes/wake-placement.py`'s
//! `perf sched` run times). `docs/calibration.md` ("Two hosts") gives the
//! measurements.

use crate::comparison::Params;
use crate::measured::Measured;

/// A machine's own costs, replacing the fitted ones for what it measured.
#[derive(Clone, Copy, Debug)]
pub struct Host {
    /// Identifier in comparison rows (`Row::host`).
    pub id: &'static str,
    /// The CPU model name its measurements record (`machine.cpu`).
    pub cpu: &'static str,
    /// Its scheduler costs, the same as a scenario's preset: the wake-up
    /// latency, jitter and idle extra and the waker's `futex_wake` replace
    /// the fitted ones.
    pub costs: fn() -> scheduler::Costs,
    /// The echo's socket calls and loop bytecode as a share of the fitted
    /// host's (`twins::echo`).
    pub socket_scale: f64,
}

/// The second 2-vCPU VM (Intel Xeon, 2026-12-07). Its probe wakes a sleeper
/// in 30 to 36 µs after a short idle (the first host: 14 to 18), 38 µs after
/// 200 to 400 µs and 44 µs after 5 ms (first host: 67), and the waker's
/// `futex_wake` costs 9.5 to 12.5 µs (4.5 to 6.5). The model's wake-up is
/// set as the fit set the first host's against its probe (the fitted
/// minimum and jitter, 10 µs, are the probe's short-idle median less 6 µs):
/// 24 + 4 µs; the idle extra is the probe's growth, 12 µs with half of it
/// at 100 µs; the waker's cost twice the fitted 4 µs plus the probe's 2 µs
/// difference, 10 µs. `perf sched` shows the echo thread's whole loop
/// (`recv`, bytecode, `sendall`) on its CPU for 3 to 4 µs per trip where the
/// twin spends 12 µs (the first host's `sendto` alone took 10 µs): 0.35.
/// The wake-up costs are `scheduler::Costs::intel_vm`, a scenario's
/// `machine.costs.preset: intel_vm`.
pub const INTEL_XEON_VM: Host = Host {
    id: "intel-xeon-vm",
    cpu: "Intel(R) Xeon(R) Processor",
    costs: scheduler::Costs::intel_vm,
    socket_scale: 0.35,
};

/// Hosts are told apart by their identifier.
impl PartialEq for Host {
    fn eq(&self, other: &Host) -> bool {
        self.id == other.id
    }
}

/// The hosts with costs of their own.
pub const HOSTS: [Host; 1] = [INTEL_XEON_VM];

/// The host a CPU model name belongs to, if it has costs of its own.
pub fn by_cpu(cpu: &str) -> Option<&'static Host> {
    HOSTS.iter().find(|h| h.cpu == cpu)
}

/// The host that measured `family` on interpreter `source` in `m`, when
/// that is not the fitted machine: the latest session that measured the
/// family there, if its machine differs from the file's and has costs of
/// its own.
pub fn of_family(m: &Measured, family: &str, source: &str) -> Option<&'static Host> {
    let session = m.sessions.iter().rev().find(|s| {
        s.families.iter().any(|f| f == family)
            && (s.interpreters.is_empty() || s.interpreters.iter().any(|v| v == source))
    })?;
    if session.machine.cpu == m.machine.cpu {
        return None;
    }
    by_cpu(&session.machine.cpu)
}

impl Params {
    /// The same model on host `h`: its wake-up costs and socket speed; the
    /// context switch, tick and timer slack stay.
    pub fn on_host(&self, h: &Host) -> Params {
        let c = (h.costs)();
        Params {
            wakeup_latency_ns: c.wakeup_latency_ns,
            wakeup_jitter_ns: c.wakeup_jitter_ns,
            futex_wake_ns: c.futex_wake_ns,
            idle_wakeup_extra_ns: Some(c.idle_wakeup_extra_ns),
            idle_wakeup_half_ns: Some(c.idle_wakeup_half_ns),
            socket_scale: Some(h.socket_scale),
            ..self.clone()
        }
    }
}
