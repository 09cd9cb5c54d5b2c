//! Reconcile: bring a generated project up to a new render without losing an edit
//! (docs/architecture.md § Reconcile).
//!
//! State in a project directory:
//! - `smgen.toml`: the answers; the user's file (only `upgrade --set` edits it, minimally).
//! - `.smgen/lock.toml` ([`lock`]): smgen and template-set versions, the applied answers, and
//!   per file its path, hash and ownership class (managed or user-deleted).
//! - `.smgen/base/<path>`: the last pristine render of each file: the merge base. It is stored,
//!   not replayed, because a newer smgen no longer has the old templates.
//!
//! [`plan`] decides per file ([`plan::decide`], with a real 3-way merge in [`merge`]);
//! [`apply`] carries the decisions out, each write atomic and inside the project directory;
//! [`drift`] is what `smgen diff` and `generate --check` report: per file, your edits (base →
//! disk, kept by `upgrade`) and the pending changes (base → new render, what `upgrade` brings);
//! [`environment`] says what an upgrade changes in the environment itself.
//!
//! Write order: project files, then `.smgen/base`, then `smgen.toml`, then the lock. A run
//! killed halfway leaves whole files only; the next run sees the files already written as
//! identical, and a base copy that no longer matches the lock is not used as a base (such a
//! file is merged without one: a conflict, never a lost edit).

mod answers;
pub mod environment;
pub mod lock;
pub mod merge;
pub mod plan;
pub mod report;

pub use answers::set as set_answers;
pub use lock::{Class, Lock};
pub use plan::{ChangeKind, Decision, Disk, Entry, Labels, Snapshot, Status};

use crate::error::{Error, Result};
use crate::output::{Durability, Root};
use crate::project::{ANSWERS, BASE_DIR, LOCK_PATH, STATE_DIR};
use crate::render::{FileSet, Format};
use crate::spec::Spec;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// This smgen's version, as conflict markers and the lock name it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

fn base_path(path: &str) -> String {
    format!("{BASE_DIR}/{path}")
}

/// The project's lock, `None` when it has none.
pub fn read_lock(root: &Root) -> Result<Option<Lock>> {
    let origin = root.shown().join(LOCK_PATH).display().to_string();
    match root.read(LOCK_PATH)? {
        None => Ok(None),
        Some(bytes) => {
            let text = String::from_utf8(bytes).map_err(|_| Error::Lock {
                origin: origin.clone(),
                message: "not UTF-8 text".into(),
            })?;
            Lock::parse(&text, &origin).map(Some)
        }
    }
}

/// The lock a project's answers are recorded with.
pub fn answers_table(spec: &Spec) -> toml::Table {
    match toml::Value::try_from(spec) {
        Ok(toml::Value::Table(t)) => t,
        _ => unreachable!("a spec always serializes to a table"),
    }
}

/// The rendered files that reconcile handles: everything but the answers file.
fn generated(rendered: &FileSet) -> Result<impl Iterator<Item = (&String, &String)>> {
    if let Some(p) = rendered
        .files
        .keys()
        .find(|p| p.split('/').next() == Some(STATE_DIR))
    {
        return Err(Error::Render {
            template: p.clone(),
            message: format!("a template may not write into {STATE_DIR}/"),
        });
    }
    Ok(rendered.files.iter().filter(|(p, _)| *p != ANSWERS))
}

/// The state files (`.smgen/lock.toml` and `.smgen/base/…`) of a project written whole from
/// `rendered`, to be written with it.
pub fn initial_state(rendered: &FileSet, format: Format, spec: &Spec) -> Result<FileSet> {
    let mut state = FileSet::default();
    let mut files = vec![];
    for (path, text) in generated(rendered)? {
        files.push(lock::FileEntry {
            path: path.clone(),
            sha256: lock::sha256_hex(text.as_bytes()),
            class: Class::Managed,
        });
        state.insert(base_path(path), text.clone());
    }
    let lock = Lock::new(format, answers_table(spec), files);
    state.insert(LOCK_PATH, lock.to_text());
    Ok(state)
}

