//! The Terraform template context, typed: every key a template reads is a field here, so a
//! context built with a misspelt or missing key does not compile. Values are HCL fragments
//! (quoted, escaped strings or expressions, built by [`super::hcl`]) unless their field says
//! they are raw text for comments and Markdown (`*_raw`, `text`, `reason`, `purpose`, `source`).

use crate::model::Finding;
use serde::Serialize;

#[derive(Serialize)]
pub struct Context<'a> {
    pub name: &'a str,
    pub name_q: String,
    pub region: String,
    pub region_raw: &'a str,
    pub partition: &'a str,
    pub account_default: Option<String>,
    /// The README facts every format shares (`render/standalone.rs`).
    pub deploy: crate::render::standalone::ReadmeFacts,
    pub test_account: String,
    pub test_account_raw: &'a str,
    /// A module shared by several environments (`modules/…`), not a root.
    pub module: bool,
    /// The inputs a module's own tests set for a VPC smgen creates: a documentation block
    /// carved as smgen carves the environments' blocks (HCL fragments).
    pub module_test: Option<ModuleTest>,
    pub tags: Vec<Tag>,
    pub vpc_only: bool,
    pub vpc: Option<Vpc<'a>>,
    pub vpc_id: String,
    pub private_subnets: String,
    pub private_route_tables: String,
    pub flow_logs: bool,
    pub existing: bool,
    pub existing_vpc: Option<ExistingVpc>,
    pub existing_key_arn: Option<String>,
    pub endpoints: Vec<Endpoint<'a>>,
    pub interface_endpoints: Vec<&'a str>,
    pub security_groups: Vec<SecurityGroup<'a>>,
    pub ingress: Vec<Rule<'a>>,
    pub egress: Vec<Rule<'a>>,
    pub kms: Kms,
    pub buckets: Vec<Bucket<'a>>,
    pub data_buckets: Vec<&'a str>,
    pub log_groups: Vec<LogGroup<'a>>,
    pub trail: Option<Trail<'a>>,
    pub roles: Vec<Role<'a>>,
    pub domain: Option<Domain<'a>>,
    pub notebooks: Vec<Notebook<'a>>,
    pub lifecycle_configs: Vec<LifecycleConfig<'a>>,
    pub jobs: Jobs,
    pub findings: &'a [Finding],
    pub teardown_delete: bool,
    pub access_policies: Vec<Policy<'a>>,
    pub guardrail_checks: Vec<GuardrailCheck>,
    /// HCL lists of resource addresses, for `depends_on`.
    pub exec_policies: String,
    pub flow_log_attachments: String,
    pub exec_attachments: String,
    /// The descriptions of the outputs (`outputs.tf`).
    pub outputs: Outputs,
}

/// An output's description.
#[derive(Serialize)]
pub struct Described {
    pub description: String,
}

#[derive(Serialize)]
pub struct Outputs {
    pub vpc: Described,
    pub private_subnets: Described,
    pub security_groups: Described,
    pub execution_role: Described,
    pub kms_key: Described,
    pub buckets: Described,
    pub endpoints: Described,
    pub studio_domain: Described,
    pub studio_domain_url: Described,
    pub notebooks: Described,
    pub job_defaults: Described,
    pub access_policy: Described,
}

#[derive(Serialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Serialize, Clone)]
pub struct Zone<'a> {
    pub suffix: &'a str,
    pub az_id: String,
    pub private_cidr: String,
    pub public_cidr: Option<String>,
    /// The suffix of the zone whose NAT gateway this zone routes through.
    pub nat: Option<&'a str>,
    pub private_name: String,
    pub public_name: String,
    pub nat_name: String,
    pub rt_name: String,
}

#[derive(Serialize)]
pub struct Vpc<'a> {
    pub cidr: String,
    pub zones: Vec<Zone<'a>>,
    /// The zones that hold a NAT gateway.
    pub nats: Vec<Zone<'a>>,
    pub public: bool,
    pub name: String,
    pub igw_name: String,
    pub public_rt_name: String,
}

#[derive(Serialize)]
pub struct ExistingVpc {
    pub vpc_id: String,
    pub subnet_ids: String,
    pub route_table_ids: String,
}

#[derive(Serialize)]
pub struct Endpoint<'a> {
    pub name: &'a str,
    pub key: &'a str,
    pub service_name: String,
    pub gateway: bool,
    pub reason: &'a str,
    pub purpose: &'a str,
    pub source: &'a str,
    pub policy: String,
    pub tag_name: String,
    /// The id of a VPC's endpoint that is reused instead of created.
    pub existing_id: Option<String>,
    /// The endpoint's address: a resource, or a data source for a reused one.
    pub address: String,
}

#[derive(Serialize)]
pub struct Rule<'a> {
    /// `ID:REASON` of each checkov check the rule waives.
    pub skips: Vec<String>,
    pub name: String,
    pub group: &'a str,
    pub protocol: String,
    pub from_port: Option<u16>,
    pub to_port: Option<u16>,
    pub peer_attr: &'static str,
    pub peer: String,
    pub description: String,
    pub text: &'a str,
}

