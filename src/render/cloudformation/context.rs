//! The CloudFormation template context, typed: every top-level key, the buckets, log groups,
//! flow log and key that `mod.rs` builds, the network that `network.rs` builds, and the roles,
//! policies, Studio domain, notebook instances and outputs that `workloads.rs` builds. A context
//! built with a misspelt or missing key there does not compile, and so are the parameters built
//! in `params.rs`. Values are YAML fragments built
//! by [`super::intrinsics`] and [`crate::render::yaml`] unless their field says they are raw text
//! for comments and Markdown (`*_raw`, `purpose`).

use crate::model::Finding;
use serde::Serialize;

#[derive(Serialize)]
pub struct Context<'a> {
    pub name: &'a str,
    pub stack_name: &'a str,
    /// The README facts every format shares (`render/standalone.rs`).
    pub deploy: crate::render::standalone::ReadmeFacts,
    pub region: String,
    pub region_raw: &'a str,
    pub region_assert: String,
    /// With `project.account_id`: the template rule that refuses any other account.
    pub account_rule_id: Option<String>,
    pub account_rule_message: Option<String>,
    /// In a template shared by several environments: the rule that compares the stack's
    /// account with the `ExpectedAccountId` parameter (instead of a literal account).
    pub expected_account: Option<ExpectedAccount>,
    pub partition: &'a str,
    pub description: String,
    pub tags: String,
    pub vpc: Option<Vpc>,
    pub vpc_id: String,
    pub private_subnets: String,
    pub private_subnets_joined: String,
    pub private_route_tables: String,
    pub existing: bool,
    pub flow_log: Option<FlowLog>,
    pub endpoints: Vec<Endpoint<'a>>,
    pub security_groups: Vec<SecurityGroup<'a>>,
    pub sg_rules: Vec<StandaloneRule>,
    pub kms: Kms,
    pub buckets: Vec<Bucket<'a>>,
    pub log_groups: Vec<LogGroup>,
    pub trail: Option<Trail>,
    pub roles: Vec<Role>,
    pub access_policies: Vec<Policy>,
    pub domain: Option<Domain<'a>>,
    pub notebooks: Vec<Notebook>,
    pub lifecycle_configs: Vec<LifecycleConfig>,
    pub jobs: Jobs,
    pub findings: &'a [Finding],
    pub teardown_delete: bool,
    pub params: Vec<super::params::ParamView>,
    pub param_groups: Vec<super::params::ParamGroup>,
    pub parameters_json: String,
    pub s3_prefix_list: Option<super::params::PrefixListLookup>,
    /// Whether `aws cloudformation deploy` must upload the template through S3 (it is larger
    /// than a request takes): known only once the template is rendered.
    pub needs_s3_upload: bool,
    pub outputs: Vec<Output>,
}

/// The rule `ExpectedAccount` of a shared template.
#[derive(Serialize)]
pub struct ExpectedAccount {
    /// Some environment names no account: an empty parameter skips the check.
    pub optional: bool,
    pub description: String,
}

#[derive(Serialize)]
pub struct Bucket<'a> {
    pub logical: String,
    pub name: &'a str,
    pub bucket: String,
    pub purpose: &'a str,
    pub sse_kms: bool,
    pub key: Option<String>,
    pub log_bucket: Option<String>,
    pub log_policy: Option<String>,
    pub log_prefix: String,
    pub policy: String,
    pub policy_logical: String,
    pub log_target: bool,
    /// The lifecycle rule that expires the objects of a log bucket.
    pub expiration: Option<Expiration>,
    /// The checkov `skip:` list.
    pub skips: Option<String>,
    pub tags: String,
    pub output: String,
}

#[derive(Serialize)]
pub struct Expiration {
    pub id: String,
    pub days: u32,
    pub noncurrent_days: u32,
}

/// The CloudTrail trail (`audit.cloudtrail = "create"`).
#[derive(Serialize)]
pub struct Trail {
    pub logical: String,
    pub skips: Option<String>,
    pub trail_name: String,
    /// The logical id of the trail's bucket.
    pub bucket: String,
    pub key: Option<String>,
    pub log_group_arn: Option<String>,
    pub role_arn: Option<String>,
    /// The `AdvancedEventSelectors` list, a YAML block.
    pub selectors: String,
    /// What the trail waits for: its bucket's policy, its delivery role's policies.
    pub depends: Vec<String>,
    pub tags: String,
}

#[derive(Serialize)]
pub struct LogGroup {
    pub logical: String,
    pub log_group_name: String,
    pub retention: u32,
    pub key: Option<String>,
    pub skips: Option<String>,
    pub tags: String,
}

#[derive(Serialize)]
pub struct FlowLog {
    pub destination: String,
    pub role: String,
    /// The role's policies, which the flow log waits for.
    pub depends: Vec<String>,
    pub tags: String,
}

