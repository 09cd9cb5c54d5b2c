//! The command line. clap types stop here: arguments become a [`SpecSource`], overrides and
//! a [`Format`] before anything else runs; [`reconcile`] decides what happens on disk and
//! this module prints it.
//!
//! Exit codes (DESIGN.md §3, one contract for every command): 0 clean; 1 action needed (a
//! difference found by `diff` or `--check`, a conflict left by `upgrade` or `generate`);
//! 2 usage, input or runtime error; 3 input required but no terminal.

use crate::error::{Error, Result};
use crate::model::{self, Model, Severity};
use crate::output::{self, Root, Target};
use crate::presets;
use crate::reconcile::{self, Decision, Disk, Labels, Lock, Plan, report};
use crate::render::{self, FileSet, Format};
use crate::spec::{self, Spec, SpecSource};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "smgen",
    version,
    about = "Generate secure Amazon SageMaker environments as infrastructure code",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the built-in presets.
    Presets {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Render a project from a preset or a config file; never prompts.
    Generate(GenerateArgs),
    /// Show how a project on disk differs from a fresh render of its smgen.toml
    /// (exit 0: no difference, 1: differences).
    Diff(DiffArgs),
    /// Regenerate a project from its smgen.toml with this smgen, merging the changes into
    /// your edits (exit 1 when conflicts are left to resolve).
    Upgrade(UpgradeArgs),
}

#[derive(Debug, Args)]
struct GenerateArgs {
    /// Start from a built-in preset (see `smgen presets`).
    #[arg(long, conflicts_with = "config", required_unless_present = "config")]
    preset: Option<String>,
    /// Read the answers from a TOML file (such as a project's smgen.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Override one answer: `--set network.nat=single` (same paths as the TOML keys).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Output format.
    #[arg(long, default_value = "terraform", value_parser = clap::builder::PossibleValuesParser::new(Format::NAMES))]
    format: String,
    /// Directory to write the project into (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Show what would be written, write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Drift gate for CI: write nothing; exit 1 when the files in --out differ from this
    /// render.
    #[arg(long, conflicts_with = "dry_run")]
    check: bool,
    /// Write into a non-empty directory that is not an smgen project (files already there
    /// are merged with conflict markers, never overwritten).
    #[arg(long)]
    force: bool,
    /// Print a JSON report on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// A per-file summary instead of the diff.
    #[arg(long, conflicts_with = "json")]
    stat: bool,
    /// A JSON report on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct UpgradeArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Change one answer in smgen.toml first (only that value; comments and layout stay).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Print the decision table and the diffs; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// What to do with a conflict: write it with markers, or write nothing at all.
    #[arg(long, value_enum, default_value_t = ConflictMode::Markers)]
    conflict: ConflictMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ConflictMode {
    /// Write conflicting files with `<<<<<<< yours` … `>>>>>>> smgen` markers.
    Markers,
    /// Write nothing when any file conflicts.
    Fail,
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.code()
        }
    }
}

fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Presets { json } => {
            let all = presets::all();
            let mut out = std::io::stdout().lock();
            if json {
                let items: Vec<_> = all
                    .iter()
                    .map(|p| serde_json::json!({"name": p.name, "description": p.description}))
                    .collect();
                let _ = writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&items).expect("json")
                );
            } else {
                let width = all.iter().map(|p| p.name.len()).max().unwrap_or(0);
                for p in all {
                    let _ = writeln!(out, "{:width$}  {}", p.name, p.description);
                }
            }
            Ok(0)
        }
        Command::Generate(args) => generate(args),
        Command::Diff(args) => diff(args),
        Command::Upgrade(args) => upgrade(args),
    }
}

/// Resolves and renders; blocking findings are one error.
fn build(spec: &Spec, format: Format) -> Result<(Model, FileSet)> {
    let model = model::resolve(spec);
    let errors: Vec<String> = model
        .errors()
        .map(|f| format!("{}: {} [{}]", f.choice, f.message, f.source))
        .collect();
    match errors.len() {
        0 => {}
        1 => return Err(Error::Findings(format!(" {}", errors[0]))),
        _ => return Err(Error::Findings(format!("\n  {}", errors.join("\n  ")))),
    }
    let set = render::render(&model, spec, format)?;
    Ok((model, set))
}

