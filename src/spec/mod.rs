//! The spec: what the user chose, as typed, validated data (`smgen.toml`, presets, `--set`).
//!
//! Every key path here is also a `--set` path (`network.nat=single`). Defaults are the secure
//! choice (VPC only, no NAT, KMS key created, isolation on). Unknown keys are rejected.

mod environments;
mod governance;
mod load;
pub mod questions;
mod rules;
mod validate;

pub use environments::{Environment, Stage};
pub use governance::{Audit, CloudTrail, Lifecycle, Teardown, TeardownMode};
pub(crate) use load::partial;
pub use load::{SpecSource, load};
pub use validate::{
    IDLE_MINUTES, LIFECYCLE_DIR, LOG_RETENTION_DAYS, MAX_TRAIL_RETENTION_DAYS, Valid,
    is_script_path,
};

/// Name of the created log bucket's short name (reserved for bucket `name`s).
pub const LOG_BUCKET: &str = "s3logs";

/// Short name of the CloudTrail trail's bucket (`audit.cloudtrail = "create"`), reserved too.
pub const TRAIL_BUCKET: &str = "trail";

/// snake_case logical name for any user-given or catalog name. Callers prefix it where the
/// name may start with a digit (Terraform identifiers may not); validation rejects names whose
/// logical forms collide, which is why the rule lives with the spec.
pub fn snake(s: &str) -> String {
    use heck::ToSnakeCase;
    s.replace(['.', '-'], "_").to_snake_case()
}

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub project: Project,
    #[serde(default)]
    pub network: Network,
    #[serde(default)]
    pub needs: Needs,
    #[serde(default)]
    pub encryption: Encryption,
    #[serde(default)]
    pub studio: Studio,
    #[serde(default)]
    pub notebook: Notebook,
    #[serde(default)]
    pub jobs: Jobs,
    #[serde(default)]
    pub data: Data,
    #[serde(default)]
    pub teardown: Teardown,
    #[serde(default)]
    pub audit: Audit,
    #[serde(default, skip_serializing_if = "Lifecycle::is_empty")]
    pub lifecycle: Lifecycle,
    /// Several environments from these answers: `[environments.NAME]` tables, each overriding
    /// keys of the shared answers above (`[environments.prod.project] account_id = "…"`,
    /// `[environments.dev.network] nat = "single"`). Tables merge key by key; any other value,
    /// lists included, replaces the shared one. NAME: 1-16 lower-case letters, digits and
    /// hyphens. Without any, the project is one environment, as before.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(with = "BTreeMap<String, serde_json::Map<String, serde_json::Value>>")]
    pub environments: BTreeMap<String, toml::Table>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Prefix of every resource name: lower-case letters, digits and hyphens.
    pub name: String,
    pub region: String,
    /// 12-digit AWS account id. When unset, the generated code takes it as an input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// What this environment is for (`development`, `test`, `production`, `data`), compared by
    /// the checks across `[environments]`: production must not be weaker than development.
    /// Unset: read from the environment's name (`prod`, `dev`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NetworkMode {
    /// Studio traffic goes only through the customer VPC (`AppNetworkAccessType = VpcOnly`).
    VpcOnly,
    /// Studio apps reach the internet through the SageMaker-managed VPC.
    PublicOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Nat {
    None,
    Single,
    PerAz,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    #[serde(default = "default_mode")]
    pub mode: NetworkMode,
    #[serde(default = "default_nat")]
    pub nat: Nat,
    #[serde(default)]
    pub endpoints: EndpointChoice,
    /// With a NAT gateway and `endpoints = "auto"`, keep the interface endpoints the needs call
    /// for (SageMaker API and runtime, Studio, STS, CloudWatch Logs, ECR, …) instead of sending
    /// those calls through NAT to the services' public endpoints, where endpoint policies and
    /// `aws:SourceVpce` conditions do not apply. Each endpoint is billed per hour per zone.
    #[serde(default, skip_serializing_if = "is_false")]
    pub private_endpoints_with_nat: bool,
    #[serde(default = "yes")]
    pub flow_logs: bool,
    #[serde(default)]
    pub vpc: Vpc,
    /// The environments' VPCs will be connected (VPC peering or a transit gateway, which smgen
    /// does not create): their `network.vpc.cidr` blocks must then not overlap (an error
    /// instead of a warning).
    #[serde(default, skip_serializing_if = "is_false")]
    pub interconnect: bool,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            mode: default_mode(),
            nat: default_nat(),
            endpoints: EndpointChoice::default(),
            private_endpoints_with_nat: false,
            flow_logs: true,
            vpc: Vpc::default(),
            interconnect: false,
        }
    }
}

/// `endpoints = "auto"` (solved from `[needs]`) or an explicit list of endpoint keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum EndpointChoice {
    Keyword(String),
    List(Vec<String>),
}

