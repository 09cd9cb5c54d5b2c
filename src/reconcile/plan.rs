//! The per-file decision table. Each file is looked at through a [`Snapshot`]: its class in
//! the lock, the merge base, the file on disk (ours) and the new render (theirs).
//!
//! | on disk (ours)               | new render (theirs) | decision                                   |
//! |------------------------------|---------------------|--------------------------------------------|
//! | absent, never generated      | present             | `create`                                   |
//! | absent, listed in the lock   | present             | `user-deleted`: stays deleted, recorded    |
//! | equal to theirs              | present             | `identical`                                |
//! | equal to base                | present             | `update-clean`: takes the new render       |
//! | edited, base = theirs        | present             | `merge-clean`: your edit kept, no write    |
//! | edited, base ≠ theirs        | present             | 3-way merge: `merge-clean` or `conflict`   |
//! | edited, no base              | present             | `conflict` (two-sided)                     |
//! | holds smgen's markers        | present             | `conflict`: left as it is until resolved   |
//! | equal to base                | absent              | `remove`: smgen no longer generates it     |
//! | edited                       | absent              | `conflict`: kept, now yours                |
//! | a deletion, restored by you  | absent              | `kept`: left as yours                      |
//!
//! Every generated file is managed, `sagemaker-config.yaml` and `parameters.json` included:
//! the values a user fills in are edits like any other, kept by the merge, and a changed
//! render of such a file is a pending change like any other, never silently skipped. (Locks
//! written before this rule may still say `write-once`: such a file is merged like the rest.)
//!
//! [`status`] answers the questions of `smgen diff` and `generate --check`, each about one
//! side of the base: *your edits* (base → disk, what `upgrade` keeps) and *pending changes*
//! (base → new render, what `upgrade` would bring). Only pending changes (and unresolved
//! conflicts) are action needed; edits that the merge keeps are not.

use super::lock::Class;
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
    /// A file new to the project whose previous version is at this path (a project that
    /// gained `[environments]`: `network.tf` → `modules/sagemaker-environment/network.tf`);
    /// `base`, `locked` and `ours` are that file's, so the user's edits move with it.
    pub moved_from: Option<String>,
    /// A file no longer generated whose contents moved to this path (and is removed).
    pub moved_to: Option<String>,
}

impl Snapshot {
    /// The class that applies now: a recorded deletion sticks; everything else is managed
    /// (a `write-once` entry of an older lock included).
    pub fn class(&self) -> Class {
        match self.locked {
            Some(Class::UserDeleted) => Class::UserDeleted,
            _ => Class::Managed,
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
    /// No longer generated and not smgen's any more (a deleted file the user restored).
    Kept,
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
            Decision::Kept => "kept",
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
    if let (Some(to), None) = (&s.moved_to, &s.theirs) {
        return Entry {
            path: s.path.clone(),
            decision: Decision::Remove,
            ours: s.ours.clone(),
            after: None,
            write: !s.ours.is_absent(),
            record: None,
            base_now: s.base_now.clone(),
            detail: format!("moved to {to} (your edits go with it)"),
            hunks: 0,
        };
    }
    let mut e = decide_in_place(s, labels);
    if let Some(from) = &s.moved_from {
        // The file itself is not on disk yet: whatever the decision, it is written.
        e.write = e.after.is_some();
        e.detail = match e.detail.is_empty() {
            true => format!("moved from {from}"),
            false => format!("moved from {from}: {}", e.detail),
        };
    }
    e
}

/// A path outside the scope of this run (`--env`): nothing changes, on disk or in the lock.
pub fn untouched(s: &Snapshot) -> Entry {
    let record = match (s.locked, &s.base) {
        (Some(class), Some(base)) => Some((class, base.clone())),
        _ => None,
    };
    Entry {
        path: s.path.clone(),
        decision: if s.ours.is_absent() && s.locked.is_some() {
            Decision::UserDeleted
        } else {
            Decision::Identical
        },
        ours: s.ours.clone(),
        after: s.ours.text().map(String::from),
        write: false,
        // Without a usable base the lock entry cannot be kept as it was; the next run over
        // this path merges without a base, as it would have anyway.
        record,
        base_now: s.base_now.clone(),
        detail: "not in the --env selection: left as it is".into(),
        hunks: 0,
    }
}

fn decide_in_place(s: &Snapshot, labels: &Labels) -> Entry {
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
            (_, Class::UserDeleted) => {
                let mut e = entry(
                    Decision::Kept,
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
        Disk::Absent => entry(
            Decision::Create,
            Some(theirs.clone()),
            record(Class::Managed),
            "",
        ),
        Disk::Binary => keep(
            Decision::Conflict,
            "not UTF-8 text, so it cannot be merged: left as it is",
        ),
        Disk::Text(o) if o == theirs => entry(
            Decision::Identical,
            Some(o.clone()),
            record(Class::Managed),
            "",
        ),
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

/// How one side of a file differs from the merge base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Present on both sides, with different contents.
    Modified,
    /// Present on this side only: a file the user added back, or one smgen now generates.
    Added,
    /// Gone on this side: a file the user deleted, or one smgen no longer generates.
    Deleted,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Modified => "modified",
            ChangeKind::Added => "added",
            ChangeKind::Deleted => "deleted",
        }
    }
}

/// What `smgen diff` and `generate --check` know about one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Your edits: the last pristine render (the base) → the file on disk. `upgrade` keeps
    /// them; they are not action needed.
    pub edit: Option<ChangeKind>,
    /// Pending changes: the base → the new render, what `upgrade` would bring. Without a
    /// usable base, the file on disk → the new render (`upgrade` would merge it without a
    /// base: conflict markers).
    pub pending: Option<ChangeKind>,
    /// No usable base: the pending change is measured from the file on disk.
    pub no_base: bool,
    /// The file holds smgen's conflict markers from an earlier run.
    pub unresolved: bool,
}

impl Status {
    /// Whether `upgrade` has something to do (or a conflict waits to be resolved).
    pub fn action_needed(&self) -> bool {
        self.pending.is_some() || self.unresolved
    }

