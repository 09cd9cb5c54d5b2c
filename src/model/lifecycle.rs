//! Lifecycle configurations (scripts kept in the project as `lifecycle/*.sh`) and the Studio
//! app settings they are attached with, including the built-in idle shutdown.
//!
//! Sources: dg `studio-lifecycle-configurations` (JupyterLab and Code Editor configurations,
//! attached as defaults at the domain, user-profile or space level); SageMaker API Reference
//! `CreateStudioLifecycleConfig` and `NotebookInstanceLifecycleHook` (content is base64, at
//! most 16384 characters; a Studio configuration's content cannot change: it is replaced);
//! `DeleteStudioLifecycleConfig` (a configuration still attached to a domain or user profile
//! cannot be deleted, hence the content hash in the name: an edit creates a new configuration,
//! the domain moves to it, then the old one goes); `IdleSettings` (60-525600 minutes).
//!
//! Provider support, checked against the pinned versions: the AWS provider 5.100.0
//! (`terraform providers schema -json`: `aws_sagemaker_domain` `default_user_settings`
//! `jupyter_lab_app_settings` / `code_editor_app_settings` and `default_space_settings`
//! `jupyter_lab_app_settings` have `lifecycle_config_arns`, `default_resource_spec` and
//! `app_lifecycle_management.idle_settings`), CloudFormation's `AWS::SageMaker::Domain` schema
//! (cfn-lint 1.58.0: `AppLifecycleManagement.IdleSettings` in `JupyterLabAppSettings` and
//! `CodeEditorAppSettings`) and aws-cdk-lib 2.276.0 (`CfnDomain.IdleSettingsProperty`) all
//! support idle shutdown, so no script stands in for it in Studio. Notebook instances have no
//! idle setting: their on-start script stops them.

use super::refs::{Attr, Kind, Ref};
use crate::error::{Error, Result};
use crate::spec::{Nat, Pip, Spec};
use serde::Serialize;

/// What SageMaker takes as a script: at most 16384 characters of base64 (API Reference,
/// CreateStudioLifecycleConfig `StudioLifecycleConfigContent`, NotebookInstanceLifecycleHook
/// `Content`), 12288 bytes of script.
pub const MAX_BASE64: usize = 16384;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LifecycleApp {
    JupyterLab,
    CodeEditor,
    NotebookInstance,
}

impl LifecycleApp {
    /// `StudioLifecycleConfigAppType` (API Reference, CreateStudioLifecycleConfig).
    pub fn app_type(self) -> &'static str {
        match self {
            LifecycleApp::JupyterLab => "JupyterLab",
            LifecycleApp::CodeEditor => "CodeEditor",
            LifecycleApp::NotebookInstance => "NotebookInstance",
        }
    }

    /// The spec field that names its script.
    pub fn field(self) -> &'static str {
        match self {
            LifecycleApp::JupyterLab => "lifecycle.jupyterlab",
            LifecycleApp::CodeEditor => "lifecycle.code_editor",
            LifecycleApp::NotebookInstance => "lifecycle.notebook_instance",
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            LifecycleApp::NotebookInstance => Kind::NotebookLifecycleConfig,
            _ => Kind::StudioLifecycleConfig,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LifecycleConfig {
    /// Logical name: `jupyterlab`, `code_editor` or `on_start` (notebook instances).
    pub name: &'static str,
    pub app: LifecycleApp,
    /// The physical name without its content hash: `<project>-jupyterlab`; the deployed name
    /// is `<prefix>-<first 8 hex digits of the script's SHA-256>`.
    pub name_prefix: String,
    /// The script's path in the project, `lifecycle/jupyterlab.sh`.
    pub script: String,
    /// The commented starting script smgen writes at that path.
    pub starter: String,
    /// The script as it is: the project's file when there is one, else the starter. What a
    /// CloudFormation template embeds.
    pub content: String,
}

impl LifecycleConfig {
    pub fn arn(&self) -> Ref {
        Ref::attr(self.app.kind(), self.name, Attr::Arn)
    }

    /// The ARN pattern of every version of this configuration (any content hash).
    pub fn arn_pattern(&self) -> Ref {
        let kind = match self.app {
            LifecycleApp::NotebookInstance => "notebook-instance-lifecycle-config",
            _ => "studio-lifecycle-config",
        };
        Ref::arn(
            "sagemaker",
            true,
            true,
            Ref::lit(format!("{kind}/{}-*", self.name_prefix)),
        )
    }

    /// The deployed name for `content`: the prefix and a hash of the script.
    pub fn physical_name(&self, content: &str) -> String {
        format!("{}-{}", self.name_prefix, &sha256_hex(content)[..8])
    }
}

pub fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Base64 (RFC 4648, with padding), what SageMaker takes as script content.
pub fn base64(bytes: &[u8]) -> String {
    data_encoding::BASE64.encode(bytes)
}

/// Idle shutdown of a Studio app kind (`AppLifecycleManagement.IdleSettings`): the default
/// timeout, and the bounds a user may choose for their own spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Idle {
    pub timeout: u32,
    pub min: u32,
    pub max: u32,
}