impl Default for EndpointChoice {
    fn default() -> Self {
        EndpointChoice::Keyword("auto".into())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vpc {
    /// `true`: smgen creates the VPC; `false`: use `vpc_id`, `subnet_ids`, `route_table_ids`.
    #[serde(default = "yes")]
    pub create: bool,
    #[serde(default = "default_cidr")]
    pub cidr: String,
    #[serde(default = "default_azs")]
    pub azs: u8,
    /// Availability Zone IDs to use instead of the region table's first `azs` zones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub az_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnet_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub route_table_ids: Vec<String>,
    /// An S3 gateway endpoint the existing VPC already has on `route_table_ids`, to reuse
    /// instead of creating one (a route table routes S3 through one gateway endpoint only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_gateway_endpoint_id: Option<String>,
}

impl Default for Vpc {
    fn default() -> Self {
        Vpc {
            create: true,
            cidr: default_cidr(),
            azs: default_azs(),
            az_ids: vec![],
            vpc_id: None,
            subnet_ids: vec![],
            route_table_ids: vec![],
            s3_gateway_endpoint_id: None,
        }
    }
}

/// What people will do in the environment; drives the endpoint solver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Needs {
    #[serde(default = "yes")]
    pub studio: bool,
    #[serde(default)]
    pub notebook_instances: bool,
    #[serde(default = "yes")]
    pub sdk_remote_jobs: bool,
    #[serde(default)]
    pub custom_images: bool,
    #[serde(default = "default_pip")]
    pub pip: Pip,
    #[serde(default)]
    pub projects: bool,
    #[serde(default)]
    pub feature_store_online: bool,
    #[serde(default)]
    pub experiments: bool,
    #[serde(default)]
    pub jumpstart: bool,
    #[serde(default)]
    pub git: bool,
    /// SageMaker Pipelines, including callback and retry steps.
    #[serde(default)]
    pub pipelines: bool,
    /// The model registry: model package groups, versions and their approval status.
    #[serde(default)]
    pub model_registry: bool,
    /// Model Monitor: data and model quality job definitions and monitoring schedules.
    #[serde(default)]
    pub monitoring: bool,
    /// Real-time endpoints, and an invoker role for the application server that calls them.
    #[serde(default)]
    pub hosting: bool,
}

impl Default for Needs {
    fn default() -> Self {
        Needs {
            studio: true,
            notebook_instances: false,
            sdk_remote_jobs: true,
            custom_images: false,
            pip: default_pip(),
            projects: false,
            feature_store_online: false,
            experiments: false,
            jumpstart: false,
            git: false,
            pipelines: false,
            model_registry: false,
            monitoring: false,
            hosting: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Pip {
    /// No package installs from inside the environment.
    None,
    /// A private CodeArtifact repository reached through its VPC endpoints.
    Codeartifact,
    /// The public index, which needs internet egress (NAT).
    Public,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum KmsMode {
    Create,
    Existing,
    AwsManaged,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Encryption {
    #[serde(default = "default_kms")]
    pub kms: KmsMode,
    /// The customer managed key to use with `kms = "existing"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_arn: Option<String>,
}

impl Default for Encryption {
    fn default() -> Self {
        Encryption {
            kms: default_kms(),
            key_arn: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMode {
    Iam,
    Sso,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Studio {
    #[serde(default = "default_auth")]
    pub auth_mode: AuthMode,
    #[serde(default)]
    pub user_profiles: Vec<String>,
    #[serde(default)]
    pub presigned_url: PresignedUrl,
    /// Minutes a JupyterLab or Code Editor app may stay idle before SageMaker shuts it down
    /// (the domain's built-in idle shutdown, 60-525600). It is also the most a user may set for
    /// their own spaces; they may choose less, down to 60. Unset: apps run until stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_shutdown_minutes: Option<u32>,
    /// Deny `sagemaker:RemoteAccess`: no space may be created or updated with remote access
    /// on, so no local IDE (VS Code, Kiro, Cursor) connects to a space through the
    /// AWS Toolkit.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deny_remote_access: bool,
    /// Names of the custom SageMaker images (in this account) that Studio apps, spaces and
    /// profiles may use, with `needs.custom_images`. When set, a guardrail denies any other
    /// custom image; SageMaker Distribution images stay allowed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approved_images: Vec<String>,
}

impl Default for Studio {
    fn default() -> Self {
        Studio {
            auth_mode: default_auth(),
            user_profiles: vec![],
            presigned_url: PresignedUrl::default(),
            idle_shutdown_minutes: None,
            deny_remote_access: false,
            approved_images: vec![],
        }
    }
}

/// Where presigned Studio and notebook URLs may be created from (domain facts 2.6).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PresignedUrl {
    #[serde(default)]
    pub restrict: PresignedRestrict,
    /// Allowed source address ranges with `restrict = "source-ip"`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_ips: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PresignedRestrict {
    #[default]
    None,
    /// `aws:SourceIp`: only from the listed ranges (console users on a corporate network).
    SourceIp,
    /// `aws:sourceVpce`: only through the environment's Studio and API endpoints.
    SourceVpce,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notebook {
    /// Names of the notebook instances to create when `needs.notebook_instances` is on.
    #[serde(default = "default_notebooks")]
    pub names: Vec<String>,
    #[serde(default = "default_instance_type")]
    pub instance_type: String,
    #[serde(default = "default_volume")]
    pub volume_size_gb: u16,
    #[serde(default)]
    pub root_access: bool,
    #[serde(default)]
    pub direct_internet_access: bool,
    /// Stop a notebook instance after this many idle minutes (no kernel busy, no activity),
    /// 60-525600: the on-start script `lifecycle.notebook_instance` checks every 5 minutes
    /// and calls StopNotebookInstance through the SageMaker API endpoint. Unset: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_stop_minutes: Option<u32>,
}

impl Default for Notebook {
    fn default() -> Self {
        Notebook {
            names: default_notebooks(),
            instance_type: default_instance_type(),
            volume_size_gb: default_volume(),
            root_access: false,
            direct_internet_access: false,
            idle_stop_minutes: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Jobs {
    #[serde(default = "yes")]
    pub network_isolation: bool,
    #[serde(default = "yes")]
    pub inter_container_encryption: bool,
    /// Deny training, processing and hosting outside the environment's subnets and groups.
    #[serde(default = "yes")]
    pub require_vpc: bool,
    /// Role ARNs allowed to create jobs without network isolation (containers that cannot run
    /// isolated, such as Chainer or reinforcement learning).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub isolation_exceptions: Vec<String>,
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs {
            network_isolation: true,
            inter_container_encryption: true,
            require_vpc: true,
            isolation_exceptions: vec![],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Data {
    #[serde(default = "default_buckets")]
    pub buckets: Vec<Bucket>,
    /// Server access logs of the data buckets go to a separate log bucket.
    #[serde(default = "yes")]
    pub access_logging: bool,
    /// Deny object access to the created buckets except through the S3 gateway endpoint
    /// (and AWS services acting for a principal). Console and CLI access from outside the VPC
    /// stops working, and so does emptying the bucket from outside before a destroy.
    #[serde(default)]
    pub deny_outside_vpc_endpoint: bool,
    /// IAM role ARNs that manage the stack (Terraform, CloudFormation, CDK deployers) and stay
    /// exempt from `deny_outside_vpc_endpoint`, so that plans, applies and destroys run from
    /// outside the VPC still read and empty the buckets. Required with that answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deployer_role_arns: Vec<String>,
}

impl Default for Data {
    fn default() -> Self {
        Data {
            buckets: default_buckets(),
            access_logging: true,
            deny_outside_vpc_endpoint: false,
            deployer_role_arns: vec![],
        }
    }
}

/// A bucket the execution role may use: one smgen creates (`name`, a short logical name) or an
/// existing one (`existing`, the bucket's real name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing: Option<String>,
    /// Key prefixes the role may use (`raw/`); empty means the whole bucket.
    #[serde(default)]
    pub prefixes: Vec<String>,
    #[serde(default = "default_access")]
    pub access: Access,
    /// The AWS account (12 digits) that owns an `existing` bucket, when that is not this
    /// environment's account. The execution role's S3 grants are then pinned to that account
    /// (`s3:ResourceAccount`), and smgen writes the bucket-policy statements the owner must add,
    /// under `policies/for-account-<account>/`: cross-account access needs an Allow in both
    /// accounts (https://repost.aws/knowledge-center/cross-account-access-denied-error-s3). Needs
    /// `project.account_id`, because the owner's policy names the role's full ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The ARN of the KMS key of `account` that encrypts that bucket (SSE-KMS), when it is a
    /// customer managed key. The role may use exactly that key, only through S3
    /// (`kms:ViaService`), and smgen writes the key-policy statements the owner must add. Leave
    /// it out for SSE-S3; a bucket encrypted with the owner's AWS managed `aws/s3` key cannot be
    /// read from another account (its key policy cannot be changed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_arn: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    ReadOnly,
    ReadWrite,
}

fn yes() -> bool {
    true
}
// Off is the default; leaving it out keeps existing projects' smgen.toml unchanged.
pub(crate) fn is_false(b: &bool) -> bool {
    !b
}
fn default_mode() -> NetworkMode {
    NetworkMode::VpcOnly
}
fn default_nat() -> Nat {
    Nat::None
}
fn default_cidr() -> String {
    "10.20.0.0/16".into()
}
fn default_azs() -> u8 {
    2
}
fn default_pip() -> Pip {
    Pip::None
}
fn default_kms() -> KmsMode {
    KmsMode::Create
}
fn default_auth() -> AuthMode {
    AuthMode::Iam
}
fn default_notebooks() -> Vec<String> {
    vec!["workbench".into()]
}
fn default_instance_type() -> String {
    "ml.t3.medium".into()
}
fn default_volume() -> u16 {
    20
}
fn default_access() -> Access {
    Access::ReadWrite
}
fn default_buckets() -> Vec<Bucket> {
    vec![Bucket {
        name: Some("data".into()),
        existing: None,
        prefixes: vec![],
        account: None,
        key_arn: None,
        access: Access::ReadWrite,
    }]
}
