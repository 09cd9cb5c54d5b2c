//! Suppressions: the checks a scanner would raise on the generated code that the design or a
//! choice in `smgen.toml` answers on purpose. Each is a [`Waiver`]: the [`Control`] it waives
//! and the one reason every format prints. What a control is called is per tool and per format
//! ([`Control::ids`]): checkov's Terraform and CloudFormation check sets differ (its
//! CloudFormation security-group checks read `CidrIp` and so pass the group-to-group rules that
//! need CKV_AWS_24/25/260 skips in Terraform, and it has no CKV_AWS_144/145 or CKV2_AWS_62 for
//! `AWS::S3::Bucket`), and cdk-nag's AwsSolutions pack has its own ids. A control with no id in a
//! format is not raised there, so nothing is written.
//!
//! The formats write them as: Terraform `#checkov:skip=ID:REASON` comments, CloudFormation
//! `Metadata: checkov: skip: [{id, comment}]`, CDK `NagSuppressions` acknowledgements.

use crate::model::audit::Trail;
use crate::model::security::{Direction, Peer, Rule};
use crate::model::{Bucket, Domain, LogGroup, Model, NotebookInstance};
use crate::project::ANSWERS;
use crate::project::Format;

/// A control of a scanner that the generated code leaves off on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// The bucket is the server access log target itself.
    AccessLogTarget,
    /// The log target keeps SSE-S3: S3 delivers access logs only to SSE-S3 buckets.
    AccessLogTargetKey,
    /// `data.access_logging = false`.
    AccessLogsOff,
    /// Cross-Region replication.
    Replication,
    /// S3 event notifications.
    EventNotifications,
    /// A log group without the customer managed key.
    LogGroupKey,
    /// The Studio domain's EFS and EBS without the customer managed key.
    DomainKey,
    /// A notebook instance's ML volume without the customer managed key.
    NotebookVolumeKey,
    /// `notebook.direct_internet_access = true`.
    NotebookInternet,
    /// `notebook.root_access = true`.
    NotebookRoot,
    /// `network.flow_logs = false` on a VPC the stack creates.
    FlowLogsOff,
    /// A security group that SageMaker attaches at run time (no attachment in the code).
    GroupAttachedAtRunTime,
    /// Ingress from a group of this environment over a port range covering SSH, RDP or HTTP.
    GroupIngressSsh,
    GroupIngressRdp,
    GroupIngressHttp,
    /// The trail's bucket keeps SSE-S3 with AWS managed keys.
    TrailBucketKey,
    /// The trail's log files without the customer managed key (AWS managed keys).
    TrailKey,
    /// No SNS topic for the trail's log file deliveries.
    TrailNotifications,
    /// `audit.cloudwatch_logs = false`.
    TrailCloudWatchOff,
    /// `audit.log_retention_days` under a year.
    LogRetentionShort,
}

/// One suppression: what is waived and why (the text every format prints).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    pub control: Control,
    pub reason: String,
}

impl Control {
    /// Every control.
    pub const ALL: [Control; 20] = [
        Control::AccessLogTarget,
        Control::AccessLogTargetKey,
        Control::AccessLogsOff,
        Control::Replication,
        Control::EventNotifications,
        Control::LogGroupKey,
        Control::DomainKey,
        Control::NotebookVolumeKey,
        Control::NotebookInternet,
        Control::NotebookRoot,
        Control::FlowLogsOff,
        Control::GroupAttachedAtRunTime,
        Control::GroupIngressSsh,
        Control::GroupIngressRdp,
        Control::GroupIngressHttp,
        Control::TrailBucketKey,
        Control::TrailKey,
        Control::TrailNotifications,
        Control::TrailCloudWatchOff,
        Control::LogRetentionShort,
    ];

