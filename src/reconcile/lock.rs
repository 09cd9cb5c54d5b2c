//! `.smgen/lock.toml`: what smgen last rendered into a project, and who owns each file.
//!
//! ```toml
//! version = 1                        # schema of this file
//! smgen = "0.1.0"                    # the smgen that wrote it (conflict marker label)
//! templates = "sha256:9f2c…"         # template-set version: hash of the embedded templates
//! format = "terraform"
//!
//! [answers]                          # the answers that were applied (the complete spec)
//! …
//!
//! [[file]]
//! path = "network.tf"
//! sha256 = "…"                       # of .smgen/base/network.tf, the pristine render
//! class = "managed"                  # managed | user-deleted
//! ```
//!
//! Everything read from it is checked: a path that leaves the project, a duplicate, an
//! unknown class or format is an error, not something to act on.

use crate::error::{Error, Result};
use crate::render::{self, Format};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// Schema version of `lock.toml`.
pub const LOCK_VERSION: u32 = 1;

/// Who owns a generated file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// smgen's: updated on regeneration, with the user's edits merged in.
    Managed,
    /// Written by older smgen versions for files the user fills in (`sagemaker-config.yaml`,
    /// `parameters.json`), which were then never updated. Read as [`Class::Managed`]: such a
    /// file is merged like every other, so a changed render of it is never silent.
    WriteOnce,
    /// A managed file the user deleted: it stays deleted.
    UserDeleted,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Managed => "managed",
            Class::WriteOnce => "write-once",
            Class::UserDeleted => "user-deleted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub path: String,
    pub sha256: String,
    pub class: Class,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    pub version: u32,
    pub smgen: String,
    pub templates: String,
    pub format: Format,
    #[serde(default)]
    pub answers: toml::Table,
    #[serde(default, rename = "file")]
    pub files: Vec<FileEntry>,
}

const HEADER: &str = "# Written by smgen: the state `smgen diff` and `smgen upgrade` reconcile against, with\n# .smgen/base/ (the last pristine render, the merge base). Commit both; do not edit.\n\n";

impl Lock {
    /// A lock for `files` (sorted by path) rendered now, in `format`, from `answers`.
    pub fn new(format: Format, answers: toml::Table, mut files: Vec<FileEntry>) -> Lock {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Lock {
            version: LOCK_VERSION,
            smgen: env!("CARGO_PKG_VERSION").into(),
            templates: template_set_version(format),
            format,
            answers,
            files,
        }
    }

    /// Parses and checks a lock file; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Lock> {
        let bad = |message: String| Error::Lock {
            origin: origin.into(),
            message,
        };
        let message = |e: toml::de::Error| bad(e.message().trim().to_string());
        // The checks in the order a reader needs them: the lock's shape, its version (a lock of
        // another smgen version says so), then its format. An unknown format is set aside so
        // that the typed read can report the shape first.
        let mut table: toml::Table = toml::from_str(text).map_err(message)?;
        let mut unknown_format = None;
        if let Some(toml::Value::String(format)) = table.get_mut("format")
            && Format::parse(format).is_none()
        {
            unknown_format = Some(std::mem::replace(format, Format::Terraform.name().into()));
        }
        let lock: Lock = table.try_into().map_err(message)?;
        if lock.version != LOCK_VERSION {
            return Err(bad(format!(
                "lock version {} is not {LOCK_VERSION}; it was written by another smgen version",
                lock.version
            )));
        }
        if let Some(format) = unknown_format {
            return Err(bad(format!(
                "unknown format '{format}'; known: {}",
                Format::names().join(", ")
            )));
        }
        let mut seen = BTreeSet::new();
        for f in &lock.files {
            crate::output::safe_relative(&f.path).map_err(|_| {
                bad(format!(
                    "file path '{}' leaves the project directory; refusing to use this lock",
                    f.path
                ))
            })?;
            if f.path == crate::project::ANSWERS
                || f.path.split('/').next() == Some(crate::project::STATE_DIR)
            {
                return Err(bad(format!(
                    "file path '{}' is not a generated file",
                    f.path
                )));
            }
            if !seen.insert(f.path.as_str()) {
                return Err(bad(format!("file '{}' is listed twice", f.path)));
            }
            if f.sha256.len() != 64 || !f.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad(format!("file '{}': sha256 is not a SHA-256", f.path)));
            }
        }
        Ok(lock)
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn file(&self, path: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.path == path)
    }

    pub fn to_text(&self) -> String {
        format!(
            "{HEADER}{}",
            toml::to_string_pretty(self).expect("a lock always serializes")
        )
    }
}

/// Lower-case hex SHA-256 (what `sha256sum` prints).
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The template-set version: `sha256:` and the first 16 hex digits of a hash over the
/// embedded templates of `format` (paths and contents).
pub fn template_set_version(format: Format) -> String {
    let mut hasher = Sha256::new();
    for (path, bytes) in render::template_files(format) {
        hasher.update((path.len() as u64).to_le_bytes());
        hasher.update(path.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{}", &hex[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> FileEntry {
        FileEntry {
            path: path.into(),
            sha256: sha256_hex(b"x"),
            class: Class::Managed,
        }
    }

    #[test]
    fn a_lock_round_trips_and_is_deterministic() {
        let mut answers = toml::Table::new();
        answers.insert("project".into(), toml::Value::Table(toml::Table::new()));
        let lock = Lock::new(
            Format::Terraform,
            answers,
            vec![entry("b.tf"), entry("a/c.tf")],
        );
        let text = lock.to_text();
        assert_eq!(text, lock.clone().to_text());
        let back = Lock::parse(&text, "lock.toml").unwrap();
        assert_eq!(back, lock);
        assert_eq!(back.files[0].path, "a/c.tf");
        assert!(text.starts_with("# Written by smgen"));
        assert!(lock.templates.starts_with("sha256:"));
    }

    #[test]
    fn hostile_locks_are_rejected() {
        let good = Lock::new(Format::Terraform, toml::Table::new(), vec![entry("a.tf")]);
        for (path, needle) in [
            ("../outside.tf", "leaves the project"),
            ("/etc/passwd", "leaves the project"),
            ("a/../../b", "leaves the project"),
            (".smgen/lock.toml", "not a generated file"),
            ("smgen.toml", "not a generated file"),
        ] {
            let mut lock = good.clone();
            lock.files[0].path = path.into();
            let err = Lock::parse(&lock.to_text(), "lock.toml").unwrap_err();
            assert!(err.to_string().contains(needle), "{path}: {err}");
        }
        let mut twice = good.clone();
        twice.files.push(entry("a.tf"));
        assert!(Lock::parse(&twice.to_text(), "l").is_err());
        let mut newer = good.clone();
        newer.version = 9;
        assert!(Lock::parse(&newer.to_text(), "l").is_err());
        let pulumi = good
            .to_text()
            .replace("format = \"terraform\"", "format = \"pulumi\"");
        let err = Lock::parse(&pulumi, "l").unwrap_err().to_string();
        assert!(err.contains("unknown format 'pulumi'"), "{err}");
        assert!(Lock::parse("version = 1\nbogus = 2\n", "l").is_err());
    }

    #[test]
    fn sha256_matches_the_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
