//! The audit trail (`[audit]`): a CloudTrail trail of the account, its bucket's policy, the
//! statements the environment key needs for it, and its CloudWatch Logs delivery role.
//!
//! Sources: CloudTrail User Guide `create-s3-bucket-policy-for-cloudtrail` (the bucket policy:
//! `s3:GetBucketAcl` and `s3:PutObject` on `AWSLogs/<account>/*` with `aws:SourceArn`),
//! `create-kms-key-policy-for-cloudtrail` (encrypt: `kms:GenerateDataKey*` with `aws:SourceArn`
//! and `kms:EncryptionContext:aws:cloudtrail:arn`; describe: `kms:DescribeKey`),
//! `cloudtrail-required-policy-for-cloudwatch-logs` (the delivery role: `logs:CreateLogStream`
//! and `logs:PutLogEvents` on the group's streams), `logging-data-events-with-cloudtrail` and
//! `cloudtrail-concepts` § Data events (the advanced event selectors and the resource types that
//! have data events), `cloudtrail-log-file-validation-intro`.

mod findings;

pub use findings::check as findings;

use super::iam::{Condition, PolicyDocument, Principal, Statement};
use super::policies::{bucket_arn, service, service_trust};
use super::refs::{Attr, Kind, Ref};
use super::{ManagedPolicy, Model, Role};
use crate::spec::{CloudTrail, Spec, TRAIL_BUCKET};
use serde::Serialize;

