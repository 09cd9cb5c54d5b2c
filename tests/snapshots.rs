//! Snapshots of the rendered project of every preset in every format, rendered in-process: one
//! snapshot per preset and format (`terraform_NAME`, `cloudformation_NAME`, `cdk_NAME`), the files
//! in one text, each under a `=== path ===` header. The files every format shares (`policies/`,
//! `sagemaker-config.yaml`, `smgen.toml`) are in the Terraform snapshots only; the JSON Schema
//! (`smgen.schema.json`, the same in every project) has a snapshot of its own.
//!
//! After an intended change to the templates or the model, review and accept the new output
//! with `cargo insta review` (or `INSTA_UPDATE=always cargo test --test snapshots` and read the
//! diff in git). In CI (`CI=true`) insta never writes snapshots and a mismatch fails the test.

use smgen::render::{self, Format};
use smgen::spec::{self, SpecSource};
use smgen::{model, presets};

/// Files every format writes from the same code: snapshotted once, with Terraform.
fn shared(path: &str) -> bool {
    path == "smgen.toml"
        || path == smgen::project::SCHEMA_FILE
        || path == "sagemaker-config.yaml"
        || path.starts_with("policies/")
}

/// `ARCHITECTURE.md` has a snapshot of its own per preset (`architecture_NAME`), so that a
/// change to the explanation reads as one diff per preset.
const ARCHITECTURE: &str = "ARCHITECTURE.md";

/// Which files the snapshot of `format` holds (the snapshot is named `{format}_{preset}`).
fn kept(format: Format, path: &str) -> bool {
    match format {
        Format::Terraform => path != ARCHITECTURE && path != smgen::project::SCHEMA_FILE,
        Format::CloudFormation | Format::Cdk => !shared(path) && path != ARCHITECTURE,
    }
}

/// The files `smgen generate --preset NAME --format F` writes, as one text.
fn render_preset(name: &str, format: Format, keep: impl Fn(&str) -> bool) -> String {
    let spec = spec::load(&SpecSource::Preset(name.into()), &[])
        .unwrap_or_else(|e| panic!("preset {name}: {e}"));
    let model = model::resolve(&spec);
    let set =
        render::render(&model, &spec, format).unwrap_or_else(|e| panic!("preset {name}: {e}"));
    let mut text = String::new();
    // FileSet is a BTreeMap: sorted by path, so the snapshot is stable.
    for (path, contents) in set.files.iter().filter(|(p, _)| keep(p)) {
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
                for format in Format::ALL {
                    let text = render_preset($preset, format, |p| kept(format, p));
                    settings().bind(|| {
                        insta::assert_snapshot!(format!("{format}_{}", $preset), text);
                    });
                }
                let arch = render_preset($preset, Format::Terraform, |p| p == ARCHITECTURE);
                settings().bind(|| {
                    insta::assert_snapshot!(format!("architecture_{}", $preset), arch);
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
    existing_vpc => "existing-vpc",
    notebook_private => "notebook-private",
    public_only => "public-only",
    regulated => "regulated",
    vpc_only_isolated => "vpc-only-isolated",
    vpc_only_nat => "vpc-only-nat",
}

/// The schema of smgen.toml that every project carries (and `smgen schema` prints).
#[test]
fn smgen_toml_schema() {
    settings().bind(|| insta::assert_snapshot!("smgen_schema", render::json_schema()));
}

/// Two renders in one process are identical (no map-order or address leaks into the output).
#[test]
fn rendering_is_deterministic() {
    for p in presets::all() {
        for format in Format::ALL {
            assert_eq!(
                render_preset(p.name, format, |p| kept(format, p)),
                render_preset(p.name, format, |p| kept(format, p)),
                "{}",
                p.name
            );
        }
    }
}

/// Every format writes the same `ARCHITECTURE.md`: it depends on the model only.
#[test]
fn architecture_is_the_same_in_every_format() {
    for p in presets::all() {
        let texts: Vec<String> = Format::ALL
            .iter()
            .map(|f| render_preset(p.name, *f, |p| p == ARCHITECTURE))
            .collect();
        assert!(texts[0].contains("```mermaid"), "{}", p.name);
        for (format, text) in Format::ALL.iter().zip(&texts).skip(1) {
            assert_eq!(&texts[0], text, "{}: terraform vs {format}", p.name);
        }
    }
}
