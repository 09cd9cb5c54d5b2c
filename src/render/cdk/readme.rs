//! The facts the generated README states.

use crate::aws::endpoints::EndpointKind;
use crate::model::security::Direction;
use crate::model::{Finding, Model};
use crate::spec::KmsMode;
use serde::Serialize;

/// The README's facts (Markdown, not code: the same text the Terraform README shows).
#[derive(Serialize)]
pub struct Readme<'m> {
    name: &'m str,
    region: &'m str,
    partition: &'static str,
    zones: Option<usize>,
    public: bool,
    existing: bool,
    flow_logs: bool,
    kms: &'static str,
    access: Option<&'static str>,
    notebooks: bool,
    has_gateway: bool,
    endpoints: Vec<EndpointFact<'m>>,
    groups: Vec<GroupFact<'m>>,
    logging: bool,
    jobs: JobFacts,
    findings: &'m [Finding],
    lifecycle: Vec<LifecycleFact<'m>>,
}

#[derive(Serialize)]
struct EndpointFact<'m> {
    key: &'m str,
    gateway: bool,
    reason: &'m str,
    source: &'m str,
}

#[derive(Serialize)]
struct GroupFact<'m> {
    name: &'m str,
    rules: String,
}

#[derive(Serialize)]
struct JobFacts {
    network_isolation: bool,
    icte: bool,
    key: bool,
}

#[derive(Serialize)]
struct LifecycleFact<'m> {
    /// The script's path in the project, as Markdown shows it.
    script_raw: &'m str,
}

pub(super) fn readme(m: &Model) -> Readme<'_> {
    Readme {
        name: &m.name,
        region: &m.region,
        partition: m.partition.arn(),
        zones: m.network.created.as_ref().map(|v| v.zones.len()),
        public: m.network.created.as_ref().is_some_and(|v| v.public_subnets),
        existing: m.network.created.is_none(),
        flow_logs: m.network.flow_logs,
        kms: match m.kms.mode {
            KmsMode::Create => "create",
            KmsMode::Existing => "existing",
            KmsMode::AwsManaged => "aws-managed",
        },
        access: m.domain.as_ref().map(|d| d.app_network_access_type),
        notebooks: !m.notebooks.is_empty(),
        has_gateway: m.endpoints.iter().any(|e| e.kind == EndpointKind::Gateway),
        endpoints: m
            .endpoints
            .iter()
            .map(|e| EndpointFact {
                key: e.key,
                gateway: e.kind == EndpointKind::Gateway,
                reason: &e.reason,
                source: e.source,
            })
            .collect(),
        groups: m
            .security_groups
            .iter()
            .map(|g| GroupFact {
                name: &g.name,
                rules: g
                    .rules
                    .iter()
                    .map(|r| match r.direction {
                        Direction::Ingress => format!("in: {}", r.description),
                        Direction::Egress => format!("out: {}", r.description),
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            })
            .collect(),
        logging: m.buckets.iter().any(|b| b.is_log_target),
        jobs: JobFacts {
            network_isolation: m.jobs.network_isolation,
            icte: m.jobs.inter_container_encryption,
            key: m.jobs.kms_key.is_some(),
        },
        findings: &m.findings,
        lifecycle: m
            .lifecycle_configs
            .iter()
            .map(|c| LifecycleFact {
                script_raw: &c.script,
            })
            .collect(),
    }
}
