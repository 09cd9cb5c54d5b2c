//! `smgen init`'s question flow. Questions come from [`crate::spec::questions`]; every answer
//! becomes a `--set PATH=VALUE` override on top of the starting answers (a preset, or the
//! seeded project name and region) and is checked by [`spec::load`], the same code that reads
//! `smgen.toml` and `--set`, so the prompt shows the config path's own error messages.

mod endpoints;
pub mod environment;
mod prompter;
mod summary;

pub use prompter::{Prompter, TermPrompter, fit, wrap};
pub use summary::summary;

use crate::error::{Error, Result};
use crate::model;
use crate::render::Format;
use crate::spec::questions::{self, Kind, QUESTIONS, Question};
use crate::spec::{self, Spec, SpecSource};

/// Where the wizard starts.
pub struct Start {
    /// TOML answers to start from: a preset's text, or a seeded project name and region.
    pub base: String,
    /// The preset's answers: questions they settle are not asked (unless `ask_all`).
    pub preset: Option<toml::Table>,
    pub ask_all: bool,
    /// `--format`, or `None` to ask.
    pub format: Option<Format>,
}

/// What the user decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Write {
        spec: Box<spec::Valid>,
        format: Format,
    },
    Quit,
}

/// The answers so far: the starting text plus one `--set` per answered question.
struct Answers {
    base: String,
    sets: Vec<String>,
}

impl Answers {
    fn source(&self) -> SpecSource {
        SpecSource::Config {
            origin: "answers".into(),
            text: self.base.to_string(),
        }
    }

    /// Typed but not validated: what the conditions and defaults are read from.
    fn partial(&self) -> Result<Spec> {
        spec::partial(&self.base, &self.sets)
    }

    fn load(&self) -> Result<spec::Valid> {
        spec::load(&self.source(), &self.sets)
    }

    /// The sets without an answer for `path` (an optional answer left empty).
    fn without(&self, path: &str) -> Vec<String> {
        let prefix = format!("{path}=");
        self.sets
            .iter()
            .filter(|s| !s.starts_with(&prefix))
            .cloned()
            .collect()
    }

    /// The sets with `path`'s answer replaced by `arg`.
    fn with(&self, path: &str, arg: String) -> Vec<String> {
        let prefix = format!("{path}=");
        let mut sets: Vec<String> = self
            .sets
            .iter()
            .filter(|s| !s.starts_with(&prefix))
            .cloned()
            .collect();
        sets.push(arg);
        sets
    }
}

/// Runs the whole wizard: format, questions, summary, confirm.
pub fn run(p: &mut dyn Prompter, start: &Start) -> Result<Outcome> {
    let format = match start.format {
        Some(f) => f,
        None => {
            let items: Vec<String> = Format::ALL.iter().map(|f| f.name().to_string()).collect();
            say_help(
                p,
                "Terraform, CloudFormation or AWS CDK (TypeScript): the same resources and \
                 policies in each. smgen.toml records the choice.",
            );
            let i = p.select("format", "Output format", &items, 0)?;
            Format::ALL[i]
        }
    };
    let mut answers = Answers {
        base: start.base.clone(),
        sets: vec![],
    };
    let mut ask_all = start.ask_all;
    // The question an error points at: "Change answers" goes straight to it.
    let mut jump: Option<&'static Question> = None;
    loop {
        match jump.take() {
            Some(q) => ask_one(p, &mut answers, q)?,
            None => ask_questions(p, &mut answers, start.preset.as_ref(), ask_all)?,
        }
        ask_all = true;
        let choice = match answers.load() {
            Err(e) => {
                p.say(&wrap(&format!("error: {e}"), p.width(), ""));
                jump = error_question(&e);
                let items = ["Change answers", "Quit without writing"].map(String::from);
                p.select("confirm", "The answers do not load", &items, 0)? + 1
            }
            Ok(spec) => {
                let model = model::resolve(&spec);
                p.say(&summary(&spec, &model, format, p.width()));
                if let Some(f) = model.errors().next() {
                    jump = question_for(&f.choice);
                    p.say("Errors block writing: change the answers or quit.");
                    let items = ["Change answers", "Quit without writing"].map(String::from);
                    p.select("confirm", "What now?", &items, 0)? + 1
                } else {
                    let items = [
                        "Write the project",
                        "Change answers",
                        "Quit without writing",
                    ]
                    .map(String::from);
                    match p.select("confirm", "Write the project?", &items, 0)? {
                        0 => {
                            return Ok(Outcome::Write {
                                spec: Box::new(spec),
                                format,
                            });
                        }
                        i => i,
                    }
                }
            }
        };
        if choice != 1 {
            return Ok(Outcome::Quit);
        }
    }
}

