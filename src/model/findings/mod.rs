//! Findings: errors for combinations that cannot work, warnings for risky ones (docs/sagemaker-facts.md
//! § 2.12), each naming the spec choice and the source.

use super::Model;
use super::endpoints::Need;
use super::guardrails::LOCAL_STORAGE_FAMILIES;
use crate::spec::{
    AuthMode, EndpointChoice, KmsMode, Nat, NetworkMode, Pip, PresignedRestrict, Spec,
};
use serde::Serialize;

pub mod environments;
mod posture;

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

impl Finding {
    pub fn new(
        severity: Severity,
        choice: &str,
        message: impl Into<String>,
        source: &'static str,
    ) -> Finding {
        Finding {
            severity,
            choice: choice.into(),
            message: message.into(),
            source,
        }
    }
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
        out.push(Finding::new(severity, choice, message, source))
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
    posture::resilience(spec, model, &mut out);
    posture::controls_off(spec, &mut out);
    posture::nat_without_endpoints(spec, &mut out);
    posture::inputs(spec, model, &mut out);
    out.extend(super::audit::findings(spec, model));
    out.extend(super::studio_guardrails::findings(spec));
    out.extend(super::quotas::check(model));
    out.extend(super::cross_account::findings(model));
    out.sort_by(|a, b| a.severity.cmp(&b.severity).then(a.choice.cmp(&b.choice)));
    out
}
