//! The IAM roles of the environment and their documents, built as typed statements: the
//! execution role, the flow-log delivery role and the invoker role (the execution role's
//! boundary is computed in `boundary.rs`; the key, bucket and endpoint policies are in
//! `resource_policies.rs` and `endpoint_policies.rs`).
//!
//! Sources: dg `sagemaker-roles` (what an execution role needs: S3, CloudWatch Logs and metrics,
//! ECR pulls, and the EC2 network-interface actions for jobs in a VPC); dg
//! `security-confused-deputy-prevention` (aws:SourceAccount/aws:SourceArn in trust policies);
//! IAM User Guide `id_roles_use_passrole` (iam:PassedToService); VPC User Guide
//! `flow-logs-cwl` (flow-log delivery role); CloudWatch Logs `encrypt-log-data-kms` (logs
//! service principal with kms:EncryptionContext:aws:logs:arn); S3 User Guide
//! `ServerLogs`/`enable-server-access-logging` (log delivery principal, SSE-S3 only on the
//! target bucket).

use super::iam::{Condition, MANAGED_POLICY_MAX, PolicyDocument, Principal, SCP_MAX, Statement};
use super::refs::{Attr, Kind, Ref};
use super::{ManagedPolicy, Model, Role};
use crate::spec::{Access, Spec};

pub(super) fn account_root() -> Ref {
    Ref::arn("iam", false, true, Ref::lit("root"))
}

pub(super) fn service(host: &str) -> Ref {
    Ref::lit(host)
}

