//! `smgen explain`: what the environment lets each workload reach, what its network and
//! encryption choices cost per month, a diagram, and the findings, all computed from the
//! [`Model`] (never per preset). The same code writes every project's `ARCHITECTURE.md` and
//! gives the wizard its summary ([`cost::estimate`] + [`Estimate::summary`], [`findings_text`]).

pub mod audit;
pub mod cost;
pub mod diagram;
pub mod reach;
pub mod report;
pub mod workloads;

pub use cost::Estimate;
pub use diagram::DiagramFormat;
pub use reach::Matrix;

use crate::model::{Finding, Model, Severity};
use serde::Serialize;

/// Version of the `--json` document; bumped when a field changes meaning or disappears.
pub const JSON_SCHEMA: &str = "smgen-explain/1";

#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub schema: &'static str,
    pub project: String,
    pub region: String,
    pub network_mode: crate::spec::NetworkMode,
    pub reachability: Matrix,
    pub cost: Estimate,
    /// What each declared need lets each principal do, from which document, by which path.
    pub workloads: Vec<workloads::Workload>,
    /// What records the environment's activity, where, for how long, who can delete it.
    pub audit: audit::Posture,
    /// The path to each bucket of another account, through both accounts' policies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cross_account: Vec<reach::CrossAccountPath>,
    pub findings: Vec<Finding>,
    pub diagram: Diagram,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diagram {
    pub format: &'static str,
    pub text: String,
}

/// Everything `explain` shows, for one model.
pub fn explain(model: &Model, traffic_gb: Option<f64>, format: DiagramFormat) -> Explanation {
    let reachability = reach::matrix(model);
    let text = diagram::render(model, &reachability, format);
    Explanation {
        schema: JSON_SCHEMA,
        project: model.name.clone(),
        region: model.region.clone(),
        network_mode: model.mode,
        cost: cost::estimate(model, traffic_gb),
        workloads: workloads::workloads(model),
        audit: audit::posture(model),
        cross_account: reach::cross_account(model),
        findings: model.findings.clone(),
        diagram: Diagram {
            format: match format {
                DiagramFormat::Mermaid => "mermaid",
                DiagramFormat::Dot => "dot",
            },
            text,
        },
        reachability,
    }
}

/// The findings as lines for a summary (errors and warnings first; info last), e.g.
/// `warning: data.deny_outside_vpc_endpoint: … [source]`.
pub fn findings_text(model: &Model) -> Vec<String> {
    let mut f: Vec<&Finding> = model.findings.iter().collect();
    f.sort_by_key(|x| x.severity);
    f.iter().map(|x| x.to_string()).collect()
}

/// `2 errors, 1 warning, 3 notes`
pub fn findings_count(findings: &[Finding]) -> String {
    let n = |s| findings.iter().filter(|f| f.severity == s).count();
    let word = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{}, {}, {}",
        word(n(Severity::Error), "error", "errors"),
        word(n(Severity::Warning), "warning", "warnings"),
        word(n(Severity::Info), "note", "notes")
    )
}
