//! The 3-way merge of one file: base = the last pristine render (`.smgen/base`), ours = the
//! file on disk, theirs = the new render. diffy does the merge (diff3 style, markers always
//! at the start of a line); this module only names the sides the way smgen's users read them:
//!
//! ```text
//! <<<<<<< yours
//! …the file on disk…
//! ||||||| smgen 0.1.0
//! …what smgen rendered last time…
//! =======
//! …what smgen renders now…
//! >>>>>>> smgen 0.2.0
//! ```

use diffy::{ConflictStyle, IncompleteHunkStyle, MergeOptions};

/// The outcome of merging one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged {
    /// Both sides' changes applied.
    Clean(String),
    /// The text with conflict markers, and how many conflicting hunks it has.
    Conflict { text: String, hunks: usize },
}

pub const OURS: &str = "<<<<<<< yours";
pub const BASE_PREFIX: &str = "||||||| smgen ";
pub const SEPARATOR: &str = "=======";
pub const THEIRS_PREFIX: &str = ">>>>>>> smgen ";

// What diffy writes; relabelled below.
const DIFFY_OURS: &str = "<<<<<<< ours";
const DIFFY_BASE: &str = "||||||| original";
const DIFFY_THEIRS: &str = ">>>>>>> theirs";

/// Merges `ours` and `theirs`, both changed from `base`. `old` and `new` are the smgen
/// versions that rendered `base` and `theirs` (they label the markers).
pub fn merge3(base: &str, ours: &str, theirs: &str, old: &str, new: &str) -> Merged {
    let mut options = MergeOptions::new();
    options
        .set_conflict_style(ConflictStyle::Diff3)
        .set_conflict_marker_length(7)
        .set_incomplete_hunk_style(IncompleteHunkStyle::Git);
    let raw = match options.merge(base, ours, theirs) {
        Ok(text) => return Merged::Clean(text),
        Err(text) => text,
    };
    let ambiguous = [base, ours, theirs].iter().any(|t| {
        t.lines()
            .any(|l| l == DIFFY_OURS || l == DIFFY_BASE || l == DIFFY_THEIRS)
    });
    if ambiguous {
        // An input already holds a line that looks like diffy's marker: relabelling could
        // touch it, so the whole file becomes one conflict instead.
        return whole_file_conflict(base, ours, theirs, old, new);
    }
    let mut text = String::with_capacity(raw.len() + 64);
    let mut hunks = 0;
    for line in raw.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        match body {
            DIFFY_OURS => {
                hunks += 1;
                text.push_str(OURS);
            }
            DIFFY_BASE => {
                text.push_str(BASE_PREFIX);
                text.push_str(old);
            }
            DIFFY_THEIRS => {
                text.push_str(THEIRS_PREFIX);
                text.push_str(new);
            }
            other => text.push_str(other),
        }
        text.push_str(end);
    }
    Merged::Conflict { text, hunks }
}

fn whole_file_conflict(base: &str, ours: &str, theirs: &str, old: &str, new: &str) -> Merged {
    fn side(text: &mut String, lines: &str) {
        text.push_str(lines);
        if !lines.is_empty() && !lines.ends_with('\n') {
            text.push('\n');
        }
    }
    let mut text = format!("{OURS}\n");
    side(&mut text, ours);
    text.push_str(&format!("{BASE_PREFIX}{old}\n"));
    side(&mut text, base);
    text.push_str(&format!("{SEPARATOR}\n"));
    side(&mut text, theirs);
    text.push_str(&format!("{THEIRS_PREFIX}{new}\n"));
    Merged::Conflict { text, hunks: 1 }
}

/// Whether `text` still holds a conflict smgen wrote (an opening and a closing marker).
pub fn has_markers(text: &str) -> bool {
    let mut open = false;
    for line in text.lines() {
        if line == OURS {
            open = true;
        } else if open && line.starts_with(THEIRS_PREFIX) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "a\nb\nc\nd\ne\nf\ng\n";

    #[test]
    fn changes_to_different_lines_merge_cleanly() {
        let ours = "a\nB (mine)\nc\nd\ne\nf\ng\n";
        let theirs = "a\nb\nc\nd\ne\nF (template)\ng\n";
        assert_eq!(
            merge3(BASE, ours, theirs, "0.1.0", "0.2.0"),
            Merged::Clean("a\nB (mine)\nc\nd\ne\nF (template)\ng\n".into())
        );
    }

    #[test]
    fn the_same_change_on_both_sides_is_clean() {
        let both = "a\nb\nC\nd\ne\nf\ng\n";
        assert_eq!(
            merge3(BASE, both, both, "0.1.0", "0.2.0"),
            Merged::Clean(both.into())
        );
    }

    #[test]
    fn overlapping_changes_get_labelled_diff3_markers() {
        let ours = "a\nb\nmine\nd\ne\nf\ng\n";
        let theirs = "a\nb\ntemplate\nd\ne\nf\ng\n";
        let Merged::Conflict { text, hunks } = merge3(BASE, ours, theirs, "0.1.0", "0.2.0") else {
            panic!("expected a conflict")
        };
        assert_eq!(hunks, 1);
        assert_eq!(
            text,
            "a\nb\n<<<<<<< yours\nmine\n||||||| smgen 0.1.0\nc\n=======\ntemplate\n>>>>>>> smgen 0.2.0\nd\ne\nf\ng\n"
        );
        assert!(has_markers(&text));
        assert!(!has_markers(BASE));
    }

    #[test]
    fn a_missing_final_newline_keeps_markers_on_their_own_lines() {
        let Merged::Conflict { text, .. } = merge3("x", "y", "z", "1", "2") else {
            panic!("expected a conflict")
        };
        for marker in [OURS, "||||||| smgen 1", SEPARATOR, ">>>>>>> smgen 2"] {
            assert!(text.lines().any(|l| l == marker), "{marker} in {text:?}");
        }
    }

    #[test]
    fn no_base_is_a_two_sided_conflict() {
        let Merged::Conflict { text, .. } = merge3("", "mine\n", "theirs\n", "none", "0.1.0")
        else {
            panic!("expected a conflict")
        };
        assert!(text.contains("<<<<<<< yours\nmine\n"), "{text}");
        assert!(
            text.contains("=======\ntheirs\n>>>>>>> smgen 0.1.0\n"),
            "{text}"
        );
    }

    #[test]
    fn inputs_that_look_like_diffy_markers_are_never_relabelled() {
        let ours = "<<<<<<< ours\nx\n";
        let Merged::Conflict { text, hunks } = merge3("a\n", ours, "b\n", "1", "2") else {
            panic!("expected a conflict")
        };
        assert_eq!(hunks, 1);
        assert_eq!(
            text,
            "<<<<<<< yours\n<<<<<<< ours\nx\n||||||| smgen 1\na\n=======\nb\n>>>>>>> smgen 2\n"
        );
    }
}
