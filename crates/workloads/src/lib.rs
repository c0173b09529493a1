//! The systems the study notes talk about, as runnable scenarios.
//!
//! A scenario file (YAML, documented in `docs/scenarios.md`) describes a
//! machine, a GIL model and threads, processes, a WSGI server with clients, a
//! multiprocessing pool, asyncio loops or a scheduling task set. [`ScenarioFile`]
//! parses one, applies overrides and expands its `sweep` grid into
//! [`Point`]s; each point is compiled into a `scheduler::Scenario`;
//! [`run_points`] runs them in parallel; [`summary`] turns results into the
//! documented JSON summary.
//!
//! Errors name the file, line, column and field path, whether serde found them
//! (unknown field, wrong type) or validation did (zero cores, a program that
//! never ends). This crate does no I/O: callers pass the file's text.

pub mod compile;
pub mod duration;
mod fingerprint;
pub mod limits;
pub mod locate;
pub mod schema;
pub mod summary;
pub mod sweep;

use std::fmt;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use rayon::prelude::*;
use scheduler::{SimError, SimResult};
use serde_yaml::Value;

pub use compile::{Compiled, JobMeta, Meta, PoolMeta, ServerMeta};
pub use fingerprint::{code_fingerprint, full_code_fingerprint};
pub use limits::Limits;
pub use summary::{SCHEMA, Summary, summary};
pub use sweep::{Axis, Setting};

use crate::locate::Locator;

/// A problem in a scenario file, at a place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The file name as given.
    pub file: String,
    /// 1-based line (1 if unknown).
    pub line: usize,
    /// 1-based column (1 if unknown).
    pub column: usize,
    /// Field path, like `threads[0].program[2]` (empty for syntax errors).
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// The offending source line, rendered with a caret (may be empty).
    pub snippet: String,
}

impl fmt::Display for LoadError {
    /// The snippet (title, `--> file:line:column`, the line underlined), or
    /// `file:line:column: path: message` when the line is not available.
    /// Control characters from the file (an escape sequence in a name) are
    /// shown escaped, never sent to the terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.snippet.is_empty() {
            return f.write_str(&printable(&self.snippet));
        }
        let path = if self.path.is_empty() { String::new() } else { format!("{}: ", self.path) };
        write!(f, "{}", printable(&format!("{}:{}:{}: {path}{}", self.file, self.line, self.column, self.message)))
    }
}

/// `text` with control characters other than new lines escaped.
pub fn printable(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return text.to_owned();
    }
    text.chars()
        .flat_map(|c| if c.is_control() && c != '\n' { c.escape_default().collect() } else { vec![c] })
        .collect()
}

impl std::error::Error for LoadError {}

/// A parsed scenario file with its overrides and sweep grid: the runs one
/// file asks for. (The notes' experiments, which add values, claims and
/// charts, are `experiments::ExperimentDef`.)
#[derive(Clone, Debug)]
pub struct ScenarioFile {
    /// The file name, for messages.
    pub file: String,
    source: String,
    limits: Limits,
    locator: Locator,
    base: Value,
    /// Overrides applied to every point, as `path = value`.
    pub overrides: Vec<(String, Value)>,
    /// Values a field takes in a point where neither the file, its cases,
    /// its sweep nor an override sets it, as `path = value`.
    pub defaults: Vec<(String, Value)>,
    /// The sweep grid, in file order.
    pub sweep: Vec<Axis>,
    /// Explicit cases, crossed with the grid.
    pub cases: Vec<Vec<Setting>>,
}

/// One run of a scenario file: the values set for it and the compiled scenario.
#[derive(Clone, Debug)]
pub struct Point {
    /// Case and sweep values of this point, in grid order.
    pub set: Vec<Setting>,
    /// The scenario and its report metadata.
    pub compiled: Compiled,
}

impl Point {
    /// `path=value, ...` for tables and progress messages (empty without
    /// cases or sweep).
    pub fn label(&self) -> String {
        self.set.iter().map(|s| format!("{}={}", s.path, sweep::show(&s.value))).collect::<Vec<_>>().join(", ")
    }

    /// Whether this run has every setting of `at` (field path to value), as
    /// an experiment's `where:` picks runs. Values compare as YAML values:
    /// `2` is not `"2"`.
    pub fn matches<'a>(&self, at: impl IntoIterator<Item = (&'a String, &'a Value)>) -> bool {
        at.into_iter().all(|(k, v)| self.set.iter().any(|s| &s.path == k && &s.value == v))
    }
}

