//! The CloudFormation template context, typed at the top and for the resources this module
//! builds itself (buckets, log groups, the flow log, the key): a context built with a misspelt or
//! missing key there does not compile. The parts built in `network.rs`, `workloads.rs` and
//! `params.rs` are still `serde_json::Value`s, the next to type. Values are YAML fragments built
//! by [`super::intrinsics`] and [`crate::render::yaml`] unless their field says they are raw text
//! for comments and Markdown (`*_raw`, `purpose`).

use crate::model::Finding;
use serde::Serialize;
use serde_json::Value as Json;

#[derive(Serialize)]
pub struct Context<'a> {
    pub name: &'a str,
    pub stack_name: &'a str,
    /// The README facts every format shares (`render/standalone.rs`).
    pub deploy: Json,
    pub region: String,
    pub region_raw: &'a str,
    pub region_assert: String,
    /// With `project.account_id`: the template rule that refuses any other account.
    pub account_rule_id: Option<String>,
    pub account_rule_message: Option<String>,
    pub partition: &'a str,
    pub description: String,
    pub tags: String,
    pub vpc: Option<Json>,
    pub vpc_id: String,
    pub private_subnets: String,
    pub private_subnets_joined: String,
    pub private_route_tables: String,
    pub existing: bool,
    pub flow_log: Option<FlowLog>,
    pub endpoints: Vec<Json>,
    pub security_groups: Vec<Json>,
    pub sg_rules: Vec<Json>,
    pub kms: Kms,
    pub buckets: Vec<Bucket<'a>>,
    pub log_groups: Vec<LogGroup>,
    pub roles: Vec<Json>,
    pub access_policies: Vec<Json>,
    pub domain: Option<Json>,
    pub notebooks: Vec<Json>,
    pub jobs: Json,
    pub findings: &'a [Finding],
    pub teardown_delete: bool,
    pub params: Vec<Json>,
    pub param_groups: Vec<Json>,
    pub parameters_json: String,
    pub s3_prefix_list: Option<Json>,
    /// Whether `aws cloudformation deploy` must upload the template through S3 (it is larger
    /// than a request takes): known only once the template is rendered.
    pub needs_s3_upload: bool,
    pub outputs: Vec<Json>,
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
    /// The checkov `skip:` list.
    pub skips: Option<String>,
    pub tags: String,
    pub output: String,
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
