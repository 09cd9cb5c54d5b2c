//! `smgen explain`: reachability, monthly cost, diagram and findings of a preset, a config
//! file or a generated project. Writes nothing. In a terminal: plain tables that fit 100
//! columns ([`text`]); piped or with `--markdown`: the Markdown of every `ARCHITECTURE.md`
//! (with the diagram); `--json`: data.

use super::out;
use crate::error::{Error, Result};
use crate::explain::cost::{Charge, unit_usd, usd};
use crate::explain::reach::{self, Cell, Destination, Hop, Source};
use crate::explain::{self, DiagramFormat, Explanation, report};
use crate::model;
use crate::spec::{self, SpecSource};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// A generated project directory (its smgen.toml is read).
    #[arg(conflicts_with_all = ["preset", "config"], required_unless_present_any = ["preset", "config"])]
    dir: Option<PathBuf>,
    /// Explain a built-in preset (see `smgen presets`).
    #[arg(long, conflicts_with = "config", value_parser = super::ecosystem::presets(), hide_possible_values = true)]
    preset: Option<String>,
    /// Explain the answers in a TOML file (such as a project's smgen.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Override one answer: `--set network.nat=single` (same paths as the TOML keys).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = super::ecosystem::set_keys(), hide_possible_values = true)]
    sets: Vec<String>,
    /// Assumed GB per month leaving the VPC through NAT (or, without NAT, the interface
    /// endpoints); prices the per-GB charges.
    #[arg(long, value_name = "GB", allow_hyphen_values = true)]
    traffic_gb: Option<String>,
    /// Diagram syntax: Mermaid (renders on GitHub) or Graphviz dot.
    #[arg(long, value_enum, default_value_t = DiagramFormat::Mermaid)]
    diagram: DiagramFormat,
    /// Print the explanation as JSON (schema smgen-explain/1, see the README).
    #[arg(long, conflicts_with_all = ["markdown", "text"])]
    json: bool,
    /// Markdown with the diagram (what ARCHITECTURE.md holds), also in a terminal. The
    /// default when stdout is not a terminal.
    #[arg(long, conflicts_with = "text")]
    markdown: bool,
    /// Plain tables that fit 100 columns, also when piped. The default in a terminal.
    #[arg(long)]
    text: bool,
    /// Only these environments (`[environments.NAME]`; repeat for several). Default: every
    /// environment, one explanation each.
    #[arg(long = "env", value_name = "NAME")]
    envs: Vec<String>,
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
    let format = args.diagram;
    let source = match (&args.preset, &args.config, &args.dir) {
        (Some(p), _, _) => SpecSource::Preset(p.clone()),
        (None, Some(path), _) => SpecSource::config_file(path)?,
        (None, None, Some(dir)) => {
            let path = dir.join(crate::project::ANSWERS);
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
    let in_scope = super::env_scope(&spec, &args.envs)?;
    let envs = spec.environments();
    if envs.is_empty() {
        let model = model::resolve(&spec);
        let e = explain::explain(&model, traffic_gb, format);
        if args.json {
            out(&format!(
                "{}\n",
                serde_json::to_string_pretty(&e).expect("json")
            ));
        } else {
            show(&args, &e, &model.name, None);
        }
        return Ok(0);
    }
    // Several environments: one explanation each, and the findings across them.
    let chosen: Vec<&crate::spec::Environment> = envs
        .iter()
        .filter(|e| in_scope(&format!("{}/{}/", crate::render::ENVIRONMENTS_DIR, e.name)))
        .collect();
    let pairs: Vec<(crate::spec::Environment, model::Model)> = envs
        .iter()
        .map(|e| (e.clone(), model::resolve(&e.spec)))
        .collect();
    let across = model::findings::environments::across(&pairs);
    let explanations: Vec<(&str, explain::Explanation)> = chosen
        .iter()
        .map(|e| {
            let m = &pairs
                .iter()
                .find(|(p, _)| p.name == e.name)
                .expect("chosen from envs")
                .1;
            (e.name.as_str(), explain::explain(m, traffic_gb, format))
        })
        .collect();
    if args.json {
        let doc = serde_json::json!({
            "schema": "smgen-explain-environments/1",
            "across": across,
            "environments": explanations
                .iter()
                .map(|(name, e)| serde_json::json!({ "name": name, "explanation": e }))
                .collect::<Vec<_>>(),
        });
        out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).expect("json")
        ));
        return Ok(0);
    }
    for (name, e) in &explanations {
        let model_name = &pairs
            .iter()
            .find(|(p, _)| p.name == *name)
            .expect("named")
            .0
            .spec
            .project
            .name;
        show(&args, e, model_name, Some(name));
        out("\n");
    }
    if !across.is_empty() {
        out("Across environments\n");
        for f in &across {
            out(&format!("  {f}\n"));
        }
    }
    Ok(0)
}