/// A trust policy for a service principal, pinned to this account and to the service's own
/// resources (confused-deputy prevention: dg `security-confused-deputy-prevention`).
pub(super) fn service_trust(sid: &str, principal: &str, source_arn: Ref) -> PolicyDocument {
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

pub(super) fn bucket_arn(b: &str) -> Ref {
    Ref::attr(Kind::Bucket, b, Attr::Arn)
}

pub(super) fn sagemaker_arn(resource: &str) -> Ref {
    Ref::arn("sagemaker", true, true, Ref::lit(resource))
}

/// The SageMaker execution role (Studio users, notebooks, jobs) and the flow-log role.
pub fn add_roles(model: &mut Model, spec: &Spec) {
    let name = model.name.clone();
    let trust = service_trust(
        "SageMakerAssumeRole",
        "sagemaker.amazonaws.com",
        sagemaker_arn("*"),
    );
    let mut st: Vec<Statement> = vec![];

    // S3: the created buckets and the listed existing ones, optionally narrowed to prefixes;
    // the SDK's location is writable (its prefix of an environment bucket, or its own bucket).
    let sdk = super::sdk_location(spec);
    for (i, b) in spec.data.buckets.iter().enumerate() {
        let is_sdk = matches!(&sdk, super::SdkLocation::Environment(l)
            if b.name.as_deref().map(super::snake).as_ref() == Some(l));
        let (arn, label) = match (&b.name, &b.existing) {
            (Some(short), _) => (bucket_arn(&super::snake(short)), heck_pascal(short)),
            (None, Some(existing)) => (
                super::cross_account::bucket_arn(existing),
                format!("Existing{i}"),
            ),
            _ => continue,
        };
        let mut prefixes = b.prefixes.clone();
        if is_sdk && !prefixes.is_empty() {
            prefixes.push(super::SDK_PREFIX.into());
        }
        let grants = bucket_statements(&arn, &label, &prefixes, b.access, is_sdk);
        match &b.account {
            // Another account's bucket: only while that account owns it, so that a bucket of
            // the same name created elsewhere after a deletion is not reached (s3:ResourceAccount,
            // https://aws.amazon.com/about-aws/whats-new/2020/12/new-iam-condition-keys-amazon-s3-limit-requests-buckets-owned-specific-aws-accounts-specific-tls-versions/).
            Some(account) => st.extend(
                grants
                    .into_iter()
                    .map(|s| s.when(super::cross_account::owner_condition(account))),
            ),
            None => st.extend(grants),
        }
        if let (Some(_), Some(key)) = (&b.account, &b.key_arn) {
            st.push(super::cross_account::key_statement(
                &format!("BucketKey{label}"),
                key,
                b.access,
                model.partition,
            ));
        }
    }

    if sdk == super::SdkLocation::SdkDefault && spec.needs.sdk_remote_jobs {
        let default = super::sdk_default_bucket_arn(&model.region);
        st.push(Statement::allow(
            "SdkDefaultBucket",
            &["s3:CreateBucket", "s3:GetBucketLocation", "s3:ListBucket"],
            vec![default.clone()],
        ));
        st.push(Statement::allow(
            "SdkDefaultBucketObjects",
            &[
                "s3:AbortMultipartUpload",
                "s3:DeleteObject",
                "s3:GetObject",
                "s3:PutObject",
            ],
            vec![Ref::join([default, Ref::lit("/*")])],
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

    // Jobs and apps in the VPC: SageMaker creates their network interfaces with this role.
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
    // The environment's security groups by their VPC (ec2:Vpc, which CreateNetworkInterface
    // carries for its network-interface, subnet and security-group resources: Service
    // Authorization Reference), not one ARN per group: with a group per user profile a list
    // would outgrow a managed policy at a few hundred users.
    eni_resources.push(Ref::arn("ec2", true, true, Ref::lit("security-group/*")));
    st.push(
        Statement::allow(
            "CreateNetworkInterfacesInEnvironment",
            &["ec2:CreateNetworkInterface"],
            eni_resources,
        )
        .when(Condition::new(
            "ArnEquals",
            "ec2:Vpc",
            [Ref::arn(
                "ec2",
                true,
                true,
                Ref::join([Ref::lit("vpc/"), model.network.vpc_id.clone()]),
            )],
        )),
    );
    st.push(Statement::allow(
        "ManageNetworkInterfaces",
        &[
            "ec2:CreateNetworkInterfacePermission",
            "ec2:DeleteNetworkInterface",
            "ec2:DeleteNetworkInterfacePermission",
        ],
        vec![eni],
    ));

    // Everything else the declared needs call, from the needs table (data/needs.toml).
    st.extend(super::needs::identity_statements(
        spec,
        super::needs::Principal::Execution,
        model,
    ));

    model.roles.push(Role {
        name: super::EXECUTION_ROLE.into(),
        role_name: format!("{name}-sagemaker-execution"),
        path: "/".into(),
        description: "SageMaker execution role for Studio, notebook instances and jobs".into(),
        trust,
        policies: vec![],
        boundary: None,
    });
    let allows = PolicyDocument::new(st);
    let guards = PolicyDocument::new(super::guardrails::statements(spec, model));
    // Built from the role's path and name, not its ARN attribute: the role refers to the
    // boundary, so the boundary cannot refer back to the role resource.
    let own_arn = Ref::arn(
        "iam",
        false,
        true,
        Ref::lit(format!("role/{name}-sagemaker-execution")),
    );
    let boundary = super::boundary::boundary(&allows, &guards, &own_arn);
    // The policies are named after the role.
    let mut policies = numbered(
        super::EXECUTION_ROLE,
        &format!("{name}-sagemaker-execution"),
        "Least-privilege permissions of the SageMaker execution role",
        allows,
        MANAGED_POLICY_MAX,
    );
    policies.extend(numbered(
        "guardrails",
        &format!("{name}-sagemaker-guardrails"),
        "Guardrails: deny SageMaker work outside the environment's network, isolation and keys",
        guards.clone(),
        MANAGED_POLICY_MAX,
    ));
    let role = model.roles.last_mut().expect("pushed above");
    role.policies = policies;
    role.boundary = Some(ManagedPolicy {
        name: "boundary".into(),
        policy_name: format!("{name}-sagemaker-boundary"),
        description: "Permissions boundary for SageMaker execution roles of this environment"
            .into(),
        document: boundary,
    });
    let scps = guards.split(SCP_MAX);
    let n = scps.len();
    for (i, doc) in scps.into_iter().enumerate() {
        let file = if n == 1 {
            "scp-sagemaker-guardrails.json".to_string()
        } else {
            format!("scp-sagemaker-guardrails-{}.json", i + 1)
        };
        model.documents.push(super::StandaloneDocument {
            file,
            purpose: format!(
                "service control policy for the account's OU: the guardrails for every principal (part {} of {n}; SCPs hold at most {SCP_MAX} characters)",
                i + 1
            ),
            document: doc,
        });
    }

    if spec.needs.hosting {
        add_invoker(model, spec);
    }

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
            boundary: None,
            policies: vec![ManagedPolicy {
                name: "flow_logs".into(),
                policy_name: format!("{name}-vpc-flow-logs"),
                description: "Write VPC flow logs to the environment's log group".into(),
                document: deliver,
            }],
        });
    }
}

/// What a principal needs on one bucket for `access`: its location, listing (under the
/// prefixes, if any) and the object actions (under the prefixes). The SDK checks its bucket with
/// HeadBucket (s3:ListBucket without a prefix) before every upload, so on the SDK's bucket
/// (`is_sdk`) a listing without a prefix passes.
pub(super) fn bucket_statements(
    arn: &Ref,
    label: &str,
    prefixes: &[String],
    access: Access,
    is_sdk: bool,
) -> Vec<Statement> {
    let location = Statement::allow(
        &format!("S3Location{label}"),
        &["s3:GetBucketLocation"],
        vec![arn.clone()],
    );
    let mut list = Statement::allow(
        &format!("S3List{label}"),
        &["s3:ListBucket"],
        vec![arn.clone()],
    );
    let objects: Vec<Ref> = if prefixes.is_empty() {
        vec![Ref::join([arn.clone(), Ref::lit("/*")])]
    } else {
        let op = if is_sdk {
            "StringLikeIfExists"
        } else {
            "StringLike"
        };
        list = list.when(Condition::new(
            op,
            "s3:prefix",
            prefixes.iter().map(|p| Ref::lit(format!("{p}*"))),
        ));
        prefixes
            .iter()
            .map(|p| Ref::join([arn.clone(), Ref::lit(format!("/{p}*"))]))
            .collect()
    };
    let actions: &[&str] = match access {
        Access::ReadOnly => &["s3:GetObject"],
        Access::ReadWrite => &[
            "s3:AbortMultipartUpload",
            "s3:DeleteObject",
            "s3:GetObject",
            "s3:PutObject",
        ],
    };
    vec![
        location,
        list,
        Statement::allow(&format!("S3Objects{label}"), actions, objects),
    ]
}

pub(super) fn heck_pascal(s: &str) -> String {
    use heck::ToUpperCamelCase;
    s.to_upper_camel_case()
}

/// Managed policies named `<name>`, `<name>_2`, … holding the statements within `limit`.
fn numbered(
    name: &str,
    policy_name: &str,
    description: &str,
    doc: PolicyDocument,
    limit: usize,
) -> Vec<ManagedPolicy> {
    doc.split(limit)
        .into_iter()
        .enumerate()
        .map(|(i, document)| {
            let suffix = if i == 0 {
                String::new()
            } else {
                format!("_{}", i + 1)
            };
            ManagedPolicy {
                name: format!("{name}{suffix}"),
                policy_name: format!("{policy_name}{}", suffix.replace('_', "-")),
                description: description.to_string(),
                document,
            }
        })
        .collect()
}

/// The invoker role of `needs.hosting`: an application server assumes it to call the
/// environment's endpoints with SigV4, and may do nothing else. Trusted by this account (the
/// server's own role needs sts:AssumeRole on it); in VPC mode only through the runtime
/// endpoint (aws:SourceVpce), the secure inference path of dg interface-vpc-endpoint.
fn add_invoker(model: &mut Model, spec: &Spec) {
    let name = model.name.clone();
    let trust = PolicyDocument::new(vec![
        Statement::allow("ThisAccountAssumes", &["sts:AssumeRole"], vec![])
            .principal(Principal::Aws(vec![account_root()])),
    ]);
    let runtime = model
        .endpoint("sagemaker.runtime")
        .map(|e| Ref::attr(Kind::VpcEndpoint, &e.name, Attr::Id));
    let st: Vec<Statement> =
        super::needs::identity_statements(spec, super::needs::Principal::Invoker, model)
            .into_iter()
            .map(|s| match &runtime {
                Some(id) => s.when(Condition::new(
                    "StringEquals",
                    "aws:SourceVpce",
                    [id.clone()],
                )),
                None => s,
            })
            .collect();
    model.roles.push(Role {
        name: "invoker".into(),
        role_name: format!("{name}-sagemaker-invoker"),
        path: "/".into(),
        description: "Calls this environment's SageMaker endpoints (InvokeEndpoint only)".into(),
        trust,
        boundary: None,
        policies: vec![ManagedPolicy {
            name: "invoker".into(),
            policy_name: format!("{name}-sagemaker-invoker"),
            description: "InvokeEndpoint on this environment's endpoints only".into(),
            document: PolicyDocument::new(st),
        }],
    });
}
