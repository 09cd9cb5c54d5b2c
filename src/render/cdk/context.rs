//! The CDK template context, typed: every top-level key, and the encryption, network, storage,
//! IAM, access, resource-policy and SageMaker contexts, so a context built with a misspelt or
//! missing key there does not compile. The test and README contexts are still
//! `serde_json::Value`s built by their modules, the next to type. Values are TypeScript fragments built by [`crate::render::typescript`] and
//! [`super::refs`] unless their field says they are raw text (`*_raw`, `app`).

use serde::Serialize;

#[derive(Serialize)]
pub struct Context<'a> {
    /// The app's name: file names (`bin/<app>.ts`) and `package.json`'s name.
    pub app: &'a str,
    pub stack_class: String,
    pub stack_id: String,
    pub region: String,
    pub region_raw: &'a str,
    pub partition: &'a str,
    /// The name inside a `//` comment.
    pub name_c: String,
    pub description: String,
    pub tags: Vec<Tag>,
    pub vpc_only: bool,
    pub encryption: Encryption,
    pub network: Network,
    pub storage: Storage,
    pub iam: Iam,
    pub sagemaker: SageMaker,
    pub access: Access,
    pub audit: Audit,
    pub outputs: Vec<super::outputs::Output>,
    pub key_policy: Option<String>,
    pub resource_policies: ResourcePolicies,
    pub test: super::tests::TestContext,
    pub readme: super::readme::Readme<'a>,
    /// The README facts every format shares (`render/standalone.rs`).
    pub deploy: crate::render::standalone::ReadmeFacts,
    pub teardown_delete: bool,
    /// Set when the stack class is one structure group of a project with several environments
    /// (`[environments.NAME]`): the templates then take the per-environment inputs as props.
    pub multi: Option<Multi>,
}

/// The context of one structure group's files in a project of several environments, and of the
/// files rendered once (the stage wiring in `bin/`, the Stage class, the README).
#[derive(Serialize)]
pub struct Multi {
    /// The Stage module, imported from this group's `lib/` files (`'./APP-stage'`, `'../APP-stage'`).
    pub stage_import: String,
    /// The project root from this group's `lib/` files, as `path.join` arguments.
    pub lib_root: String,
    /// This group's stack module, imported from its own `lib/` files.
    pub stack_module: String,
    /// This group's stack module, imported from `test/`.
    pub stack_import: String,
    /// The main group's stack class name (the Stage file's and the README's).
    pub main_class: String,
    /// The test files, for `package.json`'s `test` script.
    pub test_files: String,
    /// Every environment, in name order.
    pub envs: Vec<EnvInputs>,
    /// Every structure group.
    pub groups: Vec<GroupFacts>,
}

/// One environment's stage and inputs (TypeScript literals unless `*_raw`).
#[derive(Serialize, Clone)]
pub struct EnvInputs {
    pub name: String,
    pub name_raw: String,
    pub stage_raw: Option<String>,
    pub stack_name: String,
    pub stack_name_raw: String,
    pub stack_class: String,
    pub account: Option<String>,
    pub account_raw: Option<String>,
    pub region: String,
    pub region_raw: String,
    pub tags: Vec<Tag>,
    pub cidr_raw: Option<String>,
    /// `vpc` and `subnets` of [`VpcBlocks`] as a TypeScript object, when the stack creates the VPC.
    pub blocks: Option<String>,
}

/// A structure group: its stack class, where it lives, and why it is not the main one.
#[derive(Serialize, Clone)]
pub struct GroupFacts {
    pub stack_class: String,
    /// Its module, imported from `bin/`.
    pub import: String,
    /// Its stack file, relative to the project.
    pub file_raw: String,
    pub members_raw: Vec<String>,
    pub differs_raw: Vec<String>,
}

#[derive(Serialize)]
pub struct Zone {
    pub key: String,
    pub public_key: String,
    pub up: String,
    pub az_id: String,
    pub private_cidr: String,
    pub public_cidr: Option<String>,
    pub nat: Option<String>,
    pub has_nat: bool,
    pub is_nat: bool,
    pub nat_key: String,
    pub private_name: String,
    pub public_name: String,
    pub nat_name: String,
}

#[derive(Serialize)]
pub struct Vpc {
    pub cidr: String,
    pub zones: Vec<Zone>,
    pub public: bool,
    pub name: String,
    pub igw_name: String,
    pub public_rt_name: String,
    pub route_tables: String,
}

#[derive(Serialize)]
pub struct ExistingVpc {
    pub vpc_id: String,
    pub subnet_ids: String,
    pub route_table_ids: String,
}

#[derive(Serialize)]
pub struct SecurityGroup {
    pub key: String,
    pub id: String,
    pub group_name: String,
    pub description: String,
}

#[derive(Serialize)]
pub struct SecurityGroupRule {
    pub group: String,
    pub method: &'static str,
    pub peer: String,
    pub port: String,
    pub description: String,
}

#[derive(Serialize)]
pub struct Endpoint {
    pub key: String,
    pub id: String,
    pub lookup_id: String,
    pub existing_id: Option<String>,
    pub service_name: String,
    pub gateway: bool,
    pub tag_name: String,
    pub what: String,
    pub why: String,
}

#[derive(Serialize)]
pub struct Network {
    pub vpc: Option<Vpc>,
    pub existing: Option<ExistingVpc>,
    pub security_groups: Vec<SecurityGroup>,
    pub rules: Vec<SecurityGroupRule>,
    pub endpoints: Vec<Endpoint>,
    pub has_gateway: bool,
    pub flow_logs: bool,
    pub nag: Vec<Nag>,
}

