//! The command line. clap types stop here: arguments become a [`SpecSource`], overrides and
//! a [`Format`] before anything else runs; [`reconcile`] decides what happens on disk and
//! this module prints it.
//!
//! Exit codes (docs/architecture.md § Exit codes, one contract for every command): 0 clean; 1 action needed (a
//! difference found by `diff` or `--check`, a conflict left by `upgrade` or `generate`);
//! 2 usage, input or runtime error; 3 input required but no terminal; 130 interrupted.

mod ecosystem;
mod explain;
mod generate;
mod init;
mod project;
mod report;
mod status;
pub(crate) mod ui;

use crate::error::{Error, Result};
use crate::model::{self, Model, Severity};
use crate::presets;
use crate::reconcile::{self, Decision, Plan};
use crate::render::{self, FileSet, Format};
use crate::spec::Valid;
use clap::{Parser, Subcommand};
use explain::ExplainArgs;
use generate::GenerateArgs;
use init::InitArgs;
use project::{DiffArgs, UpgradeArgs};
use std::io::Write;
use std::path::Path;
use ui::{GlobalArgs, detail, note, ui};

#[derive(Debug, Parser)]
#[command(
    name = "smgen",
    version,
    about = "Generate secure Amazon SageMaker environments as infrastructure code",
    long_about = None
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
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
    /// Answer questions in the terminal and write a new project (the interactive
    /// counterpart of `generate`).
    Init(InitArgs),
    /// Render a project from a preset or a config file; never prompts.
    #[command(after_help = GENERATE_EXAMPLES)]
    Generate(GenerateArgs),
    /// Show how a project on disk differs from a fresh render of its smgen.toml
    /// (exit 0: no difference, 1: differences).
    Diff(DiffArgs),
    /// Regenerate a project from its smgen.toml with this smgen, merging the changes into
    /// your edits (exit 1 when conflicts are left to resolve).
    Upgrade(UpgradeArgs),
    /// Explain an environment: what can reach what, the monthly cost of its network and
    /// encryption choices, a diagram, and the findings (writes nothing).
    Explain(ExplainArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(ecosystem::CompletionsArgs),
    /// Print the man page (roff), or write one page per command with --dir.
    Man(ecosystem::ManArgs),
    /// Print the JSON Schema of smgen.toml (editors validate and complete with it).
    Schema,
}

const GENERATE_EXAMPLES: &str = "Examples:
  smgen generate --preset vpc-only-isolated --out ml-env
      a new Terraform project from a preset (`smgen presets` lists them)
  smgen generate --preset regulated --format cdk --set project.name=fraud-ml \\
      --set project.region=ap-northeast-1 --out fraud-ml
      another format, with answers changed on the way
  smgen generate --config ml-env/smgen.toml --out ml-env --check
      CI gate: exit 1 when the project has changes `smgen upgrade` would bring
  smgen generate --config smgen.toml --out ml-env --dry-run --json
      what would be written, as data

In an existing project, change answers with `smgen upgrade --set KEY=VALUE`: generate refuses
other answers than the project's smgen.toml unless --force.";

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
    cli.global.install();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            let hint = match &e {
                Error::UnknownPreset { name, .. } => {
                    ecosystem::closest(name, presets::all().iter().map(|p| p.name))
                        .map(|k| format!("; did you mean '{k}'?"))
                        .unwrap_or_default()
                }
                _ => String::new(),
            };
            eprintln!("error: {e}{hint}");
            e.code()
        }
    }
}

fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Presets { json } => {
            let all = presets::all();
            if json {
                report::print(&report::Presets {
                    schema: report::PRESETS,
                    presets: all
                        .iter()
                        .map(|p| report::PresetRow {
                            name: p.name.to_string(),
                            description: p.description.to_string(),
                        })
                        .collect(),
                });
            } else {
                let width = all.iter().map(|p| p.name.len()).max().unwrap_or(0);
                let mut out = std::io::stdout().lock();
                for p in all {
                    let _ = writeln!(out, "{:width$}  {}", p.name, p.description);
                }
            }
            Ok(0)
        }
        Command::Init(args) => init::init(args),
        Command::Generate(args) => generate::generate(args),
        Command::Diff(args) => project::diff(args),
        Command::Upgrade(args) => project::upgrade(args),
        Command::Explain(args) => explain::explain(args),
        Command::Completions(args) => ecosystem::completions(args),
        Command::Man(args) => ecosystem::man(args),
        Command::Schema => ecosystem::schema(),
    }
}

