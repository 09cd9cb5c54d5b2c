//! Rendering: a model becomes a [`FileSet`] (relative path → bytes) for one output format.
//! Templates are embedded (`templates/<format>/`), loaded once into one Tera instance. Only
//! files ending in `.tera` are rendered; every other file is copied verbatim, so literal braces
//! (`${…}`, `{{resolve:…}}`) in them survive.

mod apps;
mod cdk;
mod cloudformation;
pub mod hcl;
mod literals;
mod standalone;
mod teardown;
mod terraform;
mod typescript;
mod yaml;

use crate::error::{Error, Result};
use crate::model::Model;
pub use crate::project::Format;
use crate::project::{ANSWERS, SCHEMA_FILE};
use crate::spec::Spec;
use crate::view::View;
use include_dir::{Dir, include_dir};
use std::collections::BTreeMap;
use std::sync::OnceLock;

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The rendered project: relative paths (with `/`) to contents, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSet {
    pub files: BTreeMap<String, String>,
}

impl FileSet {
    pub fn insert(&mut self, path: impl Into<String>, contents: impl Into<String>) {
        self.files.insert(path.into(), contents.into());
    }
}

/// The parsed templates of one format (its directory under `templates/`), parsed on first use.
///
/// One instance per format, not one for all: parsing is most of the work of a run (pest
/// parses the template text character by character), and a run renders one format, so
/// parsing the other formats' templates was wasted. A process that renders every format
/// (tests, benches) still parses each format once.
fn tera(format: Format) -> &'static tera::Tera {
    static TERA: [OnceLock<tera::Tera>; Format::ALL.len()] =
        [const { OnceLock::new() }; Format::ALL.len()];
    TERA[format.index()].get_or_init(|| {
        let mut t = tera::Tera::default();
        // Autoescaping is for HTML; every value is escaped for its target format in Rust.
        t.autoescape_on(vec![]);
        let mut sources = vec![];
        if let Some(dir) = TEMPLATES.get_dir(format.name()) {
            collect(dir, &mut sources);
        }
        // What `add_raw_templates` does, with the faster parse of `literals`.
        for (name, source) in sources {
            let template = literals::parse(&name, source)
                .unwrap_or_else(|e| panic!("embedded template {name} must parse: {e:?}"));
            t.templates.insert(name, template);
        }
        t.build_inheritance_chains()
            .and_then(|()| t.check_macro_files())
            .unwrap_or_else(|e| panic!("embedded templates must link: {e:?}"));
        t
    })
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<(String, &'static str)>) {
    for f in dir.files() {
        let path = f.path().to_string_lossy().replace('\\', "/");
        if let (true, Some(text)) = (path.ends_with(".tera"), f.contents_utf8()) {
            out.push((path, text));
        }
    }
    for d in dir.dirs() {
        collect(d, out);
    }
}

/// Renders every template of `format` with `ctx`. A template at
/// `templates/<format>/a/b.tf.tera` becomes `a/b.tf`; other files are copied as they are.
fn render_dir(
    format: Format,
    ctx: &tera::Context,
    post: fn(&str, String) -> String,
) -> Result<FileSet> {
    let mut set = FileSet::default();
    let root = TEMPLATES
        .get_dir(format.name())
        .ok_or_else(|| Error::Render {
            template: format.name().into(),
            message: "no templates embedded for this format".into(),
        })?;
    let tera = tera(format);
    let mut files = vec![];
    walk(root, &mut files);
    for f in files {
        let path = f.path().to_string_lossy().replace('\\', "/");
        let rel = path
            .strip_prefix(&format!("{}/", format.name()))
            .unwrap_or(&path)
            .to_string();
        if let Some(out) = rel.strip_suffix(".tera") {
            let text = tera.render(&path, ctx).map_err(|e| Error::Render {
                template: path.clone(),
                message: error_chain(&e),
            })?;
            if !text.trim().is_empty() {
                set.insert(out, post(out, text));
            }
        } else if let Some(text) = f.contents_utf8() {
            set.insert(rel, text);
        }
    }
    Ok(set)
}

