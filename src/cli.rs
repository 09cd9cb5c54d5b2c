//! The command line. clap types stop here: arguments become a [`SpecSource`], overrides and
//! a [`Format`] before anything else runs.

use crate::error::{Error, Result};
use crate::model::{self, Severity};
use crate::render::{self, Format};
use crate::spec::{self, SpecSource};
use crate::{output, presets};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;

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
    /// Print a JSON report on stdout.
    #[arg(long)]
    json: bool,
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
    }
}

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
    let model = model::resolve(&spec);
    let errors: Vec<String> = model
        .errors()
        .map(|f| format!("{}: {} [{}]", f.choice, f.message, f.source))
        .collect();
    match errors.len() {
        0 => {}
        1 => return Err(Error::Findings(format!(" {}", errors[0]))),
        _ => return Err(Error::Findings(format!("\n  {}", errors.join("\n  ")))),
    }
    let set = render::render(&model, &spec, format)?;
    output::check_target(&args.out)?;
    let written = if args.dry_run {
        output::plan(&set, &args.out)?
    } else {
        output::write(&set, &args.out)?
    };
    if args.json {
        let report = serde_json::json!({
            "out": args.out.display().to_string(),
            "format": format.name(),
            "dry_run": args.dry_run,
            "files": written,
            "findings": model.findings,
            "endpoints": model.endpoints.iter().map(|e| serde_json::json!({
                "key": e.key, "service_name": e.service_name, "reason": e.reason,
            })).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&report).expect("json"));
    } else {
        for f in model
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Info)
        {
            eprintln!("{f}");
        }
        let verb = if args.dry_run { "would write" } else { "wrote" };
        let changed = written
            .iter()
            .filter(|w| w.action != output::Action::Identical)
            .count();
        eprintln!(
            "{verb} {} files ({changed} changed) to {} ({})",
            written.len(),
            args.out.display(),
            format.name()
        );
        if args.dry_run {
            for w in &written {
                println!("{:9} {}", format!("{:?}", w.action).to_lowercase(), w.path);
            }
        }
    }
    Ok(0)
}