/// What is known about every path that is rendered now or listed in the lock. Warnings
/// name base copies that could not be used.
pub fn snapshots(
    root: &Root,
    lock: Option<&Lock>,
    rendered: &FileSet,
) -> Result<(Vec<Snapshot>, Vec<String>)> {
    let theirs: BTreeMap<&String, &String> = generated(rendered)?.collect();
    let mut paths: BTreeSet<&str> = theirs.keys().map(|p| p.as_str()).collect();
    if let Some(lock) = lock {
        paths.extend(lock.files.iter().map(|f| f.path.as_str()));
    }
    // Files that moved: new here, not on disk, and their previous path is in the lock and no
    // longer rendered.
    let mut moved_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut moved_to: BTreeMap<&str, &str> = BTreeMap::new();
    if let Some(lock) = lock {
        for path in theirs.keys() {
            if let Some(old) = crate::render::moved_from(path)
                && lock.file(path).is_none()
                && lock.file(old).is_some()
                && !theirs.contains_key(&old.to_string())
                && root.read(path)?.is_none()
            {
                moved_from.insert(path, old);
                moved_to.entry(old).or_insert(path);
            }
        }
    }
    let mut warnings = vec![];
    let mut out = vec![];
    for path in paths {
        let from = moved_from.get(path).copied();
        // A moved file is looked at through its previous path: lock entry, base and disk.
        let at = from.unwrap_or(path);
        let entry = lock.and_then(|l| l.file(at));
        let (mut base, mut base_now) = (None, None);
        if let Some(entry) = entry {
            let raw = root.read(&base_path(at))?;
            match &raw {
                Some(bytes) if lock::sha256_hex(bytes) == entry.sha256 => {
                    base = String::from_utf8(bytes.clone()).ok();
                }
                Some(_) => warnings.push(format!(
                    "{at}: its .smgen/base copy does not match the lock (edited, or a run was interrupted); it is merged without a base"
                )),
                None => warnings.push(format!(
                    "{at}: no .smgen/base copy; it is merged without a base"
                )),
            }
            // The new path has no base copy of its own yet.
            if from.is_none() {
                base_now = raw.and_then(|b| String::from_utf8(b).ok());
            }
        }
        out.push(Snapshot {
            path: path.to_string(),
            locked: entry.map(|e| e.class),
            base,
            base_now,
            ours: Disk::from_bytes(root.read(at)?),
            theirs: theirs.get(&path.to_string()).map(|t| t.to_string()),
            moved_from: from.map(String::from),
            moved_to: moved_to.get(path).map(|p| p.to_string()),
        });
    }
    Ok((out, warnings))
}

/// The decisions for every path.
#[derive(Debug, Clone)]
pub struct Plan {
    pub entries: Vec<Entry>,
    pub warnings: Vec<String>,
}