/// What `build` made: each environment's model (one, unnamed, for a project without
/// `[environments]`), the findings across environments, and the rendered files.
pub(crate) struct Built {
    pub models: Vec<(Option<String>, Model)>,
    pub across: Vec<crate::model::findings::Finding>,
    pub set: FileSet,
}

impl Built {
    /// The model of a one-environment project; the first environment's otherwise.
    pub fn model(&self) -> &Model {
        &self.models[0].1
    }

    /// Every finding, an environment's named by it (`environments.prod: network.nat`).
    pub fn findings(&self) -> Vec<crate::model::findings::Finding> {
        let mut out = self.across.clone();
        for (name, model) in &self.models {
            out.extend(model.findings.iter().map(|f| match name {
                Some(n) => crate::model::findings::Finding {
                    choice: format!("environments.{n}: {}", f.choice),
                    ..f.clone()
                },
                None => f.clone(),
            }));
        }
        out
    }
}

/// Resolves and renders; blocking findings are one error. `project` is the project directory
/// when there is one: its lifecycle scripts (`lifecycle/*.sh`, yours once written) are what a
/// CloudFormation template embeds.
pub(crate) fn build(spec: &Valid, format: Format, project: Option<&Path>) -> Result<Built> {
    let start = std::time::Instant::now();
    let root = match project {
        Some(dir) if dir.is_dir() => Some(crate::output::Root::open(dir)?),
        _ => None,
    };
    let resolve = |spec: &Valid| -> Result<Model> {
        let mut model = model::resolve(spec);
        model::lifecycle::load_scripts(&mut model.lifecycle_configs, |rel| {
            let Some(root) = &root else { return Ok(None) };
            root.read(rel)
        })?;
        Ok(model)
    };
    let envs = spec.environments();
    let models: Vec<(Option<String>, Model)> = if envs.is_empty() {
        vec![(None, resolve(spec)?)]
    } else {
        envs.iter()
            .map(|e| Ok((Some(e.name.clone()), resolve(&e.spec)?)))
            .collect::<Result<_>>()?
    };
    match models.len() {
        1 => detail!("resolved the model in {:.2?}", start.elapsed()),
        n => detail!(
            "resolved the models of {n} environments in {:.2?}",
            start.elapsed()
        ),
    }
    let mut errors = vec![];
    for (name, model) in &models {
        let prefix = name
            .as_ref()
            .map(|n| format!("environments.{n}: "))
            .unwrap_or_default();
        errors.extend(
            model
                .errors()
                .map(|f| format!("{prefix}{}: {} [{}]", f.choice, f.message, f.source)),
        );
    }
    match errors.len() {
        0 => {}
        1 => return Err(Error::Findings(format!(" {}", errors[0]))),
        _ => return Err(Error::Findings(format!("\n  {}", errors.join("\n  ")))),
    }
    let start = std::time::Instant::now();
    let (set, across) = if envs.is_empty() {
        (render::render(&models[0].1, spec, format)?, vec![])
    } else {
        let pairs: Vec<(crate::spec::Environment, Model)> = envs
            .iter()
            .cloned()
            .zip(models.iter().map(|(_, m)| m.clone()))
            .collect();
        (
            render::render_environments(&pairs, spec, format)?,
            model::findings::environments::across(&pairs),
        )
    };
    detail!(
        "rendered {} files ({}) in {:.2?}",
        set.files.len(),
        format.name(),
        start.elapsed()
    );
    Ok(Built {
        models,
        across,
        set,
    })
}

/// The `--env` selection of a command: which paths it may touch. Every path is in scope
/// without `--env`; with it, the files of the other environments (`environments/OTHER/…`,
/// `parameters/OTHER.json`) are left as they are, and the shared ones (module, template, app)
/// are in scope.
pub(crate) fn env_scope(spec: &Valid, selected: &[String]) -> Result<impl Fn(&str) -> bool> {
    let names: Vec<String> = spec.environments().iter().map(|e| e.name.clone()).collect();
    if let Some(first) = selected.first() {
        if names.is_empty() {
            return Err(Error::invalid(
                "--env",
                first,
                "these answers have no [environments.NAME] tables",
                "leave --env out, or add environments to smgen.toml (`smgen init` in the project adds one)",
            ));
        }
        if let Some(bad) = selected.iter().find(|s| !names.contains(s)) {
            return Err(Error::invalid(
                "--env",
                bad,
                "no such environment",
                format!("one of: {}", names.join(", ")),
            ));
        }
    }
    let others: Vec<String> = if selected.is_empty() {
        vec![]
    } else {
        names
            .into_iter()
            .filter(|n| !selected.contains(n))
            .collect()
    };
    Ok(move |path: &str| {
        let env = path
            .strip_prefix(render::ENVIRONMENTS_DIR)
            .and_then(|r| r.strip_prefix('/'))
            .and_then(|r| r.split_once('/'))
            .map(|(env, _)| env)
            .or_else(|| {
                path.strip_prefix("parameters/")
                    .and_then(|r| r.strip_suffix(".json"))
            });
        !env.is_some_and(|e| others.iter().any(|o| o == e))
    })
}

