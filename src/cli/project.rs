//! `smgen diff` and `smgen upgrade`: commands on an existing project directory.

use super::report;
use super::status::{self, Found};
use super::ui::{note, ui};
use super::{
    build, conflict_summary, environment, environment_text, git_hint, out, print_findings,
    print_table,
};
use crate::error::{Error, Result};
use crate::output::Root;
use crate::reconcile::{self, Decision, Labels, Lock};
use crate::spec::{self, SpecSource};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// A per-file summary instead of the diff.
    #[arg(long, conflicts_with = "json")]
    stat: bool,
    /// A JSON report on stdout.
    #[arg(long)]
    json: bool,
    /// Exit 1 on your edits too, not only on pending changes (a project that must stay
    /// exactly as rendered).
    #[arg(long)]
    strict: bool,
    /// Only these environments (`[environments.NAME]`; repeat for several) and the shared
    /// files. Default: every environment.
    #[arg(long = "env", value_name = "NAME")]
    envs: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct UpgradeArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Change one answer in smgen.toml first (only that value; comments and layout stay).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = super::ecosystem::set_keys(), hide_possible_values = true)]
    sets: Vec<String>,
    /// Print the decision table and the diffs; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// What to do with a conflict: write it with markers, or write nothing at all.
    #[arg(long, value_enum, default_value_t = ConflictMode::Markers)]
    conflict: ConflictMode,
    /// A JSON report on stdout (instead of the decision table and, with --dry-run, the diffs).
    #[arg(long)]
    json: bool,
    /// Only these environments (`[environments.NAME]`; repeat for several) and the shared
    /// files: the other environments' files stay as they are. Default: every environment.
    #[arg(long = "env", value_name = "NAME")]
    envs: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ConflictMode {
    /// Write conflicting files with `<<<<<<< yours` … `>>>>>>> smgen` markers.
    Markers,
    /// Write nothing when any file conflicts.
    Fail,
}

