//! `cargo xtask build-site`, `check`, `serve` and `bench-site`.
//!
//! The pipeline: read the notes, quizzes and experiment definitions; plan
//! (check translations, find the experiments in use); run the experiments
//! whose cache key changed, in parallel; render every page, chart and data
//! file (`report::pages`); check every internal link; write the tree to a
//! temporary directory and swap it in, so a failed build leaves `site/` as
//! it was.

pub mod cache;
mod explore;
mod fresh;
pub mod http;
pub mod output;
mod robust;
pub mod serve;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use experiments::{ExperimentData, PointData, TracedPoint};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use report::i18n::Lang;
use report::pages::{self, ExperimentRun, ExperimentSource, NoteSource};
use scheduler::Recorder;
use sha2::Digest;

use self::cache::Cache;

/// Where the repository is and where output goes.
#[derive(Clone, Debug)]
pub struct Paths {
    /// Repository root.
    pub root: PathBuf,
    /// The site directory.
    pub out: PathBuf,
    /// The experiment cache.
    pub cache: PathBuf,
}

impl Paths {
    /// The standard layout under `root`.
    pub fn new(root: &Path) -> Paths {
        Paths { root: root.to_owned(), out: root.join("site"), cache: root.join("target/gil-lab-cache") }
    }
}

/// What a build did.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The files of the site.
    pub files: Vec<pages::File>,
    /// Note files (both languages).
    pub notes: usize,
    /// Experiments run now.
    pub ran: Vec<String>,
    /// Experiments taken from the cache.
    pub cached: Vec<String>,
    /// Experiments no note uses.
    pub unused: Vec<String>,
    /// Simulator runs (points and traces) executed.
    pub runs: usize,
    /// Wall time.
    pub elapsed: Duration,
}

/// Reads every file of a directory with this suffix, sorted by name.
/// Hidden names (an editor's lock or backup, `.#note.md`) are skipped, and
/// anything but a regular file (a FIFO would block the read) is an error.
fn read_dir(dir: &Path, suffix: &str) -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(out) };
    for e in entries {
        let path = e?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if name.starts_with('.') {
            continue;
        }
        if let Some(stem) = name.strip_suffix(suffix) {
            if !std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
                bail!("{}: not a regular file (a directory, a FIFO or a broken link); move it away", path.display());
            }
            out.push((stem.to_owned(), path));
        }
    }
    out.sort();
    Ok(out)
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

/// Reads a source file: at most the file-size limit, valid UTF-8, errors
/// named by the path relative to the root.
fn read_source(root: &Path, path: &Path) -> Result<String> {
    let limit = workloads::Limits::default().max_file_bytes;
    let text = crate::sim::read_text(path, limit).map_err(|e| {
        let full = path.display().to_string();
        anyhow!("{}", format!("{e:#}").replacen(&full, &rel(root, path), 1))
    })?;
    Ok(normalize_newlines(text))
}

/// A file saved with Windows line ends or a byte-order mark reads as the
/// same text without them (line numbers do not change).
fn normalize_newlines(text: String) -> String {
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    };
    if text.contains('\r') { text.replace("\r\n", "\n") } else { text }
}

fn pages_err(e: pages::SiteError) -> anyhow::Error {
    anyhow!("{e}")
}

/// Reads the notes.
fn read_notes(root: &Path) -> Result<Vec<NoteSource>> {
    let mut notes = Vec::new();
    for lang in Lang::ALL {
        let dir = root.join("notes").join(lang.code());
        for (stem, path) in read_dir(&dir, ".md")? {
            if stem.ends_with(".quiz") {
                continue;
            }
            let source = read_source(root, &path)?;
            let quiz_path = dir.join(format!("{stem}.quiz.yaml"));
            let quiz =
                if quiz_path.exists() { Some((rel(root, &quiz_path), read_source(root, &quiz_path)?)) } else { None };
            notes.push(NoteSource { lang, slug: stem, path: rel(root, &path), source, quiz });
        }
        // A quiz without its note is a mistake.
        for (stem, path) in read_dir(&dir, ".quiz.yaml")? {
            if !dir.join(format!("{stem}.md")).exists() {
                bail!("{}:1: a quiz without a note: add {}/{stem}.md", rel(root, &path), rel(root, &dir));
            }
        }
    }
    if notes.is_empty() {
        bail!("no notes under {}/notes/en and notes/ko", root.display());
    }
    Ok(notes)
}