fn print_findings(model: &Model) {
    for f in model
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
    {
        eprintln!("{f}");
    }
}

fn git_hint(dir: &Path, what: &str) {
    if reconcile::in_git_work_tree(dir) {
        eprintln!(
            "{} is in a git work tree: `git diff` shows {what}",
            dir.display()
        );
    }
}

/// Writes to stdout; a closed pipe (`smgen diff | head`) is not an error worth a panic.
fn out(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

// ---------------------------------------------------------------------------------------------
// generate
// ---------------------------------------------------------------------------------------------

fn generate(args: GenerateArgs) -> Result<i32> {
    let source = match (&args.preset, &args.config) {
        (Some(p), _) => SpecSource::Preset(p.clone()),
        (None, Some(path)) => SpecSource::Config {
            origin: path.display().to_string(),
            text: std::fs::read_to_string(path)
                .map_err(|e| Error::io(format!("reading {}", path.display()), e))?,
        },
        (None, None) => unreachable!("clap requires --preset or --config"),
    };
    let format = Format::parse(&args.format).expect("clap checked the value");
    let spec = spec::load(&source, &args.sets)?;
    let (model, set) = build(&spec, format)?;
    let target = output::check_target(&args.out, args.force)?;
    if args.check {
        return check(&args, format, &spec, &set, target);
    }
    // (path, action) for every rendered file (smgen.toml included) and every file a decision
    // touches; the conflicts; how many files change on disk.
    let (files, conflicts, changed): (Vec<(String, &str)>, Vec<String>, usize) = match target {
        Target::New => {
            if !args.dry_run {
                let mut all = set.clone();
                all.files
                    .extend(reconcile::initial_state(&set, format, &spec)?.files);
                output::write_new(&all, &args.out)?;
            }
            let files = set.files.keys().map(|p| (p.clone(), "create")).collect();
            (files, vec![], set.files.len())
        }
        Target::Project | Target::Foreign => {
            let root = Root::open(&args.out)?;
            let lock = reconcile::read_lock(&root)?;
            let labels = Labels {
                old: lock.as_ref().map(|l| l.smgen.clone()),
                new: reconcile::VERSION.into(),
            };
            let plan = reconcile::plan(&root, lock.as_ref(), &set, &labels)?;
            // smgen.toml records this run's answers; kept as it is when they are the same.
            let answers_path = args.out.join(reconcile::ANSWERS);
            let answers_action = match root.read(reconcile::ANSWERS)? {
                None => Decision::Create,
                Some(bytes) => {
                    let same = String::from_utf8(bytes).ok().and_then(|text| {
                        let src = SpecSource::Config {
                            origin: answers_path.display().to_string(),
                            text,
                        };
                        spec::load(&src, &[]).ok()
                    });
                    if same.as_ref() == Some(&spec) {
                        Decision::Identical
                    } else {
                        Decision::UpdateClean
                    }
                }
            };
            let answers = (answers_action != Decision::Identical)
                .then(|| set.files[reconcile::ANSWERS].clone());
            for w in &plan.warnings {
                eprintln!("warning: {w}");
            }
            if !args.dry_run {
                let lock = reconcile::new_lock(format, &spec, &plan);
                reconcile::apply(&root, &plan, answers.as_deref(), &lock)?;
            }
            let mut files: Vec<(String, &str)> = plan
                .entries
                .iter()
                .filter(|e| {
                    set.files.contains_key(&e.path) || e.decision != Decision::Remove || e.write
                })
                .map(|e| (e.path.clone(), e.decision.as_str()))
                .collect();
            files.push((reconcile::ANSWERS.into(), answers_action.as_str()));
            files.sort();
            if !args.json {
                print_table(&plan, true);
            }
            let conflicts = plan.conflicts().map(|e| e.path.clone()).collect();
            let changed = plan.writes().count() + usize::from(answers.is_some());
            (files, conflicts, changed)
        }
    };
    if args.json {
        let report = serde_json::json!({
            "out": args.out.display().to_string(),
            "format": format.name(),
            "dry_run": args.dry_run,
            "files": files.iter().map(|(path, action)| serde_json::json!({
                "path": path, "action": action,
            })).collect::<Vec<_>>(),
            "conflicts": conflicts,
            "findings": model.findings,
            "endpoints": model.endpoints.iter().map(|e| serde_json::json!({
                "key": e.key, "service_name": e.service_name, "reason": e.reason,
            })).collect::<Vec<_>>(),
        });
        out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report).expect("json")
        ));
    } else {
        print_findings(&model);
        let verb = if args.dry_run { "would write" } else { "wrote" };
        eprintln!(
            "{verb} {} files ({changed} changed) to {} ({})",
            set.files.len(),
            args.out.display(),
            format.name()
        );
        if args.dry_run {
            for (path, action) in &files {
                out(&format!("{action:12} {path}\n"));
            }
        }
        conflict_summary(&conflicts, args.dry_run);
    }
    Ok(if conflicts.is_empty() { 0 } else { 1 })
}