/// One explanation in the chosen text form.
fn show(args: &ExplainArgs, e: &explain::Explanation, name: &str, env: Option<&str>) {
    use std::io::IsTerminal;
    let heading = match env {
        Some(env) => format!("{name} (environment {env}): what can reach what, and what it costs"),
        None => format!("{name}: what can reach what, and what it costs"),
    };
    if args.text || (!args.markdown && std::io::stdout().is_terminal()) {
        out(&text(e, &heading));
    } else {
        out(&report::markdown(e, &heading));
    }
}

/// Columns the terminal report fits in.
pub(crate) const WIDTH: usize = 100;

fn source_short(s: Source) -> &'static str {
    match s {
        Source::StudioApps => "Studio",
        Source::NotebookInstances => "notebooks",
        Source::JobsIsolated => "isolated jobs",
        Source::JobsNotIsolated => "other jobs",
        Source::HostedModels => "hosted models",
    }
}

fn hop(c: &Cell) -> &'static str {
    match c.hop {
        Some(Hop::InterfaceEndpoint) => "✓ endpoint",
        Some(Hop::S3Gateway) => "✓ S3 gateway",
        Some(Hop::Nat) => "✓ NAT",
        Some(Hop::SagemakerManaged) => "✓ managed",
        None => "✗",
    }
}

/// Left-aligned in `width` columns (characters: the marks are one column wide).
fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