/// Reads the reproduction scripts (`notes/reproduce/*.py`).
fn read_scripts(root: &Path) -> Result<Vec<pages::Script>> {
    let mut out = Vec::new();
    for (name, path) in read_dir(&root.join("notes/reproduce"), ".py")? {
        let text = read_source(root, &path)?;
        out.push(pages::Script { name, path: rel(root, &path), text });
    }
    Ok(out)
}

/// Reads the experiment definitions, by id.
fn read_experiments(root: &Path) -> Result<BTreeMap<String, ExperimentSource>> {
    let mut out = BTreeMap::new();
    for (id, path) in read_dir(&root.join("notes/experiments"), ".yaml")? {
        let source = read_source(root, &path)?;
        out.insert(id, pages::parse_experiment(&rel(root, &path), &source).map_err(pages_err)?);
    }
    Ok(out)
}

/// `calibration/measured.json`, if there is one: parsed, and its text.
fn read_calibration(root: &Path) -> Result<Option<(calibration::Measured, String)>> {
    let path = root.join("calibration/measured.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let m: calibration::Measured =
        serde_json::from_str(&text).map_err(|e| anyhow!("calibration/measured.json:{}: {e}", e.line()))?;
    if !calibration::SCHEMAS.contains(&m.schema.as_str()) {
        bail!(
            "calibration/measured.json:1: schema `{}`, expected one of {}",
            m.schema,
            calibration::SCHEMAS.join(", ")
        );
    }
    Ok(Some((m, text)))
}

/// The simulated side of the calibration, cached like an experiment.
fn calibration_comparison(cache: &Cache, m: &calibration::Measured) -> Result<calibration::Comparison> {
    calibration_comparison_at(cache, m, &calibration::current_params())
}

/// The same at parameters `p`.
fn calibration_comparison_at(
    cache: &Cache,
    m: &calibration::Measured,
    p: &calibration::Params,
) -> Result<calibration::Comparison> {
    // Its scenarios go through the whole pipeline, written by the twins' code.
    let fingerprint = calibration::code_fingerprint();
    let mut h = sha2::Sha256::new();
    h.update(b"calibration/2");
    h.update(fingerprint.as_bytes());
    h.update(serde_json::to_vec(m)?);
    h.update(serde_json::to_vec(p)?);
    let key = cache::hex(&h.finalize());
    if let Some(c) = cache.load_json(&key) {
        return Ok(c);
    }
    let c = calibration::compare(m, p)?;
    cache.store_json(&key, &c)?;
    Ok(c)
}

/// The last fit (`calibration/fitted.json`), if any.
fn read_fit(root: &Path) -> Result<Option<calibration::Fit>> {
    let text = match std::fs::read_to_string(root.join("calibration/fitted.json")) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).context("cannot read calibration/fitted.json"),
    };
    serde_json::from_str(&text).map(Some).map_err(|e| anyhow!("calibration/fitted.json:{}: {e}", e.line()))
}

/// The cross-validation of the last fit, if any.
fn read_cross_validation(root: &Path) -> Result<Vec<calibration::HeldOut>> {
    Ok(read_fit(root)?.map(|f| f.cross_validation).unwrap_or_default())
}

/// `site.yaml`, the publishing settings (defaults without it).
pub fn read_config(root: &Path) -> Result<pages::Config> {
    match std::fs::read_to_string(root.join("site.yaml")) {
        Ok(text) => pages::Config::parse("site.yaml", &text).map_err(pages_err),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(pages::Config::default()),
        Err(e) => Err(e).context("cannot read site.yaml"),
    }
}

/// `notes/spellings.yaml`: spellings search treats alike (none without it).
fn read_spellings(root: &Path) -> Result<Vec<Vec<String>>> {
    match std::fs::read_to_string(root.join("notes/spellings.yaml")) {
        Ok(text) => pages::parse_spellings("notes/spellings.yaml", &text).map_err(pages_err),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e).context("cannot read notes/spellings.yaml"),
    }
}

/// Templates: (name, source).
type Templates = Vec<(String, String)>;

