//! The stack outputs: the values the environment's users need (role, subnets, groups, keys,
//! buckets) and the SageMaker Python SDK defaults.

use super::{Ctx, Ids};
use crate::model::refs::{Attr, Kind, Ref};
use crate::render::typescript::string as s;
use crate::view::outputs::{self as text, noted};
use serde_json::Value as Json;
use serde_json::json;

/// The stack's outputs: the Terraform output's `outputs.tf`, one `CfnOutput` each (maps and
/// lists as JSON strings, since outputs are strings).
pub(super) fn outputs(c: &Ctx) -> Vec<Json> {
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
    let jobs = &m.jobs;
    let sg = c.e(&jobs.security_group);
    let subnets = c.list(&jobs.subnets);
    let key = jobs.kms_key.as_ref().map(|k| c.e(k));
    let vpc_config = format!("{{ SecurityGroupIds: [{sg}], Subnets: {subnets} }}");
    let (iso, icte) = (jobs.network_isolation, jobs.inter_container_encryption);
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
    let mut job_defaults = vec![
        ("enable_network_isolation".to_string(), iso.to_string()),
        (
            "enable_inter_container_traffic_encryption".to_string(),
            icte.to_string(),
        ),
        ("subnets".to_string(), subnets.clone()),
        ("security_group_ids".to_string(), format!("[{sg}]")),
    ];
    job_defaults.push((
        "kms_key_arn".into(),
        key.clone().unwrap_or_else(|| "null".into()),
    ));
    out.push((
        "JobDefaults",
        noted(text::JOB_DEFAULTS, "JSON"),
        json_of(job_defaults),
    ));
    for p in &m.access_policies {
        out.push((
            "AccessPolicyArn",
            text::ACCESS_POLICY.into(),
            format!("this.access.policies[{}].managedPolicyArn", s(&p.name)),
        ));
    }
    // SageMaker Python SDK defaults (config.yaml; YAML reads JSON), as the Terraform output.
    let with_key = |base: &str, extra: String| match &key {
        Some(_) => format!("{{ {base}, {extra} }}"),
        None => format!("{{ {base} }}"),
    };
    let k = key.clone().unwrap_or_default();
    let sdk_session = match &jobs.sdk_prefix {
        Some(p) => format!(
            "{{ Modules: {{ Session: {{ DefaultS3Bucket: {}, DefaultS3ObjectKeyPrefix: {} }} }} }}",
            c.e(&jobs.sdk_bucket),
            c.e(&Ref::lit(p))
        ),
        None => format!(
            "{{ Modules: {{ Session: {{ DefaultS3Bucket: {} }} }} }}",
            c.e(&jobs.sdk_bucket)
        ),
    };
    let mut sdk = vec![
        ("PythonSDK".to_string(), sdk_session),
        (
            "TrainingJob".to_string(),
            with_key(
                &format!(
                    "EnableNetworkIsolation: {iso}, EnableInterContainerTrafficEncryption: {icte}, RoleArn: {exec_role}, VpcConfig: {vpc_config}"
                ),
                format!(
                    "OutputDataConfig: {{ KmsKeyId: {k} }}, ResourceConfig: {{ VolumeKmsKeyId: {k} }}"
                ),
            ),
        ),
        (
            "ProcessingJob".to_string(),
            with_key(
                &format!(
                    "NetworkConfig: {{ EnableNetworkIsolation: {iso}, EnableInterContainerTrafficEncryption: {icte}, VpcConfig: {vpc_config} }}, RoleArn: {exec_role}"
                ),
                format!(
                    "ProcessingOutputConfig: {{ KmsKeyId: {k} }}, ProcessingResources: {{ ClusterConfig: {{ VolumeKmsKeyId: {k} }} }}"
                ),
            ),
        ),
        (
            "Model".to_string(),
            format!(
                "{{ EnableNetworkIsolation: {iso}, ExecutionRoleArn: {exec_role}, VpcConfig: {vpc_config} }}"
            ),
        ),
    ];
    if key.is_some() {
        sdk.push(("EndpointConfig".into(), format!("{{ KmsKeyId: {k} }}")));
        sdk.push((
            "TransformJob".into(),
            format!("{{ TransformOutput: {{ KmsKeyId: {k} }}, TransformResources: {{ VolumeKmsKeyId: {k} }} }}"),
        ));
    }
    let sdk_body: Vec<String> = sdk.into_iter().map(|(k, v)| format!("{k}: {v},")).collect();
    out.push((
        "SageMakerSdkConfig",
        "SageMaker Python SDK defaults with this environment's values: save as ~/.config/sagemaker/config.yaml.".into(),
        format!(
            "cdk.Stack.of(this).toJsonString({{\nSchemaVersion: '1.0',\nSageMaker: {{\n{}\n}},\n}})",
            sdk_body.join("\n")
        ),
    ));
    let mut ids = Ids::default();
    out.into_iter()
        .map(|(id, description, value)| {
            json!({"id": ids.id(id, ""), "description": s(&description), "value": value})
        })
        .collect()
}
