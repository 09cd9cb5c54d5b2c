//! The summary shown before writing: format, resources by kind, endpoints with their reasons,
//! the monthly baseline cost and the findings (warnings and errors), all read from the resolved
//! model. Cost and findings are `smgen explain`'s own text, so the two never disagree.

use super::wrap;
use crate::aws::endpoints::EndpointKind;
use crate::explain;
use crate::model::{Model, Severity};
use crate::render::Format;
use crate::spec::{KmsMode, Spec};

/// The summary text, wrapped to `width` columns.
pub fn summary(spec: &Spec, model: &Model, format: Format, width: usize) -> String {
    let mut out = vec![
        String::new(),
        format!(
            "Summary: {} in {} ({})",
            model.name,
            model.region,
            format.name()
        ),
        "Resources:".to_string(),
    ];
    for (kind, count) in resources(spec, model) {
        out.push(format!("  {kind:<22} {count}"));
    }
    if !model.endpoints.is_empty() {
        out.push("VPC endpoints:".into());
        for e in &model.endpoints {
            out.push(wrap(&format!("{}: {}", e.key, e.reason), width, "  "));
        }
    }
    out.push("Monthly cost (list prices, see `smgen explain`):".into());
    out.push(wrap(
        &explain::cost::estimate(model, None).summary(),
        width,
        "  ",
    ));
    // Notes (info) are in the generated README and ARCHITECTURE.md; the summary shows what
    // needs a decision.
    // findings_text lists errors and warnings first, so the first `shown` lines are those.
    let shown = model
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .count();
    if shown == 0 {
        out.push("Findings: none".into());
    } else {
        out.push("Findings:".into());
        for line in explain::findings_text(model).into_iter().take(shown) {
            out.push(wrap(&line, width, "  "));
        }
    }
    out.join("\n")
}

/// (kind, how many) for every kind the project creates.
fn resources(spec: &Spec, model: &Model) -> Vec<(&'static str, String)> {
    let mut rows = vec![];
    if let Some(vpc) = &model.network.created {
        // Gateways, not the zones routed to one: `single` is one gateway for every zone.
        let nat = crate::reconcile::environment::nat_gateways(model);
        let mut text = format!("1, {} private subnets", vpc.zones.len());
        if vpc.public_subnets {
            text.push_str(&format!(", {} public", vpc.zones.len()));
        }
        rows.push(("VPC", text));
        if nat > 0 {
            rows.push(("NAT gateways", nat.to_string()));
        }
    } else {
        rows.push(("VPC", "existing".to_string()));
    }
    let interface = model
        .endpoints
        .iter()
        .filter(|e| e.kind == EndpointKind::Interface)
        .count();
    let gateway = model.endpoints.len() - interface;
    if !model.endpoints.is_empty() {
        rows.push((
            "VPC endpoints",
            format!("{interface} interface, {gateway} gateway"),
        ));
    }
    rows.push(("Security groups", model.security_groups.len().to_string()));
    if spec.encryption.kms == KmsMode::Create {
        rows.push(("KMS keys", "1".into()));
    }
    rows.push(("S3 buckets", model.buckets.len().to_string()));
    rows.push(("Log groups", model.log_groups.len().to_string()));
    rows.push(("IAM roles", model.roles.len().to_string()));
    if let Some(domain) = &model.domain {
        rows.push((
            "Studio domain",
            format!("1 ({})", domain.app_network_access_type),
        ));
        rows.push(("User profiles", domain.profiles.len().to_string()));
    }
    if !model.notebooks.is_empty() {
        rows.push(("Notebook instances", model.notebooks.len().to_string()));
    }
    rows
}