/// Asks every question whose condition holds, in table order, and drops answers whose
/// condition no longer holds (a NAT answer after switching to Public only).
fn ask_questions(
    p: &mut dyn Prompter,
    answers: &mut Answers,
    preset: Option<&toml::Table>,
    ask_all: bool,
) -> Result<()> {
    for q in QUESTIONS {
        let partial = answers.partial()?;
        // The project's name and Region are asked even with a preset (its values as the
        // defaults): a preset's name and Region are examples, not the user's.
        let settled = !ask_all
            && preset.is_some_and(|t| settles(t, q.path))
            && !matches!(q.path, "project.name" | "project.region");
        if !(q.when)(&partial) || settled {
            continue;
        }
        ask(p, answers, q, &partial)?;
    }
    tidy(answers)
}

/// Asks the one question `q` (when it still applies), then drops what no longer applies.
fn ask_one(p: &mut dyn Prompter, answers: &mut Answers, q: &'static Question) -> Result<()> {
    let partial = answers.partial()?;
    if (q.when)(&partial) {
        ask(p, answers, q, &partial)?;
    }
    tidy(answers)
}

/// Asks `q` until its answer loads. A rejected answer is taken back (no success mark stays
/// on screen), its error shown, and the question asked again with it prefilled.
fn ask(p: &mut dyn Prompter, answers: &mut Answers, q: &Question, partial: &Spec) -> Result<()> {
    if q.kind != Kind::Endpoints {
        say_help(p, q.help);
    }
    let mut rejected: Option<String> = None;
    loop {
        let (value, shown) = match q.kind {
            Kind::Endpoints => {
                let v = endpoints::ask(p, q, answers, partial)?;
                (Some(v.clone()), v)
            }
            _ => ask_value(p, q, partial, rejected.as_deref())?,
        };
        let candidate = match &value {
            Some(v) => answers.with(q.path, format!("{}={v}", q.path)),
            None => answers.without(q.path),
        };
        let result = spec::load(&answers.source(), &candidate);
        match result {
            Err(e) if concerns(&e, q.path) => {
                let message = wrap(&format!("error: {}", prompt_message(&e)), p.width(), "");
                p.reject(
                    q.path,
                    &format!("{} ({})", q.prompt, q.path),
                    &shown,
                    &message,
                );
                rejected = Some(shown);
            }
            // Ok, or an error about an answer still to come (the subnets of a VPC
            // whose id was just given): keep the answer.
            _ => {
                answers.sets = candidate;
                return Ok(());
            }
        }
    }
}

/// The question an error of the answers points at, if any.
fn error_question(err: &Error) -> Option<&'static Question> {
    match err {
        Error::Invalid { field, .. } => question_for(field),
        Error::BadOverride { arg, .. } => question_for(arg.split_once('=').map_or(arg, |(p, _)| p)),
        _ => None,
    }
}

/// The question whose answer `path` is, or holds (`network.vpc.subnet_ids[1]`), or the first
/// one under it (`project.tags` → a tag question).
fn question_for(path: &str) -> Option<&'static Question> {
    questions::find(path)
        .or_else(|| {
            QUESTIONS
                .iter()
                .filter(|q| {
                    path.strip_prefix(q.path)
                        .is_some_and(|rest| rest.starts_with(['.', '[']))
                })
                .max_by_key(|q| q.path.len())
        })
        .or_else(|| {
            QUESTIONS
                .iter()
                .find(|q| q.path.starts_with(&format!("{path}.")))
        })
}

