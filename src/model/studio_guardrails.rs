//! Guardrails on what Studio apps and notebook instances start with: only the approved
//! lifecycle configurations (`lifecycle.deny_other`) and custom images
//! (`studio.approved_images`), and no remote IDE connections (`studio.deny_remote_access`).
//!
//! Each Deny lists the actions that carry its key in the Service Authorization Reference
//! (`data/sagemaker-condition-keys.json`): `sagemaker:StudioLifecycleConfigArns`,
//! `ImageArns` and `ImageVersionArns` on CreateApp, CreateDomain, CreateSpace,
//! CreateUserProfile, UpdateDomain, UpdateSpace and UpdateUserProfile;
//! `NotebookInstanceLifecycleConfigArns` on CreateNotebookInstance and UpdateNotebookInstance;
//! `RemoteAccess` on CreateSpace and UpdateSpace.
//!
//! Operators (IAM User Guide, "Multivalued context key examples" and "Condition operators"):
//! a request can name several configurations or images (a domain's defaults list one per app
//! kind), so the Deny is `ForAnyValue:ArnNotLike`: it matches when *any* value is outside the
//! approved patterns, and is false when the key is absent, so a request that attaches nothing
//! (most UpdateSpace calls, a CreateApp that takes the domain's default) is not denied.
//! `ForAllValues:ArnNotLike` would be wrong twice: it denies only when *every* value is
//! unapproved (one approved configuration would smuggle in another), and it is true when the
//! key is absent (it would deny every request that attaches nothing). The Service
//! Authorization Reference types the two lifecycle keys as `ARN` although their description
//! says "the list of lifecycle configuration ARNs": `ForAnyValue` gives the same answer for a
//! single value, so it is right under either reading. When nothing is approved, `Null: false`
//! denies any value at all.

use super::Model;
use super::findings::{Finding, Severity};
use super::guardrails::deny;
use super::iam::{Condition, Statement};
use super::lifecycle::LifecycleApp;
use super::refs::Ref;
use crate::aws::condition_keys::actions;
use crate::spec::Spec;

fn sagemaker_actions(key: &str) -> Vec<String> {
    actions(key)
        .iter()
        .map(|a| format!("sagemaker:{a}"))
        .collect()
}

/// A Deny on any value of `key` outside `approved` (any value at all when none is).
fn deny_unapproved(sid: &str, key: &str, approved: Vec<Ref>) -> Statement {
    let st = deny(sid, sagemaker_actions(key));
    if approved.is_empty() {
        st.when(Condition::new("Null", key, [Ref::lit("false")]))
    } else {
        st.when(Condition::new("ForAnyValue:ArnNotLike", key, approved))
    }
}

fn sagemaker_arn(account: Ref, resource: String) -> Ref {
    Ref::join([
        Ref::lit("arn:"),
        Ref::Partition,
        Ref::lit(":sagemaker:"),
        Ref::Region,
        Ref::lit(":"),
        account,
        Ref::lit(format!(":{resource}")),
    ])
}

/// SageMaker Distribution, the images of JupyterLab and Code Editor spaces, are owned by an
/// AWS account per Region (dg `sagemaker-distribution`), so they are approved by name in any
/// account; a look-alike image of that name in this account is denied at creation below.
const DISTRIBUTION: &str = "sagemaker-distribution-*";

