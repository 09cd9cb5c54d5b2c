//! Regenerating a project without losing an edit (issue 5; docs/architecture.md § Reconcile): `smgen diff`,
//! `generate --check` and `smgen upgrade`, each scenario a real run of the binary on a
//! project in a temporary directory.
//!
//! The gate (exit 1 of `diff` and `generate --check`) is *pending changes*: the answers or
//! smgen render differently from the last upgrade. *Your edits*, which the merge keeps, are
//! shown but pass (issue 20), unless `--strict`.
//!
//! Scenarios 3 and 4 do not hard-code line numbers: they compare two fresh renders (NAT off
//! and on) to find a line the answer change replaces and a line it leaves alone, so template
//! edits elsewhere do not break them.

mod common;

use common::{Run, Smgen, read, smgen_in as smgen, tree, tree_diff};
use similar::{DiffOp, TextDiff};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

const PRESET: &str = "vpc-only-isolated";
const NAT: &str = "network.nat=single";
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A project generated from [`PRESET`] with extra arguments.
fn generate(extra: &[&str]) -> Run {
    let run = Smgen::new()
        .args(["generate", "--preset", PRESET])
        .args(extra)
        .out_dir()
        .run();
    run.assert_success();
    run
}

fn write(dir: &Path, path: &str, text: &str) {
    fs::write(dir.join(path), text).unwrap_or_else(|e| panic!("{path}: {e}"));
}

/// The project's files without smgen's state (`.smgen/`).
fn project_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    tree(dir)
        .into_iter()
        .filter(|(p, _)| !p.starts_with(".smgen/"))
        .collect()
}

/// Replaces line `n` (0-based) of `text`.
fn replace_line(text: &str, n: usize, new: &str) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let replacement = format!("{new}\n");
    lines[n] = &replacement;
    lines.concat()
}

/// `text` with every line equal to `from` replaced by `to`.
fn replace_lines(text: &str, from: &str, to: &str) -> String {
    text.split_inclusive('\n')
        .map(|l| {
            if l.strip_suffix('\n') == Some(from) {
                format!("{to}\n")
            } else {
                l.to_string()
            }
        })
        .collect()
}

fn line(text: &str, n: usize) -> &str {
    text.lines().nth(n).expect("line exists")
}

/// In `old` → `new`: the first line that is replaced, and a non-blank line, unique in both,
/// at least 4 lines away from every change.
fn changed_and_untouched(old: &str, new: &str) -> (usize, usize) {
    let once = |text: &str, l: &str| text.lines().filter(|x| *x == l).count() == 1;
    let diff = TextDiff::from_lines(old, new);
    let replaced = diff
        .ops()
        .iter()
        .find_map(|op| match op {
            DiffOp::Replace { old_index, .. } => Some(*old_index),
            _ => None,
        })
        .expect("the change replaces a line");
    let untouched = diff
        .ops()
        .iter()
        .filter_map(|op| match op {
            DiffOp::Equal { old_index, len, .. } if *len >= 9 => {
                (old_index + 4..old_index + len - 4).find(|&i| {
                    let l = line(old, i);
                    !l.trim().is_empty() && once(old, l) && once(new, l)
                })
            }
            _ => None,
        })
        .next()
        .expect("a long unchanged stretch");
    (replaced, untouched)
}

/// Makes a project look rendered by an older smgen whose templates produced `aged(text)` for
/// each of `paths`: the file on disk and its `.smgen/base` copy both change (the user never
/// edited them), and the lock records the older versions and the base's hash.
fn age(dir: &Path, paths: &[&str], aged: impl Fn(&str) -> String) {
    let mut lock: toml::Table = toml::from_str(&read(dir, ".smgen/lock.toml")).unwrap();
    lock.insert("smgen".into(), "0.0.9".into());
    lock.insert("templates".into(), "sha256:0000000000000000".into());
    for path in paths {
        let old = aged(&read(dir, path));
        write(dir, path, &old);
        write(dir, &format!(".smgen/base/{path}"), &old);
        let files = lock["file"].as_array_mut().unwrap();
        let entry = files
            .iter_mut()
            .find(|f| f["path"].as_str() == Some(path))
            .unwrap();
        entry["sha256"] = smgen::reconcile::lock::sha256_hex(old.as_bytes()).into();
    }
    write(dir, ".smgen/lock.toml", &toml::to_string(&lock).unwrap());
}