/// Drops answers whose condition no longer holds (a NAT answer after switching to Public
/// only), and starting answers that no longer apply and fail validation.
fn tidy(answers: &mut Answers) -> Result<()> {
    let partial = answers.partial()?;
    answers.sets.retain(|set| {
        let path = set.split_once('=').map_or("", |(p, _)| p);
        questions::find(path).is_none_or(|q| (q.when)(&partial))
    });
    // A starting answer that no longer applies and now fails validation (the existing-VPC
    // preset's subnet ids after choosing to create the VPC) is dropped, not left to block.
    while let Err(Error::Invalid { field, .. }) = answers.load() {
        let inapplicable = questions::find(&field).is_some_and(|q| !(q.when)(&partial));
        let mut table: toml::Table = toml::from_str(&answers.base).unwrap_or_default();
        if !inapplicable || !remove(&mut table, &field) {
            break;
        }
        answers.base = toml::to_string(&table).expect("a TOML table serializes");
    }
    Ok(())
}

/// Removes the value at the dotted `path`; whether there was one.
fn remove(table: &mut toml::Table, path: &str) -> bool {
    let Some((parent, leaf)) = path.rsplit_once('.') else {
        return table.remove(path).is_some();
    };
    let mut current = table;
    for key in parent.split('.') {
        current = match current.get_mut(key) {
            Some(toml::Value::Table(t)) => t,
            _ => return false,
        };
    }
    current.remove(leaf).is_some()
}

/// Whether the preset's table has a value at the dotted `path`.
fn settles(table: &toml::Table, path: &str) -> bool {
    let mut current = table;
    let mut keys = path.split('.').peekable();
    while let Some(key) = keys.next() {
        match (current.get(key), keys.peek()) {
            (Some(_), None) => return true,
            (Some(toml::Value::Table(t)), Some(_)) => current = t,
            _ => return false,
        }
    }
    false
}

/// Whether a load error is about the answer at `path`.
fn concerns(err: &Error, path: &str) -> bool {
    match err {
        Error::Invalid { field, .. } => field == path || field.starts_with(&format!("{path}.")),
        Error::BadOverride { arg, .. } => arg.starts_with(&format!("{path}=")),
        _ => false,
    }
}

/// The error as the config path words it, without the `--set` framing the wizard adds.
fn prompt_message(err: &Error) -> String {
    match err {
        Error::BadOverride { arg, message } => {
            let path = arg.split_once('=').map_or(arg.as_str(), |(p, _)| p);
            format!("{path}: {message}")
        }
        other => other.to_string(),
    }
}

fn say_help(p: &mut dyn Prompter, help: &str) {
    let text = wrap(help, p.width(), "  ");
    p.say(&text);
}

/// The current answer at `path` (the spec's default when nobody set it).
fn current(spec: &Spec, path: &str) -> Option<toml::Value> {
    let mut value = toml::Value::try_from(spec).ok()?;
    for key in path.split('.') {
        value = value.as_table()?.get(key)?.clone();
    }
    Some(value)
}