/// `generate --check`: compares, writes nothing.
fn check(
    args: &GenerateArgs,
    format: Format,
    spec: &Spec,
    set: &FileSet,
    target: Target,
) -> Result<i32> {
    let color = report::stdout_color();
    // (path, status, +lines, -lines)
    let mut rows: Vec<(String, &str, usize, usize)> = vec![];
    let mut text = String::new();
    if target == Target::New {
        for (path, contents) in &set.files {
            let (add, del) = report::counts(None, Some(contents));
            rows.push((path.clone(), "new", add, del));
        }
    } else {
        let root = Root::open(&args.out)?;
        let lock = reconcile::read_lock(&root)?;
        for d in reconcile::drift(&root, lock.as_ref(), set)? {
            let ours = d.ours.text();
            let (add, del) = report::counts(ours, d.theirs.as_deref());
            text.push_str(&drift_diff(&d, color));
            rows.push((d.path, d.kind.as_str(), add, del));
        }
        // The answers: the same spec is no drift, whatever the file's comments and layout.
        let answers = root
            .read(reconcile::ANSWERS)?
            .and_then(|b| String::from_utf8(b).ok());
        let recorded = answers.as_ref().and_then(|t| {
            spec::load(
                &SpecSource::Config {
                    origin: reconcile::ANSWERS.into(),
                    text: t.clone(),
                },
                &[],
            )
            .ok()
        });
        if recorded.as_ref() != Some(spec) {
            let new = &set.files[reconcile::ANSWERS];
            let (add, del) = report::counts(answers.as_deref(), Some(new));
            text.push_str(&report::unified(
                reconcile::ANSWERS,
                answers.as_deref(),
                Some(new),
                color,
            ));
            rows.push((
                reconcile::ANSWERS.into(),
                if answers.is_some() { "modified" } else { "new" },
                add,
                del,
            ));
        }
        rows.sort();
    }
    if args.json {
        let report = serde_json::json!({
            "out": args.out.display().to_string(),
            "format": format.name(),
            "check": true,
            "drift": rows.iter().map(|(p, s, a, d)| serde_json::json!({
                "path": p, "status": s, "insertions": a, "deletions": d,
            })).collect::<Vec<_>>(),
        });
        out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report).expect("json")
        ));
    } else {
        out(&text);
        if rows.is_empty() {
            eprintln!(
                "no drift: {} matches the render ({} files, {})",
                args.out.display(),
                set.files.len(),
                format.name()
            );
        } else {
            eprintln!(
                "drift: {} of {} files in {} differ from the render ({}):",
                rows.len(),
                set.files.len(),
                args.out.display(),
                format.name()
            );
            for (path, status, add, del) in &rows {
                eprintln!("  {status:9} {path} (+{add} -{del})");
            }
        }
    }
    Ok(if rows.is_empty() { 0 } else { 1 })
}

// ---------------------------------------------------------------------------------------------
// diff and upgrade
// ---------------------------------------------------------------------------------------------

