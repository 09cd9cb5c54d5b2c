//! Findings on the design's posture rather than on a single answer: one Availability Zone,
//! controls turned off, NAT without endpoints, and the inputs smgen cannot check (an existing
//! VPC's routes, an existing key's policy). Called by [`super::check`].

use super::{Finding, Severity};
use crate::model::Model;
use crate::spec::{AuthMode, EndpointChoice, Nat, PresignedRestrict, Spec};

fn push(
    out: &mut Vec<Finding>,
    severity: Severity,
    choice: &str,
    message: String,
    source: &'static str,
) {
    out.push(Finding::new(severity, choice, message, source));
}

/// One Availability Zone: nothing the environment runs in the VPC has a zone to fail over to.
pub(super) fn resilience(spec: &Spec, model: &Model, out: &mut Vec<Finding>) {
    let single = match &model.network.created {
        Some(c) => (c.zones.len() == 1).then(|| {
            (
                "network.vpc.azs",
                format!(
                    "every subnet is in one Availability Zone ({})",
                    c.zones[0].az_id
                ),
            )
        }),
        None => (model.network.private_subnets.len() == 1).then(|| {
            (
                "network.vpc.subnet_ids",
                "one private subnet is given, so everything sits in its Availability Zone"
                    .to_string(),
            )
        }),
    };
    let Some((choice, what)) = single else {
        return;
    };
    let mut affected = vec![];
    if spec.needs.studio {
        affected.push("the Studio domain and its EFS home directories (one mount target)");
    }
    if spec.needs.notebook_instances {
        affected.push("the notebook instances");
    }
    affected.push("training, processing and hosting in the VPC");
    if model
        .endpoints
        .iter()
        .any(|e| e.kind == crate::aws::endpoints::EndpointKind::Interface)
    {
        affected.push("the interface endpoints");
    }
    if model
        .network
        .created
        .as_ref()
        .is_some_and(|c| c.nat != Nat::None)
    {
        affected.push("the NAT gateway");
    }
    push(
        out,
        Severity::Warning,
        choice,
        format!(
            "{what}: when that zone fails, {} stop, and SageMaker and EFS have no other zone in \
             this VPC to fail over to; use two or more zones",
            affected.join(", ")
        ),
        "dg best-practices (deploy across Availability Zones); EFS User Guide, mount targets (one per AZ)",
    );
}

/// Answers that turn off a control the secure defaults include, each with what is lost.
pub(super) fn controls_off(spec: &Spec, out: &mut Vec<Finding>) {
    if !spec.network.flow_logs {
        push(
            out,
            Severity::Warning,
            "network.flow_logs",
            "VPC flow logs are off: no record of the traffic accepted and rejected in the VPC \
             for investigations or for proving that nothing left it; checkov CKV2_AWS_11 fails"
                .into(),
            "VPC User Guide, flow-logs; checkov CKV2_AWS_11",
        );
    }
    let created_buckets = spec.data.buckets.iter().any(|b| b.name.is_some());
    if !spec.data.access_logging && created_buckets {
        let trail = if spec.audit.cloudtrail == crate::spec::CloudTrail::Create {
            "only the trail's S3 data events record who read or wrote the data buckets' objects"
        } else {
            "no record of who read or wrote the data buckets' objects (no trail of this \
             environment records S3 data events either)"
        };
        push(
            out,
            Severity::Warning,
            "data.access_logging",
            format!("S3 server access logging is off: {trail}; checkov CKV_AWS_18 fails"),
            "S3 User Guide, ServerLogs; checkov CKV_AWS_18",
        );
    }
    if !spec.jobs.inter_container_encryption {
        push(
            out,
            Severity::Warning,
            "jobs.inter_container_encryption",
            "traffic between the instances of a distributed training job is not encrypted: \
             model parameters and data cross the network in clear, and the guardrails no longer \
             deny jobs without it"
                .into(),
            "dg train-encrypt",
        );
    }
    if !spec.jobs.require_vpc {
        push(
            out,
            Severity::Warning,
            "jobs.require_vpc",
            "the guardrails no longer deny training, processing and hosting outside the \
             environment's subnets and security groups: a job created without a VPC \
             configuration runs in a SageMaker-managed network with internet access, outside \
             this VPC's endpoints, flow logs and security groups"
                .into(),
            "dg train-vpc; dg security_iam_id-based-policy-examples (require VPC)",
        );
    }
}