fn as_text(value: Option<&toml::Value>) -> String {
    match value {
        None => String::new(),
        Some(toml::Value::String(s)) => s.clone(),
        Some(toml::Value::Array(items)) => items
            .iter()
            .map(|v| as_text(Some(v)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

/// Asks one question; returns the answer as a TOML value literal for `--set` (`None`: an
/// optional answer left empty) and the answer as the user gave it. `rejected` is the
/// previous, rejected answer: the default this time (prefilled text for text prompts).
fn ask_value(
    p: &mut dyn Prompter,
    q: &Question,
    spec: &Spec,
    rejected: Option<&str>,
) -> Result<(Option<String>, String)> {
    let value = current(spec, q.path);
    let prompt = format!("{} ({})", q.prompt, q.path);
    Ok(match q.kind {
        Kind::Bool => {
            let default = match rejected {
                Some(r) => r == "true",
                None => value.as_ref().and_then(|v| v.as_bool()).unwrap_or(false),
            };
            let b = p.confirm(q.path, &prompt, default)?.to_string();
            (Some(b.clone()), b)
        }
        Kind::Choice(options) => {
            let now = rejected.map_or_else(|| as_text(value.as_ref()), String::from);
            let default = options.iter().position(|(v, _)| *v == now).unwrap_or(0);
            let items: Vec<String> = options.iter().map(|(_, label)| label.to_string()).collect();
            let i = p.select(q.path, &prompt, &items, default)?;
            (
                Some(toml::Value::String(options[i].0.into()).to_string()),
                options[i].0.to_string(),
            )
        }
        Kind::Text | Kind::Number | Kind::List | Kind::Optional | Kind::OptionalNumber => loop {
            let default = as_text(value.as_ref());
            let raw = match rejected {
                Some(r) => p.input_again(q.path, &prompt, &default, r)?,
                None => p.input(q.path, &prompt, &default)?,
            };
            let answer = raw.trim();
            if answer == "?" {
                say_help(p, q.help);
                continue;
            }
            if matches!(q.kind, Kind::Optional | Kind::OptionalNumber) && answer.is_empty() {
                break (None, String::new());
            }
            let shown = answer.to_string();
            let literal = match q.kind {
                Kind::Number | Kind::OptionalNumber => answer.to_string(),
                Kind::List => toml::Value::Array(
                    answer
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| toml::Value::String(s.into()))
                        .collect(),
                )
                .to_string(),
                _ => toml::Value::String(answer.into()).to_string(),
            };
            break (Some(literal), shown);
        },
        Kind::Endpoints => unreachable!("asked by endpoints::ask"),
    })
}

/// The answers `smgen generate` would need instead of this wizard. With a preset: the
/// questions it leaves open that apply to it (their defaults would be used). Without: every
/// answer that has no default, found by leaving each out of a complete spec.
pub fn missing_answers(preset: Option<&str>) -> Vec<String> {
    if let Some(text) = preset {
        let table: toml::Table = toml::from_str(text).unwrap_or_default();
        let spec = spec::partial(text, &[]).ok();
        return QUESTIONS
            .iter()
            .filter(|q| !settles(&table, q.path))
            .filter(|q| spec.as_ref().is_none_or(|s| (q.when)(s)))
            .map(|q| q.path.to_string())
            .collect();
    }
    let complete: toml::Table =
        toml::from_str("[project]\nname = \"x\"\nregion = \"x\"\n").expect("static TOML parses");
    let mut out = vec![];
    for q in QUESTIONS {
        let Some((parent, leaf)) = q.path.rsplit_once('.') else {
            continue;
        };
        let mut table = complete.clone();
        let mut section = Some(&mut table);
        for key in parent.split('.') {
            section = match section.and_then(|t| t.get_mut(key)) {
                Some(toml::Value::Table(t)) => Some(t),
                _ => None,
            };
        }
        if section.and_then(|t| t.remove(leaf)).is_some()
            && <Spec as serde::Deserialize>::deserialize(toml::Value::Table(table)).is_err()
        {
            out.push(q.path.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_without_a_default_are_the_missing_ones() {
        assert_eq!(missing_answers(None), ["project.name", "project.region"]);
    }

    #[test]
    fn a_preset_settles_the_paths_it_sets() {
        let text = crate::presets::find("vpc-only-nat").unwrap().text;
        let preset: toml::Table = toml::from_str(text).unwrap();
        assert!(settles(&preset, "network.nat"));
        assert!(settles(&preset, "network.vpc.cidr"));
        assert!(!settles(&preset, "network.endpoints"));
        assert!(!settles(&preset, "network.vpc.vpc_id"));
        let open = missing_answers(Some(text));
        assert!(open.contains(&"network.endpoints".to_string()), "{open:?}");
        assert!(!open.contains(&"project.name".to_string()), "{open:?}");
        // Existing-VPC ids do not apply to a preset that creates its VPC.
        assert!(
            !open.contains(&"network.vpc.vpc_id".to_string()),
            "{open:?}"
        );
    }
}
