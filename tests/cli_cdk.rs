//! The CDK app through the binary and the library: `--dry-run`, and the layout `cdk init`
//! makes. (That every preset's app is reproduced by its smgen.toml is tested for every format
//! at once in `tests/cli.rs`.)

mod common;

use common::Smgen;
use smgen::render::{self, Format};
use smgen::spec::{self, SpecSource};
use smgen::{model, presets};

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