/// Findings on stderr: warnings always, informational ones with `--verbose`.
pub(crate) fn print_findings(built: &Built) {
    let verbose = ui().verbose;
    for f in built
        .findings()
        .iter()
        .filter(|f| verbose || f.severity != Severity::Info)
    {
        eprintln!("{f}");
    }
}

pub(crate) fn git_hint(dir: &Path, what: &str) {
    if reconcile::in_git_work_tree(dir) {
        note!(
            "{} is in a git work tree: `git diff` shows {what}",
            dir.display()
        );
    }
}

/// Writes to stdout; a closed pipe (`smgen diff | head`) is not an error worth a panic.
pub(crate) fn out(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// The decision table, one row per file that is not identical (and, for `generate`, only
/// rows worth a person's attention). On stdout for `upgrade`, stderr for `generate`.
pub(crate) fn print_table(plan: &Plan, for_generate: bool) {
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
                        | Decision::Kept
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

pub(crate) fn conflict_summary(conflicts: &[String], nothing_written: bool) {
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

/// The answers a lock records as applied, validated like any input (`None`: this smgen cannot
/// read them).
fn applied_valid(lock: &reconcile::Lock) -> Option<Valid> {
    let spec = reconcile::applied_spec(lock)?;
    let text = toml::to_string(&spec).ok()?;
    let source = crate::spec::SpecSource::Config {
        origin: crate::project::LOCK_PATH.into(),
        text,
    };
    crate::spec::load(&source, &[]).ok()
}

/// The model of the answers a lock records as applied (`None`: this smgen cannot read them).
pub(crate) fn applied_model(lock: &reconcile::Lock) -> Option<Model> {
    Some(model::resolve(&applied_valid(lock)?))
}

/// What changes in each environment of a project with `[environments]`, for people: per
/// environment a heading and its changes; an environment new to the answers, and one that
/// left them, whose resources outlive its removed files unless destroyed first.
pub(crate) fn environments_text(lock: Option<&reconcile::Lock>, built: &Built) -> String {
    let named: Vec<(&str, &Model)> = built
        .models
        .iter()
        .filter_map(|(n, m)| n.as_deref().map(|n| (n, m)))
        .collect();
    let Some(old) = lock.and_then(applied_valid) else {
        return String::new();
    };
    let before = old.environments();
    let mut s = String::new();
    for (name, model) in &named {
        match before.iter().find(|e| e.name == *name) {
            None if before.is_empty() => {}
            None => s.push_str(&format!("environment {name}: new\n")),
            Some(e) => {
                let c = reconcile::environment::changes(&model::resolve(&e.spec), model);
                if !c.is_empty() {
                    s.push_str(&format!("environment changes ({name}):\n"));
                    for line in c.lines() {
                        s.push_str(&format!("  {line}\n"));
                    }
                }
            }
        }
    }
    for e in before
        .iter()
        .filter(|e| !named.iter().any(|(n, _)| *n == e.name))
    {
        s.push_str(&format!(
            "environment {}: no longer in the answers: smgen stops generating its files, not its resources; destroy those with the files of the previous render (environments/{}/teardown.sh, then terraform destroy, delete-stack or cdk destroy); `smgen upgrade --dry-run` says this before anything is removed\n",
            e.name, e.name
        ));
    }
    s
}

/// What changes in the environment from the lock's answers to `model`, when it can be told.
pub(crate) fn environment(
    lock: Option<&reconcile::Lock>,
    built: &Built,
) -> Option<reconcile::environment::Changes> {
    // Several environments: the changes are in each environment's ARCHITECTURE.md diff.
    if built.models.len() != 1 || built.models[0].0.is_some() {
        return None;
    }
    let old = applied_model(lock?)?;
    Some(reconcile::environment::changes(&old, built.model()))
}

/// The environment changes for people: a heading and one indented line per change; empty
/// when nothing changes.
pub(crate) fn environment_text(changes: Option<&reconcile::environment::Changes>) -> String {
    let Some(c) = changes.filter(|c| !c.is_empty()) else {
        return String::new();
    };
    let mut s = String::from("environment changes:\n");
    for line in c.lines() {
        s.push_str(&format!("  {line}\n"));
    }
    s
}