#[derive(Serialize)]
pub struct Zone {
    pub subnet: String,
    pub rt: String,
    pub assoc: String,
    pub route: String,
    pub public_subnet: String,
    pub public_assoc: String,
    pub az_id: String,
    pub private_cidr: String,
    pub public_cidr: Option<String>,
    /// The logical id of the NAT gateway the zone routes through.
    pub nat: Option<String>,
    pub is_nat: bool,
    pub nat_name: String,
    pub eip: String,
    pub private_tags: String,
    pub rt_tags: String,
    pub public_tags: String,
    pub nat_tags: String,
}

#[derive(Serialize)]
pub struct Vpc {
    pub cidr: String,
    pub zones: Vec<Zone>,
    pub public: bool,
    pub tags: String,
    pub igw_tags: String,
    pub public_rt_tags: String,
}

#[derive(Serialize)]
pub struct Endpoint<'a> {
    pub logical: String,
    pub key: &'a str,
    pub service_name: String,
    pub service_name_raw: &'a str,
    pub gateway: bool,
    pub reason: &'a str,
    pub purpose: &'a str,
    pub source: &'a str,
    pub policy: String,
    pub tags: String,
    pub output: String,
}

#[derive(Serialize)]
pub struct SecurityGroup<'a> {
    pub name: &'a str,
    pub logical: String,
    pub group_name: String,
    pub description: String,
    pub ingress: Option<String>,
    pub egress: String,
    pub tags: String,
    pub output: String,
    /// The group's rules, one line each, for the README.
    pub text: String,
}

/// A rule between groups, a resource of its own (`AWS::EC2::SecurityGroupIngress`/`Egress`).
#[derive(Serialize)]
pub struct StandaloneRule {
    pub logical: String,
    pub r#type: String,
    pub group: String,
    pub fields: String,
}

#[derive(Serialize)]
pub struct Policy {
    pub policy_logical: String,
    pub policy_name: String,
    pub description: String,
    pub document: String,
}

#[derive(Serialize)]
pub struct Role {
    pub logical: String,
    pub role_name: String,
    pub path: String,
    pub description: String,
    pub trust: String,
    pub boundary: Option<Policy>,
    pub policies: Vec<Policy>,
    pub tags: String,
}

#[derive(Serialize)]
pub struct Profile {
    pub logical: String,
    pub profile_name: String,
    pub sg: String,
    pub tags: String,
}

#[derive(Serialize)]
pub struct Domain<'a> {
    pub logical: String,
    pub domain_name: String,
    pub auth_mode: &'static str,
    pub sso: bool,
    pub access: String,
    pub access_raw: &'a str,
    pub vpc_only: bool,
    pub key: Option<String>,
    pub role: String,
    pub default_sgs: String,
    pub space_sgs: String,
    /// The execution role's policies, which the domain waits for.
    pub depends: Vec<String>,
    pub skips: Option<String>,
    pub tags: String,
    pub profiles: Vec<Profile>,
    /// `*AppSettings` of the default user settings and of the default space settings.
    pub user_apps: Vec<crate::render::apps::AppSettings>,
    pub space_apps: Vec<crate::render::apps::AppSettings>,
}

/// A lifecycle configuration, its script embedded as base64 (CloudFormation reads no files).
#[derive(Serialize)]
pub struct LifecycleConfig {
    pub logical: String,
    pub studio: bool,
    pub app_type: String,
    pub config_name: String,
    pub content: String,
    /// The script's path and SHA-256, raw text for a comment.
    pub script_raw: String,
    pub sha256_raw: String,
    pub tags: String,
}

#[derive(Serialize)]
pub struct Notebook {
    pub logical: String,
    pub instance_name: String,
    pub instance_type: String,
    pub volume: u16,
    pub subnet: String,
    pub sgs: String,
    pub key: Option<String>,
    pub direct_internet: &'static str,
    pub root_access: &'static str,
    pub role: String,
    pub depends: Vec<String>,
    pub skips: Option<String>,
    pub tags: String,
    pub lifecycle_config: Option<String>,
}

#[derive(Serialize)]
pub struct Jobs {
    pub network_isolation: bool,
    pub icte: bool,
    pub key: bool,
}

/// A stack output, exported as `<stack name>-<name>`.
#[derive(Serialize)]
pub struct Output {
    pub name: String,
    pub description: String,
    pub description_raw: String,
    pub value: String,
    pub export: String,
}

#[derive(Serialize)]
pub struct Kms {
    pub create: bool,
    pub existing: bool,
    pub aws_managed: bool,
    pub key: Option<String>,
    pub policy: Option<String>,
    pub alias: String,
    pub description: String,
    pub tags: String,
}
