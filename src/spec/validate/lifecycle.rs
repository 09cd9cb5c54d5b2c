//! Validation of the lifecycle answers: script paths, idle timeouts and approved images.

use crate::error::{Error, Result};
use crate::spec::Spec;

/// SageMaker's range for idle timeouts (SageMaker API Reference, IdleSettings:
/// IdleTimeoutInMinutes, MinIdleTimeoutInMinutes and MaxIdleTimeoutInMinutes, 60-525600).
pub const IDLE_MINUTES: std::ops::RangeInclusive<u32> = 60..=525_600;

/// The directory of the project that holds lifecycle scripts.
pub const LIFECYCLE_DIR: &str = "lifecycle/";

/// `lifecycle/<name>.sh` with a name of letters, digits, `.`, `_` and `-` (no sub-directory,
/// no `..`): a path that cannot leave the project, the same on every OS.
pub fn is_script_path(p: &str) -> bool {
    let Some(file) = p.strip_prefix(LIFECYCLE_DIR) else {
        return false;
    };
    let Some(stem) = file.strip_suffix(".sh") else {
        return false;
    };
    !stem.is_empty()
        && !stem.starts_with('.')
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// A SageMaker image name (CreateImage `ImageName`: `^[a-zA-Z0-9]([-.]?[a-zA-Z0-9]){0,62}$`).
fn is_image_name(n: &str) -> bool {
    let b = n.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'.')
        && !n.contains("--")
        && !n.contains("..")
        && !n.contains("-.")
        && !n.contains(".-")
}

impl Spec {
    pub(super) fn validate_lifecycle(&self) -> Result<()> {
        let l = &self.lifecycle;
        let mut seen: Vec<&str> = vec![];
        for (field, path) in [
            ("lifecycle.jupyterlab", &l.jupyterlab),
            ("lifecycle.code_editor", &l.code_editor),
            ("lifecycle.notebook_instance", &l.notebook_instance),
        ] {
            let Some(p) = path else { continue };
            if !is_script_path(p) {
                return Err(Error::invalid(
                    field,
                    p,
                    "not a script path inside the project's lifecycle/ directory",
                    "'lifecycle/<name>.sh' with letters, digits, '.', '_' and '-' in the name, such as 'lifecycle/jupyterlab.sh'",
                ));
            }
            if seen.contains(&p.as_str()) {
                return Err(Error::invalid(
                    field,
                    p,
                    "the same script for two kinds of app: each runs in its own environment",
                    "a path of its own, such as 'lifecycle/code-editor.sh'",
                ));
            }
            seen.push(p);
        }
        for (field, value) in [
            (
                "studio.idle_shutdown_minutes",
                self.studio.idle_shutdown_minutes,
            ),
            (
                "notebook.idle_stop_minutes",
                self.notebook.idle_stop_minutes,
            ),
        ] {
            if let Some(m) = value
                && !IDLE_MINUTES.contains(&m)
            {
                return Err(Error::invalid(
                    field,
                    m,
                    "outside SageMaker's range of idle timeouts",
                    format!("{} to {} minutes", IDLE_MINUTES.start(), IDLE_MINUTES.end()),
                ));
            }
        }
        if let Some(m) = self.notebook.idle_stop_minutes
            && l.notebook_instance.is_none()
        {
            return Err(Error::invalid(
                "notebook.idle_stop_minutes",
                m,
                "the auto-stop runs from the notebook instances' on-start script, and none is set",
                "also set lifecycle.notebook_instance, such as 'lifecycle/notebook-on-start.sh'",
            ));
        }
        for name in &self.studio.approved_images {
            if !is_image_name(name) {
                return Err(Error::invalid(
                    "studio.approved_images",
                    name,
                    "not a SageMaker image name",
                    "1-63 letters and digits, single '-' or '.' between them (the image's name, not its ARN)",
                ));
            }
            if !self.needs.custom_images {
                return Err(Error::invalid(
                    "studio.approved_images",
                    name,
                    "approved images only apply with needs.custom_images = true",
                    "set needs.custom_images = true, or remove studio.approved_images",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_paths_stay_in_the_lifecycle_directory() {
        assert!(is_script_path("lifecycle/jupyterlab.sh"));
        assert!(is_script_path("lifecycle/code-editor.v2.sh"));
        for bad in [
            "jupyterlab.sh",
            "/etc/passwd.sh",
            "lifecycle/../x.sh",
            "lifecycle/a/b.sh",
            "lifecycle/.sh",
            "lifecycle/.hidden.sh",
            "lifecycle/x.py",
            "lifecycle\\x.sh",
            "lifecycle/x y.sh",
        ] {
            assert!(!is_script_path(bad), "{bad}");
        }
    }

    #[test]
    fn image_names_follow_sagemaker() {
        assert!(is_image_name("team-pytorch"));
        assert!(is_image_name("a.b-c9"));
        for bad in ["", "-a", "a-", "a--b", "a.-b", "arn:aws:x", &"a".repeat(64)] {
            assert!(!is_image_name(bad), "{bad}");
        }
    }
}
