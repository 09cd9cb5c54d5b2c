//! The governance answers: what is recorded and for how long (`[audit]`), which lifecycle
//! scripts apps and notebook instances run (`[lifecycle]`), and what teardown does with the data
//! (`[teardown]`). Re-exported by [`super`]; kept here so that `spec/mod.rs` stays the network,
//! workload and data answers.

use super::is_false;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Lifecycle configurations: shell scripts kept in the project (`lifecycle/*.sh`) that run
/// when an app or notebook instance starts, attached as the domain's and notebooks' defaults.
/// smgen writes a commented starting script for each path given; your edits are kept on
/// `smgen upgrade`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// Studio JupyterLab script, e.g. `lifecycle/jupyterlab.sh`: the default of every user
    /// and shared space.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jupyterlab: Option<String>,
    /// Studio Code Editor script, e.g. `lifecycle/code-editor.sh`: the default of every user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_editor: Option<String>,
    /// Notebook instance on-start script, e.g. `lifecycle/notebook-on-start.sh`, with
    /// `needs.notebook_instances`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notebook_instance: Option<String>,
    /// Guardrails: only the configurations above may be attached to domains, user profiles,
    /// spaces, apps and notebook instances (none, for an app kind without a script).
    #[serde(default, skip_serializing_if = "is_false")]
    pub deny_other: bool,
}

impl Lifecycle {
    /// Nothing asked: the section stays out of smgen.toml.
    pub fn is_empty(&self) -> bool {
        *self == Lifecycle::default()
    }
}

/// What `terraform destroy` / stack deletion does with the data: keep it (production) or delete
/// it with the environment (non-production environments that are created and torn down often).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Teardown {
    #[serde(default)]
    pub mode: TeardownMode,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TeardownMode {
    /// Buckets and the Studio home EFS volume outlive the environment (the default).
    #[default]
    Retain,
    /// Buckets are deleted with their objects (Terraform `force_destroy`, CloudFormation
    /// `DeletionPolicy: Delete`) and the domain deletes its home EFS volume.
    Delete,
}

/// Who records what is done in the environment, and how long its logs are kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    /// What records the account's API activity: a trail smgen creates, the organization's
    /// trail, or none.
    #[serde(default)]
    pub cloudtrail: CloudTrail,
    /// With `cloudtrail = "create"`: also deliver the trail to a CloudWatch Logs log group
    /// (encrypted, kept `log_retention_days`) through a role that may only write to it, for
    /// metric filters and alarms. Billed per GB ingested and stored.
    #[serde(default, skip_serializing_if = "is_false")]
    pub cloudwatch_logs: bool,
    /// Days the trail's log files are kept in its bucket before a lifecycle rule expires them
    /// (removed a day later). While they are kept, the bucket policy denies deleting them to
    /// every principal (`teardown.mode = "retain"`).
    #[serde(default = "default_trail_retention")]
    pub trail_retention_days: u32,
    /// Days every CloudWatch Logs log group keeps its events (VPC flow logs, the trail's
    /// CloudWatch delivery): one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30,
    /// 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653).
    #[serde(default = "default_log_retention")]
    pub log_retention_days: u32,
}

impl Default for Audit {
    fn default() -> Self {
        Audit {
            cloudtrail: CloudTrail::default(),
            cloudwatch_logs: false,
            trail_retention_days: default_trail_retention(),
            log_retention_days: default_log_retention(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CloudTrail {
    /// A multi-Region trail of this account: management events, log file validation, S3 data
    /// events of the environment's buckets and SageMaker data events of the declared needs,
    /// encrypted with the environment key, in a dedicated bucket protected from deletion.
    #[default]
    Create,
    /// No trail here: the environment relies on the organization trail of the management
    /// account (AWS Organizations), which records this account's management events.
    Organization,
    /// No trail: only CloudTrail's 90-day event history of management events.
    None,
}

/// A year: the common floor of regulated log-retention rules (checkov CKV_AWS_338).
fn default_log_retention() -> u32 {
    365
}
fn default_trail_retention() -> u32 {
    365
}
