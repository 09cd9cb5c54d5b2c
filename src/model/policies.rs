//! The IAM documents of the environment, built as typed statements: the execution role, the
//! flow-log delivery role, the KMS key policy, bucket policies and endpoint policies.
//!
//! Sources: dg `sagemaker-roles` (what an execution role needs: S3, CloudWatch Logs and metrics,
//! ECR pulls, and the EC2 network-interface actions for jobs in a VPC); dg
//! `security-confused-deputy-prevention` (aws:SourceAccount/aws:SourceArn in trust policies);
//! IAM User Guide `id_roles_use_passrole` (iam:PassedToService); VPC User Guide
//! `flow-logs-cwl` (flow-log delivery role); CloudWatch Logs `encrypt-log-data-kms` (logs
//! service principal with kms:EncryptionContext:aws:logs:arn); S3 User Guide
//! `ServerLogs`/`enable-server-access-logging` (log delivery principal, SSE-S3 only on the
//! target bucket).

use super::iam::{Condition, PolicyDocument, Principal, Statement};
use super::refs::{Attr, Kind, Ref};
use super::{Bucket, LOG_BUCKET, ManagedPolicy, Model, Role};
use crate::spec::{Access, Spec};

fn account_root() -> Ref {
    Ref::arn("iam", false, true, Ref::lit("root"))
}

fn service(host: &str) -> Ref {
    Ref::lit(host)
}

/// A trust policy for a service principal, pinned to this account and to the service's own
/// resources (confused-deputy prevention: dg `security-confused-deputy-prevention`).
fn service_trust(sid: &str, principal: &str, source_arn: Ref) -> PolicyDocument {
    PolicyDocument::new(vec![
        Statement::allow(sid, &["sts:AssumeRole"], vec![])
            .principal(Principal::Service(vec![service(principal)]))
            .when(Condition::new(
                "StringEquals",
                "aws:SourceAccount",
                [Ref::Account],
            ))
            .when(Condition::new("ArnLike", "aws:SourceArn", [source_arn])),
    ])
}

fn bucket_arn(b: &str) -> Ref {
    Ref::attr(Kind::Bucket, b, Attr::Arn)
}

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

/// The created buckets (data buckets and, with access logging, the log target).
pub fn add_buckets(model: &mut Model, spec: &Spec) {
    let name = &model.name;
    let region = model.region.clone();
    let logging = spec.data.access_logging;
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
        model.buckets.push(Bucket {
            name: logical.clone(),
            bucket_name: bucket_name(short),
            purpose: "training data, features and model artifacts".into(),
            kms_key: model.kms.key_arn.clone(),
            sse_kms: true,
            access_log_bucket: logging.then(|| LOG_BUCKET.to_string()),
            policy: PolicyDocument::new(vec![tls_only(&logical)]),
            is_log_target: false,
        });
    }
    if logging {
        let sources: Vec<Ref> = model.buckets.iter().map(|b| bucket_arn(&b.name)).collect();
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
            // Server access log targets support SSE-S3 only (S3 User Guide, enable-server-access-logging).
            sse_kms: false,
            access_log_bucket: None,
            policy: PolicyDocument::new(vec![log_delivery, tls_only(LOG_BUCKET)]),
            is_log_target: true,
        });
    }
}

fn sagemaker_arn(resource: &str) -> Ref {
    Ref::arn("sagemaker", true, true, Ref::lit(resource))
}

