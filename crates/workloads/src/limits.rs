//! Limits on what a file may ask for, checked before anything proportional
//! to them is allocated or run (`docs/limits.md` lists them all).
//!
//! A scenario file is small, but its counts multiply: `count: 4000000000`
//! threads, a sweep of 10^12 points, an alias that repeats a large list a
//! thousand times. Each such request is measured first, with saturating
//! arithmetic, and refused with the field that asked for it.

use yaml_rust2::parser::{Event, Parser};

use crate::schema::{File, StepY, ThreadY};

/// What a file may ask for. The defaults suit every example and
/// experiment many times over; `cargo xtask sim` can raise the ones a user
/// could legitimately want more of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest file, in bytes (1 MiB).
    pub max_file_bytes: usize,
    /// Deepest nesting of YAML collections (64).
    pub max_depth: usize,
    /// Most YAML nodes once aliases are expanded (1,000,000).
    pub max_nodes: u64,
    /// Most threads in one run, counting the ones a server, pool or
    /// executor creates; also the most cores, processes, interpreters,
    /// clients and asyncio tasks, each counted on its own (10,000).
    pub max_threads: u64,
    /// Most program steps of all runs together, after `count` copies
    /// threads, processes and tasks (1,000,000): what compiling holds.
    pub max_steps: u64,
    /// Most runs in a sweep: cases times every axis (10,000).
    pub max_points: u64,
    /// Most events of one run; a file's `max_events` may lower it only
    /// (200,000,000).
    pub max_events: u64,
}

/// The most `max_threads` can be raised to: five kinds of objects at this
/// many each stay within the simulator's 2^24 entities.
pub const HARD_MAX_THREADS: u64 = 1_000_000;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 1 << 20,
            max_depth: 64,
            max_nodes: 1_000_000,
            max_threads: 10_000,
            max_steps: 1_000_000,
            max_points: 10_000,
            max_events: crate::compile::DEFAULT_MAX_EVENTS,
        }
    }
}

/// A limit exceeded at a place in a text (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Decodes a file's bytes as UTF-8, refusing files over `max_bytes`; an
/// invalid byte is reported at its line and column.
pub fn utf8(bytes: &[u8], max_bytes: usize) -> Result<&str, TextError> {
    if bytes.len() > max_bytes {
        return Err(TextError {
            line: 1,
            column: 1,
            message: format!("the file is larger than the limit of {max_bytes} bytes"),
        });
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line = 1 + good.iter().filter(|b| **b == b'\n').count();
        let start = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        // Valid up to here, so the prefix of the line decodes.
        let column = 1 + std::str::from_utf8(&good[start..]).map_or(0, |s| s.chars().count());
        let bad = bytes[e.valid_up_to()];
        TextError { line, column, message: format!("not valid UTF-8 (byte 0x{bad:02x}): save the file as UTF-8") }
    })
}

