//! The Studio app settings of the domain's defaults, the same in every format but for the name of
//! each settings block, which is the format's own spelling (`jupyter_lab_app_settings`,
//! `JupyterLabAppSettings`, `jupyterLabAppSettings`).

use crate::model::Domain;
use crate::model::lifecycle::{Idle, LifecycleApp};
use crate::model::refs::Ref;
use serde::Serialize;

/// One app kind's settings block: its default lifecycle configuration and idle shutdown.
#[derive(Debug, Serialize)]
pub struct AppSettings {
    /// The block's name in the format.
    pub block: &'static str,
    /// The configuration's ARN, as an expression of the format.
    pub lifecycle_config: Option<String>,
    pub idle: Option<Idle>,
}

/// The settings blocks of the domain's user (`spaces = false`) or shared-space defaults.
pub fn app_settings(
    d: &Domain,
    spaces: bool,
    block: fn(LifecycleApp) -> &'static str,
    expr: impl Fn(&Ref) -> String,
) -> Vec<AppSettings> {
    d.default_apps(spaces)
        .map(|a| AppSettings {
            block: block(a.app),
            lifecycle_config: a.lifecycle_config.as_ref().map(&expr),
            idle: a.idle,
        })
        .collect()
}
