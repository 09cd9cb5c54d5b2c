//! What `smgen diff` and `generate --check` print: each file as *your edits* (smgen's last
//! render, the base in `.smgen/base`, → the file on disk) and *pending changes* (the base →
//! the new render: what `smgen upgrade` would bring), each diff labelled, `+` lines being what
//! exists on the side the label names (`yours/…`, `new/…`), as in git.
//!
//! Only pending changes gate (exit 1): answers or smgen changed and the project was not
//! upgraded, or a conflict is left unresolved. Edits that the merge keeps are the user's
//! business; `--strict` gates on them too.

use super::out;
use crate::reconcile::{ChangeKind, Disk, Drift, report};

/// Answers recorded in smgen.toml (or given to `generate`) that the project was not upgraded
/// to: `key: old → new` lines, and, for `generate --check`, a diff of smgen.toml itself.
#[derive(Debug, Default)]
pub(crate) struct Answers {
    pub changes: Vec<String>,
    /// (smgen.toml on disk, the answers file this run renders) when they differ as answers.
    pub file: Option<(Option<String>, String)>,
}

impl Answers {
    pub fn pending(&self) -> bool {
        !self.changes.is_empty() || self.file.is_some()
    }
}

/// Everything one run found.
pub(crate) struct Found {
    pub files: Vec<Drift>,
    pub answers: Answers,
}

impl Found {
    pub fn pending(&self) -> usize {
        self.files
            .iter()
            .filter(|d| d.status.action_needed())
            .count()
            + usize::from(self.answers.pending())
    }

    pub fn edited(&self) -> usize {
        self.files
            .iter()
            .filter(|d| d.status.edit.is_some())
            .count()
    }

    pub fn unresolved(&self) -> Vec<&str> {
        self.files
            .iter()
            .filter(|d| d.status.unresolved)
            .map(|d| d.path.as_str())
            .collect()
    }

    /// The exit code: 1 when something needs doing (with `strict`, edits too).
    pub fn code(&self, strict: bool) -> i32 {
        i32::from(self.pending() > 0 || (strict && self.edited() > 0))
    }
}

fn edit_counts(d: &Drift) -> (usize, usize) {
    report::counts(d.base.as_deref(), d.ours.text())
}

fn pending_counts(d: &Drift) -> (usize, usize) {
    report::counts(d.pending_from(), d.theirs.as_deref())
}

/// The labelled diff of one file's edits (empty without).
pub(crate) fn edit_diff(d: &Drift, color: bool) -> String {
    let Some(kind) = d.status.edit else {
        return String::new();
    };
    let head = format!(
        "# your edits: {} (smgen's last render → the file on disk; `smgen upgrade` keeps them)\n",
        d.path
    );
    let body = match (&d.ours, kind) {
        (Disk::Binary, _) => format!("Binary file {} differs from the last render\n", d.path),
        (_, ChangeKind::Deleted) => format!(
            "{} deleted (`smgen upgrade` keeps it deleted and records that)\n",
            d.path
        ),
        (ours, _) => report::labelled(
            &d.path,
            d.base.as_deref(),
            ours.text(),
            ("base", "yours"),
            color,
        ),
    };
    format!("{head}{body}")
}

/// The labelled diff of one file's pending change (empty without).
pub(crate) fn pending_diff(d: &Drift, color: bool) -> String {
    let mut s = String::new();
    if d.status.unresolved {
        s.push_str(&format!(
            "# conflict: {} still holds <<<<<<< yours … >>>>>>> smgen markers: resolve them, then run `smgen upgrade`\n",
            d.path
        ));
    }
    if d.status.pending.is_none() {
        return s;
    }
    let (from, head) = if d.status.no_base {
        (
            "yours",
            format!(
                "# pending: {} (the file on disk → the new render; no merge base, so `smgen upgrade` writes conflict markers where they differ)\n",
                d.path
            ),
        )
    } else {
        (
            "base",
            format!(
                "# pending: {} (smgen's last render → the new render; `smgen upgrade` applies it and keeps your edits)\n",
                d.path
            ),
        )
    };
    s.push_str(&head);
    if matches!(d.ours, Disk::Binary) && d.status.no_base {
        s.push_str(&format!("Binary file {} differs from the render\n", d.path));
    } else {
        s.push_str(&report::labelled(
            &d.path,
            d.pending_from(),
            d.theirs.as_deref(),
            (from, "new"),
            color,
        ));
    }
    s
}