/// Checks a YAML text's size, nesting depth and alias expansion before a
/// YAML library builds anything from it.
///
/// The check streams the text through an event parser and stops at the
/// first node past the limits, so its cost is linear: libyaml (under
/// serde_yaml) takes time quadratic in the nesting depth, 33 s for 100 KB
/// of `[`, and an alias can repeat a large collection many times. A text the
/// event parser rejects is left for the real parser to report.
pub fn check_yaml(source: &str, limits: &Limits) -> Result<(), TextError> {
    if source.len() > limits.max_file_bytes {
        return Err(TextError {
            line: 1,
            column: 1,
            message: format!("the file has {} bytes; the limit is {}", source.len(), limits.max_file_bytes),
        });
    }
    let mut parser = Parser::new_from_str(source);
    // Per open collection: (anchor id, nodes counted when it opened).
    let mut open: Vec<(usize, u64)> = Vec::new();
    // Per anchor: (expanded nodes, extra depth below the anchored node).
    let mut anchors: std::collections::HashMap<usize, (u64, usize)> = std::collections::HashMap::new();
    let mut nodes: u64 = 0;
    // Deepest nesting below each open collection, to know an anchor's depth.
    let mut below: Vec<usize> = Vec::new();
    let fail = |mark: yaml_rust2::scanner::Marker, message: String| {
        Err(TextError { line: mark.line().max(1), column: mark.col() + 1, message })
    };
    loop {
        let (event, mark) = match parser.next_token() {
            Ok(e) => e,
            Err(e) => {
                // The event parser stops at its own depth limit, and at a
                // syntax error, which is for the real parser to report; that
                // parser must not then spend quadratic time on deep brackets.
                flow_depth(source, limits.max_depth)?;
                if e.info().contains("recursion limit") {
                    let message = format!("lists and mappings nest more than {} deep here", limits.max_depth);
                    return fail(*e.marker(), message);
                }
                return Ok(());
            }
        };
        match event {
            Event::StreamEnd => return Ok(()),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                nodes += 1;
                open.push((anchor, nodes));
                below.push(0);
                if open.len() > limits.max_depth {
                    return fail(mark, format!("lists and mappings nest more than {} deep here", limits.max_depth));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (anchor, first) = open.pop().unwrap_or((0, nodes));
                let depth = below.pop().unwrap_or(0) + 1;
                if let Some(parent) = below.last_mut() {
                    *parent = (*parent).max(depth);
                }
                if anchor != 0 {
                    anchors.insert(anchor, (nodes - first + 1, depth));
                }
            }
            Event::Scalar(_, _, anchor, _) => {
                nodes += 1;
                if anchor != 0 {
                    anchors.insert(anchor, (1, 0));
                }
            }
            Event::Alias(id) => {
                let (size, depth) = anchors.get(&id).copied().unwrap_or((1, 0));
                nodes = nodes.saturating_add(size);
                if open.len() + depth > limits.max_depth {
                    return fail(
                        mark,
                        format!("this alias nests lists and mappings more than {} deep", limits.max_depth),
                    );
                }
                if let Some(parent) = below.last_mut() {
                    *parent = (*parent).max(depth);
                }
            }
            _ => {}
        }
        if nodes > limits.max_nodes {
            return fail(
                mark,
                format!("the document has more than {} nodes here (aliases count as copies)", limits.max_nodes),
            );
        }
    }
}

/// Fails at the first `[` or `{` nested deeper than `max` flow collections,
/// reading quotes and comments roughly (only for texts that do not parse).
fn flow_depth(source: &str, max: usize) -> Result<(), TextError> {
    let (mut depth, mut line, mut column) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut prev = '\n';
    for c in source.chars() {
        column += 1;
        if c == '\n' {
            (line, column, comment) = (line + 1, 0, false);
        } else if comment {
        } else if let Some(q) = quote {
            if c == q && prev != '\\' {
                quote = None;
            }
        } else if c == '#' && (prev.is_whitespace() || column == 1) {
            comment = true;
        } else if c == '"' || c == '\'' {
            quote = Some(c);
        } else if c == '[' || c == '{' {
            depth += 1;
            if depth > max {
                return Err(TextError {
                    line,
                    column,
                    message: format!("lists and mappings nest more than {max} deep here"),
                });
            }
        } else if c == ']' || c == '}' {
            depth = depth.saturating_sub(1);
        }
        prev = c;
    }
    Ok(())
}

/// What one run of a file creates, counted from the file alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Size {
    pub steps: u64,
}

/// A count over its limit: (field path, message).
pub(crate) type Over = (String, String);

/// Steps of a program, with repeat bodies and `to_thread` bodies.
fn steps_of(steps: &[StepY]) -> u64 {
    steps.iter().fold(0u64, |n, s| {
        let inner = s.body.as_deref().map_or(0, steps_of).saturating_add(s.to_thread.as_deref().map_or(0, steps_of));
        n.saturating_add(1).saturating_add(inner)
    })
}

struct Tally<'a> {
    limits: &'a Limits,
    threads: u64,
    processes: u64,
    interpreters: u64,
    tasks: u64,
    steps: u64,
}

