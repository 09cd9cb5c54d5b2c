//! SageMaker condition keys and the actions that carry them, as data.
//!
//! Source: `data/sagemaker-condition-keys.json`, the AWS Service Authorization Reference for
//! Amazon SageMaker as of 2026-08 (via udondan/iam-floyd's generated policy statements). A Deny
//! with a negated or `…IfExists` operator evaluates true when the key is absent from the request,
//! so guardrails list only actions from this table (docs/sagemaker-facts.md § 1c, 2.10).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

static TABLE_JSON: &str = include_str!("../../data/sagemaker-condition-keys.json");

#[derive(Debug, Deserialize)]
struct Table {
    keys: BTreeMap<String, KeyInfo>,
}

#[derive(Debug, Deserialize)]
pub struct KeyInfo {
    #[serde(rename = "type")]
    pub kind: String,
    pub deprecated: bool,
    pub actions: Vec<String>,
}

fn table() -> &'static BTreeMap<String, KeyInfo> {
    static TABLE: OnceLock<BTreeMap<String, KeyInfo>> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str::<Table>(TABLE_JSON)
            .expect("the embedded condition-key table is valid JSON")
            .keys
    })
}

pub fn info(key: &str) -> Option<&'static KeyInfo> {
    table().get(key)
}

/// The SageMaker actions (without the `sagemaker:` prefix) whose requests carry `key`.
/// An unknown or deprecated key carries no action.
pub fn actions(key: &str) -> &'static [String] {
    match info(key) {
        Some(i) if !i.deprecated => &i.actions,
        _ => &[],
    }
}

pub fn carries(key: &str, action: &str) -> bool {
    actions(key).iter().any(|a| a == action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_from_the_service_authorization_reference() {
        // docs/sagemaker-facts.md § 0.2: CreateCompilationJob carries no VPC keys.
        assert!(!carries("sagemaker:VpcSubnets", "CreateCompilationJob"));
        assert!(carries("sagemaker:VpcSubnets", "CreateTrainingJob"));
        // §2.10: the security-group key also covers user profiles, the subnet key does not.
        assert!(carries(
            "sagemaker:VpcSecurityGroupIds",
            "CreateUserProfile"
        ));
        assert!(!carries("sagemaker:VpcSubnets", "CreateUserProfile"));
        // AppNetworkAccessType is on CreateDomain *and* UpdateDomain.
        assert!(carries("sagemaker:AppNetworkAccessType", "UpdateDomain"));
        // Deprecated keys apply to no action.
        assert!(actions("sagemaker:VolumeKmsKey").is_empty());
        assert!(carries("sagemaker:VolumeKmsKeyArn", "CreateTrainingJob"));
        assert!(actions("sagemaker:NoSuchKey").is_empty());
    }
}