    /// The ids the scanner of `format` (checkov for Terraform and CloudFormation, cdk-nag for
    /// the CDK app) reports this control under; empty when it reports none there.
    pub fn ids(self, format: Format) -> &'static [&'static str] {
        use Control::*;
        use Format::*;
        match (self, format) {
            (AccessLogTarget, Terraform | CloudFormation) => &["CKV_AWS_18"],
            (AccessLogsOff, CloudFormation) => &["CKV_AWS_18"],
            (AccessLogTarget | AccessLogsOff, Cdk) => &["AwsSolutions-S1"],
            (AccessLogTargetKey, Terraform) => &["CKV_AWS_145"],
            (Replication, Terraform) => &["CKV_AWS_144"],
            (EventNotifications, Terraform) => &["CKV2_AWS_62"],
            (LogGroupKey, Terraform | CloudFormation) => &["CKV_AWS_158"],
            (DomainKey, Terraform | CloudFormation) => &["CKV_AWS_187"],
            (NotebookVolumeKey, Terraform | CloudFormation) => &["CKV_AWS_22", "CKV_AWS_187"],
            (NotebookVolumeKey, Cdk) => &["AwsSolutions-SM2"],
            (NotebookInternet, Terraform) => &["CKV_AWS_122"],
            (NotebookInternet, Cdk) => &["AwsSolutions-SM3"],
            (NotebookRoot, Terraform) => &["CKV_AWS_307"],
            (FlowLogsOff, Cdk) => &["AwsSolutions-VPC7"],
            (GroupAttachedAtRunTime, Terraform) => &["CKV2_AWS_5"],
            (GroupIngressSsh, Terraform) => &["CKV_AWS_24"],
            (GroupIngressRdp, Terraform) => &["CKV_AWS_25"],
            (GroupIngressHttp, Terraform) => &["CKV_AWS_260"],
            (TrailBucketKey, Terraform) => &["CKV_AWS_145"],
            (TrailKey, Terraform | CloudFormation) => &["CKV_AWS_35"],
            (TrailNotifications, Terraform | CloudFormation) => &["CKV_AWS_252"],
            (TrailCloudWatchOff, Terraform) => &["CKV2_AWS_10"],
            (LogRetentionShort, Terraform | CloudFormation) => &["CKV_AWS_338"],
            _ => &[],
        }
    }
}

impl Waiver {
    fn new(control: Control, reason: impl Into<String>) -> Waiver {
        Waiver {
            control,
            reason: reason.into(),
        }
    }
}

/// `(id, reason)` for every id `format` reports the waivers under, in order.
pub fn ids(waivers: &[Waiver], format: Format) -> Vec<(&'static str, &str)> {
    waivers
        .iter()
        .flat_map(|w| {
            w.control
                .ids(format)
                .iter()
                .map(|id| (*id, w.reason.as_str()))
        })
        .collect()
}

fn chosen(answer: &str) -> String {
    format!("{answer} was chosen in {ANSWERS}")
}

const AWS_MANAGED: &str = "encryption.kms = \"aws-managed\" was chosen";

pub fn bucket(b: &Bucket) -> Vec<Waiver> {
    let mut out = vec![];
    if b.is_log_target {
        out.push(Waiver::new(
            Control::AccessLogTarget,
            "this bucket is the server access log target; logging it to itself would loop",
        ));
        out.push(Waiver::new(
            Control::AccessLogTargetKey,
            "S3 server access log targets support SSE-S3 only, not SSE-KMS (S3 User Guide, enable-server-access-logging)",
        ));
    } else if b.access_log_bucket.is_none() {
        out.push(Waiver::new(
            Control::AccessLogsOff,
            chosen("data.access_logging = false"),
        ));
    }
    if b.is_trail && !b.sse_kms {
        out.push(Waiver::new(
            Control::TrailBucketKey,
            format!(
                "{AWS_MANAGED}; CloudTrail writes SSE-S3, as an AWS managed key's policy cannot admit the CloudTrail service principal"
            ),
        ));
    }
    out.push(Waiver::new(
        Control::Replication,
        "cross-Region replication is a disaster-recovery choice outside this environment; the bucket is versioned so replication can be added",
    ));
    out.push(Waiver::new(
        Control::EventNotifications,
        "no consumer of S3 event notifications is part of this environment",
    ));
    out
}

pub fn log_group(g: &LogGroup) -> Vec<Waiver> {
    let mut out = vec![];
    if g.kms_key.is_none() {
        out.push(Waiver::new(
            Control::LogGroupKey,
            format!("{AWS_MANAGED}; CloudWatch Logs encrypts with its service-owned key"),
        ));
    }
    if g.retention_days < 365 {
        out.push(Waiver::new(
            Control::LogRetentionShort,
            chosen(&format!("audit.log_retention_days = {}", g.retention_days)),
        ));
    }
    out
}

