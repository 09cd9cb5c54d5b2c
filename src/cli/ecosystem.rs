//! Commands that describe smgen itself to other tools: shell completions, the man pages and
//! the JSON Schema of `smgen.toml`. All of them print data to stdout (or write files where
//! asked) and read nothing else.

use super::{Cli, out, ui::note};
use crate::error::{Error, Result};
use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Args, CommandFactory};
use clap_complete::Shell;
use std::path::PathBuf;
use std::sync::OnceLock;

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Write one page per command (smgen.1, smgen-generate.1, …) into this directory instead
    /// of printing smgen.1.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// `smgen completions SHELL`: the completion script on stdout. Install, for example, with
/// `smgen completions bash > ~/.local/share/bash-completion/completions/smgen`.
pub(crate) fn completions(args: CompletionsArgs) -> Result<i32> {
    let mut cmd = Cli::command();
    let mut bytes = vec![];
    clap_complete::generate(args.shell, &mut cmd, "smgen", &mut bytes);
    out(&String::from_utf8_lossy(&bytes));
    Ok(0)
}

/// `smgen man`: the roff man page of smgen (every command listed), or with `--dir` one page
/// per command, as `man -l smgen.1` or a package's `share/man/man1` expects.
pub(crate) fn man(args: ManArgs) -> Result<i32> {
    let cmd = Cli::command();
    match args.dir {
        None => {
            let mut bytes = vec![];
            clap_mangen::Man::new(cmd)
                .render(&mut bytes)
                .map_err(|e| Error::io("rendering the man page", e))?;
            out(&String::from_utf8_lossy(&bytes));
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
            clap_mangen::generate_to(cmd, &dir)
                .map_err(|e| Error::io(format!("writing man pages to {}", dir.display()), e))?;
            note!("wrote the man pages to {}", dir.display());
        }
    }
    Ok(0)
}

/// `smgen schema`: the JSON Schema of `smgen.toml` (the same text every generated project
/// holds as `smgen.schema.json`).
pub(crate) fn schema() -> Result<i32> {
    out(&crate::render::json_schema());
    Ok(0)
}

/// A value parser that takes any UTF-8 text (smgen checks the value itself, with its own
/// messages) but lists the values it knows, so that the completion scripts offer them: the
/// preset names for `--preset`, the answer paths (`network.nat=`) for `--set`.
#[derive(Clone)]
pub(crate) struct Known(fn() -> &'static [&'static str]);

impl TypedValueParser for Known {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> std::result::Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new((self.0)().iter().map(|v| PossibleValue::new(*v))))
    }
}

pub(crate) fn presets() -> Known {
    Known(|| {
        static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
        NAMES.get_or_init(|| crate::presets::all().iter().map(|p| p.name).collect())
    })
}

pub(crate) fn set_keys() -> Known {
    Known(|| {
        static KEYS: OnceLock<Vec<&'static str>> = OnceLock::new();
        KEYS.get_or_init(|| {
            answer_paths()
                .into_iter()
                .map(|k| &*Box::leak(format!("{k}=").into_boxed_str()))
                .collect()
        })
    })
}

/// Every answer path `--set` takes: the leaves of every preset's complete answers and every
/// question of the wizard (optional answers no preset sets, such as `project.account_id`).
pub(crate) fn answer_paths() -> Vec<String> {
    fn walk(prefix: &str, t: &toml::Table, out: &mut std::collections::BTreeSet<String>) {
        for (k, v) in t {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::Table(inner) if !prefix.ends_with("tags") && key != "project.tags" => {
                    walk(&key, inner, out)
                }
                _ => {
                    out.insert(key);
                }
            }
        }
    }
    let mut out = std::collections::BTreeSet::new();
    for p in crate::presets::all() {
        if let Ok(spec) = crate::spec::load(&crate::spec::SpecSource::Preset(p.name.into()), &[]) {
            walk("", &crate::reconcile::answers_table(&spec), &mut out);
        }
    }
    out.retain(|k| !k.starts_with("project.tags"));
    out.extend(
        crate::spec::questions::QUESTIONS
            .iter()
            .map(|q| q.path.to_string()),
    );
    out.into_iter().collect()
}

/// "did you mean" for a name among `known`: the closest one, when it is close enough.
pub(crate) fn closest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(name, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}
