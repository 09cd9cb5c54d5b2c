//! `smgen explain`: reachability, monthly cost, diagram and findings of a preset, a config
//! file or a generated project, as Markdown or JSON. Writes nothing.

use super::out;
use crate::error::{Error, Result};
use crate::explain::{self, DiagramFormat, report};
use crate::model;
use crate::reconcile;
use crate::spec::{self, SpecSource};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// A generated project directory (its smgen.toml is read).
    #[arg(conflicts_with_all = ["preset", "config"], required_unless_present_any = ["preset", "config"])]
    dir: Option<PathBuf>,
    /// Explain a built-in preset (see `smgen presets`).
    #[arg(long, conflicts_with = "config")]
    preset: Option<String>,
    /// Explain the answers in a TOML file (such as a project's smgen.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Override one answer: `--set network.nat=single` (same paths as the TOML keys).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Assumed GB per month leaving the VPC through NAT (or, without NAT, the interface
    /// endpoints); prices the per-GB charges.
    #[arg(long, value_name = "GB", allow_hyphen_values = true)]
    traffic_gb: Option<String>,
    /// Diagram syntax: Mermaid (renders on GitHub) or Graphviz dot.
    #[arg(long, default_value = "mermaid", value_parser = clap::builder::PossibleValuesParser::new(DiagramFormat::NAMES))]
    diagram: String,
    /// Print the explanation as JSON (schema smgen-explain/1, see the README).
    #[arg(long)]
    json: bool,
}

fn traffic(arg: Option<&str>) -> Result<Option<f64>> {
    let Some(text) = arg else { return Ok(None) };
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
        _ => Err(Error::invalid(
            "--traffic-gb",
            text,
            "must be a number of GB per month, zero or more",
            "for example --traffic-gb 500",
        )),
    }
}

pub(crate) fn explain(args: ExplainArgs) -> Result<i32> {
    let traffic_gb = traffic(args.traffic_gb.as_deref())?;
    let format = DiagramFormat::parse(&args.diagram).expect("clap checked the value");
    let source = match (&args.preset, &args.config, &args.dir) {
        (Some(p), _, _) => SpecSource::Preset(p.clone()),
        (None, Some(path), _) => SpecSource::config_file(path)?,
        (None, None, Some(dir)) => {
            let path = dir.join(reconcile::ANSWERS);
            if !path.is_file() {
                return Err(Error::Output {
                    path,
                    message: "missing: not an smgen project; explain a project directory, \
                              --config FILE or --preset NAME"
                        .into(),
                });
            }
            SpecSource::config_file(&path)?
        }
        (None, None, None) => unreachable!("clap requires DIR, --preset or --config"),
    };
    let spec = spec::load(&source, &args.sets)?;
    let model = model::resolve(&spec);
    let e = explain::explain(&model, traffic_gb, format);
    if args.json {
        out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&e).expect("json")
        ));
    } else {
        out(&report::markdown(
            &e,
            &format!("{}: what can reach what, and what it costs", model.name),
        ));
    }
    Ok(0)
}