fn answers_text(a: &Answers, color: bool) -> String {
    let mut s = String::new();
    if !a.changes.is_empty() {
        s.push_str(&format!(
            "# pending: {} answers not applied yet (`smgen upgrade` applies them): {}\n",
            crate::project::ANSWERS,
            a.changes.join("; ")
        ));
    }
    if let Some((old, new)) = &a.file {
        s.push_str(&format!(
            "# pending: {} (the answers on disk → the answers given)\n",
            crate::project::ANSWERS
        ));
        s.push_str(&report::labelled(
            crate::project::ANSWERS,
            old.as_deref(),
            Some(new),
            ("yours", "new"),
            color,
        ));
    }
    s
}

/// The full report: per file its edits then its pending change.
pub(crate) fn print_diffs(found: &Found, color: bool) {
    let mut text = answers_text(&found.answers, color);
    for d in &found.files {
        text.push_str(&edit_diff(d, color));
        text.push_str(&pending_diff(d, color));
    }
    out(&text);
}

/// `--stat`: one row per side that differs, `yours` or `pending`.
pub(crate) fn stat_rows(found: &Found) -> Vec<String> {
    let width = found
        .files
        .iter()
        .map(|d| d.path.len())
        .chain(
            found
                .answers
                .pending()
                .then_some(crate::project::ANSWERS.len()),
        )
        .max()
        .unwrap_or(0);
    let mut rows = vec![];
    if found.answers.pending() {
        let what = if found.answers.changes.is_empty() {
            "differs from the answers given".to_string()
        } else {
            found.answers.changes.join("; ")
        };
        rows.push(format!(
            "pending  {:9} {:width$}  {what}",
            "answers",
            crate::project::ANSWERS
        ));
    }
    for d in &found.files {
        if let Some(kind) = d.status.edit {
            let (add, del) = edit_counts(d);
            rows.push(format!(
                "yours    {:9} {:width$}  +{add} -{del}",
                kind.as_str(),
                d.path
            ));
        }
        if d.status.unresolved {
            rows.push(format!(
                "pending  {:9} {:width$}  unresolved conflict markers",
                "conflict", d.path
            ));
        }
        if let Some(kind) = d.status.pending {
            let (add, del) = pending_counts(d);
            let note = if d.status.no_base {
                "  (no merge base)"
            } else {
                ""
            };
            rows.push(format!(
                "pending  {:9} {:width$}  +{add} -{del}{note}",
                kind.as_str(),
                d.path
            ));
        }
    }
    rows
}

/// The report of every file and the answers (`diff --json`, `generate --check --json`).
pub(crate) fn report(found: &Found) -> super::report::Status {
    use super::report::{Side, Status, StatusFile};
    let side = |kind: Option<ChangeKind>, counts: (usize, usize), diff: String| {
        kind.map(|status| Side {
            status,
            insertions: counts.0,
            deletions: counts.1,
            diff,
        })
    };
    Status {
        pending: found.pending(),
        edited: found.edited(),
        answers_pending: found.answers.changes.clone(),
        answers_file_differs: found.answers.file.is_some(),
        files: found
            .files
            .iter()
            .map(|d| StatusFile {
                path: d.path.clone(),
                edit: side(d.status.edit, edit_counts(d), edit_diff(d, false)),
                pending: side(d.status.pending, pending_counts(d), pending_diff(d, false)),
                no_base: d.status.no_base,
                unresolved: d.status.unresolved,
            })
            .collect(),
    }
}
