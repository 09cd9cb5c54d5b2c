//! Lifecycle configurations and the Studio app settings in CloudFormation. A template reads no
//! files, so smgen embeds each script as base64, from the project's `lifecycle/*.sh` when it
//! renders (`smgen upgrade` after editing a script embeds the new version; `smgen generate
//! --check` fails while the template is behind the script). The configuration's name carries a
//! hash of the script, as in the other formats: an edit replaces the configuration, and
//! CloudFormation creates the new one before it deletes the old (a custom-named resource could
//! not be replaced under the same name).

use super::Tags;
use super::context::LifecycleConfig;
use super::intrinsics::{self as cfn, logical};
use crate::model::Domain;
use crate::model::Model;
use crate::model::lifecycle::{self, LifecycleApp};
use crate::render::apps::AppSettings;
use crate::render::yaml;

pub fn configs(model: &Model, tags: &Tags) -> Vec<LifecycleConfig> {
    model
        .lifecycle_configs
        .iter()
        .map(|c| LifecycleConfig {
            logical: logical(c.app.kind(), c.name),
            studio: c.app != LifecycleApp::NotebookInstance,
            app_type: yaml::scalar(c.app.app_type()),
            config_name: yaml::scalar(&c.physical_name(&c.content)),
            content: yaml::scalar(&lifecycle::base64(c.content.as_bytes())),
            script_raw: c.script.clone(),
            sha256_raw: lifecycle::sha256_hex(&c.content),
            tags: tags.plain(),
        })
        .collect()
}

/// The domain's `*AppSettings` blocks ([`crate::render::apps`]).
pub fn app_settings(d: &Domain, spaces: bool) -> Vec<AppSettings> {
    let block = |app| match app {
        LifecycleApp::CodeEditor => "CodeEditorAppSettings",
        _ => "JupyterLabAppSettings",
    };
    crate::render::apps::app_settings(d, spaces, block, cfn::value)
}
