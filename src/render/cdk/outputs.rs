//! The stack outputs: the values the environment's users need (role, subnets, groups, keys,
//! buckets) and the SageMaker Python SDK defaults.

use super::{Ctx, Ids};
use crate::model::refs::{Attr, Kind, Ref};
use crate::render::typescript::string as s;
use crate::view::outputs::{self as text, noted};
use crate::view::sdk;

/// The stack's outputs: the Terraform output's `outputs.tf`, one `CfnOutput` each (maps and
/// lists as JSON strings, since outputs are strings).
pub(super) fn outputs(c: &Ctx) -> Vec<Output> {
    let m = c.model;
    let json_of = |pairs: Vec<(String, String)>| {
        let body: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("{}: {v},", s(&k)))
            .collect();
        format!(
            "cdk.Stack.of(this).toJsonString({{\n{}\n}})",
            body.join("\n")
        )
    };
    let exec_role = c.e(&crate::model::execution_role_arn());
    let key = m.jobs.kms_key.as_ref().map(|k| c.e(k));
    let mut out: Vec<(&str, String, String)> = vec![
        ("VpcId", text::VPC.into(), c.e(&m.network.vpc_id)),
        (
            "PrivateSubnetIds",
            noted(text::PRIVATE_SUBNETS, "comma-separated"),
            format!("cdk.Fn.join(',', {})", c.list(&m.network.private_subnets)),
        ),
        (
            "SecurityGroupIds",
            noted(text::SECURITY_GROUPS, "JSON"),
            json_of(
                m.security_groups
                    .iter()
                    .map(|g| (g.name.clone(), c.e(&g.id_ref())))
                    .collect(),
            ),
        ),
        (
            "ExecutionRoleArn",
            text::EXECUTION_ROLE.into(),
            exec_role.clone(),
        ),
    ];
    if let Some(k) = &key {
        out.push(("KmsKeyArn", text::KMS_KEY.into(), k.clone()));
    }
    out.push((
        "BucketNames",
        noted(text::BUCKETS, "JSON"),
        json_of(
            m.buckets
                .iter()
                .map(|b| (b.name.clone(), c.e(&b.bucket_name)))
                .collect(),
        ),
    ));
    out.push((
        "VpcEndpointIds",
        noted(text::ENDPOINTS, "JSON"),
        json_of(
            m.endpoints
                .iter()
                .map(|e| {
                    (
                        e.name.clone(),
                        c.e(&Ref::attr(Kind::VpcEndpoint, &e.name, Attr::Id)),
                    )
                })
                .collect(),
        ),
    ));
    if m.domain.is_some() {
        out.push((
            "StudioDomainId",
            text::STUDIO_DOMAIN.into(),
            "this.sagemaker.domain.attrDomainId".into(),
        ));
        out.push((
            "StudioDomainUrl",
            text::STUDIO_DOMAIN_URL.into(),
            "this.sagemaker.domain.attrUrl".into(),
        ));
    }
    if !m.notebooks.is_empty() {
        let names: Vec<String> = m
            .notebooks
            .iter()
            .map(|n| {
                format!(
                    "this.sagemaker.notebooks[{}].attrNotebookInstanceName",
                    s(&n.name)
                )
            })
            .collect();
        out.push((
            "NotebookInstanceNames",
            noted(text::NOTEBOOKS, "comma-separated"),
            format!("cdk.Fn.join(',', [{}])", names.join(", ")),
        ));
    }
    let to_json =
        |v: crate::model::iam::Value| format!("cdk.Stack.of(this).toJsonString({})", c.value(&v));
    out.push((
        "JobDefaults",
        noted(text::JOB_DEFAULTS, "JSON"),
        to_json(sdk::job_defaults(m)),
    ));
    for p in &m.access_policies {
        out.push((
            "AccessPolicyArn",
            text::ACCESS_POLICY.into(),
            format!("this.access.policies[{}].managedPolicyArn", s(&p.name)),
        ));
    }
    // SageMaker Python SDK defaults (config.yaml; YAML reads JSON), as the Terraform output.
    out.push((
        "SageMakerSdkConfig",
        "SageMaker Python SDK defaults with this environment's values: save as ~/.config/sagemaker/config.yaml.".into(),
        to_json(sdk::sdk_config(m)),
    ));
    let mut ids = Ids::default();
    out.into_iter()
        .map(|(id, description, value)| Output {
            id: ids.id(id, ""),
            description: s(&description),
            value,
        })
        .collect()
}

/// One `CfnOutput`: its construct id, description (a TypeScript string) and value expression.
#[derive(serde::Serialize)]
pub struct Output {
    id: String,
    description: String,
    value: String,
}
