//! `smgen init`: the wizard in a terminal, then the same write as `smgen generate`.

use super::build;
use super::generate::write_new_project;
use crate::error::{Error, Result};
use crate::output::{self, Target};
use crate::presets;
use crate::render::Format;
use crate::spec::{self, SpecSource};
use crate::wizard::{self, Outcome, Start, TermPrompter};
use clap::Args;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Directory to write the new project into (created if missing; must be empty).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Start from a built-in preset and ask only what it leaves open.
    #[arg(long, value_parser = super::ecosystem::presets(), hide_possible_values = true)]
    preset: Option<String>,
    /// Output format (asked when not given).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// With --preset: ask every question, the preset's answers as defaults.
    #[arg(long, requires = "preset")]
    ask_all: bool,
    /// Plain prompts without colors (also with `--color never` or the NO_COLOR environment
    /// variable).
    #[arg(long)]
    no_color: bool,
    /// In an existing project: add an environment (`[environments.NAME]`) and upgrade the
    /// project to render it. Asks its account, Region, VPC block and stage.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["preset", "format", "ask_all"])]
    add_env: Option<String>,
}

/// Set once the user confirmed: from then on Ctrl-C lets the write finish (it is staged and
/// renamed into place, never half-written).
static WRITING: AtomicBool = AtomicBool::new(false);
/// Whoever sets this first (the signal handler or the prompt that saw the key) reports the
/// interruption, so it is reported once.
static STOPPING: AtomicBool = AtomicBool::new(false);

pub(crate) fn init(args: InitArgs) -> Result<i32> {
    if let Some(name) = &args.add_env {
        return add_env(&args, name);
    }
    let preset = args.preset.as_deref().map(presets::find).transpose()?;
    let format = args.format;
    // init only creates: an existing project is upgraded, anything else is not touched.
    let refusal = match output::check_target(&args.dir, true)? {
        Target::New => None,
        Target::Project => Some(
            "is an smgen project already; change it with `smgen upgrade --set KEY=VALUE`, \
             or give init a new or empty directory",
        ),
        Target::Foreign => Some("is not empty; give init a new or empty directory"),
    };
    if let Some(message) = refusal {
        return Err(Error::Output {
            path: args.dir.clone(),
            message: message.into(),
        });
    }
    // Prompts are drawn on stderr (as every smgen message) and read from stdin.
    let terminal = std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal()
        && std::io::stderr().is_terminal();
    if !terminal {
        return Err(Error::NeedsInput(no_terminal(
            preset.map(|p| p.name),
            format,
            &args.dir,
        )));
    }
    let base = match preset {
        Some(p) => p.text.to_string(),
        None => seed(&args.dir),
    };
    let start = Start {
        preset: preset
            .map(|_| toml::from_str(&base))
            .transpose()
            .map_err(|e| Error::Toml {
                origin: "preset".into(),
                message: e.to_string(),
            })?,
        base,
        ask_all: args.ask_all,
        format,
    };
    let _ = ctrlc::set_handler(|| {
        if WRITING.load(Ordering::SeqCst) || STOPPING.swap(true, Ordering::SeqCst) {
            return;
        }
        interrupted_exit();
    });
    let no_color = args.no_color
        || super::ui::ui().choice == super::ui::ColorChoice::Never
        || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let mut prompter = TermPrompter::new(!no_color);
    let outcome = match wizard::run(&mut prompter, &start) {
        Err(Error::Interrupted) => {
            if STOPPING.swap(true, Ordering::SeqCst) {
                // The handler is reporting it and exiting.
                loop {
                    std::thread::park();
                }
            }
            interrupted_exit();
        }
        other => other?,
    };
    let (spec, format) = match outcome {
        Outcome::Quit => {
            eprintln!("nothing written");
            return Ok(1);
        }
        Outcome::Write { spec, format } => (spec, format),
    };
    let set = build(&spec, format, Some(&args.dir))?.set;
    WRITING.store(true, Ordering::SeqCst);
    write_new_project(&set, format, &spec, &args.dir)?;
    eprintln!(
        "wrote {} files to {} ({})\nsmgen.toml holds your answers; \
         `smgen upgrade --set KEY=VALUE` changes one",
        set.files.len(),
        args.dir.display(),
        format.name()
    );
    next_steps(&args.dir, format, &env_names(&spec));
    Ok(0)
}

/// `smgen init --add-env NAME DIR`: the environment's questions, then `smgen upgrade` with
/// the answers as `--set environments.NAME.…` overrides.
fn add_env(args: &InitArgs, name: &str) -> Result<i32> {
    if output::check_target(&args.dir, true)? != Target::Project {
        return Err(Error::Output {
            path: args.dir.clone(),
            message: "is not an smgen project; --add-env adds an environment to one (start one with `smgen init DIR`)".into(),
        });
    }
    let path = args.dir.join(crate::project::ANSWERS);
    let spec = spec::load(&SpecSource::config_file(&path)?, &[])?;
    let terminal = std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal()
        && std::io::stderr().is_terminal();
    if !terminal {
        let first = if spec.environments().is_empty() {
            "--set 'environments.dev={}' "
        } else {
            ""
        };
        let why = if first.is_empty() {
            ""
        } else {
            " (the existing environment needs a name too: dev here)"
        };
        return Err(Error::NeedsInput(format!(
            "smgen init --add-env needs a terminal to ask questions; without one, run \
             `smgen upgrade {dir} {first}--set 'environments.{name}.project.account_id=\"…\"' \
             --set environments.{name}.network.vpc.cidr=…`{why}",
            dir = shell_word(&args.dir),
        )));
    }
    let no_color = args.no_color
        || super::ui::ui().choice == super::ui::ColorChoice::Never
        || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let mut prompter = TermPrompter::new(!no_color);
    let sets = wizard::environment::add_environment(&mut prompter, &spec, name)?;
    super::project::upgrade_with(&args.dir, sets)
}

