//! The VPC endpoint question: a multi-select over the catalog, pre-filled by the model's
//! solver with each endpoint's reason. A selection that leaves out a needed endpoint shows the
//! findings it causes (the model resolved with and without the change) before it is kept.

use super::{Answers, Prompter, fit, say_help, wrap};
use crate::aws::endpoints::CATALOG;
use crate::error::Result;
use crate::model::{self, endpoints};
use crate::spec::questions::Question;
use crate::spec::{EndpointChoice, Spec};

/// Returns the answer as a `--set` value: `"auto"` when the selection is the solver's own,
/// otherwise the list of keys.
pub(super) fn ask(
    p: &mut dyn Prompter,
    q: &Question,
    answers: &Answers,
    spec: &Spec,
) -> Result<String> {
    let needs = endpoints::required(spec);
    let solver: Vec<&str> = CATALOG
        .iter()
        .filter(|e| needs.iter().any(|n| n.key == e.key))
        .map(|e| e.key)
        .collect();
    let checked: Vec<bool> = CATALOG
        .iter()
        .map(|e| match &spec.network.endpoints {
            EndpointChoice::List(keys) => keys.iter().any(|k| k == e.key),
            EndpointChoice::Keyword(_) => solver.contains(&e.key),
        })
        .collect();
    let width = p.width();
    say_help(p, q.help);
    for need in &needs {
        p.say(&wrap(
            &format!("{}: {}", need.key, need.reason),
            width,
            "  ",
        ));
    }
    // One line per item: dialoguer redraws lists by counting lines.
    let items: Vec<String> = CATALOG
        .iter()
        .map(|e| {
            let why = if solver.contains(&e.key) {
                "needed (reason above)"
            } else {
                e.purpose
            };
            fit(&format!("{:<30} {why}", e.key), width.saturating_sub(8))
        })
        .collect();
    let prompt = format!("{} ({})", q.prompt, q.path);
    loop {
        let picked = p.multi_select(q.path, &prompt, &items, &checked)?;
        let keys: Vec<&str> = picked.iter().map(|&i| CATALOG[i].key).collect();
        let value = if keys == solver {
            toml::Value::String("auto".into()).to_string()
        } else {
            toml::Value::Array(
                keys.iter()
                    .map(|k| toml::Value::String(k.to_string()))
                    .collect(),
            )
            .to_string()
        };
        let caused = caused_findings(answers, q.path, &value);
        if caused.is_empty() {
            return Ok(value);
        }
        p.say("This selection causes:");
        for f in &caused {
            p.say(&wrap(&f.to_string(), width, "  "));
        }
        let blocking = caused.iter().any(|f| f.severity == model::Severity::Error);
        if p.confirm("network.endpoints.keep", "Keep this selection?", !blocking)? {
            return Ok(value);
        }
    }
}

/// Findings the model reports with `value` at `path` that it does not report with the
/// solver's own choice.
fn caused_findings(answers: &Answers, path: &str, value: &str) -> Vec<model::Finding> {
    let load = |v: &str| {
        crate::spec::load(
            &answers.source(),
            &answers.with(path, format!("{path}={v}")),
        )
        .ok()
    };
    let (Some(before), Some(after)) = (load("\"auto\""), load(value)) else {
        return vec![];
    };
    let before = model::resolve(&before).findings;
    model::resolve(&after)
        .findings
        .into_iter()
        .filter(|f| f.severity != model::Severity::Info && !before.contains(f))
        .collect()
}
