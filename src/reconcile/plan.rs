//! The per-file decision table. Each file is looked at through a [`Snapshot`]: its class in
//! the lock, the merge base, the file on disk (ours) and the new render (theirs).
//!
//! | on disk (ours)               | new render (theirs) | decision                                   |
//! |------------------------------|---------------------|--------------------------------------------|
//! | absent, never generated      | present             | `create`                                   |
//! | absent, listed in the lock   | present             | `user-deleted`: stays deleted, recorded    |
//! | equal to theirs              | present             | `identical`                                |
//! | write-once file              | present             | `write-once`: never overwritten            |
//! | equal to base                | present             | `update-clean`: takes the new render       |
//! | edited, base = theirs        | present             | `merge-clean`: your edit kept, no write    |
//! | edited, base ≠ theirs        | present             | 3-way merge: `merge-clean` or `conflict`   |
//! | edited, no base              | present             | `conflict` (two-sided)                     |
//! | holds smgen's markers        | present             | `conflict`: left as it is until resolved   |
//! | equal to base                | absent              | `remove`: smgen no longer generates it     |
//! | edited                       | absent              | `conflict`: kept, now yours                |
//!
//! [`drift`] answers a different question, for `smgen diff` and `generate --check`: does the
//! file on disk differ from the new render (write-once files and recorded deletions aside)?

use super::lock::{Class, initial_class};
use super::merge::{self, Merged};

/// A file on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disk {
    Absent,
    Text(String),
    /// Not UTF-8: never merged, never shown as a diff.
    Binary,
}

impl Disk {
    pub fn from_bytes(bytes: Option<Vec<u8>>) -> Disk {
        match bytes {
            None => Disk::Absent,
            Some(b) => String::from_utf8(b).map_or(Disk::Binary, Disk::Text),
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Disk::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Disk::Absent)
    }
}

/// Everything known about one path before deciding.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub path: String,
    /// The class in the previous lock; `None` when the lock does not list it (or is missing).
    pub locked: Option<Class>,
    /// The merge base, when `.smgen/base/<path>` exists and matches the lock's hash.
    pub base: Option<String>,
    /// What `.smgen/base/<path>` holds now, valid or not (to skip rewriting it).
    pub base_now: Option<String>,
    pub ours: Disk,
    pub theirs: Option<String>,
}

impl Snapshot {
    /// The class that applies now: a recorded deletion or write-once status sticks; a file
    /// that the write-once rule names is write-once.
    pub fn class(&self) -> Class {
        match self.locked {
            Some(Class::UserDeleted) => Class::UserDeleted,
            Some(Class::WriteOnce) => Class::WriteOnce,
            _ => initial_class(&self.path),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    Create,
    Identical,
    UpdateClean,
    MergeClean,
    Conflict,
    UserDeleted,
    WriteOnce,
    Remove,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Create => "create",
            Decision::Identical => "identical",
            Decision::UpdateClean => "update-clean",
            Decision::MergeClean => "merge-clean",
            Decision::Conflict => "conflict",
            Decision::UserDeleted => "user-deleted",
            Decision::WriteOnce => "write-once",
            Decision::Remove => "remove",
        }
    }
}

/// The smgen versions that label conflict markers.
#[derive(Debug, Clone)]
pub struct Labels {
    /// The version that rendered the base (`None`: no lock, so no base).
    pub old: Option<String>,
    pub new: String,
}

/// What happens to one path.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: String,
    pub decision: Decision,
    /// The file on disk now.
    pub ours: Disk,
    /// The file afterwards (`None`: absent).
    pub after: Option<String>,
    /// Whether disk changes (`after` differs from `ours`).
    pub write: bool,
    /// What the new lock records: the class and the merge base; `None`: not listed.
    pub record: Option<(Class, String)>,
    pub base_now: Option<String>,
    /// For people: why.
    pub detail: String,
    /// Conflicting hunks written with markers.
    pub hunks: usize,
}

