//! Resource policies: buckets and the KMS key (the VPC endpoints' are in `endpoint_policies.rs`).
//!
//! Sources: S3 User Guide `enable-server-access-logging` (log delivery principal; SSE-S3 only
//! on the target), `example-bucket-policies-vpc-endpoint` (aws:sourceVpce); docs/sagemaker-facts.md § 2.5
//! (service-side readers need `aws:ViaAWSService` exceptions); CloudWatch Logs
//! `encrypt-log-data-kms` (logs principal, kms:EncryptionContext:aws:logs:arn); KMS
//! `key-policy-default` and `conditions-kms` (kms:ViaService, kms:GrantIsForAWSResource);
//! PrivateLink `vpc-endpoints-access` and dg `interface-vpc-endpoint` / `studio-interface-endpoint`
//! / `notebook-interface-endpoint` (endpoint policies; the Studio endpoint must allow CreateApp).

use super::iam::{Condition, PolicyDocument, Principal, Statement};
use super::policies::{account_root, bucket_arn, service};
use super::refs::Ref;
use super::{Bucket, Expiration, LOG_BUCKET, Model};
use crate::spec::{CloudTrail, Spec, TRAIL_BUCKET};

fn tls_only(bucket: &str) -> Statement {
    Statement::deny(
        "DenyInsecureTransport",
        &["s3:*"],
        vec![
            bucket_arn(bucket),
            Ref::join([bucket_arn(bucket), Ref::lit("/*")]),
        ],
    )
    .principal(Principal::Aws(vec![Ref::lit("*")]))
    .when(Condition::new(
        "Bool",
        "aws:SecureTransport",
        [Ref::lit("false")],
    ))
}

/// Object and listing access only through the environment's S3 gateway endpoint; AWS services
/// acting for a principal (pipelines, Feature Store offline store, model registry) are exempt
/// through `aws:ViaAWSService` (docs/sagemaker-facts.md § 2.5).
fn only_through_endpoint(bucket: &str, deployers: &[String], s3_endpoint: Ref) -> Statement {
    Statement::deny(
        "DenyDataAccessOutsideVpcEndpoint",
        &[
            "s3:DeleteObject",
            "s3:GetObject",
            "s3:ListBucket",
            "s3:PutObject",
        ],
        vec![
            bucket_arn(bucket),
            Ref::join([bucket_arn(bucket), Ref::lit("/*")]),
        ],
    )
    .principal(Principal::Aws(vec![Ref::lit("*")]))
    .when(Condition::new(
        "StringNotEquals",
        "aws:sourceVpce",
        [s3_endpoint],
    ))
    .when(Condition::new(
        "Bool",
        "aws:ViaAWSService",
        [Ref::lit("false")],
    ))
    // The stack's deployers read the bucket on every plan (HeadBucket needs s3:ListBucket) and
    // empty it on destroy, from outside the VPC (data.deployer_role_arns).
    .when(Condition::new(
        "ArnNotLike",
        "aws:PrincipalArn",
        deployers.iter().map(Ref::lit),
    ))
}

/// The created buckets (data buckets and, with access logging, the log target).
pub fn add_buckets(model: &mut Model, spec: &Spec) {
    let name = &model.name;
    let region = model.region.clone();
    let logging = spec.data.access_logging;
    let vpce_only = spec.data.deny_outside_vpc_endpoint;
    let bucket_name = |short: &str| {
        Ref::join([
            Ref::lit(format!("{name}-{short}-")),
            Ref::Account,
            Ref::lit(format!("-{region}")),
        ])
    };
    for b in &spec.data.buckets {
        let Some(short) = &b.name else { continue };
        let logical = super::snake(short);
        let mut statements = vec![tls_only(&logical)];
        if vpce_only {
            statements.push(only_through_endpoint(
                &logical,
                &spec.data.deployer_role_arns,
                model.endpoint_id("s3"),
            ));
        }
        model.buckets.push(Bucket {
            name: logical.clone(),
            bucket_name: bucket_name(short),
            purpose: "training data, features and model artifacts".into(),
            kms_key: model.kms.key_arn.clone(),
            sse_kms: true,
            access_log_bucket: logging.then(|| LOG_BUCKET.to_string()),
            policy: PolicyDocument::new(statements),
            is_log_target: false,
            is_trail: false,
            expiration: None,
            policy_after_lifecycle: false,
        });
    }
    if spec.audit.cloudtrail == CloudTrail::Create {
        // Before the log target: its log-delivery statement names every source bucket.
        let protect = !model.teardown_delete;
        let mut statements = super::audit::bucket_statements(model, protect);
        statements.push(tls_only(TRAIL_BUCKET));
        model.buckets.push(Bucket {
            name: TRAIL_BUCKET.into(),
            bucket_name: bucket_name(TRAIL_BUCKET),
            purpose: "the CloudTrail trail's log and digest files".into(),
            kms_key: model.kms.key_arn.clone(),
            // With AWS managed keys CloudTrail writes SSE-S3: the aws/s3 key's policy cannot
            // admit the CloudTrail service principal (CloudTrail User Guide,
            // create-s3-bucket-policy-for-cloudtrail; KMS Developer Guide, AWS managed keys).
            sse_kms: model.kms.key_arn.is_some(),
            access_log_bucket: logging.then(|| LOG_BUCKET.to_string()),
            policy: PolicyDocument::new(statements),
            is_log_target: false,
            is_trail: true,
            expiration: Some(Expiration {
                id: "expire-trail-logs",
                days: spec.audit.trail_retention_days,
                noncurrent_days: 1,
            }),
            policy_after_lifecycle: protect,
        });
    }
    if logging {
        // The source buckets' ARNs are spelled from their names, not read from the buckets
        // (`GetAtt`): S3 checks the target's policy when logging is enabled on a source bucket
        // (PutBucketLogging fails with InvalidTargetBucketForLogging otherwise; S3 User Guide,
        // `enable-server-access-logging`, "Permissions for log delivery"), so the sources are
        // created after this policy and the policy must not wait for them: with an attribute
        // reference CloudFormation could only order the two the wrong way round.
        let sources: Vec<Ref> = model
            .buckets
            .iter()
            .map(|b| {
                Ref::join([
                    Ref::lit("arn:"),
                    Ref::Partition,
                    Ref::lit(":s3:::"),
                    b.bucket_name.clone(),
                ])
            })
            .collect();
        let log_delivery = Statement::allow(
            "AllowServerAccessLogDelivery",
            &["s3:PutObject"],
            vec![Ref::join([bucket_arn(LOG_BUCKET), Ref::lit("/*")])],
        )
        .principal(Principal::Service(vec![service(
            "logging.s3.amazonaws.com",
        )]))
        .when(Condition::new(
            "StringEquals",
            "aws:SourceAccount",
            [Ref::Account],
        ))
        .when(Condition::new("ArnLike", "aws:SourceArn", sources));
        model.buckets.push(Bucket {
            name: LOG_BUCKET.into(),
            bucket_name: bucket_name(LOG_BUCKET),
            purpose: "S3 server access logs of the data buckets".into(),
            kms_key: None,
            // Server access log targets support SSE-S3 only (S3 User Guide).
            sse_kms: false,
            access_log_bucket: None,
            policy: PolicyDocument::new(vec![log_delivery, tls_only(LOG_BUCKET)]),
            is_log_target: true,
            is_trail: false,
            expiration: Some(Expiration {
                id: "expire-access-logs",
                days: 365,
                noncurrent_days: 30,
            }),
            policy_after_lifecycle: false,
        });
    }
}

