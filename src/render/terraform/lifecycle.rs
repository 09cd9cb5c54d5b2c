//! Lifecycle configurations and the Studio app settings in Terraform. The scripts are read
//! from the project when Terraform plans (`filebase64`), and each configuration's name carries
//! the first 8 hex digits of its script's SHA-256 (`filesha256`), so an edited script creates a
//! new configuration before the old one is deleted (`create_before_destroy`): SageMaker
//! refuses to delete a configuration a domain still lists.

use super::context::LifecycleConfig;
use crate::model::lifecycle::LifecycleApp;
use crate::model::{Domain, Model};
use crate::render::apps::AppSettings;
use crate::render::hcl::{self, Refs};

/// `from`: the path from the Terraform configuration to the project's root (`../../` from a
/// module of a multi-environment project, whose scripts stay once at the project root).
pub fn configs<'a>(model: &'a Model, from: &str) -> Vec<LifecycleConfig<'a>> {
    model
        .lifecycle_configs
        .iter()
        .map(|c| LifecycleConfig {
            name: c.name,
            studio: c.app != LifecycleApp::NotebookInstance,
            app_type: hcl::string(c.app.app_type()),
            config_name: hcl::hashed_name(&c.name_prefix, &format!("{from}{}", c.script)),
            file: hcl::module_file(&format!("{from}{}", c.script)),
            script: hcl::string(&c.script),
            script_raw: &c.script,
        })
        .collect()
}

/// The domain's app settings blocks ([`crate::render::apps`]).
pub fn app_settings(refs: &Refs, d: &Domain, spaces: bool) -> Vec<AppSettings> {
    let block = |app| match app {
        LifecycleApp::CodeEditor => "code_editor_app_settings",
        _ => "jupyter_lab_app_settings",
    };
    crate::render::apps::app_settings(d, spaces, block, |r| refs.expr(r))
}
