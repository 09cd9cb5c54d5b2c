//! `smgen generate --format cdk` through the binary: every preset writes the CDK app layout,
//! and the recorded answers reproduce it byte for byte.

mod common;

use common::{OUT, PRESETS, Smgen, tree, tree_diff};

#[test]
fn every_preset_generates_a_cdk_app_that_smgen_toml_reproduces() {
    for preset in PRESETS {
        let run = Smgen::new()
            .args(["generate", "--preset", preset, "--format", "cdk"])
            .out_dir()
            .run();
        run.assert_success();
        let files = run.files();
        let bin: Vec<&String> = files
            .iter()
            .filter(|f| f.starts_with("bin/") && f.ends_with(".ts"))
            .collect();
        assert_eq!(bin.len(), 1, "{preset}: one entry point in {files:?}");
        let app = bin[0]
            .trim_start_matches("bin/")
            .trim_end_matches(".ts")
            .to_string();
        for f in [
            format!("lib/{app}-stack.ts"),
            format!("test/{app}.test.ts"),
            "cdk.json".into(),
            "package.json".into(),
            "tsconfig.json".into(),
            ".gitignore".into(),
            ".npmignore".into(),
            "README.md".into(),
            "smgen.toml".into(),
        ] {
            assert!(files.contains(&f), "{preset}: no {f} in {files:?}");
        }
        assert!(
            !files
                .iter()
                .any(|f| f.ends_with(".tf") || f == "template.yaml"),
            "{preset}: files of another format: {files:?}"
        );
        assert!(run.stderr.contains("(cdk)"), "{preset}: {}", run.stderr);
        assert!(
            run.file("smgen.toml").contains("--format cdk"),
            "{preset}: the answers name the format"
        );
        let scratch: Vec<String> = tree(run.tmp.path()).into_keys().collect();
        assert!(
            scratch.iter().all(|p| p.starts_with(&format!("{OUT}/"))),
            "{preset}: written outside the out dir: {scratch:?}"
        );

        let config = run.out.join("smgen.toml");
        let again = Smgen::new()
            .arg("generate")
            .arg("--config")
            .arg(&config)
            .args(["--format", "cdk"])
            .out_dir()
            .run();
        again.assert_success();
        assert!(
            run.tree() == again.tree(),
            "{preset}: --config smgen.toml differs:\n{}",
            tree_diff(&run.tree(), &again.tree())
        );
    }
}

#[test]
fn cdk_dry_run_writes_nothing() {
    let run = Smgen::new()
        .args([
            "generate",
            "--preset",
            "regulated",
            "--format",
            "cdk",
            "--dry-run",
        ])
        .out_dir()
        .run();
    run.assert_success();
    assert!(!run.out.exists(), "--dry-run created {}", run.out.display());
}
