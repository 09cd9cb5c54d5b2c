//! `smgen generate --format cdk` through the binary: every preset writes the CDK app layout,
//! and the recorded answers reproduce it byte for byte.

mod common;

use common::{OUT, PRESETS, Smgen, tree, tree_diff};
use smgen::render::{self, Format};
use smgen::spec::{self, SpecSource};
use smgen::{model, presets};

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

/// The layout `cdk init app --language typescript` makes, named after the project.
#[test]
fn cdk_init_layout() {
    for p in presets::all() {
        let spec = spec::load(&SpecSource::Preset(p.name.into()), &[]).unwrap();
        let model = model::resolve(&spec);
        let set = render::render(&model, &spec, Format::Cdk).unwrap();
        let app = &model.name;
        for f in [
            format!("bin/{app}.ts"),
            format!("lib/{app}-stack.ts"),
            format!("test/{app}.test.ts"),
            "lib/network.ts".into(),
            "lib/encryption.ts".into(),
            "lib/storage.ts".into(),
            "lib/iam.ts".into(),
            "lib/sagemaker.ts".into(),
            "cdk.json".into(),
            "package.json".into(),
            "tsconfig.json".into(),
            ".gitignore".into(),
            ".npmignore".into(),
            "README.md".into(),
            "smgen.toml".into(),
        ] {
            assert!(set.files.contains_key(&f), "{}: no {f}", p.name);
        }
        // Every dependency is pinned exactly.
        let pkg: serde_json::Value = serde_json::from_str(&set.files["package.json"]).unwrap();
        for section in ["dependencies", "devDependencies"] {
            for (name, version) in pkg[section].as_object().unwrap() {
                let v = version.as_str().unwrap();
                assert!(
                    v.chars().all(|c| c.is_ascii_digit() || c == '.'),
                    "{}: {name}@{v} is not an exact pin",
                    p.name
                );
            }
        }
        let cdk: serde_json::Value = serde_json::from_str(&set.files["cdk.json"]).unwrap();
        assert_eq!(cdk["app"], format!("npx tsc && npx tsx bin/{app}.ts"));
    }
}