impl Plan {
    pub fn conflicts(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|e| e.decision == Decision::Conflict)
    }

    /// Entries that change a file on disk.
    pub fn writes(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.write)
    }

    /// How many entries took each decision, in table order, zeros left out.
    pub fn counts(&self) -> Vec<(Decision, usize)> {
        use Decision::*;
        [
            Create,
            UpdateClean,
            MergeClean,
            Conflict,
            UserDeleted,
            Kept,
            Remove,
            Identical,
        ]
        .into_iter()
        .map(|d| (d, self.entries.iter().filter(|e| e.decision == d).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
    }
}

/// Decides what happens to every file (reads only).
pub fn plan(root: &Root, lock: Option<&Lock>, rendered: &FileSet, labels: &Labels) -> Result<Plan> {
    plan_scoped(root, lock, rendered, labels, &|_| true)
}

/// [`plan`] for the paths `in_scope` accepts (`--env dev`: the shared files and dev's own);
/// every other path is left exactly as it is, on disk, in its base copy and in the lock.
pub fn plan_scoped(
    root: &Root,
    lock: Option<&Lock>,
    rendered: &FileSet,
    labels: &Labels,
    in_scope: &dyn Fn(&str) -> bool,
) -> Result<Plan> {
    let (snapshots, warnings) = snapshots(root, lock, rendered)?;
    let entries = snapshots
        .iter()
        .map(|s| {
            if in_scope(&s.path) {
                plan::decide(s, labels)
            } else {
                plan::untouched(s)
            }
        })
        .collect();
    Ok(Plan { entries, warnings })
}

/// The lock that records `plan` carried out.
pub fn new_lock(format: Format, spec: &Spec, plan: &Plan) -> Lock {
    let files = plan
        .entries
        .iter()
        .filter_map(|e| {
            e.record.as_ref().map(|(class, base)| lock::FileEntry {
                path: e.path.clone(),
                sha256: lock::sha256_hex(base.as_bytes()),
                class: *class,
            })
        })
        .collect();
    Lock::new(format, answers_table(spec), files)
}

/// Carries `plan` out: project files, then the base copies, then `answers` (a new
/// `smgen.toml`, when given), then the lock. Files that would not change are not touched.
pub fn apply(root: &Root, plan: &Plan, answers: Option<&str>, lock: &Lock) -> Result<()> {
    for e in plan.writes() {
        // A merge result carries the user's edits: it must survive a power cut. Everything
        // else written here is made again from smgen.toml (see `output` on durability).
        let durability = match e.decision {
            Decision::MergeClean | Decision::Conflict => Durability::Sync,
            _ => Durability::Regenerable,
        };
        match &e.after {
            Some(text) => root.write(&e.path, text.as_bytes(), durability)?,
            None => root.remove(&e.path)?,
        }
    }
    for e in &plan.entries {
        let path = base_path(&e.path);
        match (&e.record, &e.base_now) {
            (Some((_, base)), Some(now)) if base == now => {}
            (Some((_, base)), _) => root.write(&path, base.as_bytes(), Durability::Regenerable)?,
            (None, Some(_)) => root.remove(&path)?,
            (None, None) => {}
        }
    }
    if let Some(text) = answers {
        root.write(ANSWERS, text.as_bytes(), Durability::Sync)?;
    }
    let text = lock.to_text();
    if root.read(LOCK_PATH)?.as_deref() != Some(text.as_bytes()) {
        root.write(LOCK_PATH, text.as_bytes(), Durability::Regenerable)?;
    }
    Ok(())
}

/// One file whose disk, base or new render differ.
#[derive(Debug, Clone)]
pub struct Drift {
    pub path: String,
    pub status: Status,
    /// The last pristine render, when usable.
    pub base: Option<String>,
    pub ours: Disk,
    pub theirs: Option<String>,
}

impl Drift {
    /// The side a pending change starts from: the base, or the file on disk without one.
    pub fn pending_from(&self) -> Option<&str> {
        if self.status.no_base {
            self.ours.text()
        } else {
            self.base.as_deref()
        }
    }
}

/// Every file with an edit of yours or a pending change (what `smgen diff` shows), in path
/// order.
pub fn drift(root: &Root, lock: Option<&Lock>, rendered: &FileSet) -> Result<Vec<Drift>> {
    drift_scoped(root, lock, rendered, &|_| true)
}

/// [`drift`] of the paths `in_scope` accepts.
pub fn drift_scoped(
    root: &Root,
    lock: Option<&Lock>,
    rendered: &FileSet,
    in_scope: &dyn Fn(&str) -> bool,
) -> Result<Vec<Drift>> {
    let (snapshots, _) = snapshots(root, lock, rendered)?;
    Ok(snapshots
        .into_iter()
        .filter(|s| in_scope(&s.path))
        .filter_map(|s| {
            let status = plan::status(&s);
            (!status.is_clean()).then_some(Drift {
                path: s.path,
                status,
                base: s.base,
                ours: s.ours,
                theirs: s.theirs,
            })
        })
        .collect())
}

/// The answers a lock records as applied, read back as a spec (`None` when this smgen cannot
/// read them: a lock from another version).
pub fn applied_spec(lock: &Lock) -> Option<Spec> {
    toml::Value::Table(lock.answers.clone()).try_into().ok()
}

fn flatten(prefix: &str, t: &toml::Table, out: &mut BTreeMap<String, toml::Value>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(inner) => flatten(&key, inner, out),
            other => {
                out.insert(key, other.clone());
            }
        }
    }
}

