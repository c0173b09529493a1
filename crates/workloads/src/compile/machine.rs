//! The machine (cores, OS scheduling policy, costs) and the GIL.

use super::*;

impl Compiler {
    pub(super) fn machine(&mut self, m: &MachineY) -> Result<(), CompileError> {
        let mut costs = match m.costs.preset {
            Some(CostPreset::Zero) => Costs {
                context_switch_ns: 0,
                wakeup_latency_ns: 0,
                wakeup_jitter_ns: 0,
                idle_wakeup_extra_ns: 0,
                idle_wakeup_half_ns: 0,
                sleep_entry_ns: 0,
                idle_poll_ns: 0,
                poll_wakeup_ns: 0,
                futex_wake_ns: 0,
                syscall_ns: 0,
                retry_ns: 0,
                timer_slack_ns: 0,
            },
            Some(CostPreset::BareMetal) => Costs::bare_metal(),
            Some(CostPreset::IntelVm) => Costs::intel_vm(),
            Some(CostPreset::Linux) | None => Costs::default(),
        };
        let y = &m.costs;
        for (field, slot) in [
            (y.context_switch, &mut costs.context_switch_ns),
            (y.wakeup_latency, &mut costs.wakeup_latency_ns),
            (y.wakeup_jitter, &mut costs.wakeup_jitter_ns),
            (y.idle_wakeup_extra, &mut costs.idle_wakeup_extra_ns),
            (y.idle_wakeup_half, &mut costs.idle_wakeup_half_ns),
            (y.sleep_entry, &mut costs.sleep_entry_ns),
            (y.idle_poll, &mut costs.idle_poll_ns),
            (y.poll_wakeup, &mut costs.poll_wakeup_ns),
            (y.futex_wake, &mut costs.futex_wake_ns),
            (y.syscall, &mut costs.syscall_ns),
            (y.retry, &mut costs.retry_ns),
            (y.timer_slack, &mut costs.timer_slack_ns),
        ] {
            if let Some(d) = field {
                *slot = d.0;
            }
        }
        self.sc.machine = Machine { cores: m.cores, policy: OsPolicy::linux_fair(m.cores), costs };
        if let Some(s) = &m.scheduler {
            let misplaced = |field: &str, ok: bool| -> Result<(), CompileError> {
                if ok {
                    Ok(())
                } else {
                    fail(format!("machine.scheduler.{field}"), format!("`{field}` does not apply to this policy"))
                }
            };
            let fair = s.policy == PolicyY::Fair;
            let priority = s.policy == PolicyY::Priority;
            misplaced("slice", s.slice.is_none() || s.policy == PolicyY::Rr)?;
            misplaced("preemptive", s.preemptive.is_none() || priority)?;
            misplaced("aging", s.aging.is_none() || priority)?;
            misplaced("latency", s.latency.is_none() || fair)?;
            misplaced("min_granularity", s.min_granularity.is_none() || fair)?;
            misplaced("wakeup_granularity", s.wakeup_granularity.is_none() || fair)?;
            misplaced("tick", s.tick.is_none() || fair)?;
            misplaced("run_to_parity", s.run_to_parity.is_none() || fair)?;
            self.sc.machine.policy = match s.policy {
                PolicyY::Fair => {
                    // Linux's tunables for this many cores, each one overridable.
                    let mut policy = OsPolicy::linux_fair(m.cores);
                    if let OsPolicy::Fair {
                        latency_ns,
                        min_granularity_ns,
                        wakeup_granularity_ns,
                        tick_ns,
                        run_to_parity,
                    } = &mut policy
                    {
                        let set = |to: &mut u64, d: Option<Duration>| *to = d.map_or(*to, |d| d.0);
                        set(latency_ns, s.latency);
                        set(min_granularity_ns, s.min_granularity);
                        set(wakeup_granularity_ns, s.wakeup_granularity);
                        set(tick_ns, s.tick);
                        *run_to_parity = s.run_to_parity.unwrap_or(*run_to_parity);
                    }
                    policy
                }
                PolicyY::Rr => {
                    let Some(slice) = s.slice else {
                        return fail("machine.scheduler", "round robin needs a `slice`, like `slice: 4ms`");
                    };
                    self.map("machine.policy.slice_ns", "machine.scheduler.slice");
                    OsPolicy::RoundRobin { slice_ns: slice.0 }
                }
                PolicyY::Fcfs => OsPolicy::Fcfs,
                PolicyY::Sjf => OsPolicy::Sjf,
                PolicyY::Srtf => OsPolicy::Srtf,
                PolicyY::Priority => {
                    self.map("machine.policy.aging_ns", "machine.scheduler.aging");
                    OsPolicy::Priority { preemptive: s.preemptive.unwrap_or(false), aging_ns: s.aging.map(|d| d.0) }
                }
            };
            self.map("machine.policy.latency_ns", "machine.scheduler.latency");
            self.map("machine.policy.min_granularity_ns", "machine.scheduler.min_granularity");
        }
        Ok(())
    }

    pub(super) fn gil(&mut self, g: &GilY) -> Result<(), CompileError> {
        let interval = g.switch_interval.map_or(scheduler_default_interval(), |d| d.0);
        let uses_interval = matches!(g.model, ModelY::New | ModelY::PerInterpreter | ModelY::Priority);
        if g.switch_interval.is_some() && !uses_interval {
            return fail(
                "gil.switch_interval",
                "`switch_interval` applies to the new, per-interpreter and priority GILs",
            );
        }
        if g.check_interval.is_some() && g.model != ModelY::Old {
            return fail("gil.check_interval", "`check_interval` applies to the old GIL");
        }
        if g.overhead.is_some() && g.model != ModelY::None {
            return fail("gil.overhead", "`overhead` applies to `model: none` (no GIL)");
        }
        self.sc.gil = match g.model {
            ModelY::New => GilSpec::New { switch_interval_ns: interval },
            ModelY::PerInterpreter => GilSpec::PerInterpreter { switch_interval_ns: interval },
            ModelY::Priority => GilSpec::Priority { switch_interval_ns: interval },
            ModelY::Old => GilSpec::Old { check_interval: g.check_interval.unwrap_or(gil_core_default_check()) },
            ModelY::None => GilSpec::None { overhead: g.overhead.unwrap_or(0.0) },
        };
        self.map("gil.switch_interval", "gil.switch_interval");
        self.map("gil.check_interval", "gil.check_interval");
        self.map("gil.overhead", "gil.overhead");
        Ok(())
    }

    pub(super) fn interp(&mut self, i: &InterpY) {
        let d = Interp::default();
        self.sc.interp = Interp {
            tick_ns: i.tick.map_or(d.tick_ns, |t| t.0),
            wake_order: i.wake_order.unwrap_or(d.wake_order),
            check_points: i.check_points.unwrap_or_default(),
        };
    }
}