/// A managed policy; `n` numbers the roles' policies (not boundaries or people's policies).
#[derive(Serialize)]
pub struct Policy {
    pub key: String,
    pub id: String,
    pub policy_name: String,
    pub description: String,
    pub document: String,
    /// `Sid: reason,` lines: why each wildcard statement is acknowledged (AwsSolutions-IAM5).
    pub reasons: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
}

#[derive(Serialize)]
pub struct Role {
    pub key: String,
    pub id: String,
    pub role_name: String,
    pub path: String,
    pub description: String,
    pub trust: String,
    pub boundary: Option<Policy>,
    pub policies: Vec<Policy>,
}

#[derive(Serialize)]
pub struct Iam {
    pub roles: Vec<Role>,
}

#[derive(Serialize)]
pub struct Access {
    pub policies: Vec<Policy>,
}

#[derive(Serialize)]
pub struct ResourcePolicy {
    pub key: String,
    pub what: String,
    pub policy: String,
}

/// A bucket whose access logging waits for its target's policy.
#[derive(Serialize)]
pub struct Logging {
    pub key: String,
    pub target: String,
}

#[derive(Serialize)]
pub struct ResourcePolicies {
    pub endpoints: Vec<ResourcePolicy>,
    pub buckets: Vec<ResourcePolicy>,
    pub logging: Vec<Logging>,
    pub flow_log_policies: String,
    pub flow_log_policies_in_stack: String,
}

/// A cdk-nag acknowledgement: the rule id and the reason, TypeScript strings.
#[derive(Serialize)]
pub struct Nag {
    pub id: String,
    pub reason: String,
}

#[derive(Serialize)]
pub struct Encryption {
    pub create: bool,
    pub existing: bool,
    pub has_key: bool,
    pub existing_arn: Option<String>,
    pub alias: String,
    pub description: String,
}

#[derive(Serialize)]
pub struct Bucket {
    pub key: String,
    pub id: String,
    pub bucket_name: String,
    /// `// name: purpose.`
    pub what: String,
    pub encryption: &'static str,
    pub sse_kms: bool,
    pub key_obj: Option<String>,
    pub log_bucket: Option<String>,
    pub log_prefix: String,
    pub log_target: bool,
    /// The lifecycle rule that expires the objects of a log bucket.
    pub expiration: Option<Expiration>,
    pub nag: Vec<Nag>,
}

#[derive(Serialize)]
pub struct Expiration {
    pub id: String,
    pub days: u32,
    pub noncurrent_days: u32,
}

/// The audit construct (`lib/audit.ts`): the trail, when smgen creates one.
#[derive(Serialize)]
pub struct Audit {
    pub trail: Option<Trail>,
}

#[derive(Serialize)]
pub struct Trail {
    pub trail_name: String,
    /// The trail's bucket (an `s3.Bucket` expression).
    pub bucket: String,
    pub key: Option<String>,
    pub log_group_arn: Option<String>,
    pub role_arn: Option<String>,
    pub selectors: Vec<Selector>,
    /// The delivery role's policies, which the trail waits for (a TypeScript list).
    pub role_policies: String,
    pub nag: Vec<Nag>,
}

#[derive(Serialize)]
pub struct Selector {
    pub name: String,
    /// `// what it records`.
    pub what: String,
    pub fields: Vec<Field>,
}

#[derive(Serialize)]
pub struct Field {
    pub field: String,
    /// `equalTo` or `startsWith` (CfnTrail.AdvancedFieldSelectorProperty).
    pub op: &'static str,
    pub values: String,
}

#[derive(Serialize)]
pub struct LogGroup {
    pub key: String,
    pub id: String,
    pub log_group_name: String,
    pub retention: u32,
    pub key_obj: Option<String>,
}

#[derive(Serialize)]
pub struct Storage {
    pub buckets: Vec<Bucket>,
    pub log_groups: Vec<LogGroup>,
}

#[derive(Serialize)]
pub struct Profile {
    pub key: String,
    pub id: String,
    pub profile_name: String,
    pub sg: String,
}

#[derive(Serialize)]
pub struct Domain {
    pub domain_name: String,
    pub auth_mode: String,
    pub sso: bool,
    pub access: String,
    pub vpc_only: bool,
    pub vpc_id: String,
    pub subnets: String,
    pub key: Option<String>,
    pub role: String,
    pub default_sgs: String,
    pub space_sgs: String,
    pub profiles: Vec<Profile>,
    /// `*AppSettings` of the default user settings and of the default space settings.
    pub user_apps: Vec<crate::render::apps::AppSettings>,
    pub space_apps: Vec<crate::render::apps::AppSettings>,
}

/// A lifecycle configuration from a project script, read when the app synthesizes.
#[derive(Serialize)]
pub struct LifecycleConfig {
    pub key: String,
    pub id: String,
    pub studio: bool,
    pub app_type: String,
    /// The script's path in the project and the name's prefix (TypeScript strings).
    pub script: String,
    pub prefix: String,
}

#[derive(Serialize)]
pub struct Notebook {
    pub key: String,
    pub id: String,
    pub instance_name: String,
    pub instance_type: String,
    pub volume: u16,
    pub subnet: String,
    pub sgs: String,
    pub kms_key: Option<String>,
    pub direct_internet: String,
    pub root_access: String,
    pub role: String,
    pub nag: Vec<Nag>,
    pub lifecycle_config: Option<String>,
}

#[derive(Serialize)]
pub struct SageMaker {
    pub domain: Option<Domain>,
    pub notebooks: Vec<Notebook>,
    pub lifecycle_configs: Vec<LifecycleConfig>,
    /// The execution role's policies, which the workloads wait for.
    pub exec_policies: String,
}

#[derive(Serialize, Clone)]
pub struct Tag {
    pub key: String,
    pub value: String,
}