/// The explanation as plain text for a terminal: the reachability matrix turned so that the
/// workloads are the columns, the cost lines, the findings, every line within [`WIDTH`]
/// columns. The diagram and the per-cell reasons are in `--markdown`.
pub(crate) fn text(e: &Explanation, heading: &str) -> String {
    let wrap = |t: &str, indent: &str| crate::wizard::wrap(t, WIDTH, indent);
    let mut s = format!("{heading}\n");
    s.push_str(&wrap(
        &format!(
            "Region {}, network mode {}. `--markdown` adds the diagram and the reason for every cell; `--json` gives it as data.",
            e.region,
            match e.network_mode {
                crate::spec::NetworkMode::VpcOnly => "vpc-only",
                crate::spec::NetworkMode::PublicOnly => "public-only",
            }
        ),
        "",
    ));
    s.push_str("\n\nWhat can reach what\n");
    s.push_str(&wrap(
        "✓ reachable, with the first hop (an interface endpoint, the S3 gateway endpoint, a NAT gateway, the SageMaker-managed network); ✗ blocked.",
        "",
    ));
    s.push('\n');
    let rows = &e.reachability.rows;
    let isolated_data = |r: &reach::Row, c: &Cell| {
        r.source == Source::JobsIsolated && c.destination == Destination::DataBucket && !c.reachable
    };
    let cell_text = |r: &reach::Row, c: &Cell| {
        if isolated_data(r, c) {
            "✗ copied¹".to_string()
        } else {
            hop(c).to_string()
        }
    };
    let first = Destination::ALL
        .iter()
        .map(|d| d.label().chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let widths: Vec<usize> = rows
        .iter()
        .map(|r| {
            r.cells
                .iter()
                .map(|c| cell_text(r, c).chars().count())
                .chain([source_short(r.source).len()])
                .max()
                .unwrap_or(0)
                + 2
        })
        .collect();
    let mut line = pad("to \\ from", first);
    for (r, w) in rows.iter().zip(&widths) {
        line.push_str(&pad(source_short(r.source), *w));
    }
    s.push_str(line.trim_end());
    s.push('\n');
    for (i, d) in Destination::ALL.iter().enumerate() {
        let mut line = pad(d.label(), first);
        for (r, w) in rows.iter().zip(&widths) {
            let t = r.cells.get(i).map(|c| cell_text(r, c)).unwrap_or_default();
            line.push_str(&pad(&t, *w));
        }
        s.push_str(line.trim_end());
        s.push('\n');
    }
    if rows
        .iter()
        .any(|r| r.cells.iter().any(|c| isolated_data(r, c)))
    {
        s.push_str(&wrap(
            "¹ An isolated container makes no outbound call, not even to S3, and holds no AWS credentials: SageMaker copies its input data in from the bucket and its output back out, with the execution role (dg mkt-algo-model-internet-free).",
            "",
        ));
        s.push('\n');
    }
    for r in rows {
        s.push_str(&wrap(
            &format!("{}: {} ({})", source_short(r.source), r.label, r.note),
            "  ",
        ));
        s.push('\n');
    }

    s.push_str("\nWhat each workload may do\n");
    s.push_str(&wrap(crate::explain::report::WORKLOADS_INTRO, ""));
    s.push('\n');
    for w in &e.workloads {
        s.push_str(&wrap(
            &format!(
                "{} ({})",
                w.title,
                crate::explain::report::need_label(&w.need).replace('`', "")
            ),
            "",
        ));
        s.push('\n');
        for g in &w.grants {
            let paths: Vec<String> = g
                .paths
                .iter()
                .map(|p| p.describe().replace('`', ""))
                .collect();
            s.push_str(&wrap(
                &format!(
                    "{}: {} — {} ({}) — {}",
                    g.principal.label(),
                    g.actions.join(", "),
                    g.documents.join(", "),
                    g.sid,
                    paths.join("; ")
                ),
                "    ",
            ));
            s.push('\n');
        }
    }

    if !e.cross_account.is_empty() {
        s.push_str("\nBuckets of other accounts\n");
        s.push_str(&wrap(crate::explain::report::CROSS_ACCOUNT_INTRO, ""));
        s.push('\n');
        for p in &e.cross_account {
            s.push_str(&format!("{} (account {})\n", p.bucket, p.account));
            for (i, st) in p.steps.iter().enumerate() {
                s.push_str(&wrap(
                    &format!("{}. {}: {}", i + 1, st.at, st.decided_by),
                    "     ",
                ));
                s.push('\n');
            }
        }
    }

    let c = &e.cost;
    s.push_str("\nMonthly cost of the network and encryption choices\n");
    s.push_str(&wrap(&c.summary(), ""));
    s.push('\n');
    let what = c
        .lines
        .iter()
        .map(|l| l.what.chars().count())
        .max()
        .unwrap_or(0)
        .min(60)
        + 2;
    for l in &c.lines {
        let monthly = match (l.monthly_usd, l.charge) {
            (Some(v), _) => usd(v),
            (None, Charge::PerUse) => match &l.unit_price {
                Some(p) => format!("{} / {}", unit_usd(p.usd), l.unit),
                None => "per use, no figure".into(),
            },
            (None, Charge::Monthly) => "no figure".into(),
        };
        let billed = match l.charge {
            Charge::Monthly => "monthly",
            Charge::PerUse => "per use",
        };
        let name: String = if l.what.chars().count() > 60 {
            format!("{}…", l.what.chars().take(59).collect::<String>())
        } else {
            l.what.clone()
        };
        s.push_str(&format!("  {}{billed:9}{monthly}\n", pad(&name, what)));
    }
    s.push_str(&wrap(
        &format!(
            "Prices: smgen's table {}, {} list prices for {}, {} hours a month; compute, storage and SageMaker usage are not included.",
            c.price_table, c.currency, c.region, c.hours_per_month
        ),
        "",
    ));
    s.push('\n');

    s.push_str(&format!(
        "\nFindings: {}\n",
        crate::explain::findings_count(&e.findings)
    ));
    let mut f: Vec<_> = e.findings.iter().collect();
    f.sort_by_key(|x| x.severity);
    for x in f {
        s.push_str(&wrap(&x.to_string(), "  "));
        s.push('\n');
    }
    s
}
