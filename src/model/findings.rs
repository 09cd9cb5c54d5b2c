//! Findings: errors for combinations that cannot work, warnings for risky ones (docs/sagemaker-facts.md
//! § 2.12), each naming the spec choice and the source.

use super::Model;
use super::endpoints::Need;
use super::guardrails::LOCAL_STORAGE_FAMILIES;
use crate::spec::{
    AuthMode, EndpointChoice, KmsMode, Nat, NetworkMode, Pip, PresignedRestrict, Spec,
};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// The spec path of the choice that causes it.
    pub choice: String,
    pub message: String,
    pub source: &'static str,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        write!(
            f,
            "{sev}: {}: {} [{}]",
            self.choice, self.message, self.source
        )
    }
}

pub fn check(spec: &Spec, model: &Model, needs: &[Need]) -> Vec<Finding> {
    let mut out = vec![];
    let mut add = |severity, choice: &str, message: String, source: &'static str| {
        out.push(Finding {
            severity,
            choice: choice.into(),
            message,
            source,
        })
    };
    if let EndpointChoice::List(keys) = &spec.network.endpoints {
        for need in needs {
            if !keys.iter().any(|k| k == need.key) {
                let severity = if need.critical {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                add(
                    severity,
                    "network.endpoints",
                    format!("'{}' is not listed: {}", need.key, need.reason),
                    need.source,
                );
            }
        }
    }
    let no_nat = spec.network.nat == Nat::None;
    // Public-only Studio apps reach PyPI through the SageMaker-managed VPC; only clients inside
    // this VPC (VpcOnly Studio, private notebooks) need NAT for it.
    let in_vpc_clients = (spec.needs.studio && spec.network.mode == NetworkMode::VpcOnly)
        || (spec.needs.notebook_instances && !spec.notebook.direct_internet_access);
    if spec.needs.pip == Pip::Public && no_nat && in_vpc_clients {
        add(
            Severity::Error,
            "needs.pip",
            "pip from the public index needs internet egress, and network.nat is 'none'; use \
             pip = \"codeartifact\" or a NAT gateway"
                .into(),
            "dg studio-updated-and-internet-access",
        );
    }
    if spec.needs.studio && spec.network.mode == NetworkMode::PublicOnly {
        add(
            Severity::Warning,
            "network.mode",
            "public-only: Studio apps reach the internet through the SageMaker-managed VPC; \
             VPC endpoints, flow logs and security groups of this VPC do not see that traffic"
                .into(),
            "dg studio-notebooks-and-internet-access",
        );
    }
    if spec.needs.notebook_instances && spec.notebook.direct_internet_access {
        add(
            Severity::Warning,
            "notebook.direct_internet_access",
            "notebook instances get a second network interface with direct internet access; \
             traffic to S3 then leaves the VPC"
                .into(),
            "dg appendix-notebook-and-internet-access",
        );
    }
    if spec.needs.notebook_instances && spec.notebook.root_access {
        add(
            Severity::Warning,
            "notebook.root_access",
            "root access lets notebook users change the instance's software and network settings"
                .into(),
            "dg nbi-root-access",
        );
    }
    if spec.encryption.kms == KmsMode::AwsManaged {
        add(
            Severity::Warning,
            "encryption.kms",
            "AWS managed keys cannot be shared across accounts, have no key policy you control, \
             and leave the Studio domain, notebook volumes and log groups on service-owned keys"
                .into(),
            "dg encryption-at-rest",
        );
    }
    if spec.needs.studio
        && spec.studio.auth_mode == AuthMode::Sso
        && !spec.studio.user_profiles.is_empty()
    {
        add(
            Severity::Info,
            "studio.user_profiles",
            "in IAM Identity Center mode each user profile is tied to the Identity Center user \
             of the same name; assign the users to the domain's application"
                .into(),
            "hashicorp/terraform-provider-aws#28958",
        );
    }
    if !spec.jobs.network_isolation {
        add(
            Severity::Warning,
            "jobs.network_isolation",
            "training and hosting containers may call out (and hold AWS credentials); only the \
             VPC's routes limit them"
                .into(),
            "dg mkt-algo-model-internet-free",
        );
    }
    if spec.needs.sdk_remote_jobs && no_nat && spec.network.mode == NetworkMode::VpcOnly {
        add(
            Severity::Info,
            "needs.sdk_remote_jobs",
            "without NAT, older SDKs' get_execution_role() calls IAM and times out; pass the \
             execution role ARN (an output) explicitly"
                .into(),
            "aws/sagemaker-python-sdk#2559",
        );
    }
    let pre = spec.studio.presigned_url.restrict;
    if pre != PresignedRestrict::None && spec.needs.studio && spec.studio.auth_mode == AuthMode::Sso
    {
        add(
            Severity::Error,
            "studio.presigned_url.restrict",
            "presigned-URL restrictions work only in IAM auth mode; IAM Identity Center users open \
             Studio through the access portal"
                .into(),
            "dg studio-interface-endpoint",
        );
    }
    if pre == PresignedRestrict::SourceIp && model.endpoint("notebook").is_some() {
        add(
            Severity::Warning,
            "studio.presigned_url.restrict",
            "aws:SourceIp restrictions on notebook presigned URLs do not work through the notebook \
             VPC endpoint: requests through it carry no public source address"
                .into(),
            "dg security_iam_id-based-policy-examples",
        );
    }
    if pre == PresignedRestrict::SourceVpce {
        add(
            Severity::Info,
            "studio.presigned_url.restrict",
            "presigned URLs must be created and opened from inside the VPC (or a network that \
             resolves the Studio endpoint's DNS); the console's Open Studio button stops working"
                .into(),
            "AWS ML Blog, Secure Amazon SageMaker Studio presigned URLs",
        );
    }
    if spec.data.deny_outside_vpc_endpoint {
        if model.endpoint("s3").is_none() {
            add(
                Severity::Error,
                "data.deny_outside_vpc_endpoint",
                "the buckets would accept data access only through an S3 gateway endpoint that \
                 network.endpoints leaves out"
                    .into(),
                "S3 User Guide, example-bucket-policies-vpc-endpoint",
            );
        } else if spec.needs.studio && spec.network.mode == NetworkMode::PublicOnly {
            add(
                Severity::Error,
                "data.deny_outside_vpc_endpoint",
                "Public only Studio reaches S3 through the SageMaker-managed VPC, not this VPC's \
                 endpoint, so Studio users could not read the data"
                    .into(),
                "dg studio-notebooks-and-internet-access",
            );
        } else {
            add(
                Severity::Warning,
                "data.deny_outside_vpc_endpoint",
                format!(
                    "data access from outside the VPC is denied to everyone but the deployer roles \
                     ({}) and AWS services acting for a principal: the console, the CLI and \
                     notebooks outside the VPC cannot list or read the data; the deployers can \
                     still plan, apply and empty the buckets before a destroy",
                    spec.data.deployer_role_arns.join(", ")
                ),
                "aws-samples/amazon-sagemaker-studio-vpc-networkfirewall README (Clean up)",
            );
        }
    }
    if spec.jobs.network_isolation {
        // dg mkt-algo-model-internet-free lists the managed containers without isolation
        // support (Chainer, SageMaker RL); Debugger built-in actions need the network (dg
        // debugger-built-in-actions). docs/sagemaker-facts.md § 2.8, 0.15.
        let exceptions = if spec.jobs.isolation_exceptions.is_empty() {
            "no role is listed in jobs.isolation_exceptions, so the guardrails deny them"
        } else {
            "only the roles in jobs.isolation_exceptions may run them"
        };
        add(
            Severity::Info,
            "jobs.network_isolation",
            format!(
                "the Chainer and SageMaker reinforcement-learning containers do not support \
                 network isolation, and Debugger built-in actions need network access; {exceptions}"
            ),
            "dg mkt-algo-model-internet-free; dg debugger-built-in-actions",
        );
    }
    if spec.encryption.kms != KmsMode::AwsManaged {
        add(
            Severity::Info,
            "encryption.kms",
            format!(
                "training, processing, transform and endpoint instance types with local NVMe \
                 storage ({} …) reject a volume KMS key (their storage is hardware-encrypted): \
                 the guardrails exempt them, but drop VolumeKmsKeyId/KmsKeyId from \
                 sagemaker-config.yaml for jobs and endpoint configs on them",
                LOCAL_STORAGE_FAMILIES[..4].join(", ")
            ),
            "SageMaker API Reference: ResourceConfig VolumeKmsKeyId, CreateEndpointConfig KmsKeyId",
        );
    }
    if spec.jobs.require_vpc || spec.jobs.network_isolation {
        add(
            Severity::Info,
            "jobs.require_vpc",
            "the guardrails also deny serverless endpoint configurations, which support neither \
             VPC configuration nor network isolation"
                .into(),
            "dg serverless-endpoints",
        );
    }
    if let Some(c) = &model.network.created {
        // Studio needs 2-4 addresses per user, endpoints one per AZ each (dg VpcOnly requirements).
        let users = spec.studio.user_profiles.len().max(1) as u32;
        let per_zone = 4 * users / c.zones.len() as u32 + model.endpoints.len() as u32 + 10;
        if let Some(z) = c.zones.iter().find(|z| z.private_capacity < per_zone) {
            add(
                Severity::Warning,
                "network.vpc.cidr",
                format!(
                    "private subnet {} has {} usable addresses, fewer than the ~{} Studio users, \
                     endpoints and jobs may need",
                    z.private_cidr, z.private_capacity, per_zone
                ),
                "dg studio-updated-and-internet-access (subnet requirements)",
            );
        }
    }
    if spec.teardown.mode == crate::spec::TeardownMode::Delete {
        add(
            Severity::Warning,
            "teardown.mode",
            "destroying the environment deletes the buckets with every object version and the \
             Studio home EFS volume with everyone's files; use it for non-production environments"
                .into(),
            "DeleteDomain API (RetentionPolicy HomeEfsFileSystem); AWS provider aws_s3_bucket force_destroy",
        );
    }
    resilience(spec, model, &mut out);
    controls_off(spec, &mut out);
    nat_without_endpoints(spec, &mut out);
    inputs(spec, model, &mut out);
    out.extend(super::audit::findings(spec, model));
    out.extend(super::studio_guardrails::findings(spec));
    out.extend(super::quotas::check(model));
    out.sort_by(|a, b| a.severity.cmp(&b.severity).then(a.choice.cmp(&b.choice)));
    out
}

fn push(
    out: &mut Vec<Finding>,
    severity: Severity,
    choice: &str,
    message: String,
    source: &'static str,
) {
    out.push(Finding {
        severity,
        choice: choice.into(),
        message,
        source,
    });
}

/// One Availability Zone: nothing the environment runs in the VPC has a zone to fail over to.
fn resilience(spec: &Spec, model: &Model, out: &mut Vec<Finding>) {
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
fn controls_off(spec: &Spec, out: &mut Vec<Finding>) {
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
fn nat_without_endpoints(spec: &Spec, out: &mut Vec<Finding>) {
    if !matches!(spec.network.endpoints, EndpointChoice::Keyword(_)) {
        return;
    }
    let replaced = super::endpoints::replaced_by_nat(spec);
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
fn inputs(spec: &Spec, model: &Model, out: &mut Vec<Finding>) {
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
