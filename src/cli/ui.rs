//! Output settings shared by every command: the global `--color`, `--quiet` and `--verbose`.
//!
//! Conventions (the same for every command): data (diffs, tables, JSON reports) goes to
//! stdout, so it can be piped; messages (summaries, hints, findings, warnings, errors) go to
//! stderr. `--quiet` drops the messages that only report progress or success; warnings,
//! findings and errors stay. `--verbose` adds informational findings and the time each stage
//! took. Colour is only ever applied to stdout data (diffs).
//!
//! The settings are set once, before a command runs, and read through [`ui`] by any handler
//! (no parameter to thread through every command's signature).

use clap::{Args, ValueEnum};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    /// Always colour (also when piped, as for `less -R`).
    Always,
    /// Never colour.
    Never,
}

/// The global flags, accepted before or after the command name.
#[derive(Debug, Clone, Args)]
pub(crate) struct GlobalArgs {
    /// When to colour diffs: auto honours NO_COLOR (https://no-color.org) and a terminal.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    color: ColorChoice,
    /// Only data, warnings and errors: no progress or summary messages on stderr.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// More messages on stderr: informational findings and the time each stage took.
    #[arg(long, short, global = true)]
    verbose: bool,
}

/// What the flags decided for this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ui {
    /// Colour the data written to stdout.
    pub color: bool,
    /// What `--color` said (the wizard, which draws on stderr, honours `never`).
    pub choice: ColorChoice,
    pub quiet: bool,
    pub verbose: bool,
}

static UI: OnceLock<Ui> = OnceLock::new();

/// Colour on stdout: a terminal, and `NO_COLOR` unset or empty (<https://no-color.org>).
fn stdout_color() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

impl GlobalArgs {
    /// Resolves `auto` against the environment and the terminal, and makes the result the
    /// process-wide setting.
    pub(crate) fn install(&self) -> Ui {
        let color = match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stdout_color(),
        };
        let ui = Ui {
            color,
            choice: self.color,
            quiet: self.quiet,
            verbose: self.verbose,
        };
        *UI.get_or_init(|| ui)
    }
}

/// The settings of this process (defaults, as with no flag, when none were installed).
pub(crate) fn ui() -> Ui {
    *UI.get_or_init(|| Ui {
        color: stdout_color(),
        choice: ColorChoice::Auto,
        quiet: false,
        verbose: false,
    })
}

/// A progress or summary message on stderr, dropped by `--quiet`.
macro_rules! note {
    ($($arg:tt)*) => {
        if !$crate::cli::ui::ui().quiet {
            eprintln!($($arg)*);
        }
    };
}

/// A message on stderr shown only with `--verbose`.
macro_rules! detail {
    ($($arg:tt)*) => {
        if $crate::cli::ui::ui().verbose {
            eprintln!($($arg)*);
        }
    };
}

pub(crate) use {detail, note};