/// Templates and static assets.
fn read_templates(root: &Path) -> Result<(Templates, Vec<pages::File>)> {
    let dir = root.join("templates");
    let mut templates = Vec::new();
    for (stem, path) in read_dir(&dir, ".html")? {
        templates.push((format!("{stem}.html"), read_source(root, &path)?));
    }
    let mut assets = Vec::new();
    for (stem, path) in read_dir(&dir.join("static"), "")? {
        let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", rel(root, &path)))?;
        assets.push((format!("assets/{stem}"), bytes));
    }
    Ok((templates, assets))
}

/// An experiment ready to run: its points and its cache key.
struct Prepared {
    id: String,
    /// The scenario file read (to place errors of its runs).
    file: workloads::ScenarioFile,
    points: Vec<workloads::Point>,
    trace: Option<(usize, u64, u64)>,
    /// The explorable figures' traces: (point, from, to), each once.
    explore_traces: Vec<(usize, u64, u64)>,
    key: String,
    fingerprint: String,
    scenario: (String, String),
    command: String,
}

fn prepare(paths: &Paths, id: &str, src: &ExperimentSource) -> Result<Prepared> {
    prepare_with(paths, id, src, &[])
}

/// [`prepare`] with `defaults` (field path, value) for the fields its runs
/// leave unset.
fn prepare_with(
    paths: &Paths,
    id: &str,
    src: &ExperimentSource,
    defaults: &[(String, serde_yaml::Value)],
) -> Result<Prepared> {
    let def = &src.def;
    let at = format!("{}:{}", src.path, pages::line_of(&src.source, "scenario:"));
    let file = paths.root.join(&def.scenario);
    // `parse_experiment` refused `..` and absolute paths; a symbolic link
    // may still lead out of the repository.
    let real = std::fs::canonicalize(&file).with_context(|| format!("{at}: cannot read scenario {}", def.scenario))?;
    let root = std::fs::canonicalize(&paths.root).unwrap_or_else(|_| paths.root.clone());
    if !real.starts_with(&root) {
        bail!("{at}: scenario {} leads outside the repository (to {})", def.scenario, real.display());
    }
    let text =
        read_source(&paths.root, &file).with_context(|| format!("{at}: cannot read scenario {}", def.scenario))?;
    let mut parsed = workloads::ScenarioFile::parse(&def.scenario, &text).map_err(|e| anyhow!("{e}"))?;
    for (k, v) in &def.set {
        parsed.set_value(k, v.clone()).map_err(|e| anyhow!("{}: set {k}: {e}", src.path))?;
    }
    for (k, v) in defaults {
        parsed.set_default(k, v.clone()).map_err(|e| anyhow!("{}: {k}: {e}", src.path))?;
    }
    let points = parsed.points().map_err(|e| anyhow!("{e}\n(used by {})", src.path))?;
    let trace = match &def.trace {
        Some(t) => {
            let (from, to) = workloads::duration::parse_window(&t.window)
                .map_err(|e| anyhow!("{}:{}: trace.window: {e}", src.path, pages::line_of(&src.source, "window:")))?;
            let idx = points.iter().position(|p| p.matches(&t.at)).ok_or_else(|| {
                anyhow!("{}:{}: trace.where selects no point", src.path, pages::line_of(&src.source, "trace:"))
            })?;
            Some((idx, from, to))
        }
        None => None,
    };
    let explore_traces = explore::traces(src, &points)?;
    let mut codes: Vec<String> = points.iter().map(|p| workloads::code_fingerprint(&p.compiled.scenario)).collect();
    codes.sort_unstable();
    codes.dedup();
    let fingerprint = cache::hex(&sha2::Sha256::digest(codes.concat()))[..16].to_owned();
    let key = cache::key(&points, trace, &explore_traces, &fingerprint);
    let sets: Vec<String> =
        def.set.iter().map(|(k, v)| format!(" --set {k}={}", shell_word(&experiments::show(v)))).collect();
    let command = format!("cargo xtask sim {}{}", def.scenario, sets.concat());
    Ok(Prepared {
        id: id.to_owned(),
        file: parsed,
        points,
        trace,
        explore_traces,
        key,
        fingerprint,
        scenario: (def.scenario.clone(), text),
        command,
    })
}