impl Tally<'_> {
    /// Adds `n` of `what` (counted in `total`), blaming `path` if that
    /// passes the limit.
    fn add(&mut self, kind: Kind, n: u64, path: &str) -> Result<(), Over> {
        let max = self.limits.max_threads;
        let (slot, what) = match kind {
            Kind::Threads => (&mut self.threads, "threads"),
            Kind::Processes => (&mut self.processes, "processes"),
            Kind::Interpreters => (&mut self.interpreters, "interpreters"),
            Kind::Tasks => (&mut self.tasks, "asyncio tasks"),
        };
        *slot = slot.saturating_add(n);
        if *slot > max {
            return Err((
                path.to_owned(),
                format!("this makes {} {what} in one run; the limit is {max} (raise it with --max-threads)", *slot),
            ));
        }
        Ok(())
    }

    fn steps(&mut self, n: u64, path: &str) -> Result<(), Over> {
        self.steps = self.steps.saturating_add(n);
        let max = self.limits.max_steps;
        if self.steps > max {
            return Err((
                path.to_owned(),
                format!(
                    "this makes {} program steps once counts are expanded; the limit is {max} (raise it with --max-steps)",
                    self.steps
                ),
            ));
        }
        Ok(())
    }

    /// `copies` copies of thread `t` at `path`.
    fn thread(&mut self, t: &ThreadY, path: &str, copies: u64, cores: u32) -> Result<(), Over> {
        let count = u64::from(t.count.unwrap_or(1));
        let here = if t.count.is_some() { format!("{path}.count") } else { path.to_owned() };
        let n = copies.saturating_mul(count);
        self.add(Kind::Threads, n, &here)?;
        self.steps(n.saturating_mul(steps_of(&t.program)), &here)?;
        if let Some(a) = &t.asyncio {
            for (i, task) in a.tasks.iter().enumerate() {
                let tpath = format!("{path}.asyncio.tasks[{i}]");
                let tcount = u64::from(task.count.unwrap_or(1));
                let there = if task.count.is_some() { format!("{tpath}.count") } else { tpath };
                let k = n.saturating_mul(tcount);
                self.add(Kind::Tasks, k, &there)?;
                self.steps(k.saturating_mul(steps_of(&task.program)), &there)?;
            }
            let helpers = a.executor_threads.unwrap_or(cores.saturating_add(4).min(32));
            let there = if a.executor_threads.is_some() {
                format!("{path}.asyncio.executor_threads")
            } else {
                format!("{path}.asyncio")
            };
            self.add(Kind::Threads, n.saturating_mul(u64::from(helpers)), &there)?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Threads,
    Processes,
    Interpreters,
    Tasks,
}

/// Counts what a run of `file` creates and checks it against `limits`.
pub(crate) fn measure(file: &File, limits: &Limits) -> Result<Size, Over> {
    let max = limits.max_threads;
    let cores = file.machine.cores;
    if u64::from(cores) > max {
        return Err((
            "machine.cores".into(),
            format!("{cores} cores; the limit is {max} (raise it with --max-threads)"),
        ));
    }
    if let Some(events) = file.max_events
        && events > limits.max_events
    {
        return Err((
            "max_events".into(),
            format!("{events} events; the limit is {} (raise it with --max-events)", limits.max_events),
        ));
    }
    let mut t = Tally { limits, threads: 0, processes: 0, interpreters: 0, tasks: 0, steps: 0 };
    if !file.threads.is_empty() {
        t.add(Kind::Processes, 1, "threads")?;
        t.add(Kind::Interpreters, 1, "threads")?;
    }
    for (i, th) in file.threads.iter().enumerate() {
        t.thread(th, &format!("threads[{i}]"), 1, cores)?;
    }
    for (i, p) in file.processes.iter().enumerate() {
        let path = format!("processes[{i}]");
        let count = u64::from(p.count.unwrap_or(1));
        let here = if p.count.is_some() { format!("{path}.count") } else { path.clone() };
        t.add(Kind::Processes, count, &here)?;
        let interp = count.saturating_mul(u64::from(p.interpreters.unwrap_or(1)));
        let there = if p.interpreters.is_some() { format!("{path}.interpreters") } else { here.clone() };
        t.add(Kind::Interpreters, interp, &there)?;
        for (k, th) in p.threads.iter().enumerate() {
            t.thread(th, &format!("{path}.threads[{k}]"), count, cores)?;
        }
    }
    if let Some(s) = &file.server {
        let workers = u64::from(s.workers.unwrap_or(1));
        t.add(Kind::Processes, workers, "server.workers")?;
        t.add(Kind::Interpreters, workers, "server.workers")?;
        let threads = workers.saturating_mul(u64::from(s.threads.unwrap_or(1)));
        t.add(Kind::Threads, threads, if s.threads.is_some() { "server.threads" } else { "server.workers" })?;
        let handlers: u64 = s.endpoints.iter().map(|e| steps_of(&e.program)).fold(0, u64::saturating_add);
        t.steps(handlers.saturating_add(threads.saturating_mul(3)), "server")?;
    }
    if let Some(c) = &file.clients {
        let clients = u64::from(c.closed_loop.unwrap_or(1));
        if clients > max {
            return Err((
                "clients.closed_loop".into(),
                format!("{clients} clients; the limit is {max} (raise it with --max-threads)"),
            ));
        }
    }
    if let Some(p) = &file.pool {
        let workers = u64::from(p.workers);
        t.add(Kind::Processes, workers.saturating_add(1), "pool.workers")?;
        t.add(Kind::Interpreters, workers.saturating_add(1), "pool.workers")?;
        t.add(Kind::Threads, workers.saturating_add(2), "pool.workers")?;
        let task = steps_of(&p.task.program);
        t.steps(task.saturating_mul(2).saturating_add(workers.saturating_mul(6)).saturating_add(10), "pool")?;
    }
    for (i, _) in file.jobs.iter().enumerate() {
        let path = format!("jobs[{i}]");
        t.add(Kind::Processes, 1, &path)?;
        t.add(Kind::Interpreters, 1, &path)?;
        t.add(Kind::Threads, 1, &path)?;
        t.steps(1, &path)?;
    }
    Ok(Size { steps: t.steps })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(src: &str) -> Result<(), TextError> {
        check_yaml(src, &Limits::default())
    }

    #[test]
    fn nesting_is_bounded_and_found_fast() {
        assert!(yaml("a: [[[1]]]\nb: {c: {d: [1, 2]}}\n").is_ok());
        let deep = format!("x: {}", "[".repeat(100_000));
        let t = std::time::Instant::now();
        let e = yaml(&deep).unwrap_err();
        assert!(t.elapsed().as_secs_f64() < 1.0, "{:?}", t.elapsed());
        assert_eq!((e.line, e.column), (1, 4 + 64));
        // Behind a syntax error, the rough bracket count still finds it.
        let e = yaml(&format!("x: ]\ny: {}", "[".repeat(100_000))).unwrap_err();
        assert_eq!((e.line, e.column), (2, 4 + 64));
        assert!(e.message.contains("64 deep"), "{}", e.message);
        let blocks = format!("x:\n{}1\n", "- ".repeat(1000));
        assert!(yaml(&blocks).unwrap_err().message.contains("deep"));
    }

    #[test]
    fn aliases_count_as_copies() {
        // Ten levels, each ten copies of the previous: 10^10 nodes.
        let mut src = String::from("a0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n");
        for i in 1..10 {
            let p = i - 1;
            src.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{p}"); 10].join(", ")));
        }
        let e = yaml(&src).unwrap_err();
        assert!(e.message.contains("nodes"), "{}", e.message);
        assert!(e.line <= 10);
        // A shared program used twice is fine.
        assert!(yaml("p: &p [{python: 1ms}]\nthreads: [{name: a, program: *p}, {name: b, program: *p}]\n").is_ok());
        // An alias of a deep node counts its depth.
        let deep = format!("a: &a {}1{}\nb: {}*a{}\n", "[".repeat(40), "]".repeat(40), "[".repeat(40), "]".repeat(40));
        assert!(yaml(&deep).unwrap_err().message.contains("alias"));
    }

    #[test]
    fn size_and_encoding_errors_have_a_place() {
        let big = "#".repeat((1 << 20) + 1);
        assert!(yaml(&big).unwrap_err().message.contains("bytes"));
        let e = utf8(b"machine: {cores: 1}\nname: caf\xc3\xa9 \xff\n", 1 << 20).unwrap_err();
        assert_eq!((e.line, e.column), (2, 12));
        assert!(e.message.contains("0xff"), "{}", e.message);
        assert_eq!(utf8("ok é".as_bytes(), 100).unwrap(), "ok é");
        assert!(utf8(&[b'a'; 101], 100).unwrap_err().message.contains("limit of 100 bytes"));
    }
}