/// The leaf values that differ between two answer tables: (key path, old, new), in key order.
fn differing(
    old: &toml::Table,
    new: &toml::Table,
) -> Vec<(String, Option<toml::Value>, Option<toml::Value>)> {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    flatten("", old, &mut a);
    flatten("", new, &mut b);
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| (k.clone(), a.get(k).cloned(), b.get(k).cloned()))
        .collect()
}

/// The answers that differ between two answer tables, as `key.path: old → new` lines.
pub fn answer_changes(old: &toml::Table, new: &toml::Table) -> Vec<String> {
    let show = |v: &Option<toml::Value>| v.as_ref().map_or("(unset)".into(), |v| v.to_string());
    differing(old, new)
        .iter()
        .map(|(k, a, b)| format!("{k}: {} → {}", show(a), show(b)))
        .collect()
}

/// The `--set KEY=VALUE` arguments (shell-quoted where needed) that turn the answers `old`
/// into `new`; keys that `new` leaves unset cannot be written as `--set` and are left out.
pub fn answer_sets(old: &toml::Table, new: &toml::Table) -> Vec<String> {
    differing(old, new)
        .into_iter()
        .filter_map(|(k, _, b)| {
            let value = match b? {
                // `--set` reads text that is not a TOML value as a string.
                toml::Value::String(s)
                    if !s.is_empty() && format!("x = {s}").parse::<toml::Table>().is_err() =>
                {
                    s
                }
                other => other.to_string(),
            };
            let arg = format!("{k}={value}");
            let plain = arg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-=:/,".contains(c));
            Some(if plain {
                format!("--set {arg}")
            } else {
                format!("--set '{}'", arg.replace('\'', "'\\''"))
            })
        })
        .collect()
}

/// Whether `dir` is inside a git work tree (a `.git` in it or above it); git itself is not
/// needed.
pub fn in_git_work_tree(dir: &Path) -> bool {
    let start = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    start.ancestors().any(|d| d.join(".git").exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_sets_are_shell_ready() {
        let old: toml::Table =
            toml::from_str("[network]\nnat = \"none\"\n[project]\nname = \"a\"\n").unwrap();
        let new: toml::Table = toml::from_str(
            "[network]\nnat = \"single\"\n[project]\nname = \"a\"\nregion = \"us-east-1\"\ntags = { owner = \"ml team\" }\n",
        )
        .unwrap();
        assert_eq!(
            answer_sets(&old, &new),
            vec![
                "--set network.nat=single".to_string(),
                "--set project.region=us-east-1".to_string(),
                "--set 'project.tags.owner=ml team'".to_string(),
            ]
        );
    }

    #[test]
    fn answer_changes_name_each_key() {
        let old: toml::Table =
            toml::from_str("[network]\nnat = \"none\"\nflow_logs = true\n").unwrap();
        let new: toml::Table =
            toml::from_str("[network]\nnat = \"single\"\nflow_logs = true\n[studio]\nx = 1\n")
                .unwrap();
        assert_eq!(
            answer_changes(&old, &new),
            vec![
                "network.nat: \"none\" → \"single\"".to_string(),
                "studio.x: (unset) → 1".to_string()
            ]
        );
    }
}
