//! `smgen generate`: render from a preset or a config file, write or check a project.

use super::project::unapplied;
use super::report;
use super::status::{self, Found};
use super::ui::{note, ui};
use super::{
    build, conflict_summary, environment, environment_text, out, print_findings, print_table,
};
use crate::error::{Error, Result};
use crate::output::{self, Root, Target};
use crate::reconcile::{self, ChangeKind, Decision, Disk, Drift, Labels, Status};
use crate::render::{FileSet, Format};
use crate::spec::{self, Spec, SpecSource};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// Start from a built-in preset (see `smgen presets`).
    #[arg(long, conflicts_with = "config", required_unless_present = "config", value_parser = super::ecosystem::presets(), hide_possible_values = true)]
    preset: Option<String>,
    /// Read the answers from a TOML file (such as a project's smgen.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Override one answer: `--set network.nat=single` (same paths as the TOML keys).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = super::ecosystem::set_keys(), hide_possible_values = true)]
    sets: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Terraform)]
    format: Format,
    /// Directory to write the project into (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Show what would be written, write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Gate for CI: write nothing; exit 1 when --out has pending changes (these answers or
    /// this smgen render differently from its last upgrade) or unresolved conflicts. Your
    /// edits, which `smgen upgrade` keeps, pass (unless --strict).
    #[arg(long, conflicts_with = "dry_run")]
    check: bool,
    /// With --check: exit 1 on your edits too.
    #[arg(long, requires = "check")]
    strict: bool,
    /// Write into a non-empty directory that is not an smgen project (files already there
    /// are merged with conflict markers, never overwritten), or into a project whose
    /// smgen.toml holds other answers or another format (this run's answers replace them).
    #[arg(long)]
    force: bool,
    /// Only these environments (`[environments.NAME]`; repeat for several): their own files
    /// and the shared ones are written or checked, the other environments' are left as they
    /// are. Default: every environment.
    #[arg(long = "env", value_name = "NAME")]
    envs: Vec<String>,
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
    let format = args.format;
    let spec = spec::load(&source, &args.sets)?;
    let scope = super::env_scope(&spec, &args.envs)?;
    let mut built = build(&spec, format, Some(&args.out))?;
    let mut set = std::mem::take(&mut built.set);
    let model = built.model();
    set.files.retain(|path, _| scope(path));
    let target = output::check_target(&args.out, args.force)?;
    if args.check {
        return check(&args, format, &spec, &set, target, &scope);
    }
    if target == Target::Project && !args.force {
        refuse_other_answers(&args, format, &spec)?;
    }
    let mut env = None;
    let mut multi_env_text = String::new();
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
            let plan = reconcile::plan_scoped(&root, lock.as_ref(), &set, &labels, &scope)?;
            // smgen.toml records this run's answers; kept as it is when they are the same.
            let answers_path = args.out.join(crate::project::ANSWERS);
            let answers_action = match root.read(crate::project::ANSWERS)? {
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
                .then(|| set.files[crate::project::ANSWERS].clone());
            for w in &plan.warnings {
                eprintln!("warning: {w}");
            }
            env = environment(lock.as_ref(), &built);
            multi_env_text = super::environments_text(lock.as_ref(), &built);
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
            files.push((crate::project::ANSWERS.into(), answers_action.as_str()));
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
        let findings = built.findings();
        report::print(&report::Generate {
            schema: report::GENERATE,
            out: args.out.display().to_string(),
            format: format.name(),
            dry_run: args.dry_run,
            files: files
                .iter()
                .map(|(path, action)| report::FileAction {
                    path: path.clone(),
                    action,
                })
                .collect(),
            conflicts: conflicts.clone(),
            findings: &findings,
            // Several environments: each one's endpoints under `environments`.
            endpoints: if spec.environments().is_empty() {
                model
                    .endpoints
                    .iter()
                    .map(report::EndpointRow::of)
                    .collect()
            } else {
                vec![]
            },
            environment: env.clone(),
            environments: spec
                .environments()
                .iter()
                .zip(&built.models)
                .map(|(e, (_, m))| report::EnvironmentRow {
                    name: &e.name,
                    stage: e.stage().map(|s| s.name()),
                    account_id: e.spec.project.account_id.as_deref(),
                    region: &m.region,
                    endpoints: m.endpoints.iter().map(report::EndpointRow::of).collect(),
                })
                .collect(),
        });
    } else {
        print_findings(&built);
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
        let mut text = environment_text(env.as_ref());
        if target != Target::New {
            text.push_str(&multi_env_text);
        }
        if !text.is_empty() {
            eprint!("{text}");
        }
        conflict_summary(&conflicts, args.dry_run);
        if target == Target::New && !args.dry_run {
            super::init::next_steps(&args.out, format, &super::init::env_names(&spec));
        }
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

/// `generate` into a project whose smgen.toml holds other answers (or whose lock another
/// format) would replace them without a word: refused, naming the `upgrade --set` that
/// changes them on purpose, or `--force`.
fn refuse_other_answers(args: &GenerateArgs, format: Format, spec: &Spec) -> Result<()> {
    let root = Root::open(&args.out)?;
    let refuse = |message: String| Error::Output {
        path: args.out.clone(),
        message,
    };
    if let Some(lock) = reconcile::read_lock(&root)?
        && lock.format() != format
    {
        return Err(refuse(format!(
            "is a {} project; generating {} into it would replace every file. Use another \
             --out, or pass --force to replace it on purpose",
            lock.format,
            format.name()
        )));
    }
    let Some(bytes) = root.read(crate::project::ANSWERS)? else {
        return Ok(());
    };
    let origin = args.out.join(crate::project::ANSWERS).display().to_string();
    let text = String::from_utf8(bytes).map_err(|_| Error::Toml {
        origin: origin.clone(),
        message: "not UTF-8 text".into(),
    })?;
    let recorded = spec::load(
        &SpecSource::Config {
            origin: origin.clone(),
            text,
        },
        &[],
    );
    let recorded = match recorded {
        Ok(r) if *r == *spec => return Ok(()),
        Ok(r) => r,
        Err(e) => {
            return Err(refuse(format!(
                "its {} does not load ({e}); fix it and run `smgen upgrade {}`, or pass --force to replace its answers with these",
                crate::project::ANSWERS,
                args.out.display()
            )));
        }
    };
    let (old, new) = (
        reconcile::answers_table(&recorded),
        reconcile::answers_table(spec),
    );
    let sets = reconcile::answer_sets(&old, &new);
    let changes = reconcile::answer_changes(&old, &new);
    let how = if sets.is_empty() {
        format!(
            "edit {origin} and run `smgen upgrade {}`",
            args.out.display()
        )
    } else {
        format!("`smgen upgrade {} {}`", args.out.display(), sets.join(" "))
    };
    Err(refuse(format!(
        "is an smgen project whose {} holds other answers ({}); change them with {how} (your edits are merged), or pass --force to replace its answers with these",
        crate::project::ANSWERS,
        changes.join("; ")
    )))
}

/// `generate --check`: compares, writes nothing.
fn check(
    args: &GenerateArgs,
    format: Format,
    spec: &Spec,
    set: &FileSet,
    target: Target,
    scope: &dyn Fn(&str) -> bool,
) -> Result<i32> {
    let found = if target == Target::New {
        let files = set
            .files
            .iter()
            .filter(|(p, _)| *p != crate::project::ANSWERS)
            .map(|(path, text)| Drift {
                path: path.clone(),
                status: Status {
                    edit: None,
                    pending: Some(ChangeKind::Added),
                    no_base: false,
                    unresolved: false,
                },
                base: None,
                ours: Disk::Absent,
                theirs: Some(text.clone()),
            })
            .collect();
        Found {
            files,
            answers: status::Answers {
                changes: vec![],
                file: Some((None, set.files[crate::project::ANSWERS].clone())),
            },
        }
    } else {
        let root = Root::open(&args.out)?;
        let lock = reconcile::read_lock(&root)?;
        // The answers: the same spec is no difference, whatever the file's comments and
        // layout.
        let answers = root
            .read(crate::project::ANSWERS)?
            .and_then(|b| String::from_utf8(b).ok());
        let recorded = answers.as_ref().and_then(|t| {
            spec::load(
                &SpecSource::Config {
                    origin: crate::project::ANSWERS.into(),
                    text: t.clone(),
                },
                &[],
            )
            .ok()
        });
        let file = (recorded.as_deref() != Some(spec))
            .then(|| (answers, set.files[crate::project::ANSWERS].clone()));
        Found {
            files: reconcile::drift_scoped(&root, lock.as_ref(), set, scope)?,
            answers: status::Answers {
                changes: lock
                    .as_ref()
                    .map(|l| unapplied(l, spec))
                    .unwrap_or_default(),
                file,
            },
        }
    };
    let code = found.code(args.strict);
    if args.json {
        report::print(&report::Check {
            schema: report::CHECK,
            out: args.out.display().to_string(),
            format: format.name(),
            check: true,
            strict: args.strict,
            status: status::report(&found),
        });
        return Ok(code);
    }
    status::print_diffs(&found, ui().color);
    let (pending, edited) = (found.pending(), found.edited());
    if code == 0 {
        let mut line = format!(
            "nothing pending: {} is up to date with these answers and smgen {} ({} files, {})",
            args.out.display(),
            reconcile::VERSION,
            set.files.len(),
            format.name()
        );
        if edited > 0 {
            line.push_str(&format!(
                "; {edited} file{} carr{} your edits, which `smgen upgrade` keeps (--strict fails on them)",
                if edited == 1 { "" } else { "s" },
                if edited == 1 { "ies" } else { "y" }
            ));
        }
        note!("{line}");
    } else {
        let what = if pending > 0 {
            format!(
                "{pending} pending change{} (run `smgen upgrade {}` to apply them; your edits are kept)",
                if pending == 1 { "" } else { "s" },
                args.out.display()
            )
        } else {
            format!(
                "{edited} edited file{} (--strict)",
                if edited == 1 { "" } else { "s" }
            )
        };
        eprintln!(
            "not up to date: {} has {what} ({} files, {}):",
            args.out.display(),
            set.files.len(),
            format.name()
        );
        for row in status::stat_rows(&found) {
            eprintln!("  {row}");
        }
    }
    Ok(code)
}
