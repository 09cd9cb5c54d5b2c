//! The one error type of the library, with the process exit code each variant maps to.
//!
//! Exit-code contract (docs/architecture.md § Exit codes), shared by every command:
//! 0 clean; 1 action needed; 2 usage, input or runtime error; 3 input required but no TTY;
//! 130 interrupted (Ctrl-C) with nothing written.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A spec value is out of range. Names the field, the bad value and what is allowed.
    #[error("{field}: {message} (got {value}); {allowed}")]
    Invalid {
        field: String,
        value: String,
        message: String,
        allowed: String,
    },
    /// TOML that does not parse, or has keys/types the schema does not know.
    #[error("{origin}: {message}")]
    Toml { origin: String, message: String },
    #[error("unknown preset '{name}'; available presets: {available}")]
    UnknownPreset { name: String, available: String },
    #[error("--set {arg}: {message}")]
    BadOverride { arg: String, message: String },
    /// The model found errors: the combination of choices cannot work.
    #[error("the chosen settings cannot work:{0}")]
    Findings(String),
    #[error("{path}: {message}")]
    Output { path: PathBuf, message: String },
    /// `.smgen/lock.toml` is missing, unreadable, or says something smgen will not act on.
    #[error("{origin}: {message}")]
    Lock { origin: String, message: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("rendering {template}: {message}")]
    Render { template: String, message: String },
    #[error("{0}")]
    NeedsInput(String),
    /// Ctrl-C at a prompt: nothing was written.
    #[error("interrupted: nothing written")]
    Interrupted,
}

impl Error {
    /// The process exit code for this error.
    pub fn code(&self) -> i32 {
        match self {
            Error::NeedsInput(_) => 3,
            // 128 + SIGINT, what a shell reports for a program stopped by Ctrl-C.
            Error::Interrupted => 130,
            _ => 2,
        }
    }

    pub fn invalid(
        field: impl Into<String>,
        value: impl std::fmt::Display,
        message: impl Into<String>,
        allowed: impl Into<String>,
    ) -> Self {
        Error::Invalid {
            field: field.into(),
            // Control characters are shown escaped so the message stays one line.
            value: format!(
                "'{}'",
                value
                    .to_string()
                    .chars()
                    .map(|c| match c {
                        c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                            c.escape_default().to_string()
                        }
                        c => c.to_string(),
                    })
                    .collect::<String>()
            ),
            message: message.into(),
            allowed: allowed.into(),
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