    pub fn is_clean(&self) -> bool {
        self.edit.is_none() && !self.action_needed()
    }
}

fn change(from: Option<&str>, to: &Disk) -> Option<ChangeKind> {
    match (from, to) {
        (None, Disk::Absent) => None,
        (None, _) => Some(ChangeKind::Added),
        (Some(_), Disk::Absent) => Some(ChangeKind::Deleted),
        (Some(f), Disk::Text(t)) if f == t => None,
        (Some(_), _) => Some(ChangeKind::Modified),
    }
}

/// Your edits and the pending changes of one file.
pub fn status(s: &Snapshot) -> Status {
    let theirs = match &s.theirs {
        Some(t) => Disk::Text(t.clone()),
        None => Disk::Absent,
    };
    let unresolved = s.ours.text().is_some_and(merge::has_markers);
    let mut st = Status {
        edit: None,
        pending: None,
        no_base: false,
        unresolved,
    };
    match (s.locked, &s.base) {
        // Deleted by you, and recorded so: nothing to say until you restore it.
        (Some(Class::UserDeleted), _) if s.ours.is_absent() => {}
        // Never generated here: a new file is pending; one that is in the way is merged
        // without a base.
        (None, _) => {
            if s.theirs.is_some() && s.ours.text() != s.theirs.as_deref() {
                st.pending = Some(if s.ours.is_absent() {
                    ChangeKind::Added
                } else {
                    ChangeKind::Modified
                });
                st.no_base = !s.ours.is_absent();
            }
        }
        (Some(_), Some(base)) => {
            st.edit = change(Some(base), &s.ours);
            // A deletion of yours stays: what the render does to the file no longer matters.
            if !s.ours.is_absent() {
                st.pending = change(Some(base), &theirs);
            }
        }
        // Listed, but the base copy is gone or does not match the lock.
        (Some(_), None) => {
            if s.ours.is_absent() {
                st.edit = Some(ChangeKind::Deleted);
            } else if s.ours != theirs {
                st.pending = Some(if s.theirs.is_none() {
                    ChangeKind::Deleted
                } else {
                    ChangeKind::Modified
                });
                st.no_base = true;
            }
        }
    }
    st
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
            moved_from: None,
            moved_to: None,
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
    fn a_moved_file_takes_its_edits_along_and_its_old_path_goes() {
        let base = "a\nb\nc\n";
        // The module's network.tf: new, not on disk; the root network.tf had a user edit.
        let mut moved = snap(
            Some(Class::Managed),
            Some(base),
            Some("a\nmine\nc\n"),
            Some("a\nb\nc\nd\n"),
        );
        moved.path = "modules/sagemaker-environment/network.tf".into();
        moved.moved_from = Some("network.tf".into());
        let e = decide(&moved, &labels());
        assert_eq!(e.decision, Decision::MergeClean);
        assert_eq!(e.after.as_deref(), Some("a\nmine\nc\nd\n"));
        assert!(e.write, "the new path is not on disk yet");
        assert!(
            e.detail.starts_with("moved from network.tf"),
            "{}",
            e.detail
        );
        // Unedited, the move writes the new render even where it equals the old file.
        let mut same = snap(Some(Class::Managed), Some(base), Some(base), Some(base));
        same.moved_from = Some("x".into());
        let e = decide(&same, &labels());
        assert!(e.write);
        // The old path: removed even though edited (the edit went along).
        let mut old = snap(Some(Class::Managed), Some(base), Some("a\nmine\nc\n"), None);
        old.moved_to = Some("modules/sagemaker-environment/network.tf".into());
        let e = decide(&old, &labels());
        assert_eq!(e.decision, Decision::Remove);
        assert!(e.write && e.after.is_none() && e.record.is_none());
        // Without the move, the same edited file would be kept as the user's.
        old.moved_to = None;
        assert_eq!(decide(&old, &labels()).decision, Decision::Conflict);
    }

    #[test]
    fn a_path_outside_the_env_selection_stays_as_it_is() {
        let s = snap(
            Some(Class::Managed),
            Some("old\n"),
            Some("mine\n"),
            Some("new\n"),
        );
        let e = untouched(&s);
        assert!(!e.write);
        assert_eq!(e.after.as_deref(), Some("mine\n"));
        // The lock keeps the old base, so the next full run still merges from it.
        assert_eq!(e.record, Some((Class::Managed, "old\n".into())));
        let deleted = snap(Some(Class::UserDeleted), Some("old\n"), None, Some("new\n"));
        assert_eq!(untouched(&deleted).decision, Decision::UserDeleted);
    }

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
    fn a_file_an_older_lock_calls_write_once_is_merged_like_any_other() {
        let mut s = snap(
            Some(Class::WriteOnce),
            Some(BASE),
            Some("a\nMINE\nc\nd\ne\nf\ng\n"),
            Some("a\nb\nc\nd\ne\nNEW\ng\n"),
        );
        s.path = "sagemaker-config.yaml".into();
        let e = decide(&s, &labels());
        assert_eq!(e.decision, Decision::MergeClean);
        assert_eq!(e.after.as_deref(), Some("a\nMINE\nc\nd\ne\nNEW\ng\n"));
        assert_eq!(e.record.as_ref().unwrap().0, Class::Managed);
        let st = status(&s);
        assert_eq!(st.edit, Some(ChangeKind::Modified));
        assert_eq!(st.pending, Some(ChangeKind::Modified));
        assert!(st.action_needed());
    }

    #[test]
    fn a_deletion_sticks_until_the_user_restores_the_file() {
        let s = snap(Some(Class::UserDeleted), Some(BASE), None, Some("new\n"));
        let e = decide(&s, &labels());
        assert_eq!(e.decision, Decision::UserDeleted);
        assert_eq!(e.record.as_ref().unwrap().0, Class::UserDeleted);
        assert!(status(&s).is_clean());
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
    fn edits_and_pending_changes_are_told_apart() {
        let edited = "x\n";
        let st = |s: Snapshot| status(&s);
        // Clean.
        assert!(st(snap(M, Some(BASE), Some(BASE), Some(BASE))).is_clean());
        // Your edit only: kept by upgrade, not action needed.
        let s = st(snap(M, Some(BASE), Some(edited), Some(BASE)));
        assert_eq!(s.edit, Some(ChangeKind::Modified));
        assert!(!s.action_needed());
        // A new render only: pending.
        let s = st(snap(M, Some(BASE), Some(BASE), Some(edited)));
        assert_eq!((s.edit, s.pending), (None, Some(ChangeKind::Modified)));
        assert!(s.action_needed());
        // Both.
        let s = st(snap(M, Some(BASE), Some(edited), Some("y\n")));
        assert_eq!(s.edit, Some(ChangeKind::Modified));
        assert_eq!(s.pending, Some(ChangeKind::Modified));
        // A new file; a file no longer generated.
        let s = st(snap(None, None, None, Some(BASE)));
        assert_eq!(s.pending, Some(ChangeKind::Added));
        let s = st(snap(M, Some(BASE), Some(BASE), None));
        assert_eq!(s.pending, Some(ChangeKind::Deleted));
        // Your deletion is an edit; the render's change to it does not matter any more.
        let s = st(snap(M, Some(BASE), None, Some(edited)));
        assert_eq!((s.edit, s.pending), (Some(ChangeKind::Deleted), None));
        assert!(
            st(snap(
                Some(Class::UserDeleted),
                Some(BASE),
                None,
                Some(edited)
            ))
            .is_clean()
        );
        // Without a base: measured from disk.
        let s = st(snap(M, None, Some(edited), Some(BASE)));
        assert!(s.no_base && s.pending == Some(ChangeKind::Modified));
        assert!(st(snap(None, None, Some("mine"), None)).is_clean());
        // Markers left: action needed, whatever the render.
        let marked = "<<<<<<< yours\nx\n=======\ny\n>>>>>>> smgen 0.1.0\n";
        assert!(st(snap(M, Some(BASE), Some(marked), Some(BASE))).action_needed());
    }
}