/// A service in this Region as `kms:ViaService` names it (`s3.eu-west-1.amazonaws.com`; KMS
/// Developer Guide, `conditions-kms`, kms:ViaService).
pub fn via_service(service: &str, partition: crate::aws::region::Partition) -> Ref {
    Ref::join([
        Ref::lit(format!("{service}.")),
        Ref::Region,
        Ref::lit(format!(".{}", partition.dns_suffix())),
    ])
}

/// The policy of the key smgen creates: administration through IAM in this account; the
/// execution role only through the AWS services that encrypt for it; CloudWatch Logs for the
/// environment's log groups only. No `aws:sourceVpce` condition on KMS calls made by services
/// (docs/sagemaker-facts.md § 1c: such conditions are no-ops).
pub fn key_policy(model: &Model) -> PolicyDocument {
    let via: Vec<Ref> = ["s3", "sagemaker", "ec2", "elasticfilesystem"]
        .iter()
        .map(|svc| via_service(svc, model.partition))
        .collect();
    let role = crate::model::execution_role_arn();
    let mut st = vec![
        Statement::allow("EnableIamPolicies", &["kms:*"], vec![Ref::lit("*")])
            .principal(Principal::Aws(vec![account_root()])),
        Statement::allow(
            "ExecutionRoleThroughAwsServices",
            &[
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:Encrypt",
                "kms:GenerateDataKey*",
                "kms:ReEncrypt*",
            ],
            vec![Ref::lit("*")],
        )
        .principal(Principal::Aws(vec![role.clone()]))
        .when(Condition::new("StringEquals", "kms:ViaService", via)),
        Statement::allow(
            "ExecutionRoleGrantsForAwsResources",
            &["kms:CreateGrant"],
            vec![Ref::lit("*")],
        )
        .principal(Principal::Aws(vec![role]))
        .when(Condition::new(
            "Bool",
            "kms:GrantIsForAWSResource",
            [Ref::lit("true")],
        )),
    ];
    if !model.log_groups.is_empty() {
        let contexts: Vec<Ref> = model
            .log_groups
            .iter()
            .map(|g| {
                Ref::arn(
                    "logs",
                    true,
                    true,
                    Ref::lit(format!("log-group:{}", g.log_group_name)),
                )
            })
            .collect();
        st.push(
            Statement::allow(
                "CloudWatchLogsForEnvironmentLogGroups",
                &[
                    "kms:Decrypt*",
                    "kms:Describe*",
                    "kms:Encrypt*",
                    "kms:GenerateDataKey*",
                    "kms:ReEncrypt*",
                ],
                vec![Ref::lit("*")],
            )
            .principal(Principal::Service(vec![Ref::join([
                Ref::lit("logs."),
                Ref::Region,
                Ref::lit(format!(".{}", model.partition.dns_suffix())),
            ])]))
            .when(Condition::new(
                "ArnEquals",
                "kms:EncryptionContext:aws:logs:arn",
                contexts,
            )),
        );
    }
    if model.audit.cloudtrail == CloudTrail::Create {
        st.extend(super::audit::key_statements(model));
    }
    PolicyDocument::new(st)
}
