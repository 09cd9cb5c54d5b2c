//! Reading a spec: preset or config file, then `--set` overrides, then validation.

use super::Spec;
use super::Valid;
use crate::error::{Error, Result};
use crate::presets;
use serde::Deserialize;

/// Where the answers come from.
#[derive(Debug, Clone)]
pub enum SpecSource {
    Preset(String),
    /// A config file: its display name and its text.
    Config {
        origin: String,
        text: String,
    },
}

impl SpecSource {
    /// A config file read from disk, named by its path in errors.
    pub fn config_file(path: &std::path::Path) -> Result<Self> {
        Ok(SpecSource::Config {
            origin: path.display().to_string(),
            text: std::fs::read_to_string(path)
                .map_err(|e| Error::io(format!("reading {}", path.display()), e))?,
        })
    }
}

/// Loads, overrides and validates a spec. `overrides` are `key.path=value` strings.
pub fn load(source: &SpecSource, overrides: &[String]) -> Result<Valid> {
    let (origin, text) = match source {
        SpecSource::Preset(name) => {
            let preset = presets::find(name)?;
            (format!("preset '{}'", preset.name), preset.text.to_string())
        }
        SpecSource::Config { origin, text } => (origin.clone(), text.clone()),
    };
    let spec = if overrides.is_empty() {
        // Straight from the text, so that errors carry a line and column.
        toml::from_str::<Spec>(&text).map_err(|e| toml_error(&origin, &text, &e))?
    } else {
        let mut table: toml::Table =
            toml::from_str(&text).map_err(|e| toml_error(&origin, &text, &e))?;
        // Applied one at a time, so that a bad value is reported with its own --set.
        for arg in overrides {
            apply_override(&mut table, arg)?;
            if let Err(e) = Spec::deserialize(toml::Value::Table(table.clone())) {
                return Err(Error::BadOverride {
                    arg: arg.clone(),
                    message: explain(e.message()),
                });
            }
        }
        Spec::deserialize(toml::Value::Table(table)).map_err(|e| Error::Toml {
            origin: format!("{origin} with --set overrides"),
            message: explain(e.message()),
        })?
    };
    spec.validate()
}

/// The answers of `text` after `overrides`, applied one at a time as `--set` applies them,
/// typed but not validated: the partial answers the wizard decides its next question on.
pub(crate) fn partial(text: &str, overrides: &[String]) -> Result<Spec> {
    let mut table: toml::Table =
        toml::from_str(text).map_err(|e| toml_error("answers", text, &e))?;
    for arg in overrides {
        apply_override(&mut table, arg)?;
    }
    Spec::deserialize(toml::Value::Table(table)).map_err(|e| Error::Toml {
        origin: "answers".into(),
        message: e.message().trim().replace('\n', "; "),
    })
}

fn toml_error(origin: &str, text: &str, err: &toml::de::Error) -> Error {
    let mut message = explain(err.message());
    let origin = match err.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            if let Some(key) = key_at(before) {
                message = format!("{key}: {message}");
            }
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("{origin}:{line}:{col}")
        }
        None => origin.to_string(),
    };
    Error::Toml { origin, message }
}

/// The dotted key whose value starts where `before` ends (`azs = "two"` under `[network.vpc]`
/// → `network.vpc.azs`), so that a type error names its field, not only its line.
fn key_at(before: &str) -> Option<String> {
    let line = before.rsplit('\n').next()?;
    let key = line
        .strip_suffix(' ')
        .unwrap_or(line)
        .strip_suffix('=')?
        .trim();
    if key.is_empty()
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.\"".contains(&b))
    {
        return None;
    }
    let section = before
        .lines()
        .rev()
        .skip(1)
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(['[', ']']).trim().to_string());
    let key = key.replace('"', "");
    Some(match section {
        Some(s) => format!("{s}.{key}"),
        None => key,
    })
}

/// A serde message made one line and more helpful: an unknown key or word gets the closest
/// expected one ("did you mean `nat`?"), and the untagged endpoint choice says what it takes.
fn explain(message: &str) -> String {
    let message = message.trim().replace('\n', "; ");
    if message.contains("untagged enum EndpointChoice") {
        return "network.endpoints: expected \"auto\" or a list of endpoint keys such as [\"s3\", \"sts\"]".into();
    }
    match did_you_mean(&message) {
        Some(s) => format!("{message}; did you mean `{s}`?"),
        None => message,
    }
}

/// For "unknown field `x`, expected one of `a`, `b`" (or "unknown variant …", or "expected `a`
/// or `b`"), the expected word closest to `x`, when it is close enough to be a typo.
fn did_you_mean(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (got, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(got, c), c))
        .filter(|&(d, c)| d <= 2.max(c.len() / 3) && d < c.len().max(got.len()))
        .min()
        .map(|(_, c)| c.to_string())
}