/// The SageMaker execution role (Studio users, notebooks, jobs) and the flow-log role.
pub fn add_roles(model: &mut Model, spec: &Spec) {
    let name = model.name.clone();
    let role_arn = Ref::attr(Kind::Role, "execution", Attr::Arn);
    let trust = service_trust(
        "SageMakerAssumeRole",
        "sagemaker.amazonaws.com",
        sagemaker_arn("*"),
    );
    let mut st: Vec<Statement> = vec![];

    // S3: the created buckets and the listed existing ones, optionally narrowed to prefixes.
    for (i, b) in spec.data.buckets.iter().enumerate() {
        let (arn, label) = match (&b.name, &b.existing) {
            (Some(short), _) => (bucket_arn(&super::snake(short)), heck_pascal(short)),
            (None, Some(existing)) => (
                Ref::join([
                    Ref::lit("arn:"),
                    Ref::Partition,
                    Ref::lit(format!(":s3:::{existing}")),
                ]),
                format!("Existing{i}"),
            ),
            _ => continue,
        };
        st.push(Statement::allow(
            &format!("S3Location{label}"),
            &["s3:GetBucketLocation"],
            vec![arn.clone()],
        ));
        let mut list = Statement::allow(
            &format!("S3List{label}"),
            &["s3:ListBucket"],
            vec![arn.clone()],
        );
        let objects: Vec<Ref> = if b.prefixes.is_empty() {
            vec![Ref::join([arn.clone(), Ref::lit("/*")])]
        } else {
            list = list.when(Condition::new(
                "StringLike",
                "s3:prefix",
                b.prefixes.iter().map(|p| Ref::lit(format!("{p}*"))),
            ));
            b.prefixes
                .iter()
                .map(|p| Ref::join([arn.clone(), Ref::lit(format!("/{p}*"))]))
                .collect()
        };
        st.push(list);
        let actions: &[&str] = match b.access {
            Access::ReadOnly => &["s3:GetObject"],
            Access::ReadWrite => &[
                "s3:AbortMultipartUpload",
                "s3:DeleteObject",
                "s3:GetObject",
                "s3:PutObject",
            ],
        };
        st.push(Statement::allow(
            &format!("S3Objects{label}"),
            actions,
            objects,
        ));
    }

    if let Some(key) = &model.kms.key_arn {
        st.push(Statement::allow(
            "UseEnvironmentKey",
            &[
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:Encrypt",
                "kms:GenerateDataKey",
                "kms:GenerateDataKeyWithoutPlaintext",
            ],
            vec![key.clone()],
        ));
        st.push(
            Statement::allow(
                "GrantKeyToAwsServices",
                &["kms:CreateGrant"],
                vec![key.clone()],
            )
            .when(Condition::new(
                "Bool",
                "kms:GrantIsForAWSResource",
                [Ref::lit("true")],
            )),
        );
    }

    let log_groups = Ref::arn("logs", true, true, Ref::lit("log-group:/aws/sagemaker/*"));
    let log_streams = Ref::arn(
        "logs",
        true,
        true,
        Ref::lit("log-group:/aws/sagemaker/*:log-stream:*"),
    );
    st.push(Statement::allow(
        "SageMakerLogGroups",
        &["logs:CreateLogGroup", "logs:DescribeLogStreams"],
        vec![log_groups],
    ));
    st.push(Statement::allow(
        "SageMakerLogStreams",
        &[
            "logs:CreateLogStream",
            "logs:GetLogEvents",
            "logs:PutLogEvents",
        ],
        vec![log_streams],
    ));
    st.push(
        Statement::allow(
            "SageMakerMetrics",
            &["cloudwatch:PutMetricData"],
            vec![Ref::lit("*")],
        )
        .when(Condition::new(
            "StringLike",
            "cloudwatch:namespace",
            [Ref::lit("/aws/sagemaker/*")],
        )),
    );

    // Jobs and apps in the VPC: SageMaker creates their network interfaces with this role.
    st.push(Statement::allow(
        "DescribeVpcResources",
        &[
            "ec2:DescribeDhcpOptions",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcEndpoints",
            "ec2:DescribeVpcs",
        ],
        vec![Ref::lit("*")],
    ));
    let eni = Ref::arn("ec2", true, true, Ref::lit("network-interface/*"));
    let mut eni_resources = vec![eni.clone()];
    for s in &model.network.private_subnets {
        eni_resources.push(Ref::arn(
            "ec2",
            true,
            true,
            Ref::join([Ref::lit("subnet/"), s.clone()]),
        ));
    }
    for sg in &model.security_groups {
        eni_resources.push(Ref::arn(
            "ec2",
            true,
            true,
            Ref::join([Ref::lit("security-group/"), sg.id_ref()]),
        ));
    }
    st.push(Statement::allow(
        "CreateNetworkInterfacesInEnvironment",
        &["ec2:CreateNetworkInterface"],
        eni_resources,
    ));
    st.push(Statement::allow(
        "ManageNetworkInterfaces",
        &[
            "ec2:CreateNetworkInterfacePermission",
            "ec2:DeleteNetworkInterface",
            "ec2:DeleteNetworkInterfacePermission",
        ],
        vec![eni],
    ));

    if spec.needs.custom_images {
        st.push(Statement::allow(
            "EcrAuth",
            &["ecr:GetAuthorizationToken"],
            vec![Ref::lit("*")],
        ));
        st.push(Statement::allow(
            "EcrPull",
            &[
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
            ],
            vec![Ref::arn("ecr", true, true, Ref::lit("repository/*"))],
        ));
    }

    st.push(Statement::allow(
        "SageMakerWorkInThisAccount",
        SAGEMAKER_ACTIONS,
        vec![sagemaker_arn("*")],
    ));
    st.push(Statement::allow(
        "SageMakerListAndSearch",
        &[
            "sagemaker:ListModels",
            "sagemaker:ListTrainingJobs",
            "sagemaker:Search",
        ],
        vec![Ref::lit("*")],
    ));
    st.push(
        Statement::allow("PassOwnRoleToSageMaker", &["iam:PassRole"], vec![role_arn]).when(
            Condition::new(
                "StringEquals",
                "iam:PassedToService",
                [service("sagemaker.amazonaws.com")],
            ),
        ),
    );

    model.roles.push(Role {
        name: "execution".into(),
        role_name: format!("{name}-sagemaker-execution"),
        path: "/".into(),
        description: "SageMaker execution role for Studio, notebook instances and jobs".into(),
        trust,
        policies: vec![ManagedPolicy {
            name: "execution".into(),
            policy_name: format!("{name}-sagemaker-execution"),
            description: "Least-privilege permissions of the SageMaker execution role".into(),
            document: PolicyDocument::new(st),
        }],
    });

    if model.network.flow_logs {
        let group = Ref::attr(Kind::LogGroup, "flow_logs", Attr::Arn);
        let flow_trust = service_trust(
            "FlowLogsAssumeRole",
            "vpc-flow-logs.amazonaws.com",
            Ref::arn("ec2", true, true, Ref::lit("vpc-flow-log/*")),
        );
        let deliver = PolicyDocument::new(vec![Statement::allow(
            "DeliverFlowLogs",
            &[
                "logs:CreateLogStream",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
            ],
            vec![group.clone(), Ref::join([group, Ref::lit(":*")])],
        )]);
        model.roles.push(Role {
            name: "flow_logs".into(),
            role_name: format!("{name}-vpc-flow-logs"),
            path: "/".into(),
            description: "Delivers VPC flow logs to CloudWatch Logs".into(),
            trust: flow_trust,
            policies: vec![ManagedPolicy {
                name: "flow_logs".into(),
                policy_name: format!("{name}-vpc-flow-logs"),
                description: "Write VPC flow logs to the environment's log group".into(),
                document: deliver,
            }],
        });
    }
}

