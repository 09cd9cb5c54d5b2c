//! The `--json` reports of `presets`, `generate`, `generate --check`, `diff` and `upgrade`, as
//! typed documents. Each carries a `schema` (`smgen-NAME/1`) that changes only when a field
//! changes meaning or disappears (fields are only ever added), as `explain`'s does
//! (`smgen-explain/1`, `src/explain/mod.rs`). The README documents every field
//! (`tests/cli.rs` checks it).

use serde::Serialize;

use crate::model::{Endpoint, Finding};
use crate::reconcile::environment::Changes;

pub const PRESETS: &str = "smgen-presets/1";
pub const GENERATE: &str = "smgen-generate/1";
pub const CHECK: &str = "smgen-check/1";
pub const DIFF: &str = "smgen-diff/1";
pub const UPGRADE: &str = "smgen-upgrade/1";

/// `smgen presets --json`.
#[derive(Debug, Serialize)]
pub struct Presets {
    pub schema: &'static str,
    pub presets: Vec<PresetRow>,
}

#[derive(Debug, Serialize)]
pub struct PresetRow {
    pub name: String,
    pub description: String,
}

/// `smgen generate --json` (without `--check`).
#[derive(Debug, Serialize)]
pub struct Generate<'a> {
    pub schema: &'static str,
    pub out: String,
    pub format: &'static str,
    pub dry_run: bool,
    /// Every rendered file and every file a decision touches, sorted by path.
    pub files: Vec<FileAction>,
    pub conflicts: Vec<String>,
    pub findings: &'a [Finding],
    pub endpoints: Vec<EndpointRow<'a>>,
    /// What changes in the deployed environment since the answers last applied (`None` for a
    /// new project).
    pub environment: Option<Changes>,
    /// `[environments.NAME]`, each with its own endpoints (left out for one environment,
    /// whose endpoints are `endpoints`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<EnvironmentRow<'a>>,
}

#[derive(Debug, Serialize)]
pub struct EnvironmentRow<'a> {
    pub name: &'a str,
    pub stage: Option<&'static str>,
    pub account_id: Option<&'a str>,
    pub region: &'a str,
    pub endpoints: Vec<EndpointRow<'a>>,
}

#[derive(Debug, Serialize)]
pub struct FileAction {
    pub path: String,
    /// A reconcile decision (`create`, `update-clean`, `merge`, `conflict`, …).
    pub action: &'static str,
}

#[derive(Debug, Serialize)]
pub struct EndpointRow<'a> {
    pub key: &'a str,
    pub service_name: &'a str,
    pub reason: &'a str,
}

impl<'a> EndpointRow<'a> {
    pub fn of(e: &'a Endpoint) -> Self {
        EndpointRow {
            key: e.key,
            service_name: &e.service_name,
            reason: &e.reason,
        }
    }
}

/// The files of a project against what this smgen renders: the body of `diff --json` and
/// `generate --check --json`.
#[derive(Debug, Serialize)]
pub struct Status {
    /// Files whose rendering changed since the project was last written.
    pub pending: usize,
    /// Files edited since smgen last wrote them.
    pub edited: usize,
    /// Answers changed in `smgen.toml` that the files do not reflect yet.
    pub answers_pending: Vec<String>,
    /// `generate --check`: the given answers differ from the project's `smgen.toml`.
    pub answers_file_differs: bool,
    pub files: Vec<StatusFile>,
}

#[derive(Debug, Serialize)]
pub struct StatusFile {
    pub path: String,
    /// Your edits: the file against what smgen last wrote.
    pub edit: Option<Side>,
    /// Pending changes: what smgen renders now against what it last wrote.
    pub pending: Option<Side>,
    /// No record of what smgen last wrote (a project from before the lock kept it).
    pub no_base: bool,
    /// The file still has conflict markers.
    pub unresolved: bool,
}

#[derive(Debug, Serialize)]
pub struct Side {
    pub status: crate::reconcile::ChangeKind,
    pub insertions: usize,
    pub deletions: usize,
    pub diff: String,
}

/// `smgen diff --json`.
#[derive(Debug, Serialize)]
pub struct Diff {
    pub schema: &'static str,
    pub dir: String,
    pub format: &'static str,
    pub smgen: &'static str,
    pub strict: bool,
    #[serde(flatten)]
    pub status: Status,
}

/// `smgen generate --check --json`.
#[derive(Debug, Serialize)]
pub struct Check {
    pub schema: &'static str,
    pub out: String,
    pub format: &'static str,
    pub check: bool,
    pub strict: bool,
    #[serde(flatten)]
    pub status: Status,
}

/// `smgen upgrade --json`.
#[derive(Debug, Serialize)]
pub struct Upgrade<'a> {
    pub schema: &'static str,
    pub dir: String,
    pub format: &'static str,
    pub dry_run: bool,
    /// The files were written (not a dry run, and no conflict stopped it).
    pub written: bool,
    pub smgen: FromTo,
    pub templates: FromTo,
    pub answers_changed: Vec<String>,
    /// `smgen.toml` is rewritten (`--set` changed an answer).
    pub answers_file: bool,
    pub environment: Option<Changes>,
    /// Every file whose decision is not `identical`.
    pub files: Vec<UpgradeFile>,
    pub conflicts: Vec<String>,
    pub findings: &'a [Finding],
}

#[derive(Debug, Serialize)]
pub struct FromTo {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Serialize)]
pub struct UpgradeFile {
    pub path: String,
    pub decision: &'static str,
    pub write: bool,
    pub detail: String,
    /// `--dry-run`: the change the upgrade would write, as a unified diff.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

/// A report on stdout, pretty-printed. Serialising these types cannot fail (no maps with
/// non-string keys, no non-finite floats).
pub fn print(report: &impl Serialize) {
    super::out(&format!(
        "{}\n",
        serde_json::to_string_pretty(report).expect("reports serialise")
    ));
}