/// NAT without the interface endpoints: which calls leave through NAT, and which controls then
/// do not apply to them.
pub(super) fn nat_without_endpoints(spec: &Spec, out: &mut Vec<Finding>) {
    if !matches!(spec.network.endpoints, EndpointChoice::Keyword(_)) {
        return;
    }
    let replaced = crate::model::endpoints::replaced_by_nat(spec);
    if replaced.is_empty() {
        return;
    }
    let keys: Vec<&str> = replaced.iter().map(|n| n.key).collect();
    push(
        out,
        Severity::Info,
        "network.private_endpoints_with_nat",
        format!(
            "with NAT, calls to {} leave through the NAT gateway to the services' public \
             endpoints: VPC endpoint policies and aws:SourceVpce / aws:sourceVpce conditions do \
             not apply to them, and flow logs show only the NAT's public addresses; set \
             network.private_endpoints_with_nat = true to keep them on interface endpoints \
             ({} more, billed per hour per zone)",
            keys.join(", "),
            keys.len()
        ),
        "PrivateLink Guide, vpc-endpoints-access (endpoint policies); IAM User Guide, aws:SourceVpce",
    );
}

/// Findings about single answers (#20): the VPC block, Studio without users, unrestricted
/// presigned URLs.
pub(super) fn inputs(spec: &Spec, model: &Model, out: &mut Vec<Finding>) {
    if let Some(id) = &spec.network.vpc.s3_gateway_endpoint_id {
        push(
            out,
            Severity::Warning,
            "network.vpc.s3_gateway_endpoint_id",
            format!(
                "the reused S3 gateway endpoint {id} keeps its owner's policy: smgen neither \
                 creates nor changes it, so the data perimeter at the endpoint (only this \
                 environment's buckets and the AWS-owned ones its needs name) holds only once its \
                 owner applies the statements in policies/endpoint-policy-s3.json; until then \
                 the endpoint admits whatever its policy admits (the default policy: every \
                 bucket). The bucket policies' aws:sourceVpce conditions name {id}."
            ),
            "PrivateLink Guide, vpc-endpoints-s3 (one gateway endpoint per service per route table; endpoint policies)",
        );
    }
    if let Some(c) = &model.network.created
        && let Ok(net) = c.cidr.parse::<ipnet::Ipv4Net>()
        && !PRIVATE_RANGES
            .iter()
            .any(|r| r.parse::<ipnet::Ipv4Net>().is_ok_and(|r| r.contains(&net)))
    {
        push(
            out,
            Severity::Warning,
            "network.vpc.cidr",
            format!(
                "{} is not a private range (RFC 1918: 10.0.0.0/8, 172.16.0.0/12, \
                 192.168.0.0/16; or RFC 6598 shared space 100.64.0.0/10): addresses in it belong \
                 to someone on the internet, whom the VPC can then no longer reach",
                c.cidr
            ),
            "RFC 1918; RFC 6598; VPC User Guide, vpc-cidr-blocks",
        );
    }
    if spec.needs.studio && spec.studio.user_profiles.is_empty() {
        push(
            out,
            Severity::Info,
            "studio.user_profiles",
            "the Studio domain has no user profiles: nobody can open Studio until profiles are \
             added (list them in studio.user_profiles, each gets its own security group)"
                .into(),
            "dg domain-user-profile",
        );
    }
    if spec.needs.studio
        && spec.studio.auth_mode == AuthMode::Iam
        && spec.studio.presigned_url.restrict == PresignedRestrict::None
    {
        push(
            out,
            Severity::Info,
            "studio.presigned_url.restrict",
            "presigned Studio URLs are not restricted: whoever holds one can open Studio from \
             any network until it expires; restrict = \"source-ip\" or \"source-vpce\" limits \
             where URLs are created"
                .into(),
            "dg studio-interface-endpoint; dg security_iam_id-based-policy-examples",
        );
    }
}

/// Private IPv4 ranges: RFC 1918, and RFC 6598 shared address space (AWS accepts both for VPCs).
const PRIVATE_RANGES: &[&str] = &[
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
];
