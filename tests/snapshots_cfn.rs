//! Snapshots of the rendered CloudFormation project of every preset: `template.yaml`,
//! `parameters.json` and `README.md`, each under a `=== path ===` header. The files every format
//! shares (`policies/`, `sagemaker-config.yaml`, `smgen.toml`) are in the Terraform snapshots.
//!
//! After an intended change, review with `cargo insta review` (or `INSTA_UPDATE=always cargo test
//! --test snapshots_cfn` and read the diff in git). In CI (`CI=true`) insta never writes snapshots.

use smgen::render::{self, Format};
use smgen::spec::{self, SpecSource};
use smgen::{model, presets};

const FILES: &[&str] = &["README.md", "parameters.json", "template.yaml"];

fn render_preset(name: &str) -> String {
    let spec = spec::load(&SpecSource::Preset(name.into()), &[])
        .unwrap_or_else(|e| panic!("preset {name}: {e}"));
    let model = model::resolve(&spec);
    let set = render::render(&model, &spec, Format::CloudFormation)
        .unwrap_or_else(|e| panic!("preset {name}: {e}"));
    let mut text = String::new();
    for path in FILES {
        let contents = &set.files[*path];
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
                    insta::assert_snapshot!(format!("cloudformation_{}", $preset), text);
                });
            }
        )*

        /// A preset added without a snapshot test fails here.
        #[test]
        fn every_preset_has_a_snapshot() {
            let tested: Vec<&str> = vec![$($preset),*];
            let all: Vec<&str> = presets::all().iter().map(|p| p.name).collect();
            assert_eq!(tested, all);
        }
    };
}

preset_snapshots! {
    cloudformation_existing_vpc => "existing-vpc",
    cloudformation_notebook_private => "notebook-private",
    cloudformation_public_only => "public-only",
    cloudformation_regulated => "regulated",
    cloudformation_vpc_only_isolated => "vpc-only-isolated",
    cloudformation_vpc_only_nat => "vpc-only-nat",
}

/// Two renders in one process are identical.
#[test]
fn rendering_is_deterministic() {
    for p in presets::all() {
        assert_eq!(render_preset(p.name), render_preset(p.name), "{}", p.name);
    }
}
