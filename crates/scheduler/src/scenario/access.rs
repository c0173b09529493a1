//! Building a scenario in code and finding its threads.

use super::*;

impl Scenario {
    /// An empty scenario on `cores` cores with the default new GIL.
    pub fn new(cores: u32) -> Scenario {
        Scenario {
            machine: Machine::new(cores),
            gil: GilSpec::default(),
            interp: Interp::default(),
            seed: 1,
            processes: Vec::new(),
            locks: 0,
            semaphores: Vec::new(),
            vars: 0,
            queues: Vec::new(),
            routines: Vec::new(),
            sources: Vec::new(),
            stop_when: Vec::new(),
            limits: Limits::default(),
        }
    }

    /// Adds a single-interpreter process with the given threads; returns its index.
    pub fn process(&mut self, name: &str, threads: Vec<ThreadSpec>) -> usize {
        self.processes.push(ProcessSpec {
            name: name.to_owned(),
            interpreters: 1,
            threads,
            memory_mb: 0.0,
            crash: None,
        });
        self.processes.len() - 1
    }

    /// Every thread in global order, with its process index.
    pub fn threads(&self) -> impl Iterator<Item = (usize, &ThreadSpec)> {
        self.processes.iter().enumerate().flat_map(|(p, proc_)| proc_.threads.iter().map(move |t| (p, t)))
    }

    /// Number of threads.
    pub fn thread_count(&self) -> usize {
        self.processes.iter().map(|p| p.threads.len()).sum()
    }

    /// (process index, index within the process) of global thread `t`.
    pub fn locate(&self, t: u32) -> (usize, usize) {
        let mut left = t as usize;
        for (p, proc_) in self.processes.iter().enumerate() {
            if left < proc_.threads.len() {
                return (p, left);
            }
            left -= proc_.threads.len();
        }
        (self.processes.len(), left)
    }
}