impl ScenarioFile {
    /// Parses the text of scenario file `file` under the default [`Limits`].
    pub fn parse(file: &str, source: &str) -> Result<ScenarioFile, LoadError> {
        ScenarioFile::parse_with(file, source, Limits::default())
    }

    /// Parses the text of scenario file `file`; `limits` bound what it and
    /// its runs may ask for.
    pub fn parse_with(file: &str, source: &str, limits: Limits) -> Result<ScenarioFile, LoadError> {
        limits::check_yaml(source, &limits).map_err(|e| error_at(file, source, e.line, e.column, "", &e.message))?;
        let base: Value = serde_yaml::from_str(source).map_err(|e| {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            let message = e.to_string();
            // serde_yaml appends " at line L column C"; the place is ours to print.
            let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
            error_at(file, source, line, column, "", &message)
        })?;
        if !base.is_mapping() {
            return Err(error_at(file, source, 1, 1, "", "a scenario file is a mapping (machine:, threads:, ...)"));
        }
        let locator = Locator::new(source);
        let mut parsed = ScenarioFile {
            file: file.to_owned(),
            source: source.to_owned(),
            limits,
            locator,
            base,
            overrides: Vec::new(),
            defaults: Vec::new(),
            sweep: Vec::new(),
            cases: Vec::new(),
        };
        parsed.sweep = sweep::axes(&parsed.base).map_err(|(path, msg)| parsed.error(&path, &msg))?;
        parsed.cases = sweep::cases(&parsed.base).map_err(|(path, msg)| parsed.error(&path, &msg))?;
        Ok(parsed)
    }

    /// Adds an override `path=value` (the value is read as YAML: `2`, `5ms`),
    /// as `--set` does.
    pub fn set(&mut self, assignment: &str) -> Result<(), LoadError> {
        let Some((path, text)) = assignment.split_once('=') else {
            return Err(self.error("", &format!("--set `{assignment}`: write path=value, like machine.cores=4")));
        };
        let path = path.trim();
        if let Some(head) = grid_field(path) {
            return Err(self.error(
                head,
                &format!(
                    "--set {assignment}: the sweep and cases are not fields of a run; set the swept field instead (like --set machine.cores=4), or edit the file"
                ),
            ));
        }
        limits::check_yaml(text, &self.limits)
            .map_err(|e| self.error("", &format!("--set {assignment}: {}", e.message)))?;
        let value: Value = serde_yaml::from_str(text)
            .map_err(|e| self.error("", &format!("--set {assignment}: the value is not YAML ({e})")))?;
        self.put(path, value).map_err(|msg| self.error("", &format!("--set {assignment}: {msg}")))
    }

    /// Overrides field `path` with `value` in every run: [`set`](Self::set)
    /// for a value that is already YAML (an experiment's `set:`), so
    /// nothing is printed and read again.
    pub fn set_value(&mut self, path: &str, value: Value) -> Result<(), LoadError> {
        if let Some(head) = grid_field(path) {
            return Err(self.error(head, "the sweep and cases are not fields of a run; set the swept field instead"));
        }
        self.put(path, value).map_err(|msg| self.error("", &msg))
    }

    /// Gives field `path` a value for the points that leave it unset (the
    /// file, a case, the sweep and the overrides all win over it; a default
    /// under `machine.costs` also yields to a cost preset other than
    /// `linux`): how the robustness check runs the notes' experiments at
    /// other model parameters without touching a scenario that chose its
    /// costs on purpose.
    pub fn set_default(&mut self, path: &str, value: Value) -> Result<(), LoadError> {
        if let Some(head) = grid_field(path) {
            return Err(self.error(head, "the sweep and cases are not fields of a run"));
        }
        sweep::set_path(&mut self.base.clone(), path, value.clone()).map_err(|msg| self.error("", &msg))?;
        self.defaults.push((path.to_owned(), value));
        Ok(())
    }

    fn put(&mut self, path: &str, value: Value) -> Result<(), String> {
        sweep::set_path(&mut self.base.clone(), path, value.clone())?;
        // A set path also removes it from the sweep grid, and so does a set
        // of a field that contains a swept one (`gil` over `gil.switch_interval`):
        // the rows would name values that never ran.
        self.sweep.retain(|a| !sweep::within(&a.path, path));
        self.overrides.push((path.to_owned(), value));
        Ok(())
    }

    /// Whether the file has cases or a sweep (more than one kind of run).
    pub fn is_sweep(&self) -> bool {
        !self.sweep.is_empty() || !self.cases.is_empty()
    }

