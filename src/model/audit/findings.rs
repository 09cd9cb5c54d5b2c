//! Findings about the audit answers: what records the environment's activity when smgen creates
//! no trail, and each answer that weakens the record (shorter retention, deletable log files,
//! no CloudWatch Logs delivery, log files without the customer managed key).

use super::super::Model;
use super::super::findings::{Finding, Severity};
use crate::spec::{CloudTrail, KmsMode, Spec};

const ONE_YEAR: u32 = 365;

pub fn check(spec: &Spec, model: &Model) -> Vec<Finding> {
    let mut out = vec![];
    let mut add = |severity, choice: &str, message: String, source: &'static str| {
        out.push(Finding::new(severity, choice, message, source))
    };
    let a = &spec.audit;
    match a.cloudtrail {
        CloudTrail::Organization => add(
            Severity::Info,
            "audit.cloudtrail",
            "no trail in this account: the environment relies on an organization trail of the \
             management account (AWS Organizations), which records this account's management \
             events in every Region to a bucket this account cannot change. Data events (S3 \
             objects of the data buckets, SageMaker endpoints, feature groups, experiments) are \
             recorded only if that trail's selectors include them, and its retention is the \
             organization's; check with `aws cloudtrail describe-trails \
             --include-shadow-trails` (IsOrganizationTrail = true) before relying on it"
                .into(),
            "CloudTrail User Guide, creating-trail-organization; cloudtrail-concepts (data events)",
        ),
        CloudTrail::None => add(
            Severity::Warning,
            "audit.cloudtrail",
            "no trail: only CloudTrail's Event history records management events, for 90 days, \
             with no log file validation and no data events, so who read or changed which \
             object of the data buckets or which feature group record is recorded nowhere; \
             a security review of a regulated environment asks for a trail first"
                .into(),
            "CloudTrail User Guide, view-cloudtrail-events (Event history: 90 days); cloudtrail-concepts",
        ),
        CloudTrail::Create => {}
    }
    if let Some(t) = &model.audit.trail {
        if t.retention_days < ONE_YEAR {
            add(
                Severity::Warning,
                "audit.trail_retention_days",
                format!(
                    "the trail's log files are kept {} days, less than the year regulated \
                     log-retention rules commonly ask for; older activity cannot be investigated",
                    t.retention_days
                ),
                "CIS AWS Foundations Benchmark (log retention); CloudTrail User Guide, best-practices-security",
            );
        }
        if !t.deletion_protected {
            add(
                Severity::Warning,
                "teardown.mode",
                "with teardown.mode = \"delete\" the trail's bucket has no deny-delete statement: \
                 anyone allowed s3:DeleteObject on it can remove log files (log file validation \
                 still shows that they are gone), and destroying the environment deletes them"
                    .into(),
                "CloudTrail User Guide, cloudtrail-log-file-validation-intro; best-practices-security",
            );
        }
        if t.cloudwatch.is_none() {
            add(
                Severity::Info,
                "audit.cloudwatch_logs",
                "the trail is not delivered to CloudWatch Logs: no metric filter or alarm can \
                 react to API activity (root sign-in, policy changes, KMS key deletion) as it \
                 happens; set audit.cloudwatch_logs = true (billed per GB ingested and stored)"
                    .into(),
                "CloudTrail User Guide, send-cloudtrail-events-to-cloudwatch-logs; checkov CKV2_AWS_10",
            );
        }
        if spec.encryption.kms == KmsMode::AwsManaged {
            add(
                Severity::Info,
                "encryption.kms",
                "with AWS managed keys the trail's log files are encrypted with SSE-S3: reading \
                 them needs only s3:GetObject on the trail bucket, not also kms:Decrypt on a key \
                 the environment controls"
                    .into(),
                "CloudTrail User Guide, encrypting-cloudtrail-log-files-with-aws-kms",
            );
        }
    }
    if a.log_retention_days < ONE_YEAR {
        add(
            Severity::Warning,
            "audit.log_retention_days",
            format!(
                "every log group (VPC flow logs{}) keeps its events {} days, less than the year \
                 regulated log-retention rules commonly ask for; checkov CKV_AWS_338 fails",
                if a.cloudwatch_logs {
                    ", the trail's CloudWatch Logs copy"
                } else {
                    ""
                },
                a.log_retention_days
            ),
            "CloudWatch Logs User Guide, Working-with-log-groups-and-streams (retention); checkov CKV_AWS_338",
        );
    }
    out
}
