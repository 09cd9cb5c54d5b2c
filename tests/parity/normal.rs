//! The format-neutral inventory both outputs are reduced to. References become placeholders
//! named after the resource they point at, by the resource's own identity in the output (its
//! bucket, role, group or policy name, CIDR block, service name …), so that a reference is equal
//! in both formats only when it points at the same resource.

use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

/// A security-group rule: (group name, direction, protocol, from, to, peer, description).
pub type RuleKey = (
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    String,
    String,
);

#[derive(Debug, Default)]
pub struct Inventory {
    /// Resource type → count, in the output's own types.
    pub types: BTreeMap<String, usize>,
    /// Parent type → property → how many resources of that type set it (CloudFormation only).
    pub properties: BTreeMap<(String, String), usize>,
    /// Endpoint service names with the region written out.
    pub service_names: BTreeSet<String>,
    pub rules: BTreeSet<RuleKey>,
    /// Policy documents by what they belong to (`trust:<role>`, `policy:<name>`, `bucket:<name>`,
    /// `key`, `endpoint:<service>`), in normal form.
    pub policies: BTreeMap<String, Json>,
}

/// What a resource's identity and attribute become; a name is the identity itself.
pub fn placeholder(kind: &str, identity: &str, attr: &str) -> String {
    if attr == "name" {
        return identity.to_string();
    }
    format!("<{kind}:{identity}:{attr}>")
}

/// Deploy-time inputs in both formats: Terraform variables and CloudFormation parameters.
pub fn input(name: &str) -> String {
    format!("<input:{name}>")
}

pub const ACCOUNT: &str = "<account>";

/// A log group's ARN as Terraform's `arn` attribute gives it: without the `:*` that
/// CloudFormation's `Arn` attribute has, which is why the CloudFormation output spells it out.
pub fn log_group_arn(partition: &str, region: &str, name: &str) -> String {
    format!("arn:{partition}:logs:{region}:{ACCOUNT}:log-group:{name}")
}