/// A project's lock, its smgen.toml text and the path it was read from.
fn open_project(dir: &Path) -> Result<(Root, Lock, String, String)> {
    let root = Root::open(dir)?;
    let lock = reconcile::read_lock(&root)?.ok_or_else(|| Error::Lock {
        origin: dir.join(reconcile::LOCK_PATH).display().to_string(),
        message: format!(
            "missing: {} has no regeneration state (not an smgen project, or made by an older smgen); adopt it once with `smgen generate --config {} --format FORMAT --out {}` (files that differ get conflict markers)",
            dir.display(),
            dir.join(reconcile::ANSWERS).display(),
            dir.display()
        ),
    })?;
    let origin = dir.join(reconcile::ANSWERS).display().to_string();
    let text = root
        .read(reconcile::ANSWERS)?
        .ok_or_else(|| Error::Output {
            path: dir.join(reconcile::ANSWERS),
            message: "missing: the answers this project is rendered from".into(),
        })
        .and_then(|b| {
            String::from_utf8(b).map_err(|_| Error::Toml {
                origin: origin.clone(),
                message: "not UTF-8 text".into(),
            })
        })?;
    Ok((root, lock, text, origin))
}

fn drift_diff(d: &reconcile::Drift, color: bool) -> String {
    match (&d.ours, d.kind) {
        (Disk::Binary, _) => format!("Binary file {} differs from the render\n", d.path),
        (_, reconcile::DriftKind::Deleted) => format!(
            "Only in the render: {} (deleted on disk; `smgen upgrade` keeps it deleted and records that)\n",
            d.path
        ),
        (ours, _) => report::unified(&d.path, ours.text(), d.theirs.as_deref(), color),
    }
}

fn diff(args: DiffArgs) -> Result<i32> {
    let (root, lock, text, origin) = open_project(&args.dir)?;
    let spec = spec::load(&SpecSource::Config { origin, text }, &[])?;
    let (_, set) = build(&spec, lock.format())?;
    let drift = reconcile::drift(&root, Some(&lock), &set)?;
    let counts: Vec<(usize, usize)> = drift
        .iter()
        .map(|d| report::counts(d.ours.text(), d.theirs.as_deref()))
        .collect();
    if args.json {
        let files: Vec<_> = drift
            .iter()
            .zip(&counts)
            .map(|(d, (add, del))| {
                serde_json::json!({
                    "path": d.path,
                    "status": d.kind,
                    "insertions": add,
                    "deletions": del,
                    "diff": drift_diff(d, false),
                })
            })
            .collect();
        let report = serde_json::json!({
            "dir": args.dir.display().to_string(),
            "format": lock.format,
            "smgen": reconcile::VERSION,
            "changed": drift.len(),
            "files": files,
        });
        out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report).expect("json")
        ));
    } else if args.stat {
        let width = drift.iter().map(|d| d.path.len()).max().unwrap_or(0);
        for (d, (add, del)) in drift.iter().zip(&counts) {
            out(&format!(
                "{:9} {:width$}  +{add} -{del}\n",
                d.kind.as_str(),
                d.path
            ));
        }
    } else {
        let color = report::stdout_color();
        for d in &drift {
            out(&drift_diff(d, color));
        }
    }
    if drift.is_empty() {
        return Ok(0);
    }
    if !args.json {
        eprintln!(
            "{} file{} in {} differ from a fresh render of its smgen.toml ({}, smgen {}); `smgen upgrade` merges template changes and keeps your edits",
            drift.len(),
            if drift.len() == 1 { "" } else { "s" },
            args.dir.display(),
            lock.format,
            reconcile::VERSION
        );
        git_hint(&args.dir, "what changed since your last commit");
    }
    Ok(1)
}