    /// The limits this file is read under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The number of runs: cases (at least one) times every axis, saturating.
    pub fn point_count(&self) -> u64 {
        let cases = self.cases.len().max(1) as u64;
        self.sweep.iter().fold(cases, |n, a| n.saturating_mul(a.values.len() as u64))
    }

    /// Every point: each case crossed with the sweep grid (one point without
    /// either), compiled and validated. The number of points and what they
    /// create are checked against the limits before they are built.
    pub fn points(&self) -> Result<Vec<Point>, LoadError> {
        let n = self.point_count();
        let max = self.limits.max_points;
        if n > max {
            let at = if self.sweep.is_empty() { "cases" } else { "sweep" };
            return Err(self.error(
                at,
                &format!("this makes {n} runs; the limit is {max} (raise it with --max-points, or sweep fewer values)"),
            ));
        }
        let mut steps = 0u64;
        let mut points = Vec::with_capacity(n as usize);
        for set in sweep::grid(&self.cases, &self.sweep) {
            let (point, size) = self.point(set)?;
            steps = steps.saturating_add(size.steps);
            if steps > self.limits.max_steps {
                let at = if self.sweep.is_empty() { "cases" } else { "sweep" };
                return Err(self.error(
                    at,
                    &format!(
                        "the first {} runs already make {steps} program steps together; the limit is {} (raise it with --max-steps)",
                        points.len() + 1,
                        self.limits.max_steps
                    ),
                ));
            }
            points.push(point);
        }
        Ok(points)
    }

    /// A failed run of `point` as an error at the field that explains it.
    pub fn run_error(&self, point: &Point, e: &SimError) -> LoadError {
        let c = &point.compiled;
        let name = |t: u32| {
            let n = c.scenario.threads().nth(t as usize).map_or(String::new(), |(_, s)| s.name.clone());
            format!("thread `{}`", compile::shown(&n))
        };
        let secs = |ns: u64| format!("{:.6} s", ns as f64 * 1e-9);
        let (path, message) = match e {
            SimError::Invalid(v) => (c.file_path(&v.path), v.to_string()),
            SimError::EventBudget { .. } => {
                ("max_events".to_owned(), format!("{e}; `cargo xtask sim --max-events N` raises the limit"))
            }
            SimError::UnlockUnlocked { thread, lock, at_ns } => {
                let lock = c.meta.locks.get(*lock as usize).map_or(String::new(), |l| compile::shown(l));
                let at = secs(*at_ns);
                (
                    c.thread_path(*thread),
                    format!("{} released lock `{lock}`, which was not locked, at {at}", name(*thread)),
                )
            }
            SimError::ValueOverflow { thread, at_ns } => (
                c.thread_path(*thread),
                format!(
                    "{} took a shared variable past the range of a 64-bit integer at {}",
                    name(*thread),
                    secs(*at_ns)
                ),
            ),
            SimError::EndOfTime { thread } => {
                let (path, who) = match thread {
                    Some(t) => (c.thread_path(*t), format!(" with {} still busy", name(*t))),
                    None => (String::new(), String::new()),
                };
                let message = format!(
                    "the run reached the end of simulated time (2^62 ns, about 146 years){who}: its steps add up past the end (and a `forever` step ends only when `stop_when` or `duration` stops the run)"
                );
                (path, message)
            }
            SimError::TraceFull { .. } => (String::new(), e.to_string()),
            SimError::ZeroTimeSteps { thread, steps, at_ns } => (
                c.thread_path(*thread),
                format!(
                    "{} ran {steps} steps at {} without simulated time passing: a loop of steps that take no time (`lock`, `unlock`, `put`, `get`, `acquire`, `release`) repeats more often than the run has events (`max_events`)",
                    name(*thread),
                    secs(*at_ns)
                ),
            ),
        };
        let label = if point.set.is_empty() { String::new() } else { format!(" (run {})", point.label()) };
        self.error(&path, &format!("{message}{label}"))
    }