fn shell_word(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c)) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// One simulator run: a point's summary, or a traced point (the
/// experiment's own trace, or an explorable figure's).
enum Job<'a> {
    Point(&'a Prepared, usize),
    Trace(&'a Prepared, usize, u64, u64, bool),
}

enum Done {
    Point(PointData),
    Trace(TracedPoint),
    Explored(usize, TracedPoint),
}

fn run_job(job: &Job<'_>) -> Result<Done> {
    match *job {
        Job::Point(p, i) => {
            let point = &p.points[i];
            let res = scheduler::simulate(&point.compiled.scenario)
                .map_err(|e| anyhow!("{}\n(experiment {})", p.file.run_error(point, &e), p.id))?;
            let summary = serde_json::to_value(workloads::summary(&point.compiled, &res))?;
            Ok(Done::Point(PointData::new(point, summary)))
        }
        Job::Trace(p, i, from, to, main) => {
            let point = &p.points[i];
            let mut rec = Recorder::window(from, to).with_limit(crate::sim::DEFAULT_MAX_TRACE_EVENTS);
            scheduler::simulate_traced(&point.compiled.scenario, &mut rec)
                .map_err(|e| anyhow!("{}\n(experiment {}, trace)", p.file.run_error(point, &e), p.id))?;
            let traced = TracedPoint::new(&point.compiled.scenario, from, to, rec.into_trace());
            Ok(if main { Done::Trace(traced) } else { Done::Explored(i, traced) })
        }
    }
}

/// What running (or loading) experiments gave.
struct Executed {
    data: BTreeMap<String, ExperimentData>,
    ran: Vec<String>,
    cached: Vec<String>,
    runs: usize,
}

/// Results of prepared experiments: from the cache, or run in parallel and
/// cached.
fn execute(cache: &Cache, prepared: &[Prepared], progress: bool) -> Result<Executed> {
    let mut data: BTreeMap<String, ExperimentData> = BTreeMap::new();
    let mut to_run: Vec<&Prepared> = Vec::new();
    let mut cached = Vec::new();
    for p in prepared {
        // The entry's key matched (see `Cache::load_json`); its shape must
        // match the experiment too: one point per run, with the same settings.
        let fits = |d: &ExperimentData| {
            d.points.len() == p.points.len()
                && d.trace.is_some() == p.trace.is_some()
                && d.traces.len() == p.explore_traces.len()
                && d.points.iter().zip(&p.points).all(|(a, b)| {
                    a.set.len() == b.set.len() && a.set.iter().zip(&b.set).all(|(x, y)| x.0 == y.path && x.1 == y.value)
                })
        };
        match cache.load(&p.key).filter(fits) {
            Some(d) => {
                data.insert(p.id.clone(), d);
                cached.push(p.id.clone());
            }
            None => to_run.push(p),
        }
    }
    let jobs: Vec<Job<'_>> = to_run
        .iter()
        .flat_map(|p| {
            let points = (0..p.points.len()).map(move |i| Job::Point(p, i));
            let trace = p.trace.map(|(i, a, b)| Job::Trace(p, i, a, b, true));
            let explored = p.explore_traces.iter().map(move |&(i, a, b)| Job::Trace(p, i, a, b, false));
            points.chain(trace).chain(explored)
        })
        .collect();
    let bar = if progress && jobs.len() > 8 {
        let bar = ProgressBar::new(jobs.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("running experiments {bar:30} {pos}/{len} {elapsed}").expect("valid template"),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let results: Vec<Result<Done>> = jobs
        .par_iter()
        .map(|j| {
            let r = run_job(j);
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    let mut fresh: BTreeMap<String, ExperimentData> = BTreeMap::new();
    for (job, res) in jobs.iter().zip(results) {
        let (p, done) = match job {
            Job::Point(p, _) | Job::Trace(p, ..) => (p, res?),
        };
        let entry = fresh.entry(p.id.clone()).or_default();
        match done {
            Done::Point(pd) => entry.points.push(pd),
            Done::Trace(t) => entry.trace = Some(t),
            Done::Explored(i, t) => entry.traces.push((i, t)),
        }
    }
    let ran: Vec<String> = fresh.keys().cloned().collect();
    for p in &to_run {
        let d = fresh.remove(&p.id).expect("every experiment has points");
        cache.store(&p.key, &d)?;
        data.insert(p.id.clone(), d);
    }
    Ok(Executed { data, ran, cached, runs: jobs.len() })
}

/// The notes' plan: which experiments (and the calibration, if measured)
/// they use.
fn plan_notes(
    notes: Vec<NoteSource>,
    defs: &BTreeMap<String, ExperimentSource>,
    calibrated: bool,
) -> Result<pages::Plan> {
    let mut known: BTreeSet<String> = defs.keys().cloned().collect();
    if calibrated {
        known.insert(pages::CALIBRATION.into());
    }
    pages::plan(notes, &known).map_err(pages_err)
}

/// Builds the site in memory (nothing is written but the cache).
pub fn generate(paths: &Paths, progress: bool) -> Result<Outcome> {
    let start = Instant::now();
    let root = &paths.root;
    let notes = read_notes(root)?;
    let note_count = notes.len();
    let defs = read_experiments(root)?;
    let measured = read_calibration(root)?;
    let plan = plan_notes(notes, &defs, measured.is_some())?;
    let cache = Cache::new(paths.cache.clone());
    let prepared: Vec<Prepared> = plan
        .used
        .iter()
        .filter(|id| defs.contains_key(*id))
        .map(|id| prepare(paths, id, &defs[id]))
        .collect::<Result<_>>()?;
    // The calibration's simulated side runs beside the experiments, in the
    // same thread pool, so neither waits on the other's longest job.
    let compare = |m: &calibration::Measured| calibration_comparison(&cache, m);
    let (executed, comparison) = rayon::join(
        || execute(&cache, &prepared, progress),
        || match (&measured, plan.used.contains(pages::CALIBRATION)) {
            (Some((m, _)), true) => compare(m).map(Some),
            _ => Ok(None),
        },
    );
    let Executed { mut data, ran, cached, runs } = executed?;
    let comparison = comparison?;
    let mut runs_by_id = BTreeMap::new();
    for p in prepared {
        let src = defs[&p.id].clone();
        let d = data.remove(&p.id).expect("run or cached");
        runs_by_id.insert(
            p.id.clone(),
            ExperimentRun { src, data: d, scenario: p.scenario, fingerprint: p.fingerprint, command: p.command },
        );
    }
    let (templates, assets) = read_templates(root)?;
    let unused = plan.unused.clone();
    let origins: BTreeMap<String, Vec<(String, String)>> = plan
        .notes
        .iter()
        .map(|n| {
            let sources = std::iter::once((n.src.path.clone(), n.src.source.clone())).chain(n.src.quiz.clone());
            (format!("{}/{}.html", n.src.lang.code(), n.src.slug), sources.collect())
        })
        .collect();
    let calibration = match (comparison, &measured) {
        (Some(mut c), Some((_, text))) => {
            c.cross_validation = read_cross_validation(root)?;
            c.robustness = robust::read(root)?;
            Some((c, text.clone()))
        }
        _ => None,
    };
    let config = read_config(root)?;
    let spellings = read_spellings(root)?;
    let scripts = read_scripts(root)?;
    let input = pages::Input { plan, runs: runs_by_id, templates, assets, calibration, config, spellings, scripts };
    // Highlighted code from the last build: syntect is slow to warm up.
    const HIGHLIGHTS: &str = "highlight";
    let before = cache.load_json::<Vec<report::highlight::Block>>(HIGHLIGHTS);
    let highlighter = report::highlight::Highlighter::with_blocks(before.iter().flatten().cloned());
    let files = pages::render(&input, &highlighter).map_err(pages_err)?;
    let used = highlighter.used();
    if before.as_ref() != Some(&used) {
        cache.store_json(HIGHLIGHTS, &used)?;
    }
    // A page's own errors are named in the output folder (the site is not written yet).
    let out = rel(root, &paths.out);
    pages::check_links(&files, &origins)
        .map_err(|e| if e.file.starts_with("notes/") { anyhow!("{e}") } else { anyhow!("{out}/{e}") })?;
    Ok(Outcome { files, notes: note_count, ran, cached, unused, runs, elapsed: start.elapsed() })
}

pub use self::output::write;

/// A one-paragraph report of a build.
pub fn describe(o: &Outcome, wrote: Option<&Path>) -> String {
    let mut s = format!(
        "{} notes, {} experiments ({} run, {} cached; {} simulator runs), {} files in {:.2} s",
        o.notes,
        o.ran.len() + o.cached.len(),
        o.ran.len(),
        o.cached.len(),
        o.runs,
        o.files.len(),
        o.elapsed.as_secs_f64()
    );
    if let Some(out) = wrote {
        s.push_str(&format!(" -> {}", out.display()));
    }
    if !o.ran.is_empty() {
        s.push_str(&format!("\nran: {}", o.ran.join(", ")));
    }
    if !o.unused.is_empty() {
        s.push_str(&format!("\nunused experiments (no note references them): {}", o.unused.join(", ")));
    }
    s
}

/// Options of `build-site`.
#[derive(clap::Args)]
pub struct BuildArgs {
    /// Write the site here instead of `site/`.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `cargo xtask build-site`.
#[allow(clippy::print_stdout)]
pub fn build(root: &Path, args: &BuildArgs) -> Result<()> {
    let mut paths = Paths::new(root);
    if let Some(out) = &args.out {
        paths.out = out.clone();
    }
    output::check_target(&paths.out)?;
    match build_if_changed(&paths, true)? {
        Built::UpToDate(files) => println!(
            "site is up to date: nothing changed since the last build ({files} files) -> {}",
            paths.out.display()
        ),
        Built::Built(outcome) => println!("{}", describe(&outcome, Some(&paths.out))),
    }
    Ok(())
}

/// What [`build_if_changed`] did.
enum Built {
    /// Nothing changed: the output has this many files.
    UpToDate(usize),
    /// A build.
    Built(Box<Outcome>),
}

/// Builds and writes the site unless nothing it reads has changed since the
/// last build into the same directory ([`fresh`]).
fn build_if_changed(paths: &Paths, progress: bool) -> Result<Built> {
    let stamp = fresh::stamp(paths)?;
    if let Some(files) = fresh::up_to_date(paths, &stamp) {
        return Ok(Built::UpToDate(files));
    }
    fresh::forget(paths);
    let outcome = generate(paths, progress)?;
    write(&paths.out, &outcome.files)?;
    fresh::record(paths, &stamp)?;
    Ok(Built::Built(Box::new(outcome)))
}

/// Options of `check`.
#[derive(clap::Args)]
pub struct CheckArgs {
    /// Write the robustness of the claims to calibration/robustness.json
    /// (the site shows that file).
    #[arg(long)]
    write_robustness: bool,
}

/// `cargo xtask check`: everything a build checks, nothing written (but the
/// cache); then every claim at every parameter set near the fit.
#[allow(clippy::print_stdout)]
pub fn check(root: &Path, args: &CheckArgs) -> Result<()> {
    let paths = Paths::new(root);
    // First, so that the pages checked next show what was just written.
    let now = robust::check(&paths)?;
    let kept = robust::read(root)?;
    if let (Some(now), true) = (&now, args.write_robustness) {
        std::fs::write(root.join(robust::FILE), robust::text(now)?)
            .with_context(|| format!("cannot write {}", robust::FILE))?;
    }
    let outcome = generate(&paths, true)?;
    println!("ok: {}", describe(&outcome, None));
    let Some(now) = now else {
        println!("robustness: no calibration/fitted.json, nothing to check against");
        return Ok(());
    };
    println!("{}", robust::report(&now));
    if args.write_robustness {
        println!("wrote {}", robust::FILE);
    } else if kept.as_ref() != Some(&now) {
        println!("{} is out of date: `cargo xtask check --write-robustness` updates it", robust::FILE);
    }
    Ok(())
}

/// `cargo xtask values EXP...`: every named value of experiments (run or
/// from the cache), for writing notes and claims.
#[allow(clippy::print_stdout)]
pub fn values(root: &Path, ids: &[String]) -> Result<()> {
    let paths = Paths::new(root);
    let defs = read_experiments(root)?;
    let prepared: Vec<Prepared> = ids
        .iter()
        .map(|id| {
            let def = defs.get(id).ok_or_else(|| anyhow!("no experiment `{id}` (notes/experiments/{id}.yaml)"))?;
            prepare(&paths, id, def)
        })
        .collect::<Result<_>>()?;
    let Executed { data, .. } = execute(&Cache::new(paths.cache.clone()), &prepared, true)?;
    for id in ids {
        let values = experiments::values(&defs[id].def, &data[id]).map_err(|e| anyhow!("{id}: {e}"))?;
        for (name, v) in values {
            println!("{id}.{name} = {v}");
        }
    }
    Ok(())
}

/// Runs `f`: its value, wall time and this process's CPU time.
fn timed<T>(f: impl FnOnce() -> Result<T>) -> Result<(T, Duration, Duration)> {
    let (t, cpu) = (Instant::now(), cpu_time::ProcessTime::now());
    let v = f()?;
    Ok((v, t.elapsed(), cpu.elapsed()))
}

/// `cargo xtask bench-site`: a clean build, a rebuild with nothing changed,
/// and a rebuild that renders every page again from the experiment cache
/// (what an edit to a note or a template costs).
#[allow(clippy::print_stdout)]
pub fn bench(root: &Path) -> Result<()> {
    let scratch = std::env::temp_dir().join(format!("gil-lab-bench-site-{}", std::process::id()));
    let mut paths = Paths::new(root);
    paths.cache = scratch.join("cache");
    paths.out = scratch.join("site");
    // Each is what `build-site` does: check the inputs, generate, write.
    let (clean, clean_total, clean_cpu) = timed(|| build_if_changed(&paths, false))?;
    let Built::Built(clean) = clean else { bail!("a clean build found an up-to-date site") };
    let (warm, warm_total, _) = timed(|| build_if_changed(&paths, false))?;
    let (render, render_total, render_cpu) = timed(|| {
        fresh::forget(&paths);
        build_if_changed(&paths, false)
    })?;
    let Built::Built(render) = render else { bail!("a forgotten stamp still skipped the build") };
    std::fs::remove_dir_all(&scratch).ok();
    // The calibration comparison alone: a clean build runs it beside the
    // experiments, and its CPU time bounds how fast that can be.
    let comparison = match read_calibration(root)? {
        Some((m, _)) => Some(timed(|| Ok(calibration::compare(&m, &calibration::current_params())?))?),
        None => None,
    };
    println!(
        "notes: {}, experiments: {}, files: {}",
        clean.notes,
        clean.ran.len() + clean.cached.len(),
        clean.files.len()
    );
    println!(
        "clean build: {:.3} s, {:.3} s of CPU ({} experiments run, {} simulator runs)",
        clean_total.as_secs_f64(),
        clean_cpu.as_secs_f64(),
        clean.ran.len(),
        clean.runs
    );
    println!(
        "warm rebuild (nothing changed): {:.3} s{}",
        warm_total.as_secs_f64(),
        if matches!(warm, Built::UpToDate(_)) { ", up to date" } else { ", built again" }
    );
    println!(
        "re-render from the cache (a note edited): {:.3} s, {:.3} s of CPU ({} experiments run)",
        render_total.as_secs_f64(),
        render_cpu.as_secs_f64(),
        render.ran.len()
    );
    if let Some((_, wall, cpu)) = comparison {
        println!("calibration comparison alone: {:.3} s ({:.3} s of CPU)", wall.as_secs_f64(), cpu.as_secs_f64());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An editor's lock or backup next to the notes is not a note, and a
    /// name that is not a regular file is refused instead of read (a FIFO
    /// would block the build).
    #[test]
    fn hidden_names_are_skipped_and_odd_files_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "x").unwrap();
        std::fs::write(dir.path().join(".#a.md"), "x").unwrap();
        std::os::unix::fs::symlink("nowhere", dir.path().join(".#b.md")).unwrap();
        let found: Vec<String> = read_dir(dir.path(), ".md").unwrap().into_iter().map(|(s, _)| s).collect();
        assert_eq!(found, ["a"]);
        std::fs::create_dir(dir.path().join("c.md")).unwrap();
        let err = read_dir(dir.path(), ".md").unwrap_err().to_string();
        assert!(err.contains("c.md: not a regular file"), "{err}");
    }

    #[test]
    fn windows_line_ends_and_a_byte_order_mark_read_as_plain_text() {
        assert_eq!(normalize_newlines("\u{feff}---\r\ntitle: A\r\n---\r\n".into()), "---\ntitle: A\n---\n");
        assert_eq!(normalize_newlines("a\nb".into()), "a\nb");
    }
}