/// The settings of one Studio app kind in the domain's defaults.
#[derive(Debug, Clone, Serialize)]
pub struct StudioApp {
    pub app: LifecycleApp,
    /// The lifecycle configuration attached as the default (and the only one listed).
    pub lifecycle_config: Option<Ref>,
    pub idle: Option<Idle>,
}

const STUDIO: &str = include_str!("../../data/lifecycle/studio.sh");
const NOTEBOOK: &str = include_str!("../../data/lifecycle/notebook-on-start.sh");

fn network_note(spec: &Spec) -> String {
    let internet = spec.network.vpc.create && spec.network.nat != Nat::None
        || spec.network.mode == crate::spec::NetworkMode::PublicOnly;
    let packages = match spec.needs.pip {
        Pip::Codeartifact => {
            "Python packages come from the environment's CodeArtifact repository (needs.pip)."
        }
        Pip::Public => "Python packages come from the public index (needs.pip).",
        Pip::None => "No package repository is declared (needs.pip = \"none\").",
    };
    if internet {
        format!("this environment has internet egress. {packages}")
    } else {
        format!(
            "this environment has no internet egress (no NAT): the script must fetch nothing\n# from the internet, or the app waits for a connection that never comes. {packages}"
        )
    }
}

fn fill(template: &str, spec: &Spec, app: &str, log_app: &str) -> String {
    template
        .replace("@PROJECT@", &spec.project.name)
        .replace("@APP@", app)
        .replace("@LOGAPP@", log_app)
        .replace("@NETWORK@", &network_note(spec))
        .replace(
            "@IDLE_MINUTES@",
            &spec
                .notebook
                .idle_stop_minutes
                .map(|m| m.to_string())
                .unwrap_or_default(),
        )
}

/// The configurations the spec asks for: Studio ones with `needs.studio`, the notebook one
/// with `needs.notebook_instances` (a script for a workload that is off is not created).
pub fn configs(spec: &Spec) -> Vec<LifecycleConfig> {
    let l = &spec.lifecycle;
    let name = &spec.project.name;
    let mut out = vec![];
    let studio = spec.needs.studio;
    for (on, path, logical, app, label, log, suffix) in [
        (
            studio,
            &l.jupyterlab,
            "jupyterlab",
            LifecycleApp::JupyterLab,
            "JupyterLab",
            "jupyterlab",
            "jupyterlab",
        ),
        (
            studio,
            &l.code_editor,
            "code_editor",
            LifecycleApp::CodeEditor,
            "Code Editor",
            "codeeditor",
            "code-editor",
        ),
        (
            spec.needs.notebook_instances,
            &l.notebook_instance,
            "on_start",
            LifecycleApp::NotebookInstance,
            "notebook",
            "notebook",
            "notebook-on-start",
        ),
    ] {
        let Some(script) = path.as_ref().filter(|_| on) else {
            continue;
        };
        let template = if app == LifecycleApp::NotebookInstance {
            NOTEBOOK
        } else {
            STUDIO
        };
        let starter = fill(template, spec, label, log);
        out.push(LifecycleConfig {
            name: logical,
            app,
            name_prefix: format!("{name}-{suffix}"),
            script: script.clone(),
            content: starter.clone(),
            starter,
        });
    }
    out
}

/// Replaces each configuration's content with the project's own script where `read` finds
/// one (`read(path)`: the file's bytes, `None` when the project has no such file yet). A
/// script SageMaker would refuse is an error naming the answer.
pub fn load_scripts(
    configs: &mut [LifecycleConfig],
    read: impl Fn(&str) -> Result<Option<Vec<u8>>>,
) -> Result<()> {
    for c in configs {
        if let Some(bytes) = read(&c.script)? {
            c.content = String::from_utf8(bytes).map_err(|_| {
                Error::invalid(
                    c.app.field(),
                    &c.script,
                    "the script is not UTF-8 text",
                    "a shell script saved as UTF-8",
                )
            })?;
        }
        let encoded = c.content.len().div_ceil(3) * 4;
        if encoded > MAX_BASE64 {
            return Err(Error::invalid(
                c.app.field(),
                &c.script,
                format!(
                    "the script is {} bytes: SageMaker takes at most {MAX_BASE64} characters of base64",
                    c.content.len()
                ),
                "a script of at most 12288 bytes (move long setup into a package or an image)",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(raw.as_bytes()), enc);
        }
    }

    #[test]
    fn sha256_of_a_known_text() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