fn upgrade(args: UpgradeArgs) -> Result<i32> {
    let (root, lock, text, origin) = open_project(&args.dir)?;
    let format = lock.format();
    let source = SpecSource::Config {
        origin: origin.clone(),
        text: text.clone(),
    };
    // Validated like `generate --set` (errors name the override), then written as a minimal
    // edit of the user's file.
    let spec = spec::load(&source, &args.sets)?;
    let new_answers = if args.sets.is_empty() {
        None
    } else {
        let edited = reconcile::set_answers(&text, &origin, &args.sets)?;
        let reread = spec::load(
            &SpecSource::Config {
                origin: origin.clone(),
                text: edited.clone(),
            },
            &[],
        )?;
        if reread != spec {
            return Err(Error::Toml {
                origin,
                message: "the edited file does not read back as the --set answers; edit it by hand or with `smgen generate --config`".into(),
            });
        }
        (edited != text).then_some(edited)
    };
    let (model, set) = build(&spec, format)?;
    let labels = Labels {
        old: Some(lock.smgen.clone()),
        new: reconcile::VERSION.into(),
    };
    let plan = reconcile::plan(&root, Some(&lock), &set, &labels)?;
    let new_lock = reconcile::new_lock(format, &spec, &plan);
    print_findings(&model);
    for w in &plan.warnings {
        eprintln!("warning: {w}");
    }

    if new_answers.is_some() {
        let sets: Vec<String> = args.sets.iter().map(|s| format!("--set {s}")).collect();
        out(&format!(
            "{:12}  {}  {}\n",
            "update-clean",
            reconcile::ANSWERS,
            sets.join(" ")
        ));
    }
    print_table(&plan, false);
    if args.dry_run {
        let color = report::stdout_color();
        if let Some(edited) = &new_answers {
            out(&report::unified(
                reconcile::ANSWERS,
                Some(&text),
                Some(edited),
                color,
            ));
        }
        for e in plan.writes() {
            out(&report::unified(
                &e.path,
                e.ours.text(),
                e.after.as_deref(),
                color,
            ));
        }
    }
    let conflicts: Vec<String> = plan.conflicts().map(|e| e.path.clone()).collect();
    let abort = !conflicts.is_empty() && args.conflict == ConflictMode::Fail;
    if !args.dry_run && !abort {
        reconcile::apply(&root, &plan, new_answers.as_deref(), &new_lock)?;
    }

    // The summary, on stderr.
    let counts = plan
        .counts()
        .iter()
        .map(|(d, n)| format!("{n} {}", d.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let verb = if args.dry_run {
        "would upgrade (dry run, nothing written)"
    } else if abort {
        "did not upgrade (--conflict fail, nothing written)"
    } else {
        "upgraded"
    };
    eprintln!(
        "{verb} {} ({}): {counts}; smgen {} → {}, templates {} → {}",
        args.dir.display(),
        lock.format,
        lock.smgen,
        reconcile::VERSION,
        lock.templates,
        new_lock.templates
    );
    let changes = reconcile::answer_changes(&lock.answers, &new_lock.answers);
    if !changes.is_empty() {
        eprintln!("answers changed: {}", changes.join("; "));
    }
    conflict_summary(&conflicts, args.dry_run || abort);
    if !args.dry_run && !abort && plan.writes().next().is_some() {
        git_hint(&args.dir, "everything this upgrade changed");
    }
    Ok(if conflicts.is_empty() { 0 } else { 1 })
}

/// The decision table, one row per file that is not identical (and, for `generate`, only
/// rows worth a person's attention). On stdout for `upgrade`, stderr for `generate`.
fn print_table(plan: &Plan, for_generate: bool) {
    let rows: Vec<String> = plan
        .entries
        .iter()
        .filter(|e| e.decision != Decision::Identical)
        .filter(|e| e.decision != Decision::Remove || e.write)
        .filter(|e| {
            !for_generate
                || matches!(
                    e.decision,
                    Decision::Conflict
                        | Decision::MergeClean
                        | Decision::UserDeleted
                        | Decision::WriteOnce
                )
        })
        .map(|e| {
            let detail = if e.detail.is_empty() {
                String::new()
            } else {
                format!("  {}", e.detail)
            };
            format!("{:12}  {}{detail}", e.decision.as_str(), e.path)
        })
        .collect();
    for row in rows {
        if for_generate {
            eprintln!("{row}");
        } else {
            out(&format!("{row}\n"));
        }
    }
}

fn conflict_summary(conflicts: &[String], nothing_written: bool) {
    if conflicts.is_empty() {
        return;
    }
    let what = if nothing_written {
        "would conflict"
    } else {
        "conflict: resolve the <<<<<<< yours … >>>>>>> smgen markers in"
    };
    eprintln!(
        "{} file{} {what}: {}",
        conflicts.len(),
        if conflicts.len() == 1 { "" } else { "s" },
        conflicts.join(", ")
    );
}
