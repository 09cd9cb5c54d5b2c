//! The SageMaker construct (`lib/sagemaker.ts`): the Studio domain and its user profiles, the
//! notebook instances.

use super::context::{Domain, LifecycleConfig, Notebook, Profile, SageMaker};
use super::iam::exec_policies;
use super::{Ctx, Ids, nag_list};
use crate::model::lifecycle::LifecycleApp;
use crate::render::apps::AppSettings;
use crate::render::typescript::string as s;
use crate::spec::AuthMode;
use crate::view::waivers;

pub(super) fn sagemaker(c: &Ctx) -> SageMaker {
    let m = c.model;
    let mut ids = Ids::default();
    let net = &m.network;
    let domain = m.domain.as_ref().map(|d| Domain {
        // The profiles' ids first: ids are numbered in the order they are taken.
        profiles: d
            .profiles
            .iter()
            .map(|p| Profile {
                key: s(&p.name),
                id: ids.id(&p.name, "UserProfile"),
                profile_name: s(&p.profile_name),
                sg: c.e(&p.security_group),
            })
            .collect(),
        domain_name: s(&d.domain_name),
        auth_mode: s(match d.auth_mode {
            AuthMode::Iam => "IAM",
            AuthMode::Sso => "SSO",
        }),
        sso: d.auth_mode == AuthMode::Sso,
        access: s(d.app_network_access_type),
        vpc_only: d.app_network_access_type == "VpcOnly",
        vpc_id: c.e(&net.vpc_id),
        subnets: c.list(&net.private_subnets),
        key: d.kms_key.as_ref().map(|k| c.e(k)),
        role: c.e(&d.execution_role),
        default_sgs: c.list(&d.default_security_groups),
        space_sgs: c.list(&d.space_security_groups),
        user_apps: app_settings(c, d, false),
        space_apps: app_settings(c, d, true),
    });
    let enabled = |on: bool| s(if on { "Enabled" } else { "Disabled" });
    let notebooks = m
        .notebooks
        .iter()
        .map(|n| Notebook {
            key: s(&n.name),
            id: ids.id(&n.name, "NotebookInstance"),
            instance_name: s(&n.instance_name),
            instance_type: s(&n.instance_type),
            volume: n.volume_size_gb,
            subnet: c.e(&n.subnet),
            sgs: c.list(&n.security_groups),
            kms_key: n.kms_key.as_ref().map(|k| c.e(k)),
            direct_internet: enabled(n.direct_internet_access),
            root_access: enabled(n.root_access),
            role: c.e(&n.role),
            nag: nag_list(&waivers::notebook(n)),
            lifecycle_config: n.lifecycle_config.as_ref().map(|r| c.e(r)),
        })
        .collect();
    // After the profiles' and notebooks' ids, so that theirs stay as they were.
    let lifecycle_configs = m
        .lifecycle_configs
        .iter()
        .map(|l| LifecycleConfig {
            key: s(l.name),
            id: ids.id(l.name, "LifecycleConfig"),
            studio: l.app != LifecycleApp::NotebookInstance,
            app_type: s(l.app.app_type()),
            script: s(&l.script),
            prefix: s(&l.name_prefix),
        })
        .collect();
    SageMaker {
        domain,
        notebooks,
        lifecycle_configs,
        exec_policies: exec_policies(c),
    }
}

/// The domain's `*AppSettings` properties ([`crate::render::apps`]).
fn app_settings(c: &Ctx, d: &crate::model::Domain, spaces: bool) -> Vec<AppSettings> {
    let block = |app| match app {
        LifecycleApp::CodeEditor => "codeEditorAppSettings",
        _ => "jupyterLabAppSettings",
    };
    crate::render::apps::app_settings(d, spaces, block, |r| c.e(r))
}
