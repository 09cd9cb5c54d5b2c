//! Snapshots of the rendered CDK (TypeScript) project of every preset: one snapshot per preset,
//! the CDK files in one text, each under a `=== path ===` header, rendered in-process. The
//! format-independent files (`smgen.toml`, `policies/`, `sagemaker-config.yaml`) are left out:
//! the Terraform snapshots cover them.
//!
//! After an intended change, review and accept with `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test --test snapshots_cdk` and read the diff in git). In CI
//! (`CI=true`) insta never writes snapshots and a mismatch fails the test.

use smgen::render::{self, Format};
use smgen::spec::{self, SpecSource};
use smgen::{model, presets};

fn cdk_file(path: &str) -> bool {
    !(path == "smgen.toml" || path == "sagemaker-config.yaml" || path.starts_with("policies/"))
}

/// The CDK files `smgen generate --preset NAME --format cdk` writes, as one text.
fn render_preset(name: &str) -> String {
    let spec = spec::load(&SpecSource::Preset(name.into()), &[])
        .unwrap_or_else(|e| panic!("preset {name}: {e}"));
    let model = model::resolve(&spec);
    let set =
        render::render(&model, &spec, Format::Cdk).unwrap_or_else(|e| panic!("preset {name}: {e}"));
    let mut text = String::new();
    for (path, contents) in set.files.iter().filter(|(p, _)| cdk_file(p)) {
        text.push_str(&format!("=== {path} ===\n"));
        text.push_str(contents);
        if !contents.ends_with('\n') {
            text.push_str("\n[no newline at end of file]\n");
        }
    }
    text
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

macro_rules! preset_snapshots {
    ($($test:ident => $preset:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                let text = render_preset($preset);
                settings().bind(|| {
                    insta::assert_snapshot!(format!("cdk_{}", $preset), text);
                });
            }
        )*

        /// A preset added without a snapshot test fails here.
        #[test]
        fn every_preset_has_a_cdk_snapshot() {
            let tested: Vec<&str> = vec![$($preset),*];
            let all: Vec<&str> = presets::all().iter().map(|p| p.name).collect();
            assert_eq!(tested, all);
        }
    };
}

preset_snapshots! {
    cdk_existing_vpc => "existing-vpc",
    cdk_notebook_private => "notebook-private",
    cdk_public_only => "public-only",
    cdk_regulated => "regulated",
    cdk_vpc_only_isolated => "vpc-only-isolated",
    cdk_vpc_only_nat => "vpc-only-nat",
}

/// Two renders in one process are identical.
#[test]
fn cdk_rendering_is_deterministic() {
    for p in presets::all() {
        assert_eq!(render_preset(p.name), render_preset(p.name), "{}", p.name);
    }
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
