//! The layout of a generated project: the paths smgen owns in it. `output` checks a target
//! directory with them, `render` writes the answers and the schema, `reconcile` keeps its state
//! under [`STATE_DIR`], and the commands read them; none of those name a path by itself.
//!
//! - [`ANSWERS`] (`smgen.toml`): the answers; the user's file (only `upgrade --set` edits it,
//!   minimally), and the CI input.
//! - [`SCHEMA_FILE`] (`smgen.schema.json`): the JSON Schema of the answers, beside them.
//! - [`LOCK_PATH`] (`.smgen/lock.toml`): smgen and template-set versions, the applied answers,
//!   and per file its path, hash and ownership class.
//! - [`BASE_DIR`] (`.smgen/base/`): the last pristine render of each file, the merge base.
//!
//! And the [`Format`] a project is written in, which `smgen.toml` and the lock record.

/// An output format. [`Format::ALL`] lists them in the order the CLI, the wizard and the tests
/// show them; the value names (`terraform`, `cloudformation`, `cdk`) are the `--format` values,
/// the template folders under `templates/` and what `smgen.toml` and the lock record.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Terraform,
    #[value(name = "cloudformation")]
    CloudFormation,
    Cdk,
}

impl Format {
    /// Every format, in the order shown to users; the template sets are indexed by it.
    pub const ALL: [Format; 3] = [Format::Terraform, Format::CloudFormation, Format::Cdk];

    /// The format a value name (`terraform`, `cloudformation`, `cdk`) stands for.
    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == s)
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Terraform => "terraform",
            Format::CloudFormation => "cloudformation",
            Format::Cdk => "cdk",
        }
    }

    /// The position of the format in [`Format::ALL`].
    pub fn index(self) -> usize {
        match self {
            Format::Terraform => 0,
            Format::CloudFormation => 1,
            Format::Cdk => 2,
        }
    }

    /// The value names of [`Format::ALL`], for messages.
    pub fn names() -> Vec<&'static str> {
        Format::ALL.iter().map(|f| f.name()).collect()
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The answers file at the root of every project.
pub const ANSWERS: &str = "smgen.toml";

/// The JSON Schema of `smgen.toml`, written beside it in every project.
///
/// Where editors find it: the answers file starts with `#:schema ./smgen.schema.json`, the
/// directive taplo (and so Even Better TOML) reads, resolved relative to the TOML file. A copy
/// in the project, not a URL: it works offline, and it is the schema of the smgen that
/// rendered the project. It is an ordinary generated file, so the lock tracks it, `generate
/// --check` catches a stale copy and `smgen upgrade` replaces it with the new smgen's schema.
/// ([`STATE_DIR`] holds only reconcile state, which the lock refuses to track as a file.)
pub const SCHEMA_FILE: &str = "smgen.schema.json";

/// smgen's state directory in a project.
pub const STATE_DIR: &str = ".smgen";
/// The lock: what the last render wrote, and from which answers.
pub const LOCK_PATH: &str = ".smgen/lock.toml";
/// The merge bases: the last pristine render of each generated file.
pub const BASE_DIR: &str = ".smgen/base";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_where_their_index_says() {
        for (i, f) in Format::ALL.iter().enumerate() {
            assert_eq!(f.index(), i, "{f}");
            assert_eq!(Format::parse(f.name()), Some(*f));
        }
    }

    #[test]
    fn state_paths_are_under_the_state_dir() {
        for path in [LOCK_PATH, BASE_DIR] {
            assert_eq!(path.split('/').next(), Some(STATE_DIR), "{path}");
        }
    }
}