/// Applies one `a.b.c=value` override. The value is read as a TOML value when it is one
/// (`true`, `3`, `["a", "b"]`) and as a plain string otherwise (`single`, `10.0.0.0/16`).
fn apply_override(table: &mut toml::Table, arg: &str) -> Result<()> {
    let bad = |message: &str| Error::BadOverride {
        arg: arg.to_string(),
        message: message.to_string(),
    };
    let (path, raw) = arg
        .split_once('=')
        .ok_or_else(|| bad("expected key.path=value"))?;
    let keys: Vec<&str> = path.trim().split('.').collect();
    if keys.iter().any(|k| k.is_empty()) {
        return Err(bad("the key path has an empty segment"));
    }
    let value = parse_value(raw.trim());
    let (last, parents) = keys.split_last().expect("split yields at least one key");
    let mut current = table;
    for (depth, key) in parents.iter().enumerate() {
        let entry = current
            .entry(key.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        current = match entry {
            toml::Value::Table(t) => t,
            _ => {
                return Err(bad(&format!(
                    "'{}' is a value, not a section",
                    keys[..=depth].join(".")
                )));
            }
        };
    }
    current.insert(last.to_string(), value);
    Ok(())
}

fn parse_value(raw: &str) -> toml::Value {
    #[derive(Deserialize)]
    struct Wrapper {
        v: toml::Value,
    }
    match toml::from_str::<Wrapper>(&format!("v = {raw}")) {
        Ok(w) => w.v,
        Err(_) => toml::Value::String(raw.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> SpecSource {
        SpecSource::Config {
            origin: "smgen.toml".into(),
            text: text.into(),
        }
    }

    const MIN: &str = "[project]\nname = \"demo\"\nregion = \"eu-west-1\"\n";

    #[test]
    fn overrides_take_typed_and_string_values() {
        let spec = load(
            &cfg(MIN),
            &[
                "network.nat=single".into(),
                "network.vpc.azs=3".into(),
                "jobs.network_isolation=false".into(),
                "studio.user_profiles=[\"ana\", \"bo\"]".into(),
            ],
        )
        .unwrap();
        assert_eq!(spec.network.nat, super::super::Nat::Single);
        assert_eq!(spec.network.vpc.azs, 3);
        assert!(!spec.jobs.network_isolation);
        assert_eq!(spec.studio.user_profiles, vec!["ana", "bo"]);
    }

    #[test]
    fn a_bad_set_value_names_its_argument() {
        let err = load(&cfg(MIN), &["network.nat=sometimes".into()]).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("--set network.nat=sometimes:"), "{text}");
        assert!(text.contains("single"), "{text}");
    }

    #[test]
    fn toml_errors_carry_line_and_column() {
        let err = load(&cfg("[project]\nname = \"demo\nregion = 1\n"), &[]).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("smgen.toml:2:"), "{text}");
        let err = load(&cfg(&format!("{MIN}[network.vpc]\nazs = \"two\"\n")), &[]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("smgen.toml:5:7: network.vpc.azs: invalid type"),
            "{err}"
        );
        assert!(!text.contains('\n'), "{text}");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = load(&cfg(&format!("{MIN}[network]\nnatt = \"single\"\n")), &[]).unwrap_err();
        assert!(err.to_string().contains("natt"), "{err}");
        let err = load(&cfg(MIN), &["network.natt=single".into()]).unwrap_err();
        assert!(err.to_string().contains("natt"), "{err}");
        assert!(err.to_string().contains("did you mean `nat`?"), "{err}");
        let err = load(&cfg(MIN), &["netwrok.nat=single".into()]).unwrap_err();
        assert!(err.to_string().contains("did you mean `network`?"), "{err}");
        let err = load(&cfg(MIN), &["network.nat=singel".into()]).unwrap_err();
        assert!(err.to_string().contains("did you mean `single`?"), "{err}");
        // Nothing close: no suggestion.
        let err = load(&cfg(MIN), &["network.zzzzzz=1".into()]).unwrap_err();
        assert!(!err.to_string().contains("did you mean"), "{err}");
    }

    #[test]
    fn override_through_a_value_is_an_error() {
        let err = load(&cfg(MIN), &["project.name.x=1".into()]).unwrap_err();
        assert!(
            err.to_string().contains("'project.name' is a value"),
            "{err}"
        );
        let err = load(&cfg(MIN), &["novalue".into()]).unwrap_err();
        assert!(err.to_string().contains("key.path=value"), "{err}");
    }
}