/// Decides what happens to one path.
pub fn decide(s: &Snapshot, labels: &Labels) -> Entry {
    let entry = |decision: Decision, after: Option<String>, record, detail: &str| {
        let write = match (&after, &s.ours) {
            (None, Disk::Absent) => false,
            (Some(a), Disk::Text(o)) => a != o,
            _ => true,
        };
        Entry {
            path: s.path.clone(),
            decision,
            ours: s.ours.clone(),
            after,
            write,
            record,
            base_now: s.base_now.clone(),
            detail: detail.to_string(),
            hunks: 0,
        }
    };
    // Keep the file as it is; keep the old base (the template change is still to be merged).
    let keep = |decision: Decision, detail: &str| {
        let mut e = entry(
            decision,
            None,
            s.base.clone().map(|b| (Class::Managed, b)),
            detail,
        );
        e.after = s.ours.text().map(String::from);
        e.write = false;
        e
    };
    let class = s.class();
    let Some(theirs) = &s.theirs else {
        // smgen no longer generates this path.
        return match (&s.ours, class) {
            (Disk::Absent, _) => entry(Decision::Remove, None, None, "no longer generated"),
            (_, Class::WriteOnce | Class::UserDeleted) => {
                let mut e = entry(
                    Decision::WriteOnce,
                    None,
                    None,
                    "no longer generated; left as yours",
                );
                e.after = s.ours.text().map(String::from);
                e.write = false;
                e
            }
            (Disk::Text(o), Class::Managed) if s.base.as_deref() == Some(o.as_str()) => {
                entry(Decision::Remove, None, None, "no longer generated")
            }
            _ => {
                let mut e = keep(
                    Decision::Conflict,
                    "no longer generated, and you changed it: kept as your file; delete it if you do not need it",
                );
                e.record = None;
                e
            }
        };
    };
    let record = |c: Class| Some((c, theirs.clone()));
    match &s.ours {
        Disk::Absent if s.locked.is_some() => entry(
            Decision::UserDeleted,
            None,
            record(Class::UserDeleted),
            "deleted by you: kept deleted",
        ),
        Disk::Absent => entry(Decision::Create, Some(theirs.clone()), record(class), ""),
        Disk::Binary if class == Class::WriteOnce => keep_write_once(s, theirs, entry),
        Disk::Binary => keep(
            Decision::Conflict,
            "not UTF-8 text, so it cannot be merged: left as it is",
        ),
        Disk::Text(o) if o == theirs => {
            let c = if class == Class::UserDeleted {
                Class::Managed
            } else {
                class
            };
            entry(Decision::Identical, Some(o.clone()), record(c), "")
        }
        Disk::Text(_) if class == Class::WriteOnce => keep_write_once(s, theirs, entry),
        Disk::Text(o) if merge::has_markers(o) => keep(
            Decision::Conflict,
            "still holds conflict markers from an earlier run: resolve them first",
        ),
        Disk::Text(o) => {
            // Managed (a file the user restored after deleting it is managed again).
            match &s.base {
                Some(b) if b == o => entry(
                    Decision::UpdateClean,
                    Some(theirs.clone()),
                    record(Class::Managed),
                    "",
                ),
                Some(b) if b == theirs => entry(
                    Decision::MergeClean,
                    Some(o.clone()),
                    record(Class::Managed),
                    "your edits kept; the render did not change",
                ),
                base => {
                    let old = match (base, &labels.old) {
                        (Some(_), Some(v)) => v.clone(),
                        (Some(_), None) => "unknown".into(),
                        (None, _) => "(no base)".into(),
                    };
                    match merge::merge3(base.as_deref().unwrap_or(""), o, theirs, &old, &labels.new)
                    {
                        Merged::Clean(m) => entry(
                            Decision::MergeClean,
                            Some(m),
                            record(Class::Managed),
                            "your edits kept, the render's changes merged in",
                        ),
                        Merged::Conflict { text, hunks } => {
                            let detail = match (base.is_some(), hunks) {
                                (false, _) => "no merge base (no .smgen/base copy): both versions written with conflict markers".to_string(),
                                (true, 1) => "1 conflicting hunk: resolve the <<<<<<< yours … >>>>>>> markers".to_string(),
                                (true, n) => format!("{n} conflicting hunks: resolve the <<<<<<< yours … >>>>>>> markers"),
                            };
                            let mut e = entry(
                                Decision::Conflict,
                                Some(text),
                                record(Class::Managed),
                                &detail,
                            );
                            e.hunks = hunks;
                            e
                        }
                    }
                }
            }
        }
    }
}

