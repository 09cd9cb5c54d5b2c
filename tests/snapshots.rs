//! Snapshots of the rendered Terraform project of every preset (one snapshot per preset, the
//! whole file set in one text, each file under a `=== path ===` header), rendered in-process.
//!
//! After an intended change to the templates or the model, review and accept the new output
//! with `cargo insta review` (or `INSTA_UPDATE=always cargo test --test snapshots` and read the
//! diff in git). In CI (`CI=true`) insta never writes snapshots and a mismatch fails the test.

use smgen::render::{self, Format};
use smgen::spec::{self, SpecSource};
use smgen::{model, presets};

/// The project `smgen generate --preset NAME --format terraform` writes, as one text.
fn render_preset(name: &str) -> String {
    let spec = spec::load(&SpecSource::Preset(name.into()), &[])
        .unwrap_or_else(|e| panic!("preset {name}: {e}"));
    let model = model::resolve(&spec);
    let set = render::render(&model, &spec, Format::Terraform)
        .unwrap_or_else(|e| panic!("preset {name}: {e}"));
    let mut text = String::new();
    // FileSet is a BTreeMap: sorted by path, so the snapshot is stable.
    for (path, contents) in &set.files {
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
                    insta::assert_snapshot!(format!("terraform_{}", $preset), text);
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
    terraform_existing_vpc => "existing-vpc",
    terraform_notebook_private => "notebook-private",
    terraform_public_only => "public-only",
    terraform_regulated => "regulated",
    terraform_vpc_only_isolated => "vpc-only-isolated",
    terraform_vpc_only_nat => "vpc-only-nat",
}

/// Two renders in one process are identical (no map-order or address leaks into the output).
#[test]
fn rendering_is_deterministic() {
    for p in presets::all() {
        assert_eq!(render_preset(p.name), render_preset(p.name), "{}", p.name);
    }
}