fn lock_class(dir: &Path, path: &str) -> String {
    let lock: toml::Table = toml::from_str(&read(dir, ".smgen/lock.toml")).unwrap();
    lock["file"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str() == Some(path))
        .map(|f| f["class"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("{path} not in the lock"))
}

// ---------------------------------------------------------------------------------------------
// 1. generate → diff: exit 0, no output
// ---------------------------------------------------------------------------------------------

#[test]
fn s1_generate_then_diff_is_clean_and_silent() {
    let p = generate(&[]);
    let d = smgen(&p.out, &["diff"]);
    d.assert_exit(0);
    assert_eq!(d.stdout, "", "diff printed on stdout");
    assert_eq!(d.stderr, "", "diff printed on stderr");
    for flags in [&["--stat"][..], &["--json"][..]] {
        let mut args = vec!["diff"];
        args.extend(flags);
        smgen(&p.out, &args).assert_exit(0);
    }
    let json = smgen(&p.out, &["diff", "--json"]).json();
    assert_eq!(
        (json["pending"].as_u64(), json["edited"].as_u64()),
        (Some(0), Some(0))
    );

    // The CI gate agrees, and an upgrade with nothing to do touches nothing.
    let check = Smgen::new()
        .arg("generate")
        .arg("--config")
        .arg(p.out.join("smgen.toml"))
        .arg("--out")
        .arg(&p.out)
        .arg("--check")
        .run();
    check.assert_exit(0);
    assert_eq!(check.stdout, "");
    let before = tree(&p.out);
    smgen(&p.out, &["upgrade"]).assert_exit(0);
    assert!(
        before == tree(&p.out),
        "{}",
        tree_diff(&before, &tree(&p.out))
    );
}

// ---------------------------------------------------------------------------------------------
// 2. hand-edit a managed file → diff shows it as yours; it gates only with --strict
// ---------------------------------------------------------------------------------------------

#[test]
fn s2_a_hand_edit_shows_as_yours_and_passes_the_check_unless_strict() {
    let p = generate(&[]);
    let original = read(&p.out, "network.tf");
    let edited_line = format!("{} # changed by hand", line(&original, 0));
    write(
        &p.out,
        "network.tf",
        &replace_line(&original, 0, &edited_line),
    );

    let d = smgen(&p.out, &["diff"]);
    d.assert_exit(0);
    assert!(
        d.stdout.starts_with(
            "# your edits: network.tf (smgen's last render → the file on disk; `smgen upgrade` keeps them)\n--- base/network.tf\n+++ yours/network.tf\n@@ "
        ),
        "{}",
        d.stdout
    );
    // `+` is what exists on the side named: the edited line is on disk.
    assert!(
        d.stdout.contains(&format!("\n+{edited_line}\n")),
        "{}",
        d.stdout
    );
    assert!(
        d.stdout.contains(&format!("\n-{}\n", line(&original, 0))),
        "{}",
        d.stdout
    );
    assert!(!d.stdout.contains("# pending"), "{}", d.stdout);
    assert!(!d.stdout.contains('\x1b'), "no colour without a terminal");
    d.assert_stderr_contains("1 file in");
    d.assert_stderr_contains("`smgen upgrade` keeps them");
    smgen(&p.out, &["diff", "--strict"]).assert_exit(1);

    let stat = smgen(&p.out, &["diff", "--stat"]);
    stat.assert_exit(0);
    assert_eq!(stat.stdout.trim(), "yours    modified  network.tf  +1 -1");
    let json = smgen(&p.out, &["diff", "--json"]);
    json.assert_exit(0);
    let report = json.json();
    assert_eq!(report["pending"], 0);
    assert_eq!(report["edited"], 1);
    assert_eq!(report["files"][0]["path"], "network.tf");
    assert_eq!(report["files"][0]["edit"]["status"], "modified");
    assert_eq!(report["files"][0]["pending"], serde_json::Value::Null);

    let check = |strict: bool| {
        let mut cmd = Smgen::new()
            .args(["generate", "--preset", PRESET, "--check", "--out"])
            .arg(&p.out);
        if strict {
            cmd = cmd.arg("--strict");
        }
        cmd.run()
    };
    let plain = check(false);
    plain.assert_exit(0);
    plain.assert_stderr_contains("nothing pending");
    let strict = check(true);
    strict.assert_exit(1);
    assert!(
        strict.stdout.contains(&format!("+{edited_line}")),
        "{}",
        strict.stdout
    );
    strict.assert_stderr_contains("yours    modified  network.tf");
    // The gate writes nothing.
    assert!(read(&p.out, "network.tf").contains(&edited_line));
}

// ---------------------------------------------------------------------------------------------
// 2b. the first hour (issue 20): edit → upgrade → the gates are green; an answer changed
//     without an upgrade → red until upgraded
// ---------------------------------------------------------------------------------------------

#[test]
fn s2b_edit_then_upgrade_then_check_is_green_and_an_unapplied_answer_is_red() {
    let p = generate(&[]);
    let locals = read(&p.out, "locals.tf");
    let edited = locals.replacen(
        "  tags = {\n",
        "  tags = {\n    CostCenter = \"ML-42\"\n",
        1,
    );
    assert_ne!(edited, locals);
    write(&p.out, "locals.tf", &edited);
    let stat = smgen(&p.out, &["diff", "--stat"]);
    stat.assert_exit(0);
    assert_eq!(stat.stdout.trim(), "yours    modified  locals.tf  +1 -0");

    smgen(&p.out, &["upgrade"]).assert_exit(0);
    assert_eq!(read(&p.out, "locals.tf"), edited, "the edit is kept");
    let check = || {
        Smgen::new()
            .arg("generate")
            .arg("--config")
            .arg(p.out.join("smgen.toml"))
            .arg("--out")
            .arg(&p.out)
            .arg("--check")
            .run()
    };
    for _ in 0..2 {
        smgen(&p.out, &["diff"]).assert_exit(0);
        check().assert_exit(0);
    }

    // The answers change in smgen.toml, nobody upgrades: pending, red.
    let answers = read(&p.out, "smgen.toml").replace("flow_logs = true", "flow_logs = false");
    write(&p.out, "smgen.toml", &answers);
    let red = check();
    red.assert_exit(1);
    red.assert_stderr_contains("pending  answers   smgen.toml");
    red.assert_stderr_contains("network.flow_logs: true → false");
    red.assert_stderr_contains("run `smgen upgrade");
    assert!(red.stdout.contains("# pending: logs.tf"), "{}", red.stdout);
    let d = smgen(&p.out, &["diff", "--stat"]);
    d.assert_exit(1);
    assert!(
        d.stdout.contains("pending  deleted   logs.tf"),
        "{}",
        d.stdout
    );
    assert!(
        d.stdout.contains("yours    modified  locals.tf"),
        "{}",
        d.stdout
    );
    // The pending diff runs from the base to the new render: `-` is what the render drops.
    let full = smgen(&p.out, &["diff"]);
    assert!(
        full.stdout.contains("--- base/logs.tf\n+++ /dev/null\n"),
        "{}",
        full.stdout
    );

    // Upgraded: green again, the edit still there.
    smgen(&p.out, &["upgrade"]).assert_exit(0);
    check().assert_exit(0);
    smgen(&p.out, &["diff"]).assert_exit(0);
    assert_eq!(read(&p.out, "locals.tf"), edited);
}

// ---------------------------------------------------------------------------------------------
// 3. an edit and an answer change in the same file → both present
// ---------------------------------------------------------------------------------------------

#[test]
fn s3_an_edit_and_an_answer_change_in_one_file_both_land() {
    let p = generate(&[]);
    let with_nat = generate(&["--set", NAT]);
    let before = read(&p.out, "network.tf");
    let (_, untouched) = changed_and_untouched(&before, &with_nat.file("network.tf"));
    let mine = format!("{} # mine", line(&before, untouched));
    write(
        &p.out,
        "network.tf",
        &replace_line(&before, untouched, &mine),
    );
    // The user's smgen.toml has comments of their own.
    let answers =
        read(&p.out, "smgen.toml").replace("nat = \"none\"", "nat = \"none\"  # ask ops first");
    write(
        &p.out,
        "smgen.toml",
        &format!("# owned by the ML platform team\n{answers}"),
    );

    let up = smgen(&p.out, &["upgrade", "--set", NAT]);
    up.assert_exit(0);
    assert!(
        up.stdout.contains("merge-clean   network.tf"),
        "{}",
        up.stdout
    );
    up.assert_stderr_contains("answers changed: network.nat: \"none\" → \"single\"");

    // Exactly the new render with the user's line in it.
    let merged = read(&p.out, "network.tf");
    let expected = replace_lines(
        &with_nat.file("network.tf"),
        line(&before, untouched),
        &mine,
    );
    assert_eq!(merged, expected);
    assert!(merged.contains("resource \"aws_nat_gateway\""));

    // smgen.toml: that one value changed, the comments stayed.
    let toml_after = read(&p.out, "smgen.toml");
    assert_eq!(
        toml_after,
        format!("# owned by the ML platform team\n{answers}").replace(
            "nat = \"none\"  # ask ops first",
            "nat = \"single\"  # ask ops first"
        )
    );
    // Every other file is the new render; the project now passes its own diff but for the edit.
    let fresh = project_tree(&with_nat.out);
    let now = project_tree(&p.out);
    assert_eq!(
        fresh.keys().collect::<Vec<_>>(),
        now.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &fresh {
        if path != "network.tf" && path != "smgen.toml" {
            assert!(now[path] == *bytes, "{path} is not the new render");
        }
    }
    let d = smgen(&p.out, &["diff", "--stat"]);
    d.assert_exit(0);
    assert_eq!(d.stdout.trim(), "yours    modified  network.tf  +1 -1");
}

// ---------------------------------------------------------------------------------------------
// 4. an edit of the lines the change touches → conflict markers, exit 1, other files updated
// ---------------------------------------------------------------------------------------------

#[test]
fn s4_editing_the_lines_a_change_touches_is_a_conflict() {
    let p = generate(&[]);
    let with_nat = generate(&["--set", NAT]);
    let before = read(&p.out, "network.tf");
    let after = with_nat.file("network.tf");
    let (replaced, _) = changed_and_untouched(&before, &after);
    let mine = format!("{} # my version", line(&before, replaced));
    write(
        &p.out,
        "network.tf",
        &replace_line(&before, replaced, &mine),
    );
    let spare = tempfile::tempdir().unwrap();
    copy_dir(&p.out, &spare.path().join("copy"));

    let up = smgen(&p.out, &["upgrade", "--set", NAT]);
    up.assert_exit(1);
    assert!(
        up.stdout.contains("conflict      network.tf"),
        "{}",
        up.stdout
    );
    up.assert_stderr_contains(
        "1 file conflict: resolve the <<<<<<< yours … >>>>>>> smgen markers in: network.tf",
    );

    let text = read(&p.out, "network.tf");
    let lines: Vec<&str> = text.lines().collect();
    let open = lines
        .iter()
        .position(|l| *l == "<<<<<<< yours")
        .expect("markers");
    assert_eq!(lines[open + 1], mine);
    assert_eq!(lines[open + 2], format!("||||||| smgen {VERSION}"));
    assert_eq!(lines[open + 3], line(&before, replaced));
    assert_eq!(lines[open + 4], "=======");
    let close = lines
        .iter()
        .position(|l| l.starts_with(">>>>>>> "))
        .unwrap();
    assert_eq!(lines[close], format!(">>>>>>> smgen {VERSION}"));
    // smgen's side: lines of the new render, not the user's.
    assert!(close > open + 5, "smgen's side is empty");
    for l in &lines[open + 5..close] {
        assert!(
            after.lines().any(|a| a == *l),
            "{l:?} is not from the new render"
        );
        assert_ne!(*l, mine);
    }
    assert_eq!(text.matches("<<<<<<< ").count(), 1, "one conflicting hunk");
    // The rest of the change is merged around the conflict.
    assert!(text.contains("resource \"aws_nat_gateway\""));

    // Every other file is updated.
    let fresh = project_tree(&with_nat.out);
    let now = project_tree(&p.out);
    assert_eq!(
        fresh.keys().collect::<Vec<_>>(),
        now.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &fresh {
        if path != "network.tf" && path != "smgen.toml" {
            assert!(now[path] == *bytes, "{path} is not the new render");
        }
    }

    // Until the markers are resolved, every upgrade says so (and leaves the file alone).
    let again = smgen(&p.out, &["upgrade"]);
    again.assert_exit(1);
    assert!(
        again.stdout.contains("still holds conflict markers"),
        "{}",
        again.stdout
    );
    assert_eq!(read(&p.out, "network.tf"), text);
    // Resolved (the user keeps the template's side): clean again.
    let resolved: String = {
        let mut out = lines[..open].to_vec();
        out.extend(&lines[open + 5..close]);
        out.extend(&lines[close + 1..]);
        out.join("\n") + "\n"
    };
    write(&p.out, "network.tf", &resolved);
    smgen(&p.out, &["upgrade"]).assert_exit(0);
    smgen(&p.out, &["diff"]).assert_exit(0);

    // --conflict fail: the same situation writes nothing at all.
    let copy = spare.path().join("copy");
    let before_tree = tree(&copy);
    let fail = smgen(&copy, &["upgrade", "--set", NAT, "--conflict", "fail"]);
    fail.assert_exit(1);
    fail.assert_stderr_contains("nothing written");
    assert!(
        before_tree == tree(&copy),
        "{}",
        tree_diff(&before_tree, &tree(&copy))
    );
}

fn copy_dir(from: &Path, to: &Path) {
    for (path, bytes) in tree(from) {
        let target = to.join(&path);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        if !path.ends_with('/') {
            fs::write(target, bytes).unwrap();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 5. a deleted managed file stays deleted, and the upgrade says so
// ---------------------------------------------------------------------------------------------

#[test]
fn s5_a_deleted_managed_file_stays_deleted() {
    let p = generate(&[]);
    let gone = "tests/security.tftest.hcl";
    fs::remove_file(p.out.join(gone)).unwrap();

    // A deletion is an edit of yours: shown, kept by upgrade, not a pending change.
    let d = smgen(&p.out, &["diff"]);
    d.assert_exit(0);
    assert!(
        d.stdout.contains(&format!(
            "{gone} deleted (`smgen upgrade` keeps it deleted and records that)"
        )),
        "{}",
        d.stdout
    );
    smgen(&p.out, &["diff", "--strict"]).assert_exit(1);

    let up = smgen(&p.out, &["upgrade", "--set", NAT]);
    up.assert_exit(0);
    assert!(
        up.stdout.contains(&format!(
            "user-deleted  {gone}  deleted by you: kept deleted"
        )),
        "{}",
        up.stdout
    );
    assert!(!p.out.join(gone).exists(), "recreated");
    assert_eq!(lock_class(&p.out, gone), "user-deleted");
    // Recorded: no longer a difference, and later upgrades keep it deleted too.
    smgen(&p.out, &["diff", "--strict"]).assert_exit(0);
    let again = smgen(&p.out, &["upgrade", "--set", "network.flow_logs=false"]);
    again.assert_exit(0);
    assert!(
        again.stdout.contains(&format!("user-deleted  {gone}")),
        "{}",
        again.stdout
    );
    assert!(!p.out.join(gone).exists());
    // generate over the project respects it as well.
    Smgen::new()
        .arg("generate")
        .arg("--config")
        .arg(p.out.join("smgen.toml"))
        .arg("--out")
        .arg(&p.out)
        .run()
        .assert_success();
    assert!(!p.out.join(gone).exists());
}

// ---------------------------------------------------------------------------------------------
// 6. no write-once files: sagemaker-config.yaml is merged like every file, values filled in
//    kept, a changed render never silent (issue 20)
// ---------------------------------------------------------------------------------------------

#[test]
fn s6_sagemaker_config_is_merged_and_never_goes_stale_silently() {
    let p = generate(&[]);
    let file = "sagemaker-config.yaml";
    assert_eq!(lock_class(&p.out, file), "managed");
    // The user fills in a placeholder far from what the answer change touches.
    let original = read(&p.out, file);
    let with_change = generate(&["--set", "jobs.network_isolation=false"]).file(file);
    assert_ne!(with_change, original);
    let (_, untouched) = changed_and_untouched(&original, &with_change);
    let filled = format!("{} # filled in", line(&original, untouched));
    let mine = replace_line(&original, untouched, &filled);
    write(&p.out, file, &mine);
    smgen(&p.out, &["diff"]).assert_exit(0);

    // The answer changes in smgen.toml without an upgrade: the file is pending, not silent.
    let answers =
        read(&p.out, "smgen.toml").replace("network_isolation = true", "network_isolation = false");
    let saved = read(&p.out, "smgen.toml");
    write(&p.out, "smgen.toml", &answers);
    let d = smgen(&p.out, &["diff", "--stat"]);
    d.assert_exit(1);
    assert!(
        d.stdout.contains(&format!("pending  modified  {file}")),
        "{}",
        d.stdout
    );
    write(&p.out, "smgen.toml", &saved);

    let up = smgen(
        &p.out,
        &["upgrade", "--set", "jobs.network_isolation=false"],
    );
    up.assert_exit(0);
    assert!(
        up.stdout.contains(&format!("merge-clean   {file}")),
        "{}",
        up.stdout
    );
    let merged = read(&p.out, file);
    assert_eq!(
        merged,
        replace_lines(&with_change, line(&original, untouched), &filled)
    );
    assert!(merged.contains("EnableNetworkIsolation: false"), "{merged}");
    assert!(!merged.contains("EnableNetworkIsolation: true"), "{merged}");
    smgen(&p.out, &["diff"]).assert_exit(0);
}

/// A project written by an older smgen, whose lock calls sagemaker-config.yaml write-once and
/// whose file was never updated, is merged on the next upgrade.
#[test]
fn s6b_an_older_write_once_entry_is_merged_like_the_rest() {
    let p = generate(&[]);
    let file = "sagemaker-config.yaml";
    let text = read(&p.out, ".smgen/lock.toml").replace(
        &format!("path = \"{file}\"\nsha256 = \"{}\"\nclass = \"managed\"", {
            let lock: toml::Table = toml::from_str(&read(&p.out, ".smgen/lock.toml")).unwrap();
            lock["file"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["path"].as_str() == Some(file))
                .unwrap()["sha256"]
                .as_str()
                .unwrap()
                .to_string()
        }),
        &format!(
            "path = \"{file}\"\nsha256 = \"{}\"\nclass = \"write-once\"",
            {
                smgen::reconcile::lock::sha256_hex(
                    read(&p.out, &format!(".smgen/base/{file}")).as_bytes(),
                )
            }
        ),
    );
    assert!(text.contains("write-once"), "{text}");
    write(&p.out, ".smgen/lock.toml", &text);
    let up = smgen(
        &p.out,
        &["upgrade", "--set", "jobs.network_isolation=false"],
    );
    up.assert_exit(0);
    assert!(read(&p.out, file).contains("EnableNetworkIsolation: false"));
    assert_eq!(lock_class(&p.out, file), "managed");
}

// ---------------------------------------------------------------------------------------------
// 7. a newer template set → clean update of unedited files
// ---------------------------------------------------------------------------------------------

#[test]
fn s7_a_newer_template_set_updates_unedited_files_cleanly() {
    let p = generate(&[]);
    let current = project_tree(&p.out);
    // What "the older templates" rendered: a different first line, and line 6 missing.
    let aged = |text: &str| {
        let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
        lines.remove(5);
        format!("# rendered by the 0.0.9 templates\n{}", lines[1..].concat())
    };
    let files = [
        "versions.tf",
        "iam.tf",
        "policies/execution.json",
        "README.md",
    ];
    age(&p.out, &files, aged);
    // The user had also edited README.md, at the end (away from the template change).
    let readme = read(&p.out, "README.md");
    write(&p.out, "README.md", &format!("{readme}\nOur team notes.\n"));

    let up = smgen(&p.out, &["upgrade"]);
    up.assert_exit(0);
    for f in ["versions.tf", "iam.tf", "policies/execution.json"] {
        assert!(
            up.stdout.contains(&format!("update-clean  {f}\n")),
            "{f}: {}",
            up.stdout
        );
        assert!(
            read(&p.out, f).as_bytes() == current[f].as_slice(),
            "{f} is not the new render"
        );
    }
    assert!(
        up.stdout.contains("merge-clean   README.md"),
        "{}",
        up.stdout
    );
    assert_eq!(
        read(&p.out, "README.md"),
        format!(
            "{}\nOur team notes.\n",
            String::from_utf8_lossy(&current["README.md"])
        )
    );
    up.assert_stderr_contains(&format!(
        "smgen 0.0.9 → {VERSION}, templates sha256:0000000000000000 → sha256:"
    ));
    let lock: toml::Table = toml::from_str(&read(&p.out, ".smgen/lock.toml")).unwrap();
    assert_eq!(lock["smgen"].as_str(), Some(VERSION));
    assert_ne!(lock["templates"].as_str(), Some("sha256:0000000000000000"));
    // The base moved to the new render: only the user's own edit remains as a difference.
    let stat = smgen(&p.out, &["diff", "--stat"]);
    stat.assert_exit(0);
    assert_eq!(stat.stdout.trim(), "yours    modified  README.md  +2 -0");
}

// ---------------------------------------------------------------------------------------------
// 8. --dry-run writes nothing
// ---------------------------------------------------------------------------------------------

#[test]
fn s8_dry_run_writes_nothing() {
    let p = generate(&[]);
    let with_nat = generate(&["--set", NAT]);
    let before_nt = read(&p.out, "network.tf");
    let (replaced, _) = changed_and_untouched(&before_nt, &with_nat.file("network.tf"));
    write(
        &p.out,
        "network.tf",
        &replace_line(&before_nt, replaced, "# conflicting edit"),
    );
    fs::remove_file(p.out.join("tests/security.tftest.hcl")).unwrap();
    write(
        &p.out,
        "versions.tf",
        &format!("{}# mine\n", read(&p.out, "versions.tf")),
    );

    let before = tree(p.tmp.path());
    let dry = smgen(&p.out, &["upgrade", "--set", NAT, "--dry-run"]);
    let after = tree(p.tmp.path());
    assert!(
        before == after,
        "--dry-run wrote:\n{}",
        tree_diff(&before, &after)
    );
    dry.assert_exit(1); // the conflict it would leave
    for row in [
        "update-clean  smgen.toml  --set network.nat=single",
        "conflict      network.tf",
        "user-deleted  tests/security.tftest.hcl",
        "merge-clean   versions.tf",
        "update-clean  README.md",
    ] {
        assert!(dry.stdout.contains(row), "no {row:?} in\n{}", dry.stdout);
    }
    assert!(
        dry.stdout.contains("--- a/smgen.toml\n+++ b/smgen.toml\n"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("--- a/README.md\n+++ b/README.md\n"),
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains("+<<<<<<< yours\n"), "{}", dry.stdout);
    dry.assert_stderr_contains("would upgrade (dry run, nothing written)");

    // Neither do diff, generate --check and generate --dry-run (the last one is refused: the
    // answers differ from the project's).
    smgen(&p.out, &["diff"]).assert_exit(0);
    smgen(&p.out, &["diff", "--strict"]).assert_exit(1);
    Smgen::new()
        .args([
            "generate", "--preset", PRESET, "--set", NAT, "--check", "--out",
        ])
        .arg(&p.out)
        .run()
        .assert_exit(1);
    Smgen::new()
        .args([
            "generate",
            "--preset",
            PRESET,
            "--set",
            NAT,
            "--dry-run",
            "--out",
        ])
        .arg(&p.out)
        .run()
        .assert_exit(2);
    assert!(
        before == tree(p.tmp.path()),
        "{}",
        tree_diff(&before, &tree(p.tmp.path()))
    );
}

// ---------------------------------------------------------------------------------------------
// 9. a kill between writing the temporary file and renaming it leaves no partial file
// ---------------------------------------------------------------------------------------------

/// The fault hook exists in debug builds only (`SMGEN_TEST_ABORT_BEFORE_RENAME`).
#[cfg(debug_assertions)]
#[test]
fn s9_a_kill_during_a_write_leaves_old_or_new_files_never_partial_ones() {
    let p = generate(&[]);
    let old = project_tree(&p.out);
    let new = project_tree(&generate(&["--set", NAT]).out);
    let lock_before = read(&p.out, ".smgen/lock.toml");

    let killed = assert_cmd::Command::cargo_bin("smgen")
        .unwrap()
        .arg("upgrade")
        .arg(&p.out)
        .args(["--set", NAT])
        .env("SMGEN_TEST_ABORT_BEFORE_RENAME", "network.tf")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!killed.status.success(), "the hook did not fire");
    assert_ne!(killed.status.code(), Some(1));
    assert_ne!(killed.status.code(), Some(2));

    // The new contents were written in full to a temporary file, never to network.tf.
    let temps: Vec<String> = tree(&p.out)
        .into_keys()
        .filter(|k| k.contains(".smgen-tmp-"))
        .collect();
    assert_eq!(temps.len(), 1, "{temps:?}");
    assert!(temps[0].starts_with(".network.tf.smgen-tmp-"), "{temps:?}");
    assert_eq!(
        read(&p.out, &temps[0]).as_bytes(),
        new["network.tf"].as_slice()
    );
    assert!(read(&p.out, "network.tf").as_bytes() == old["network.tf"].as_slice());
    // Every file is whole: its old or its new version. State and answers are the old ones.
    for (path, bytes) in project_tree(&p.out) {
        if path.contains(".smgen-tmp-") {
            continue;
        }
        let is_old = old.get(&path) == Some(&bytes);
        let is_new = new.get(&path) == Some(&bytes);
        assert!(
            is_old || is_new,
            "{path} is neither the old nor the new file"
        );
    }
    assert_eq!(read(&p.out, ".smgen/lock.toml"), lock_before);

    // Running again finishes the job and clears the leftover.
    let again = smgen(&p.out, &["upgrade", "--set", NAT]);
    again.assert_exit(0);
    let now = project_tree(&p.out);
    assert!(now == new, "{}", tree_diff(&now, &new));
}

// ---------------------------------------------------------------------------------------------
// 10. path escapes are refused
// ---------------------------------------------------------------------------------------------

fn set_lock_path(dir: &Path, from: &str, to: &str) {
    let text = read(dir, ".smgen/lock.toml");
    let needle = format!("path = \"{from}\"");
    assert!(text.contains(&needle));
    write(
        dir,
        ".smgen/lock.toml",
        &text.replace(&needle, &format!("path = \"{to}\"")),
    );
}

#[test]
fn s10_lock_paths_outside_the_project_are_refused() {
    for bad in [
        "../escape.tf",
        "../../escape.tf",
        "/tmp/smgen-escape.tf",
        "policies/../../escape.tf",
    ] {
        let p = generate(&[]);
        set_lock_path(&p.out, "versions.tf", bad);
        let before = tree(p.tmp.path());
        for args in [&["upgrade"][..], &["upgrade", "--set", NAT], &["diff"]] {
            let run = smgen(&p.out, args);
            run.assert_exit(2);
            run.assert_stderr_contains("leaves the project directory");
            assert!(run.stderr.contains(bad), "{bad}: {}", run.stderr);
        }
        assert!(
            before == tree(p.tmp.path()),
            "{bad}: {}",
            tree_diff(&before, &tree(p.tmp.path()))
        );
        assert!(!Path::new("/tmp/smgen-escape.tf").exists());
    }
}

#[cfg(unix)]
#[test]
fn s10_symlinks_that_point_outside_are_refused() {
    use std::os::unix::fs::symlink;
    // A file, a directory, and the state directory itself, each a symlink out of the project.
    for (link, is_dir) in [
        ("providers.tf", false),
        ("policies", true),
        (".smgen/base", true),
    ] {
        let p = generate(&[]);
        let outside = p.tmp.path().join("outside");
        fs::create_dir_all(&outside).unwrap();
        let target = p.out.join(link);
        if is_dir {
            fs::rename(&target, outside.join("moved")).unwrap();
            symlink(outside.join("moved"), &target).unwrap();
        } else {
            fs::write(outside.join("providers.tf"), "# someone else's file\n").unwrap();
            fs::remove_file(&target).unwrap();
            symlink(outside.join("providers.tf"), &target).unwrap();
        }
        let before = tree(&outside);
        for args in [&["upgrade", "--set", NAT][..], &["diff"]] {
            let run = smgen(&p.out, args);
            run.assert_exit(2);
            run.assert_stderr_contains("symlink");
            run.assert_stderr_contains("outside the project directory");
        }
        let check = Smgen::new()
            .args(["generate", "--preset", PRESET, "--set", NAT, "--out"])
            .arg(&p.out)
            .run();
        check.assert_exit(2);
        assert!(
            before == tree(&outside),
            "{link}: {}",
            tree_diff(&before, &tree(&outside))
        );
    }
}

#[test]
fn s10_a_foreign_directory_needs_force_and_keeps_what_is_there() {
    let smgen_run = Smgen::new()
        .file("out/README.md", "# our repository\n")
        .file("out/notes.txt", "keep me\n")
        .args(["generate", "--preset", PRESET])
        .out_dir()
        .run();
    smgen_run.assert_exit(2);
    smgen_run.assert_stderr_contains("--force");
    assert_eq!(project_tree(&smgen_run.out).len(), 2);

    let forced = Smgen::new()
        .args(["generate", "--preset", PRESET, "--force", "--out"])
        .arg(&smgen_run.out)
        .run();
    forced.assert_exit(1); // README.md was in the way: merged with markers, not overwritten
    forced.assert_stderr_contains("README.md");
    let readme = read(&smgen_run.out, "README.md");
    assert!(
        readme.starts_with("<<<<<<< yours\n# our repository\n||||||| smgen (no base)\n=======\n"),
        "{readme}"
    );
    assert_eq!(read(&smgen_run.out, "notes.txt"), "keep me\n");
    assert!(smgen_run.out.join("versions.tf").is_file());
    assert!(smgen_run.out.join(".smgen/lock.toml").is_file());
}

// ---------------------------------------------------------------------------------------------
// Around the scenarios
// ---------------------------------------------------------------------------------------------

#[test]
fn a_git_work_tree_is_mentioned_but_not_needed() {
    let p = generate(&[]);
    fs::create_dir_all(p.tmp.path().join(".git")).unwrap();
    write(
        &p.out,
        "versions.tf",
        &format!("{}# mine\n", read(&p.out, "versions.tf")),
    );
    let d = smgen(&p.out, &["diff"]);
    d.assert_exit(0);
    d.assert_stderr_contains("`git diff`");
    let up = smgen(&p.out, &["upgrade", "--set", NAT]);
    up.assert_exit(0);
    up.assert_stderr_contains("`git diff` shows everything this upgrade changed");
}

#[test]
fn diff_and_upgrade_need_the_regeneration_state() {
    let p = generate(&[]);
    fs::remove_dir_all(p.out.join(".smgen")).unwrap();
    for args in [&["diff"][..], &["upgrade"]] {
        let run = smgen(&p.out, args);
        run.assert_exit(2);
        run.assert_stderr_contains("lock.toml: missing");
        run.assert_stderr_contains("smgen generate --config");
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
    // Adopting it again with generate recreates the state; identical files need no merge.
    Smgen::new()
        .arg("generate")
        .arg("--config")
        .arg(p.out.join("smgen.toml"))
        .arg("--out")
        .arg(&p.out)
        .run()
        .assert_success();
    smgen(&p.out, &["diff"]).assert_exit(0);
}

#[test]
fn bad_upgrade_answers_are_errors_and_write_nothing() {
    let p = generate(&[]);
    let before = tree(&p.out);
    for (set, needle) in [
        ("network.natt=single", "natt"),
        (
            "network.nat=sometimes",
            "`sometimes`, expected one of `none`, `single`",
        ),
        ("network.nat", "key.path=value"),
    ] {
        let run = smgen(&p.out, &["upgrade", "--set", set]);
        run.assert_exit(2);
        run.assert_stderr_contains(needle);
    }
    assert!(
        before == tree(&p.out),
        "{}",
        tree_diff(&before, &tree(&p.out))
    );
}

// ---------------------------------------------------------------------------------------------
// Issue 20: generate does not replace a project's answers silently; upgrade says what
// changes in the environment
// ---------------------------------------------------------------------------------------------

#[test]
fn generate_into_a_project_with_other_answers_is_refused_unless_forced() {
    let p = generate(&[]);
    let before = tree(&p.out);
    let run = Smgen::new()
        .args(["generate", "--preset", "regulated", "--out"])
        .arg(&p.out)
        .run();
    run.assert_exit(2);
    run.assert_stderr_contains("holds other answers");
    run.assert_stderr_contains("project.region: \"eu-west-1\" → \"eu-central-1\"");
    run.assert_stderr_contains("smgen upgrade");
    run.assert_stderr_contains("--set project.region=eu-central-1");
    run.assert_stderr_contains("--force");
    assert!(
        before == tree(&p.out),
        "{}",
        tree_diff(&before, &tree(&p.out))
    );
    // Another format is refused too.
    Smgen::new()
        .args(["generate", "--preset", PRESET, "--format", "cdk", "--out"])
        .arg(&p.out)
        .run()
        .assert_exit(2);
    // The same answers are fine; --force replaces them on purpose.
    Smgen::new()
        .args(["generate", "--preset", PRESET, "--out"])
        .arg(&p.out)
        .run()
        .assert_exit(0);
    let forced = Smgen::new()
        .args(["generate", "--preset", "regulated", "--force", "--out"])
        .arg(&p.out)
        .run();
    assert_ne!(forced.status.code(), Some(2), "{}", forced.stderr);
    assert!(read(&p.out, "smgen.toml").contains("sm-regulated"));
    // What that did to the environment, not only to the files.
    forced.assert_stderr_contains("environment changes:");
    forced.assert_stderr_contains("subnets: 2 → 3");
    forced.assert_stderr_contains(
        "interface endpoints: 9 → 11 (added: sagemaker.metrics, experiments)",
    );
}

#[test]
fn upgrade_says_what_changes_in_the_environment() {
    let p = generate(&[]);
    let up = smgen(&p.out, &["upgrade", "--set", NAT]);
    up.assert_exit(0);
    for line in [
        "environment changes:\n",
        "  NAT gateways: 0 → 1\n",
        "  interface endpoints: 9 → 0 (removed: sagemaker.api",
        "  Studio apps → KMS, public internet: ✗ → ✓ NAT\n",
        "  monthly baseline (list prices, `smgen explain`): ",
    ] {
        assert!(up.stdout.contains(line), "no {line:?} in\n{}", up.stdout);
    }
    let back = smgen(&p.out, &["upgrade", "--set", "network.nat=none", "--json"]);
    back.assert_exit(0);
    let env = &back.json()["environment"];
    assert_eq!(env["nat_gateways"]["before"], 1);
    assert_eq!(env["nat_gateways"]["after"], 0);
    assert_eq!(env["endpoints_added"].as_array().unwrap().len(), 9);
    assert!(env["cost"]["after_usd"].is_number() || env["cost"]["after_usd"].is_null());
    // Nothing to change: no environment section.
    let same = smgen(&p.out, &["upgrade"]);
    assert!(
        !same.stdout.contains("environment changes"),
        "{}",
        same.stdout
    );
}

/// The README's session shows what `diff` and `upgrade` really print: its lines are checked
/// against a run of the same steps, so the transcript cannot fall behind the output.
#[test]
fn the_readme_transcript_is_real_output() {
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let p = generate(&[]);
    let locals = read(&p.out, "locals.tf");
    write(
        &p.out,
        "locals.tf",
        &locals.replacen(
            "  tags = {\n",
            "  tags = {\n    CostCenter  = \"ML-42\"\n",
            1,
        ),
    );
    let d = smgen(&p.out, &["diff"]);
    let up = smgen(&p.out, &["upgrade", "--set", NAT]);
    let answers = read(&p.out, "smgen.toml").replace("flow_logs = true", "flow_logs = false");
    write(&p.out, "smgen.toml", &answers);
    let stat = smgen(&p.out, &["diff", "--stat"]);
    let shown = |run: &Run, lines: &[&str]| {
        for line in lines {
            let all = format!("{}{}", run.stdout, run.stderr);
            assert!(
                all.lines().any(|l| l == *line),
                "not printed: {line:?}\n{all}"
            );
            assert!(
                readme.lines().any(|l| l == *line),
                "not in README: {line:?}"
            );
        }
    };
    shown(
        &d,
        &[
            "# your edits: locals.tf (smgen's last render → the file on disk; `smgen upgrade` keeps them)",
            "+++ yours/locals.tf",
            "+    CostCenter  = \"ML-42\"",
        ],
    );
    shown(
        &up,
        &[
            "merge-clean   locals.tf  your edits kept; the render did not change",
            "environment changes:",
            "  NAT gateways: 0 → 1",
            "  Studio apps → KMS, public internet: ✗ → ✓ NAT",
        ],
    );
    shown(
        &stat,
        &[
            "yours    modified  locals.tf                           +1 -0",
            "pending  deleted   logs.tf                             +0 -5",
        ],
    );
}