pub fn statements(spec: &Spec, model: &Model) -> Vec<Statement> {
    let mut st = vec![];
    if spec.lifecycle.deny_other {
        let approved = |notebook: bool| -> Vec<Ref> {
            model
                .lifecycle_configs
                .iter()
                .filter(|c| (c.app == LifecycleApp::NotebookInstance) == notebook)
                .map(|c| c.arn_pattern())
                .collect()
        };
        st.push(deny_unapproved(
            "DenyUnapprovedStudioLifecycleConfigs",
            "sagemaker:StudioLifecycleConfigArns",
            approved(false),
        ));
        st.push(deny_unapproved(
            "DenyUnapprovedNotebookLifecycleConfigs",
            "sagemaker:NotebookInstanceLifecycleConfigArns",
            approved(true),
        ));
    }

    let images = &spec.studio.approved_images;
    if spec.needs.custom_images && !images.is_empty() {
        let own = |resource: String| sagemaker_arn(Ref::Account, resource);
        let any = |resource: String| sagemaker_arn(Ref::lit("*"), resource);
        let mut image_arns: Vec<Ref> = images.iter().map(|n| own(format!("image/{n}"))).collect();
        image_arns.push(any(format!("image/{DISTRIBUTION}")));
        let mut version_arns: Vec<Ref> = images
            .iter()
            .map(|n| own(format!("image-version/{n}/*")))
            .collect();
        version_arns.push(any(format!("image-version/{DISTRIBUTION}/*")));
        st.push(deny_unapproved(
            "DenyUnapprovedImages",
            "sagemaker:ImageArns",
            image_arns,
        ));
        st.push(deny_unapproved(
            "DenyUnapprovedImageVersions",
            "sagemaker:ImageVersionArns",
            version_arns,
        ));
        let mut lookalike = deny(
            "DenyLookalikeDistributionImages",
            vec![
                "sagemaker:CreateImage".into(),
                "sagemaker:CreateImageVersion".into(),
            ],
        );
        lookalike.resources = vec![own(format!("image/{DISTRIBUTION}"))];
        st.push(lookalike);
    }

    if spec.studio.deny_remote_access {
        // dg remote-access-remote-setup-abac ("Remote access enforcement"): the key is the
        // space's RemoteAccess setting, ENABLED or DISABLED; a space created without it has
        // remote access off, and is not denied.
        st.push(
            deny(
                "DenyRemoteAccessToSpaces",
                sagemaker_actions("sagemaker:RemoteAccess"),
            )
            .when(Condition::new(
                "StringEquals",
                "sagemaker:RemoteAccess",
                [Ref::lit("ENABLED")],
            )),
        );
    }
    st
}

/// What the lifecycle, image and remote-access answers leave open.
pub fn findings(spec: &Spec) -> Vec<Finding> {
    let mut out = vec![];
    let mut add = |severity, choice: &str, message: &str, source: &'static str| {
        out.push(Finding::new(severity, choice, message, source))
    };
    let l = &spec.lifecycle;
    let scripts =
        l.jupyterlab.is_some() || l.code_editor.is_some() || l.notebook_instance.is_some();
    if scripts && !l.deny_other {
        add(
            Severity::Warning,
            "lifecycle.deny_other",
            "the lifecycle scripts are defaults, not requirements: anyone who may update a \
             space, user profile or notebook instance can attach another configuration that \
             runs as the app's user (as root on notebook instances); set deny_other = true",
            "dg studio-lifecycle-configurations; SAR sagemaker:StudioLifecycleConfigArns, NotebookInstanceLifecycleConfigArns",
        );
    }
    if l.deny_other {
        add(
            Severity::Info,
            "lifecycle.deny_other",
            "users may still start an app with no lifecycle configuration (a default is \
             pre-selected, not forced); the guardrails deny only other configurations",
            "dg studio-lifecycle-configurations (default lifecycle configurations)",
        );
    }
    for (on, field, path, needs) in [
        (
            spec.needs.studio,
            "lifecycle.jupyterlab",
            &l.jupyterlab,
            "needs.studio",
        ),
        (
            spec.needs.studio,
            "lifecycle.code_editor",
            &l.code_editor,
            "needs.studio",
        ),
        (
            spec.needs.notebook_instances,
            "lifecycle.notebook_instance",
            &l.notebook_instance,
            "needs.notebook_instances",
        ),
    ] {
        if path.is_some() && !on {
            add(
                Severity::Warning,
                field,
                &format!("no configuration is created: {needs} is off"),
                "smgen",
            );
        }
    }
    if spec.needs.custom_images && spec.studio.approved_images.is_empty() {
        add(
            Severity::Warning,
            "studio.approved_images",
            "any custom image in the account can be attached to Studio apps and spaces; list \
             the approved ones to deny the rest",
            "SAR sagemaker:ImageArns, sagemaker:ImageVersionArns",
        );
    }
    if spec.needs.studio && !spec.studio.deny_remote_access {
        add(
            Severity::Info,
            "studio.deny_remote_access",
            "users may turn on remote access to their spaces and connect a local IDE (VS Code, \
             Kiro, Cursor) with IAM credentials, outside the Studio UI and its presigned-URL \
             restrictions",
            "dg remote-access-remote-setup, remote-access-remote-setup-abac",
        );
    }
    if spec.needs.studio && spec.studio.idle_shutdown_minutes.is_none() {
        add(
            Severity::Info,
            "studio.idle_shutdown_minutes",
            "JupyterLab and Code Editor apps run, and are billed, until their users stop them",
            "SageMaker API Reference: AppLifecycleManagement, IdleSettings",
        );
    }
    out
}