fn keep_write_once(
    s: &Snapshot,
    theirs: &str,
    entry: impl Fn(Decision, Option<String>, Option<(Class, String)>, &str) -> Entry,
) -> Entry {
    let mut e = entry(
        Decision::WriteOnce,
        None,
        Some((Class::WriteOnce, theirs.to_string())),
        "write-once: yours, never overwritten",
    );
    e.after = s.ours.text().map(String::from);
    e.write = false;
    e
}

/// How a file on disk differs from the new render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DriftKind {
    /// On disk and rendered, with different contents.
    Modified,
    /// Rendered, never generated here before.
    New,
    /// Listed in the lock as managed, gone from disk (the next upgrade records the deletion).
    Deleted,
    /// On disk and in the lock, no longer rendered.
    Obsolete,
}

impl DriftKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DriftKind::Modified => "modified",
            DriftKind::New => "new",
            DriftKind::Deleted => "deleted",
            DriftKind::Obsolete => "obsolete",
        }
    }
}

/// Whether the file on disk differs from the new render. Write-once files that exist and
/// recorded deletions are the user's choice, not drift.
pub fn drift(s: &Snapshot) -> Option<DriftKind> {
    let class = s.class();
    match (&s.theirs, &s.ours) {
        (None, Disk::Absent) => None,
        (None, _) => (s.locked == Some(Class::Managed)).then_some(DriftKind::Obsolete),
        (Some(_), Disk::Absent) => match s.locked {
            None => Some(DriftKind::New),
            Some(_) if class == Class::Managed => Some(DriftKind::Deleted),
            Some(_) => None,
        },
        (Some(_), _) if class == Class::WriteOnce => None,
        (Some(t), Disk::Text(o)) if o == t => None,
        (Some(_), _) => Some(DriftKind::Modified),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "a\nb\nc\nd\ne\nf\ng\n";

    fn snap(
        locked: Option<Class>,
        base: Option<&str>,
        ours: Option<&str>,
        theirs: Option<&str>,
    ) -> Snapshot {
        Snapshot {
            path: "network.tf".into(),
            locked,
            base: base.map(String::from),
            base_now: base.map(String::from),
            ours: ours.map_or(Disk::Absent, |o| Disk::Text(o.into())),
            theirs: theirs.map(String::from),
        }
    }

    fn labels() -> Labels {
        Labels {
            old: Some("0.1.0".into()),
            new: "0.2.0".into(),
        }
    }

    const M: Option<Class> = Some(Class::Managed);

    #[test]
    fn the_decision_table() {
        let edited = "a\nB\nc\nd\ne\nf\ng\n";
        let changed = "a\nb\nc\nd\ne\nF\ng\n";
        let same_line = "a\nX\nc\nd\ne\nf\ng\n";
        let cases: &[(Snapshot, Decision, Option<&str>, bool)] = &[
            (
                snap(None, None, None, Some(BASE)),
                Decision::Create,
                Some(BASE),
                true,
            ),
            (
                snap(M, Some(BASE), None, Some(BASE)),
                Decision::UserDeleted,
                None,
                false,
            ),
            (
                snap(M, Some(BASE), Some(BASE), Some(BASE)),
                Decision::Identical,
                Some(BASE),
                false,
            ),
            (
                snap(M, Some(BASE), Some(BASE), Some(changed)),
                Decision::UpdateClean,
                Some(changed),
                true,
            ),
            (
                snap(M, Some(BASE), Some(edited), Some(BASE)),
                Decision::MergeClean,
                Some(edited),
                false,
            ),
            (
                snap(M, Some(BASE), Some(edited), Some(changed)),
                Decision::MergeClean,
                Some("a\nB\nc\nd\ne\nF\ng\n"),
                true,
            ),
            (
                snap(M, Some(BASE), Some(BASE), None),
                Decision::Remove,
                None,
                true,
            ),
            (
                snap(M, Some(BASE), Some(edited), None),
                Decision::Conflict,
                Some(edited),
                false,
            ),
            (
                snap(M, Some(BASE), None, None),
                Decision::Remove,
                None,
                false,
            ),
        ];
        for (s, decision, after, write) in cases {
            let e = decide(s, &labels());
            assert_eq!(e.decision, *decision, "{s:?}");
            assert_eq!(e.after.as_deref(), *after, "{s:?}");
            assert_eq!(e.write, *write, "{s:?}");
        }
        let e = decide(
            &snap(M, Some(BASE), Some(edited), Some(same_line)),
            &labels(),
        );
        assert_eq!(e.decision, Decision::Conflict);
        assert_eq!(e.hunks, 1);
        assert!(
            e.after
                .as_deref()
                .unwrap()
                .contains("||||||| smgen 0.1.0\nb\n")
        );
        assert_eq!(
            e.record.as_ref().unwrap().1,
            same_line,
            "the new base is the new render"
        );
    }

    #[test]
    fn write_once_files_are_never_overwritten() {
        let mut s = snap(
            Some(Class::WriteOnce),
            Some(BASE),
            Some("mine\n"),
            Some("new\n"),
        );
        s.path = "sagemaker-config.yaml".into();
        let e = decide(&s, &labels());
        assert_eq!(e.decision, Decision::WriteOnce);
        assert!(!e.write);
        assert_eq!(drift(&s), None);
        // Even when the lock does not know it yet (first upgrade of an older project).
        s.locked = None;
        assert_eq!(decide(&s, &labels()).decision, Decision::WriteOnce);
        // Created when missing and never generated.
        s.ours = Disk::Absent;
        assert_eq!(decide(&s, &labels()).decision, Decision::Create);
    }

    #[test]
    fn a_deletion_sticks_until_the_user_restores_the_file() {
        let s = snap(Some(Class::UserDeleted), Some(BASE), None, Some("new\n"));
        let e = decide(&s, &labels());
        assert_eq!(e.decision, Decision::UserDeleted);
        assert_eq!(e.record.as_ref().unwrap().0, Class::UserDeleted);
        assert_eq!(drift(&s), None);
        let restored = snap(
            Some(Class::UserDeleted),
            Some(BASE),
            Some(BASE),
            Some("new\n"),
        );
        let e = decide(&restored, &labels());
        assert_eq!(e.decision, Decision::UpdateClean);
        assert_eq!(e.record.as_ref().unwrap().0, Class::Managed);
    }

    #[test]
    fn unresolved_markers_keep_the_file_and_the_old_base() {
        let ours = "a\n<<<<<<< yours\nx\n||||||| smgen 0.1.0\nb\n=======\ny\n>>>>>>> smgen 0.2.0\n";
        let e = decide(&snap(M, Some(BASE), Some(ours), Some("new\n")), &labels());
        assert_eq!(e.decision, Decision::Conflict);
        assert!(!e.write);
        assert_eq!(e.record.as_ref().unwrap().1, BASE);
    }

    #[test]
    fn without_a_base_differences_are_two_sided_conflicts() {
        let e = decide(
            &snap(None, None, Some("mine\n"), Some("theirs\n")),
            &labels(),
        );
        assert_eq!(e.decision, Decision::Conflict);
        assert!(
            e.after
                .as_deref()
                .unwrap()
                .contains("||||||| smgen (no base)")
        );
    }

    #[test]
    fn drift_kinds() {
        assert_eq!(drift(&snap(M, Some(BASE), Some(BASE), Some(BASE))), None);
        assert_eq!(
            drift(&snap(M, Some(BASE), Some("x\n"), Some(BASE))),
            Some(DriftKind::Modified)
        );
        assert_eq!(
            drift(&snap(None, None, None, Some(BASE))),
            Some(DriftKind::New)
        );
        assert_eq!(
            drift(&snap(M, Some(BASE), None, Some(BASE))),
            Some(DriftKind::Deleted)
        );
        assert_eq!(
            drift(&snap(M, Some(BASE), Some(BASE), None)),
            Some(DriftKind::Obsolete)
        );
        assert_eq!(drift(&snap(None, None, Some("mine"), None)), None);
    }
}