/// What Studio users, notebooks and the SDK do with SageMaker, on this account's resources.
const SAGEMAKER_ACTIONS: &[&str] = &[
    "sagemaker:AddTags",
    "sagemaker:CreateApp",
    "sagemaker:CreateEndpoint",
    "sagemaker:CreateEndpointConfig",
    "sagemaker:CreateHyperParameterTuningJob",
    "sagemaker:CreateModel",
    "sagemaker:CreateProcessingJob",
    "sagemaker:CreateSpace",
    "sagemaker:CreateTrainingJob",
    "sagemaker:CreateTransformJob",
    "sagemaker:DeleteApp",
    "sagemaker:DeleteEndpoint",
    "sagemaker:DeleteEndpointConfig",
    "sagemaker:DeleteModel",
    "sagemaker:DeleteSpace",
    "sagemaker:DescribeApp",
    "sagemaker:DescribeDomain",
    "sagemaker:DescribeEndpoint",
    "sagemaker:DescribeEndpointConfig",
    "sagemaker:DescribeHyperParameterTuningJob",
    "sagemaker:DescribeModel",
    "sagemaker:DescribeProcessingJob",
    "sagemaker:DescribeSpace",
    "sagemaker:DescribeTrainingJob",
    "sagemaker:DescribeTransformJob",
    "sagemaker:DescribeUserProfile",
    "sagemaker:InvokeEndpoint",
    "sagemaker:ListApps",
    "sagemaker:ListSpaces",
    "sagemaker:ListTags",
    "sagemaker:StopHyperParameterTuningJob",
    "sagemaker:StopProcessingJob",
    "sagemaker:StopTrainingJob",
    "sagemaker:StopTransformJob",
    "sagemaker:UpdateEndpoint",
    "sagemaker:UpdateSpace",
];

fn heck_pascal(s: &str) -> String {
    use heck::ToUpperCamelCase;
    s.to_upper_camel_case()
}

/// The policy of the key smgen creates: account administration through IAM, and the
/// CloudWatch Logs service principal for the environment's log groups only.
pub fn key_policy(model: &Model) -> PolicyDocument {
    let mut st = vec![
        Statement::allow("EnableIamPolicies", &["kms:*"], vec![Ref::lit("*")])
            .principal(Principal::Aws(vec![account_root()])),
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
                "AllowCloudWatchLogsForEnvironmentLogGroups",
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
    PolicyDocument::new(st)
}

/// Endpoint policies: only principals of this account may use the environment's endpoints.
pub fn endpoint_policy(_model: &Model, key: &str) -> PolicyDocument {
    PolicyDocument::new(vec![
        Statement::allow(
            &format!("OnlyThisAccount{}", heck_pascal(key)),
            &["*"],
            vec![Ref::lit("*")],
        )
        .principal(Principal::Aws(vec![Ref::lit("*")]))
        .when(Condition::new(
            "StringEquals",
            "aws:PrincipalAccount",
            [Ref::Account],
        )),
    ])
}
