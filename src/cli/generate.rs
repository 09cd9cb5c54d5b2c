//! `smgen generate`: render from a preset or a config file, write or check a project.

use super::project::drift_diff;
use super::ui::{note, ui};
use super::{build, conflict_summary, out, print_findings, print_table};
use crate::error::Result;
use crate::output::{self, Root, Target};
use crate::reconcile::{self, Decision, Labels, report};
use crate::render::{FileSet, Format};
use crate::spec::{self, Spec, SpecSource};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
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

pub(crate) fn generate(args: GenerateArgs) -> Result<i32> {
    let source = match (&args.preset, &args.config) {
        (Some(p), _) => SpecSource::Preset(p.clone()),
        (None, Some(path)) => SpecSource::config_file(path)?,
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
                write_new_project(&set, format, &spec, &args.out)?;
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
        note!(
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

/// Writes a new project: the rendered files, `smgen.toml`, and the lock with its base copies,
/// staged and renamed into place. `smgen init` writes through here too, so that its project is
/// the one `generate --config smgen.toml` renders.
pub(crate) fn write_new_project(
    set: &FileSet,
    format: Format,
    spec: &Spec,
    out: &std::path::Path,
) -> Result<()> {
    let mut all = set.clone();
    all.files
        .extend(reconcile::initial_state(set, format, spec)?.files);
    output::write_new(&all, out)
}

/// `generate --check`: compares, writes nothing.
fn check(
    args: &GenerateArgs,
    format: Format,
    spec: &Spec,
    set: &FileSet,
    target: Target,
) -> Result<i32> {
    let color = ui().color;
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
            note!(
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
