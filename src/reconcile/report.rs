//! Unified diffs (`similar`) for people, with ANSI colour when asked for: [`unified`] with
//! git's `--- a/PATH` (before) and `+++ b/PATH` (after), [`labelled`] with the sides named
//! (`--- base/PATH`, `+++ yours/PATH`), `+` lines being what exists on the side named `+++`.

use similar::{ChangeTag, TextDiff};
use std::fmt::Write;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

fn paint(out: &mut String, color: bool, code: &str, line: &str) {
    if color {
        let _ = write!(out, "{code}{line}{RESET}");
    } else {
        out.push_str(line);
    }
}

/// The unified diff from `old` to `new` (`None`: the file is absent on that side), with 3
/// lines of context; empty when they are equal.
pub fn unified(path: &str, old: Option<&str>, new: Option<&str>, color: bool) -> String {
    labelled(path, old, new, ("a", "b"), color)
}

/// [`unified`] with the two sides named: `--- {old}/PATH`, `+++ {new}/PATH`.
pub fn labelled(
    path: &str,
    old: Option<&str>,
    new: Option<&str>,
    (old_label, new_label): (&str, &str),
    color: bool,
) -> String {
    if old == new {
        return String::new();
    }
    let a = old.map_or("/dev/null".to_string(), |_| format!("{old_label}/{path}"));
    let b = new.map_or("/dev/null".to_string(), |_| format!("{new_label}/{path}"));
    let diff = TextDiff::from_lines(old.unwrap_or(""), new.unwrap_or(""));
    let mut out = String::new();
    for header in [format!("--- {a}"), format!("+++ {b}")] {
        paint(&mut out, color, BOLD, &header);
        out.push('\n');
    }
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        paint(&mut out, color, CYAN, &format!("{}", hunk.header()));
        out.push('\n');
        for change in hunk.iter_changes() {
            let (sign, code) = match change.tag() {
                ChangeTag::Delete => ('-', RED),
                ChangeTag::Insert => ('+', GREEN),
                ChangeTag::Equal => (' ', ""),
            };
            let text = change.value().strip_suffix('\n').unwrap_or(change.value());
            let line = format!("{sign}{text}");
            if code.is_empty() {
                out.push_str(&line);
            } else {
                paint(&mut out, color, code, &line);
            }
            out.push('\n');
            if change.missing_newline() {
                out.push_str("\\ No newline at end of file\n");
            }
        }
    }
    out
}

/// Lines added and removed from `old` to `new`.
pub fn counts(old: Option<&str>, new: Option<&str>) -> (usize, usize) {
    let diff = TextDiff::from_lines(old.unwrap_or(""), new.unwrap_or(""));
    let mut added = 0;
    let mut removed = 0;
    for change in diff.iter_all_changes() {
        match change.tag() {
            ChangeTag::Insert => added += 1,
            ChangeTag::Delete => removed += 1,
            ChangeTag::Equal => {}
        }
    }
    (added, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_unified_diff() {
        let d = unified("x.tf", Some("a\nb\nc\n"), Some("a\nB\nc\n"), false);
        assert_eq!(
            d,
            "--- a/x.tf\n+++ b/x.tf\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        );
        assert_eq!(counts(Some("a\nb\nc\n"), Some("a\nB\nc\n")), (1, 1));
        assert!(unified("x", Some("s"), Some("s"), false).is_empty());
    }

    #[test]
    fn absent_sides_are_dev_null_and_colour_is_optional() {
        let d = unified("n.tf", None, Some("x\n"), false);
        assert!(d.starts_with("--- /dev/null\n+++ b/n.tf\n"), "{d}");
        let c = unified("n.tf", Some("x\n"), None, true);
        assert!(c.contains("\x1b[31m-x\x1b[0m\n"), "{c:?}");
        assert!(
            c.starts_with("\x1b[1m--- a/n.tf\x1b[0m\n\x1b[1m+++ /dev/null\x1b[0m\n"),
            "{c:?}"
        );
        assert!(!d.contains('\x1b'));
    }

    #[test]
    fn a_missing_final_newline_is_marked() {
        let d = unified("f", Some("a\n"), Some("a\nb"), false);
        assert!(d.ends_with("+b\n\\ No newline at end of file\n"), "{d}");
    }
}