fn walk(dir: &'static Dir<'static>, out: &mut Vec<&'static include_dir::File<'static>>) {
    out.extend(dir.files());
    for d in dir.dirs() {
        walk(d, out);
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

/// Renders the model in one format, plus the `smgen.toml` holding the answers.
pub fn render(model: &Model, spec: &Spec, format: Format) -> Result<FileSet> {
    let view = View::of(model);
    let mut set = match format {
        Format::Terraform => terraform::render(&view)?,
        Format::Cdk => cdk::render(&view)?,
        Format::CloudFormation => cloudformation::render(&view)?,
    };
    standalone::add(&mut set, model);
    // The starting scripts: yours once written (a later render merges like any file).
    for c in &model.lifecycle_configs {
        set.insert(c.script.clone(), c.starter.clone());
    }
    set.insert("teardown.sh", teardown::script(model));
    set.insert("ARCHITECTURE.md", architecture(model));
    set.insert(ANSWERS, answers(spec, format));
    set.insert(SCHEMA_FILE, json_schema());
    Ok(set)
}

/// Renders a project of several environments (`[environments.NAME]`) in one format: the
/// format's shared part (Terraform module and one root per environment, CloudFormation template
/// and `parameters/NAME.json`, CDK app with one Stage per environment), each environment's
/// standalone files under `environments/NAME/` (policies, SDK defaults, teardown script,
/// ARCHITECTURE.md), the lifecycle starting scripts once, and the answers.
pub fn render_environments(
    envs: &[(crate::spec::Environment, Model)],
    spec: &Spec,
    format: Format,
) -> Result<FileSet> {
    let view = crate::view::environments::Environments::of(envs);
    let mut set = match format {
        Format::Terraform => terraform::render_environments(&view)?,
        Format::Cdk => cdk::render_environments(&view)?,
        Format::CloudFormation => cloudformation::render_environments(&view)?,
    };
    for e in &view.envs {
        let mut own = FileSet::default();
        standalone::add(&mut own, e.model);
        own.insert("teardown.sh", teardown::env_script(e.model));
        own.insert("ARCHITECTURE.md", architecture(e.model));
        for (path, text) in own.files {
            set.insert(env_path(e.name, &path), text);
        }
        for c in &e.model.lifecycle_configs {
            set.files
                .entry(c.script.clone())
                .or_insert_with(|| c.starter.clone());
        }
    }
    set.insert(ANSWERS, answers(spec, format));
    set.insert(SCHEMA_FILE, json_schema());
    Ok(set)
}

/// A POSIX shell word: as it is when it has no special characters, else single-quoted (the
/// commands smgen prints and writes into READMEs).
pub fn shell_word(v: &str) -> String {
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c));
    if plain {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', r"'\''"))
    }
}

/// Where a file of environment `env` goes: `environments/ENV/PATH`.
pub fn env_path(env: &str, path: &str) -> String {
    format!("{ENVIRONMENTS_DIR}/{env}/{path}")
}

/// The Terraform module of the main structure group.
pub use terraform::MAIN_MODULE as MODULE_DIR;

/// Where a file of a project with `[environments]` was when the project had none: a
/// one-environment Terraform root file moves into the main module, and every per-environment
/// file (`environments/NAME/policies/…`, the Terraform root files) comes from the one
/// environment's. The reconcile step carries the user's edits along such a move.
pub fn moved_from(path: &str) -> Option<&str> {
    if let Some(rest) = path
        .strip_prefix(MODULE_DIR)
        .and_then(|r| r.strip_prefix('/'))
    {
        return Some(rest);
    }
    let rest = path
        .strip_prefix(ENVIRONMENTS_DIR)?
        .strip_prefix('/')?
        .split_once('/')?
        .1;
    Some(rest)
}

/// The directory of the per-environment files (Terraform roots, policies, scripts).
pub const ENVIRONMENTS_DIR: &str = "environments";

/// `ARCHITECTURE.md`, the same in every format: the diagram, reachability, cost and findings
/// that `smgen explain` prints.
fn architecture(model: &Model) -> String {
    use crate::explain::{self, DiagramFormat};
    let e = explain::explain(model, None, DiagramFormat::Mermaid);
    explain::report::markdown(&e, &format!("{}: architecture", model.name))
}

/// The schema of [`ANSWERS`] ([`SCHEMA_FILE`] in every project), derived from the [`Spec`] types (`smgen schema` prints the same text).
pub fn json_schema() -> String {
    static SCHEMA: OnceLock<String> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let schema = schemars::schema_for!(Spec);
            let mut text = serde_json::to_string_pretty(&schema).expect("a schema serializes");
            text.push('\n');
            text
        })
        .clone()
}

/// The answers file: the complete spec, so that `smgen generate --config smgen.toml`
/// reproduces the project byte for byte.
pub fn answers(spec: &Spec, format: Format) -> String {
    let body = toml::to_string_pretty(spec).expect("a spec always serializes");
    format!(
        "#:schema ./{SCHEMA_FILE}\n# smgen answers for this project (format: {}). Change one with `smgen upgrade --set key=value`,\n# or edit this file and run `smgen upgrade`: your edits to generated files are merged, not lost.\n# From scratch: `smgen generate --config {ANSWERS} --format {} --out DIR`\n\n{body}",
        format.name(),
        format.name()
    )
}

/// Every embedded template file of `format` (path, bytes), sorted by path: the input of the
/// template-set version recorded in `.smgen/lock.toml`.
pub fn template_files(format: Format) -> Vec<(String, &'static [u8])> {
    let mut files = vec![];
    if let Some(root) = TEMPLATES.get_dir(format.name()) {
        let mut all = vec![];
        walk(root, &mut all);
        files = all
            .into_iter()
            .map(|f| (f.path().to_string_lossy().replace('\\', "/"), f.contents()))
            .collect();
    }
    files.sort();
    files
}
