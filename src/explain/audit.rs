//! The audit posture: what records the environment's activity, where, for how long, and who can
//! delete it, from the model (`[audit]`, the log groups, the server access log bucket).
//!
//! Facts: CloudTrail Event history keeps 90 days of management events in every account and
//! cannot be deleted (CloudTrail User Guide, view-cloudtrail-events); log file validation writes
//! signed digest files (cloudtrail-log-file-validation-intro); a bucket policy that denies
//! everyone can still be deleted by the account's root user (S3 User Guide,
//! example-bucket-policies); S3 lifecycle expiration is performed by S3, not by a principal the
//! bucket policy binds.

use crate::model::{Model, TRAIL_BUCKET};
use crate::spec::CloudTrail;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Posture {
    pub cloudtrail: CloudTrail,
    pub records: Vec<Record>,
}

/// One record of activity.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// `event-history`, `trail`, `organization-trail`, `log-group`, `s3-access-logs`.
    pub kind: &'static str,
    pub what: String,
    pub location: String,
    /// Days kept; `None` where this environment does not set it.
    pub retention_days: Option<u32>,
    pub encryption: String,
    /// Who can delete it before it expires.
    pub deletion: String,
}

pub fn posture(model: &Model) -> Posture {
    let mut records = vec![Record {
        kind: "event-history",
        what: "management events of every Region (CloudTrail Event history, in every account)"
            .into(),
        location: "CloudTrail Event history (console, LookupEvents)".into(),
        retention_days: Some(90),
        encryption: "AWS owned".into(),
        deletion: "nobody: it cannot be deleted or changed".into(),
    }];
    let key = |on: bool| {
        if on {
            "SSE-KMS with the environment key (reading needs kms:Decrypt too)".to_string()
        } else {
            "SSE-S3".to_string()
        }
    };
    let name = &model.name;
    match (&model.audit.cloudtrail, &model.audit.trail) {
        (CloudTrail::Create, Some(t)) => {
            let location = format!(
                "S3 bucket {name}-{TRAIL_BUCKET}-<account>-{}, AWSLogs/<account>/CloudTrail/ (signed hourly digests in CloudTrail-Digest/)",
                model.region
            );
            let deletion = if t.deletion_protected {
                format!(
                    "nobody while the bucket policy stands (DenyTrailLogDeletion denies \
                     s3:DeleteObject, s3:DeleteObjectVersion and s3:PutLifecycleConfiguration \
                     to every principal); the lifecycle rule expires them after {} days; the \
                     account's root user can delete the bucket policy (a logged \
                     DeleteBucketPolicy), after which principals allowed s3:DeleteObject can",
                    t.retention_days
                )
            } else {
                "principals allowed s3:DeleteObject on the bucket (teardown.mode = \"delete\": \
                 no deny-delete statement), and destroying the environment; log file \
                 validation shows that files are missing"
                    .into()
            };
            let data: Vec<String> = t
                .selectors
                .iter()
                .filter(|s| s.data)
                .map(|s| s.name.clone())
                .collect();
            records.push(Record {
                kind: "trail",
                what: format!(
                    "the trail {}: management events of every Region{}",
                    t.trail_name,
                    if data.is_empty() {
                        String::new()
                    } else {
                        format!("; data events: {}", data.join("; "))
                    }
                ),
                location,
                retention_days: Some(t.retention_days),
                encryption: key(t.kms_key.is_some()),
                deletion,
            });
        }
        (CloudTrail::Organization, _) => records.push(Record {
            kind: "organization-trail",
            what: "management events of every Region, and the data events the organization \
                   trail's selectors include"
                .into(),
            location: "the organization trail's bucket, outside this account".into(),
            retention_days: None,
            encryption: "the organization's choice".into(),
            deletion: "the organization's administrators only; nobody in this account".into(),
        }),
        _ => {}
    }
    for g in &model.log_groups {
        let what = match g.name.as_str() {
            "flow_logs" => "VPC flow logs: every accepted and rejected connection in the VPC",
            n if n == crate::model::audit::TRAIL_LOGS => {
                "the trail's events, for metric filters and alarms"
            }
            _ => "log events",
        };
        records.push(Record {
            kind: "log-group",
            what: what.into(),
            location: format!("CloudWatch Logs log group {}", g.log_group_name),
            retention_days: Some(g.retention_days),
            encryption: match g.kms_key {
                Some(_) => "the environment key".into(),
                None => "CloudWatch Logs' service-owned key".into(),
            },
            deletion: "principals allowed logs:DeleteLogGroup or logs:DeleteLogStream on it, \
                       and destroying the environment (the group is deleted with the stack)"
                .into(),
        });
    }
    if let Some(b) = model.buckets.iter().find(|b| b.is_log_target) {
        records.push(Record {
            kind: "s3-access-logs",
            what: "S3 server access logs of the environment's buckets".into(),
            location: format!(
                "S3 bucket {name}-{}-<account>-{}",
                b.name.replace('_', "-"),
                model.region
            ),
            retention_days: b.expiration.as_ref().map(|e| e.days),
            encryption: "SSE-S3".into(),
            deletion: "principals allowed s3:DeleteObject on the bucket".into(),
        });
    }
    Posture {
        cloudtrail: model.audit.cloudtrail,
        records,
    }
}