/// A project's lock, its smgen.toml text and the path it was read from.
fn open_project(dir: &Path) -> Result<(Root, Lock, String, String)> {
    let root = Root::open(dir)?;
    let lock = reconcile::read_lock(&root)?.ok_or_else(|| Error::Lock {
        origin: dir.join(crate::project::LOCK_PATH).display().to_string(),
        message: format!(
            "missing: {} has no regeneration state (not an smgen project, or made by an older smgen); adopt it once with `smgen generate --config {} --format FORMAT --out {}` (files that differ get conflict markers)",
            dir.display(),
            dir.join(crate::project::ANSWERS).display(),
            dir.display()
        ),
    })?;
    let origin = dir.join(crate::project::ANSWERS).display().to_string();
    let text = root
        .read(crate::project::ANSWERS)?
        .ok_or_else(|| Error::Output {
            path: dir.join(crate::project::ANSWERS),
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

/// The answers in `spec` that the lock does not record as applied.
pub(crate) fn unapplied(lock: &Lock, spec: &crate::spec::Spec) -> Vec<String> {
    if reconcile::applied_spec(lock).as_ref() == Some(spec) {
        return vec![];
    }
    let changes = reconcile::answer_changes(&lock.answers, &reconcile::answers_table(spec));
    if changes.is_empty() {
        vec!["(recorded by another smgen version)".into()]
    } else {
        changes
    }
}

pub(crate) fn diff(args: DiffArgs) -> Result<i32> {
    let (root, lock, text, origin) = open_project(&args.dir)?;
    let spec = spec::load(&SpecSource::Config { origin, text }, &[])?;
    let scope = super::env_scope(&spec, &args.envs)?;
    let set = build(&spec, lock.format(), Some(&args.dir))?.set;
    let found = Found {
        files: reconcile::drift_scoped(&root, Some(&lock), &set, &scope)?,
        answers: status::Answers {
            changes: unapplied(&lock, &spec),
            file: None,
        },
    };
    if args.json {
        report::print(&report::Diff {
            schema: report::DIFF,
            dir: args.dir.display().to_string(),
            format: lock.format.name(),
            smgen: reconcile::VERSION,
            strict: args.strict,
            status: status::report(&found),
        });
    } else if args.stat {
        for row in status::stat_rows(&found) {
            out(&format!("{row}\n"));
        }
    } else {
        status::print_diffs(&found, ui().color);
    }
    let code = found.code(args.strict);
    if !args.json {
        summarize(&found, &args.dir, code);
    }
    Ok(code)
}

/// The lines on stderr after `diff`: what is pending, what is yours, what to run.
fn summarize(found: &Found, dir: &Path, code: i32) {
    let (pending, edited) = (found.pending(), found.edited());
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if edited > 0 {
        note!(
            "{edited} file{} in {} carr{} your edits; `smgen upgrade` keeps them{}",
            plural(edited),
            dir.display(),
            if edited == 1 { "ies" } else { "y" },
            if code == 1 && pending == 0 {
                " (--strict: they fail this check)"
            } else {
                ""
            }
        );
    }
    let unresolved = found.unresolved();
    if !unresolved.is_empty() {
        eprintln!(
            "{} file{} still hold{} conflict markers: {}; resolve them, then run `smgen upgrade`",
            unresolved.len(),
            plural(unresolved.len()),
            if unresolved.len() == 1 { "s" } else { "" },
            unresolved.join(", ")
        );
    }
    if pending > unresolved.len() {
        note!(
            "{} pending change{} in {} (its smgen.toml or smgen {} renders differently from the last upgrade): `smgen upgrade` applies them and keeps your edits (`--dry-run` shows the result first)",
            pending - unresolved.len(),
            plural(pending - unresolved.len()),
            dir.display(),
            reconcile::VERSION
        );
    }
    if pending > 0 || edited > 0 {
        git_hint(dir, "what changed since your last commit");
    }
}

/// `smgen upgrade DIR --set …` for another command (`init --add-env`).
pub(crate) fn upgrade_with(dir: &Path, sets: Vec<String>) -> Result<i32> {
    upgrade(UpgradeArgs {
        dir: dir.to_path_buf(),
        sets,
        dry_run: false,
        conflict: ConflictMode::Markers,
        json: false,
        envs: vec![],
    })
}

pub(crate) fn upgrade(args: UpgradeArgs) -> Result<i32> {
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
    let mut built = build(&spec, format, Some(&args.dir))?;
    let set = std::mem::take(&mut built.set);
    let labels = Labels {
        old: Some(lock.smgen.clone()),
        new: reconcile::VERSION.into(),
    };
    let scope = super::env_scope(&spec, &args.envs)?;
    let plan = reconcile::plan_scoped(&root, Some(&lock), &set, &labels, &scope)?;
    let new_lock = reconcile::new_lock(format, &spec, &plan);
    print_findings(&built);
    for w in &plan.warnings {
        eprintln!("warning: {w}");
    }

    if new_answers.is_some() && !args.json {
        let sets: Vec<String> = args.sets.iter().map(|s| format!("--set {s}")).collect();
        out(&format!(
            "{:12}  {}  {}\n",
            "update-clean",
            crate::project::ANSWERS,
            sets.join(" ")
        ));
    }
    let env = environment(Some(&lock), &built);
    if !args.json {
        print_table(&plan, false);
        out(&environment_text(env.as_ref()));
        out(&super::environments_text(Some(&lock), &built));
    }
    if args.dry_run && !args.json {
        let color = ui().color;
        if let Some(edited) = &new_answers {
            out(&reconcile::report::unified(
                crate::project::ANSWERS,
                Some(&text),
                Some(edited),
                color,
            ));
        }
        for e in plan.writes() {
            out(&reconcile::report::unified(
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
    note!(
        "{verb} {} ({}): {counts}; smgen {} → {}, templates {} → {}",
        args.dir.display(),
        lock.format,
        lock.smgen,
        reconcile::VERSION,
        lock.templates,
        new_lock.templates
    );
    let changes = reconcile::answer_changes(&lock.answers, &new_lock.answers);
    if args.json {
        let files = plan
            .entries
            .iter()
            .filter(|e| e.decision != Decision::Identical)
            .map(|e| report::UpgradeFile {
                path: e.path.clone(),
                decision: e.decision.as_str(),
                write: e.write,
                detail: e.detail.clone(),
                diff: (args.dry_run && e.write).then(|| {
                    reconcile::report::unified(&e.path, e.ours.text(), e.after.as_deref(), false)
                }),
            })
            .collect();
        let findings = built.findings();
        report::print(&report::Upgrade {
            schema: report::UPGRADE,
            dir: args.dir.display().to_string(),
            format: lock.format.name(),
            dry_run: args.dry_run,
            written: !args.dry_run && !abort,
            smgen: report::FromTo {
                from: lock.smgen.clone(),
                to: reconcile::VERSION.into(),
            },
            templates: report::FromTo {
                from: lock.templates.clone(),
                to: new_lock.templates.clone(),
            },
            answers_changed: changes.clone(),
            answers_file: new_answers.is_some(),
            environment: env.clone(),
            files,
            conflicts: conflicts.clone(),
            findings: &findings,
        });
    }
    if !changes.is_empty() {
        note!("answers changed: {}", changes.join("; "));
    }
    conflict_summary(&conflicts, args.dry_run || abort);
    if !args.dry_run && !abort && plan.writes().next().is_some() {
        git_hint(&args.dir, "everything this upgrade changed");
    }
    Ok(if conflicts.is_empty() { 0 } else { 1 })
}