/// The CloudTrail trail.
pub fn trail(t: &Trail) -> Vec<Waiver> {
    let mut out = vec![];
    if t.kms_key.is_none() {
        out.push(Waiver::new(
            Control::TrailKey,
            format!("{AWS_MANAGED}; the log files are encrypted with SSE-S3"),
        ));
    }
    out.push(Waiver::new(
        Control::TrailNotifications,
        "no consumer of log file delivery notifications is part of this environment; log file validation proves what was delivered",
    ));
    if t.cloudwatch.is_none() {
        out.push(Waiver::new(
            Control::TrailCloudWatchOff,
            chosen("audit.cloudwatch_logs = false"),
        ));
    }
    out
}

pub fn domain(d: &Domain) -> Vec<Waiver> {
    match d.kms_key {
        Some(_) => vec![],
        None => vec![Waiver::new(
            Control::DomainKey,
            format!("{AWS_MANAGED}; the domain EFS and EBS use AWS managed keys"),
        )],
    }
}

pub fn notebook(n: &NotebookInstance) -> Vec<Waiver> {
    let mut out = vec![];
    if n.kms_key.is_none() {
        out.push(Waiver::new(
            Control::NotebookVolumeKey,
            format!("{AWS_MANAGED}; the ML volume uses the AWS managed key"),
        ));
    }
    if n.direct_internet_access {
        out.push(Waiver::new(
            Control::NotebookInternet,
            chosen("notebook.direct_internet_access = true"),
        ));
    }
    if n.root_access {
        out.push(Waiver::new(
            Control::NotebookRoot,
            chosen("notebook.root_access = true"),
        ));
    }
    out
}

/// The VPC: flow logs switched off.
pub fn network(m: &Model) -> Vec<Waiver> {
    if m.network.created.is_some() && !m.network.flow_logs {
        vec![Waiver::new(
            Control::FlowLogsOff,
            chosen("network.flow_logs = false"),
        )]
    } else {
        vec![]
    }
}

/// Groups that SageMaker attaches at run time, which a scanner's graph cannot see.
pub fn group(name: &str) -> Vec<Waiver> {
    let why = if name == "jobs" {
        "attached at run time to training, processing and hosting jobs (see the job_defaults output)"
    } else if name.starts_with("studio_") || name.starts_with("user_") {
        "attached by SageMaker to Studio apps through the domain and user profile settings, which checkov's graph does not follow"
    } else {
        return vec![];
    };
    vec![Waiver::new(Control::GroupAttachedAtRunTime, why)]
}

/// A self-referencing or group-to-group ingress rule over a port range reads to a scanner that
/// looks only at ports as if it were open to 0.0.0.0/0; the source here is always a group.
pub fn rule(r: &Rule) -> Vec<Waiver> {
    let covers = |port: u16| match (r.from_port, r.to_port) {
        (Some(a), Some(b)) => a <= port && port <= b,
        _ => r.protocol == "-1",
    };
    let from_group = matches!(r.peer, Peer::Itself | Peer::Group(_));
    if r.direction != Direction::Ingress || !from_group {
        return vec![];
    }
    let why = "the source is a security group of this environment, not 0.0.0.0/0; distributed \
               training (MPI over SSH, NCCL) needs every TCP port between a job's instances (dg train-vpc)";
    [
        (22, Control::GroupIngressSsh),
        (3389, Control::GroupIngressRdp),
        (80, Control::GroupIngressHttp),
    ]
    .into_iter()
    .filter(|(port, _)| covers(*port))
    .map(|(_, control)| Waiver::new(control, why))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every control is reported by at least one format's scanner: one that none reports
    /// would be a reason written nowhere.
    #[test]
    fn every_control_has_an_id_somewhere() {
        for c in Control::ALL {
            assert!(
                Format::ALL.iter().any(|f| !c.ids(*f).is_empty()),
                "{c:?} has no id in any format"
            );
        }
    }
}
