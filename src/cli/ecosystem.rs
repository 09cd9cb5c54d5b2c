//! Commands that describe smgen itself to other tools: shell completions, the man pages and
//! the JSON Schema of `smgen.toml`. All of them print data to stdout (or write files where
//! asked) and read nothing else.

use super::{Cli, out, ui::note};
use crate::error::{Error, Result};
use clap::{Args, CommandFactory};
use clap_complete::Shell;
use std::path::PathBuf;

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
