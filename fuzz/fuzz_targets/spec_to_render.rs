//! TOML text (and `--set` overrides) → spec → model → every output format. Any panic is a
//! finding: bad input must end in an `Error`, and a valid spec must render. The input is the
//! config text, optionally followed by a NUL byte and one `key.path=value` override per line.

#![no_main]

use libfuzzer_sys::fuzz_target;
use smgen::render::{self, Format};
use smgen::spec::{self, SpecSource};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (text, sets) = input.split_once('\0').unwrap_or((input, ""));
    let overrides: Vec<String> = sets.lines().map(str::to_string).collect();
    let source = SpecSource::Config {
        origin: "fuzz.toml".into(),
        text: text.into(),
    };
    let Ok(spec) = spec::load(&source, &overrides) else {
        return;
    };
    // The CLI stops at error findings; rendering anyway reaches more code.
    let model = smgen::model::resolve(&spec);
    for format in [Format::Terraform, Format::CloudFormation, Format::Cdk] {
        let Ok(set) = render::render(&model, &spec, format) else {
            continue;
        };
        for (path, contents) in &set.files {
            if path.ends_with(".json") && !contents.trim().is_empty() {
                if let Err(e) = serde_json::from_str::<serde_json::Value>(contents) {
                    panic!("{path} is not JSON: {e}");
                }
            }
        }
    }
});