/// What the environment records, where, and for how long.
#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    pub cloudtrail: CloudTrail,
    /// The trail smgen creates (`cloudtrail = "create"`).
    pub trail: Option<Trail>,
    /// The retention of every log group (`audit.log_retention_days`).
    pub log_retention_days: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trail {
    pub trail_name: String,
    /// The trail's ARN spelled from its name: the key and bucket policies name it, and the trail
    /// waits for both, so they must not read it from the trail (that would be a cycle).
    pub arn: Ref,
    /// Logical name of the trail's bucket ([`TRAIL_BUCKET`]).
    pub bucket: String,
    /// The key that encrypts the log files (SSE-KMS); `None` with AWS managed keys: CloudTrail
    /// then writes SSE-S3 (an AWS managed key's policy cannot admit CloudTrail).
    pub kms_key: Option<Ref>,
    /// CloudWatch Logs delivery (`audit.cloudwatch_logs`).
    pub cloudwatch: Option<TrailLogs>,
    pub selectors: Vec<EventSelector>,
    /// Days the log files are kept (`audit.trail_retention_days`).
    pub retention_days: u32,
    /// The bucket policy denies deleting log files and changing the lifecycle to everyone
    /// (`teardown.mode = "retain"`).
    pub deletion_protected: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrailLogs {
    /// Logical name of the log group (`Kind::LogGroup`).
    pub log_group: String,
    /// The group's ARN as CloudTrail takes it: with the `:*` stream wildcard (AWS provider docs,
    /// `aws_cloudtrail`, `cloud_watch_logs_group_arn`).
    pub log_group_arn: Ref,
    /// Logical name of the delivery role (`Kind::Role`).
    pub role: String,
}

/// One advanced event selector: a name, and field selectors that must all match.
#[derive(Debug, Clone, Serialize)]
pub struct EventSelector {
    pub name: String,
    /// What it records and why, for the READMEs and `explain`.
    pub why: String,
    pub fields: Vec<FieldSelector>,
    /// A data-event selector (billed per event), not the management events.
    pub data: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldSelector {
    pub field: &'static str,
    pub op: FieldOp,
    pub values: Vec<Ref>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FieldOp {
    Equals,
    StartsWith,
}

/// Logical name of the trail's log group and of its delivery role.
pub const TRAIL_LOGS: &str = "cloudtrail";

pub fn trail_name(model: &Model) -> String {
    format!("{}-trail", model.name)
}

/// `arn:<partition>:cloudtrail:<region>:<account>:trail/<name>`: a multi-Region trail's ARN
/// names its home Region.
pub fn trail_arn(model: &Model) -> Ref {
    Ref::arn(
        "cloudtrail",
        true,
        true,
        Ref::lit(format!("trail/{}", trail_name(model))),
    )
}

/// The log group of the trail's CloudWatch Logs delivery.
pub fn log_group_name(model: &Model) -> String {
    format!("/aws/cloudtrail/{}", model.name)
}

/// The audit answers resolved, once the buckets exist (the data-event selectors name them).
pub fn resolve(spec: &Spec, model: &Model) -> Audit {
    let a = &spec.audit;
    let trail = (a.cloudtrail == CloudTrail::Create).then(|| Trail {
        trail_name: trail_name(model),
        arn: trail_arn(model),
        bucket: TRAIL_BUCKET.into(),
        kms_key: model.kms.key_arn.clone(),
        cloudwatch: a.cloudwatch_logs.then(|| TrailLogs {
            log_group: TRAIL_LOGS.into(),
            log_group_arn: Ref::join([
                Ref::attr(Kind::LogGroup, TRAIL_LOGS, Attr::Arn),
                Ref::lit(":*"),
            ]),
            role: TRAIL_LOGS.into(),
        }),
        selectors: selectors(spec, model),
        retention_days: a.trail_retention_days,
        deletion_protected: !model.teardown_delete,
    });
    Audit {
        cloudtrail: a.cloudtrail,
        trail,
        log_retention_days: a.log_retention_days,
    }
}

fn eq(field: &'static str, value: &str) -> FieldSelector {
    FieldSelector {
        field,
        op: FieldOp::Equals,
        values: vec![Ref::lit(value)],
    }
}

/// Management events (read and write, every service), S3 object-level events of the
/// environment's data buckets, and the SageMaker data events of the declared needs. Advanced
/// selectors, because the SageMaker resource types have no basic selector (CloudTrail API
/// Reference, PutEventSelectors: basic selectors cover S3 objects, Lambda and DynamoDB only).
fn selectors(spec: &Spec, model: &Model) -> Vec<EventSelector> {
    let mut out = vec![EventSelector {
        name: "Management events".into(),
        why: "every control-plane call in the account, read and write, in every Region".into(),
        fields: vec![eq("eventCategory", "Management")],
        data: false,
    }];
    let mut objects: Vec<Ref> = model
        .buckets
        .iter()
        .filter(|b| !b.is_log_target && !b.is_trail)
        .map(|b| Ref::join([bucket_arn(&b.name), Ref::lit("/")]))
        .collect();
    objects.extend(
        spec.data
            .buckets
            .iter()
            .filter_map(|b| b.existing.as_ref())
            .map(|e| Ref::arn("s3", false, false, Ref::lit(format!("{e}/")))),
    );
    if !objects.is_empty() {
        out.push(EventSelector {
            name: "S3 data events of the environment's data buckets".into(),
            why: "who read, wrote and deleted which object of the data buckets".into(),
            fields: vec![
                eq("eventCategory", "Data"),
                eq("resources.type", "AWS::S3::Object"),
                FieldSelector {
                    field: "resources.ARN",
                    op: FieldOp::StartsWith,
                    values: objects,
                },
            ],
            data: true,
        });
    }
    // SageMaker resource types with data events (CloudTrail User Guide, cloudtrail-concepts,
    // "Data events" table: AWS::SageMaker::Endpoint for InvokeEndpointWithResponseStream,
    // AWS::SageMaker::FeatureGroup for the Feature Store record APIs (dg
    // feature-store-logging-using-cloudtrail: PutRecord, GetRecord, DeleteRecord,
    // BatchGetRecord), AWS::SageMaker::ExperimentTrialComponent for metrics and
    // AWS::SageMaker::MlflowTrackingServer for the MLflow API), each for this Region's resources
    // of this account only, and only for the needs that use them.
    let sagemaker = [
        (
            spec.needs.hosting,
            "AWS::SageMaker::Endpoint",
            "endpoint/",
            "SageMaker endpoint invocations with response streaming",
            "InvokeEndpointWithResponseStream calls on this Region's endpoints (InvokeEndpoint and InvokeEndpointAsync have no CloudTrail event)",
        ),
        (
            spec.needs.feature_store_online,
            "AWS::SageMaker::FeatureGroup",
            "feature-group/",
            "SageMaker Feature Store records",
            "PutRecord, GetRecord, DeleteRecord and BatchGetRecord calls on this Region's feature groups",
        ),
        (
            spec.needs.experiments,
            "AWS::SageMaker::ExperimentTrialComponent",
            "experiment-trial-component/",
            "SageMaker experiment metrics",
            "metrics written to and read from this Region's trial components",
        ),
        (
            spec.needs.experiments,
            "AWS::SageMaker::MlflowTrackingServer",
            "mlflow-tracking-server/",
            "SageMaker MLflow tracking servers",
            "MLflow API calls on this Region's tracking servers",
        ),
    ];
    for (on, ty, prefix, name, why) in sagemaker {
        if !on {
            continue;
        }
        out.push(EventSelector {
            name: name.into(),
            why: why.into(),
            fields: vec![
                eq("eventCategory", "Data"),
                eq("resources.type", ty),
                FieldSelector {
                    field: "resources.ARN",
                    op: FieldOp::StartsWith,
                    values: vec![Ref::arn("sagemaker", true, true, Ref::lit(prefix))],
                },
            ],
            data: true,
        });
    }
    out
}

/// The trail bucket's statements for CloudTrail: the ACL check and the delivery of this
/// account's log files, both for this trail only (`aws:SourceArn`); and, unless the environment
/// is torn down with its data, a Deny of deleting log files or changing the lifecycle that
/// expires them, to every principal. The account's root user can still delete the bucket
/// policy (S3 User Guide, `example-bucket-policies`: a policy that denies everyone can always be
/// deleted by the root user), which is the break-glass path and is itself a logged management
/// event (DeleteBucketPolicy).
pub fn bucket_statements(model: &Model, protect: bool) -> Vec<Statement> {
    let arn = trail_arn(model);
    let bucket = bucket_arn(TRAIL_BUCKET);
    let cloudtrail = || Principal::Service(vec![service("cloudtrail.amazonaws.com")]);
    let mut st = vec![
        Statement::allow(
            "CloudTrailAclCheck",
            &["s3:GetBucketAcl"],
            vec![bucket.clone()],
        )
        .principal(cloudtrail())
        .when(Condition::new(
            "StringEquals",
            "aws:SourceArn",
            [arn.clone()],
        )),
        Statement::allow(
            "CloudTrailWrite",
            &["s3:PutObject"],
            vec![Ref::join([
                bucket.clone(),
                Ref::lit("/AWSLogs/"),
                Ref::Account,
                Ref::lit("/*"),
            ])],
        )
        .principal(cloudtrail())
        .when(Condition::new(
            "StringEquals",
            "s3:x-amz-acl",
            [Ref::lit("bucket-owner-full-control")],
        ))
        .when(Condition::new("StringEquals", "aws:SourceArn", [arn])),
    ];
    if protect {
        st.push(
            Statement::deny(
                "DenyTrailLogDeletion",
                &[
                    "s3:DeleteObject",
                    "s3:DeleteObjectVersion",
                    "s3:PutLifecycleConfiguration",
                ],
                vec![bucket.clone(), Ref::join([bucket, Ref::lit("/*")])],
            )
            .principal(Principal::Aws(vec![Ref::lit("*")])),
        );
    }
    st
}

/// The key policy's statements for the trail: CloudTrail encrypts this trail's log and digest
/// files and describes the key. Reading the files needs `kms:Decrypt` from the reader's IAM
/// policy (the key policy delegates to IAM).
pub fn key_statements(model: &Model) -> Vec<Statement> {
    let arn = trail_arn(model);
    let cloudtrail = || Principal::Service(vec![service("cloudtrail.amazonaws.com")]);
    vec![
        Statement::allow(
            "CloudTrailEncryptLogs",
            &["kms:GenerateDataKey*"],
            vec![Ref::lit("*")],
        )
        .principal(cloudtrail())
        .when(Condition::new(
            "StringEquals",
            "aws:SourceArn",
            [arn.clone()],
        ))
        .when(Condition::new(
            "StringLike",
            "kms:EncryptionContext:aws:cloudtrail:arn",
            [Ref::join([
                Ref::lit("arn:"),
                Ref::Partition,
                Ref::lit(":cloudtrail:*:"),
                Ref::Account,
                Ref::lit(":trail/*"),
            ])],
        )),
        Statement::allow(
            "CloudTrailDescribeKey",
            &["kms:DescribeKey"],
            vec![Ref::lit("*")],
        )
        .principal(cloudtrail())
        .when(Condition::new("StringEquals", "aws:SourceArn", [arn])),
    ]
}

/// The role CloudTrail assumes to deliver to CloudWatch Logs: this trail only, and only the
/// log streams of its own group.
pub fn add_role(model: &mut Model) {
    let Some(logs) = model
        .audit
        .trail
        .as_ref()
        .and_then(|t| t.cloudwatch.as_ref())
    else {
        return;
    };
    let name = &model.name;
    let group = Ref::attr(Kind::LogGroup, &logs.log_group, Attr::Arn);
    let trust = service_trust(
        "CloudTrailAssumeRole",
        "cloudtrail.amazonaws.com",
        trail_arn(model),
    );
    let deliver = PolicyDocument::new(vec![Statement::allow(
        "DeliverTrailEvents",
        &["logs:CreateLogStream", "logs:PutLogEvents"],
        vec![Ref::join([group, Ref::lit(":log-stream:*")])],
    )]);
    let role = Role {
        name: logs.role.clone(),
        role_name: format!("{name}-cloudtrail-logs"),
        path: "/".into(),
        description: "Delivers the CloudTrail trail's events to CloudWatch Logs".into(),
        trust,
        boundary: None,
        policies: vec![ManagedPolicy {
            name: logs.role.clone(),
            policy_name: format!("{name}-cloudtrail-logs"),
            description: "Write the trail's events to its log group".into(),
            document: deliver,
        }],
    };
    model.roles.push(role);
}
