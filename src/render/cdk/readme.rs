//! The facts the generated README states.

use crate::aws::endpoints::EndpointKind;
use crate::model::Model;
use crate::model::security::Direction;
use crate::spec::KmsMode;
use serde_json::Value as Json;
use serde_json::json;

/// The README's facts (Markdown, not code: the same text the Terraform README shows).
pub(super) fn readme(m: &Model) -> Json {
    let endpoints: Vec<Json> = m
        .endpoints
        .iter()
        .map(|e| {
            json!({
                "key": e.key,
                "gateway": e.kind == EndpointKind::Gateway,
                "reason": e.reason,
                "source": e.source,
            })
        })
        .collect();
    let groups: Vec<Json> = m
        .security_groups
        .iter()
        .map(|g| {
            let rules: Vec<String> = g
                .rules
                .iter()
                .map(|r| match r.direction {
                    Direction::Ingress => format!("in: {}", r.description),
                    Direction::Egress => format!("out: {}", r.description),
                })
                .collect();
            json!({"name": g.name, "rules": rules.join("; ")})
        })
        .collect();
    // Finding serializes as {severity, choice, message, source}, severity in lower case.
    let findings = serde_json::to_value(&m.findings).expect("findings serialize");
    json!({
        "name": m.name,
        "region": m.region,
        "partition": m.partition.arn(),
        "zones": m.network.created.as_ref().map(|v| v.zones.len()),
        "public": m.network.created.as_ref().is_some_and(|v| v.public_subnets),
        "existing": m.network.created.is_none(),
        "flow_logs": m.network.flow_logs,
        "kms": match m.kms.mode { KmsMode::Create => "create", KmsMode::Existing => "existing", KmsMode::AwsManaged => "aws-managed" },
        "access": m.domain.as_ref().map(|d| d.app_network_access_type),
        "notebooks": !m.notebooks.is_empty(),
        "has_gateway": m.endpoints.iter().any(|e| e.kind == EndpointKind::Gateway),
        "endpoints": endpoints,
        "groups": groups,
        "logging": m.buckets.iter().any(|b| b.is_log_target),
        "jobs": {
            "network_isolation": m.jobs.network_isolation,
            "icte": m.jobs.inter_container_encryption,
            "key": m.jobs.kms_key.is_some(),
        },
        "findings": findings,
        "lifecycle": m.lifecycle_configs.iter().map(|c| json!({"script_raw": c.script})).collect::<Vec<_>>(),
    })
}