/// What to run after a new project is written, per format (the generated README.md has the
/// details: prerequisites, remote state, sign-in).
pub(crate) fn next_steps(dir: &Path, format: Format, envs: &[String]) {
    let mut text = format!(
        "next steps (README.md has the details):\n  cd {}\n",
        shell_word(dir)
    );
    let commands: Vec<String> = match (format, envs.first()) {
        (Format::Terraform, None) => vec![
            "terraform init".into(),
            "terraform test".into(),
            "terraform plan -out plan.tfplan".into(),
            "terraform apply plan.tfplan".into(),
        ],
        (Format::Terraform, Some(env)) => vec![
            format!("cd environments/{env}   # one root per environment: {}", envs.join(", ")),
            "terraform init && terraform test".into(),
            "terraform plan -out plan.tfplan && terraform apply plan.tfplan".into(),
        ],
        (Format::CloudFormation, None) => vec![
            "cfn-lint template.yaml".into(),
            "aws cloudformation deploy --template-file template.yaml --stack-name <stack> --capabilities CAPABILITY_NAMED_IAM   # README.md has the full command".into(),
        ],
        (Format::CloudFormation, Some(_)) => vec![
            "cfn-lint template*.yaml".into(),
            format!("# README.md has each environment's deploy command ({}), with parameters/NAME.json", envs.join(", ")),
        ],
        (Format::Cdk, None) => vec![
            "npm install".into(),
            "npm test".into(),
            "npx cdk bootstrap && npx cdk deploy".into(),
        ],
        (Format::Cdk, Some(env)) => vec![
            "npm install".into(),
            "npm test".into(),
            format!("npx cdk deploy '{env}/*'   # one Stage per environment: {}", envs.join(", ")),
        ],
    };
    for c in commands {
        text.push_str(&format!("  {c}\n"));
    }
    super::ui::note!("{}", text.trim_end());
}

/// The names of the answers' environments (empty for one environment).
pub(crate) fn env_names(spec: &crate::spec::Valid) -> Vec<String> {
    spec.environments().iter().map(|e| e.name.clone()).collect()
}

/// `dir` as one shell word.
fn shell_word(dir: &Path) -> String {
    crate::render::shell_word(&dir.display().to_string())
}

fn interrupted_exit() -> ! {
    let _ = console::Term::stderr().show_cursor();
    eprintln!("\n{}", Error::Interrupted);
    std::process::exit(Error::Interrupted.code());
}

/// Starting answers without a preset: the directory's name as the project name when it is a
/// valid one, and a region, both shown as defaults.
fn seed(dir: &Path) -> String {
    let text = |name: &str| format!("[project]\nname = \"{name}\"\nregion = \"us-east-1\"\n");
    let name = std::fs::canonicalize(dir)
        .unwrap_or_else(|_| dir.to_path_buf())
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase().replace('_', "-"))
        .unwrap_or_default();
    let candidate = text(&name.replace('"', ""));
    let valid = spec::load(
        &SpecSource::Config {
            origin: "seed".into(),
            text: candidate.clone(),
        },
        &[],
    )
    .is_ok();
    if valid { candidate } else { text("sagemaker") }
}

/// The message for a run without a terminal: the non-interactive command and its answers.
fn no_terminal(preset: Option<&str>, format: Option<Format>, dir: &Path) -> String {
    let format = format.map_or("terraform", Format::name);
    let dir = dir.display();
    match preset {
        Some(name) => {
            let open = wizard::missing_answers(presets::find(name).ok().map(|p| p.text));
            format!(
                "smgen init needs a terminal (stdin, stdout and stderr) to ask questions; \
                 without one, run `smgen generate --preset {name} --format {format} --out {dir}`. \
                 Answers the preset leaves open take their defaults; set them with --set \
                 KEY=VALUE: {}",
                open.join(", ")
            )
        }
        None => {
            let names: Vec<&str> = presets::all().iter().map(|p| p.name).collect();
            let missing = wizard::missing_answers(None);
            let sets: Vec<String> = missing.iter().map(|m| format!("--set {m}=…")).collect();
            format!(
                "smgen init needs a terminal (stdin, stdout and stderr) to ask questions; \
                 without one, run `smgen generate --preset … --format {format} --out {dir} {}`. \
                 Missing answers: preset (one of {}), {}",
                sets.join(" "),
                names.join(", "),
                missing.join(", ")
            )
        }
    }
}