#[derive(Serialize)]
pub struct SecurityGroup<'a> {
    pub skips: Vec<String>,
    pub name: &'a str,
    /// The README's rule list per group.
    pub ingress_texts: Vec<&'a str>,
    pub egress_texts: Vec<&'a str>,
    pub group_name: String,
    pub description: String,
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
}

#[derive(Serialize)]
pub struct Bucket<'a> {
    pub name: &'a str,
    pub bucket: String,
    pub purpose: &'a str,
    pub sse_kms: bool,
    pub key: Option<String>,
    pub log_bucket: Option<&'a str>,
    pub log_prefix: String,
    pub policy: String,
    pub log_target: bool,
    /// The lifecycle rule that expires the objects of a log bucket.
    pub expiration: Option<Expiration>,
    /// The policy waits for the lifecycle configuration it protects.
    pub policy_after_lifecycle: bool,
    pub skips: Vec<String>,
}

#[derive(Serialize)]
pub struct Expiration {
    pub id: String,
    pub days: u32,
    pub noncurrent_days: u32,
}

/// The CloudTrail trail (`audit.cloudtrail = "create"`).
#[derive(Serialize)]
pub struct Trail<'a> {
    pub skips: Vec<String>,
    pub trail_name: String,
    /// Logical name of the trail's bucket.
    pub bucket: &'a str,
    pub key: Option<String>,
    /// The CloudWatch Logs delivery: the group's ARN with `:*`, the role's ARN, the group's
    /// logical name.
    pub log_group_arn: Option<String>,
    pub role_arn: Option<String>,
    pub log_group: Option<&'a str>,
    pub selectors: Vec<Selector>,
    /// HCL list of the resources the trail waits for.
    pub depends_on: String,
    pub retention_days: u32,
    pub protected: bool,
}

#[derive(Serialize)]
pub struct Selector {
    pub name: String,
    /// Raw text for a comment.
    pub why: String,
    pub fields: Vec<Field>,
    pub data: bool,
}

#[derive(Serialize)]
pub struct Field {
    pub field: String,
    /// `equals` or `starts_with`.
    pub op: &'static str,
    pub values: String,
}

#[derive(Serialize)]
pub struct LogGroup<'a> {
    pub name: &'a str,
    pub log_group_name: String,
    pub retention: u32,
    pub key: Option<String>,
    pub skips: Vec<String>,
}

#[derive(Serialize)]
pub struct Policy<'a> {
    pub name: &'a str,
    pub policy_name: String,
    pub description: String,
    pub document: String,
}

#[derive(Serialize)]
pub struct Role<'a> {
    pub boundary: Option<Policy<'a>>,
    pub name: &'a str,
    pub role_name: String,
    pub path: String,
    pub description: String,
    pub trust: String,
    pub policies: Vec<Policy<'a>>,
}

#[derive(Serialize)]
pub struct Profile<'a> {
    pub name: &'a str,
    pub profile_name: String,
    pub sg: String,
}

#[derive(Serialize)]
pub struct Domain<'a> {
    pub domain_name: String,
    pub auth_mode: String,
    pub sso: bool,
    pub access: String,
    pub access_raw: &'a str,
    pub vpc_only: bool,
    pub key: Option<String>,
    pub role: String,
    pub default_sgs: String,
    pub space_sgs: String,
    pub profiles: Vec<Profile<'a>>,
    pub skips: Vec<String>,
    /// `*_app_settings` blocks of the default user settings and of the default space settings.
    pub user_apps: Vec<crate::render::apps::AppSettings>,
    pub space_apps: Vec<crate::render::apps::AppSettings>,
}

/// A lifecycle configuration from a project script.
#[derive(Serialize)]
pub struct LifecycleConfig<'a> {
    pub name: &'a str,
    pub studio: bool,
    pub app_type: String,
    /// The configuration's name, with a hash of the script (HCL template string).
    pub config_name: String,
    /// `"${path.module}/lifecycle/…"`.
    pub file: String,
    pub script: String,
    pub script_raw: &'a str,
}

#[derive(Serialize)]
pub struct Notebook<'a> {
    pub name: &'a str,
    pub instance_name: String,
    pub instance_type: String,
    pub volume: u16,
    pub subnet: String,
    pub sgs: String,
    pub key: Option<String>,
    pub direct_internet: String,
    pub root_access: String,
    pub skips: Vec<String>,
    pub role: String,
    pub lifecycle_config: Option<String>,
}

#[derive(Serialize)]
pub struct Jobs {
    pub network_isolation: bool,
    pub icte: bool,
    pub key: Option<String>,
    /// The `job_defaults` output's value ([`crate::view::sdk::job_defaults`]).
    pub defaults: String,
    /// The SDK defaults file as an HCL object ([`crate::view::sdk::sdk_config`]).
    pub sdk_config: String,
}

#[derive(Serialize)]
pub struct GuardrailCheck {
    pub sid: String,
    pub message: String,
}

/// The network inputs of a module's tests (HCL fragments).
#[derive(Serialize)]
pub struct ModuleTest {
    pub vpc_cidr: String,
    pub vpc_cidr_raw: &'static str,
    pub private_subnet_cidrs: String,
    pub public_subnet_cidrs: Option<String>,
}