    fn point(&self, set: Vec<Setting>) -> Result<(Point, limits::Size), LoadError> {
        let mut value = self.base.clone();
        for s in set.iter().filter(|s| s.path != sweep::LABEL) {
            sweep::set_path(&mut value, &s.path, s.value.clone()).map_err(|msg| self.error(&s.origin, &msg))?;
        }
        // --set has the last word.
        for (path, v) in &self.overrides {
            sweep::set_path(&mut value, path, v.clone()).map_err(|msg| self.error(path, &msg))?;
        }
        // A cost preset other than `linux` chose every cost: defaults stay out.
        let preset = sweep::get_path(&value, "machine.costs.preset").and_then(Value::as_str);
        let chosen = preset.is_some_and(|p| p != "linux");
        for (path, v) in &self.defaults {
            if chosen && path.starts_with("machine.costs.") {
                continue;
            }
            if sweep::get_path(&value, path).is_none_or(Value::is_null) {
                sweep::set_path(&mut value, path, v.clone()).map_err(|msg| self.error(path, &msg))?;
            }
        }
        // An error in a value set by a case or the sweep points at that value;
        // one set by --set has no place in the file.
        let fail = |path: &str, message: &str| -> LoadError {
            let under = |p: &str| path == p || path.starts_with(&format!("{p}.")) || path.starts_with(&format!("{p}["));
            if let Some((p, v)) = self.overrides.iter().find(|(p, _)| under(p)) {
                return self.error(path, &format!("{message} (with --set {p}={})", sweep::show(v)));
            }
            if let Some(s) = set.iter().rev().find(|s| under(&s.path)) {
                // Point at the value in the sweep or case; name the field it sets.
                let pos = self.locator.find(&s.origin);
                let (line, column) = pos.map_or((1, 1), |p| (p.line, p.column));
                let title = format!("{path}: {message} (set by {})", s.origin);
                let mut err = error_at(&self.file, &self.source, line, column, "", &title);
                err.path = path.to_owned();
                err.message = message.to_owned();
                return err;
            }
            self.error(path, message)
        };
        let file: schema::File = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            fail(&path, &e.inner().to_string())
        })?;
        // Measured from the file before compiling copies anything.
        let size = limits::measure(&file, &self.limits).map_err(|(path, message)| fail(&path, &message))?;
        let mut compiled = compile::compile(&file).map_err(|e| fail(&e.path, &e.message))?;
        if file.max_events.is_none() {
            compiled.scenario.limits.max_events = self.limits.max_events;
        }
        if let Err(e) = compiled.scenario.validate() {
            let path = compiled.file_path(&e.path);
            let what = e.to_string();
            let message = what.strip_prefix(&format!("{}: ", e.path)).unwrap_or(&what).to_owned();
            return Err(fail(&path, &message));
        }
        Ok((Point { set, compiled }, size))
    }

    /// An error at field `path` of this file.
    pub fn error(&self, path: &str, message: &str) -> LoadError {
        let pos = if path.is_empty() { None } else { self.locator.find(path) };
        let (line, column) = pos.map_or((1, 1), |p| (p.line, p.column));
        error_at(&self.file, &self.source, line, column, path, message)
    }
}

/// `sweep` or `cases` when `path` is inside them: the grid is read from the
/// file, so an override there would be ignored.
fn grid_field(path: &str) -> Option<&str> {
    let head = path.split(['.', '[']).next().unwrap_or_default();
    (head == "sweep" || head == "cases").then_some(head)
}

fn error_at(file: &str, source: &str, line: usize, column: usize, path: &str, message: &str) -> LoadError {
    let title =
        if path.is_empty() || message.starts_with(path) { message.to_owned() } else { format!("{path}: {message}") };
    LoadError {
        file: file.to_owned(),
        line,
        column,
        path: path.to_owned(),
        message: message.to_owned(),
        snippet: snippet(file, source, line, column, &title),
    }
}

/// The source line with the offending token underlined.
fn snippet(file: &str, source: &str, line: usize, column: usize, message: &str) -> String {
    let Some(text) = source.lines().nth(line.saturating_sub(1)) else { return String::new() };
    let start = text.char_indices().nth(column.saturating_sub(1)).map_or(text.len(), |(i, _)| i);
    let len = text[start..].find([',', '}', ']', '#']).unwrap_or(text.len() - start).max(1);
    let end = (start + len).min(text.len()).max(start);
    let end = text[start..end].trim_end().len() + start;
    let report = &[Level::ERROR.primary_title(message).element(
        Snippet::source(text)
            .line_start(line)
            .path(file)
            .annotation(AnnotationKind::Primary.span(start..end.max(start + usize::from(start < text.len())))),
    )];
    Renderer::plain().render(report).to_string()
}

/// Runs every point in parallel on all cores; results come back in point
/// order and equal those of running each point alone. `done` is called once
/// per finished point (for a progress bar).
pub fn run_points(points: &[Point], done: &(dyn Fn() + Sync)) -> Vec<Result<SimResult, SimError>> {
    points
        .par_iter()
        .map(|p| {
            let res = scheduler::simulate(&p.compiled.scenario);
            done();
            res
        })
        .collect()
}
