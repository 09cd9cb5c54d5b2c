//! What other tools consume: shell completions, the man page, the JSON Schema of smgen.toml
//! (and the `#:schema` hint in every generated smgen.toml), `--json` reports and the global
//! output flags (`--color`, `--quiet`, `--verbose`; data on stdout, messages on stderr).

mod common;

use common::{PRESETS, Smgen};
use serde_json::Value;
use std::fs;
use std::path::Path;

const SUBCOMMANDS: &[&str] = &[
    "presets",
    "generate",
    "diff",
    "upgrade",
    "completions",
    "man",
    "schema",
];

// ---------------------------------------------------------------------------------------------
// Completions and man page
// ---------------------------------------------------------------------------------------------

#[test]
fn completions_cover_every_command_and_flag_in_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = Smgen::new().args(["completions", shell]).run();
        run.assert_success();
        for word in SUBCOMMANDS
            .iter()
            .chain(&["--preset", "--format", "--color", "--json"])
        {
            let bare = word.trim_start_matches('-');
            assert!(run.stdout.contains(bare), "{shell} completions lack {word}");
        }
        // Possible values are offered, not just flags (clap's PowerShell script completes
        // names only).
        if shell != "powershell" {
            assert!(
                run.stdout.contains("cloudformation"),
                "{shell}: format values"
            );
        }
    }
    let run = Smgen::new().args(["completions", "tcsh"]).run();
    run.assert_exit(2).assert_stderr_contains("possible values");
}

#[test]
fn bash_completions_are_a_valid_script() {
    let run = Smgen::new().args(["completions", "bash"]).run();
    run.assert_success();
    let script = run.tmp.path().join("smgen.bash");
    fs::write(&script, &run.stdout).unwrap();
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .expect("bash runs");
    assert!(status.success(), "bash -n rejects the completion script");
}

#[test]
fn man_page_documents_every_command_and_the_global_flags() {
    let run = Smgen::new().arg("man").run();
    run.assert_success();
    assert!(run.stdout.contains(".TH smgen 1"), "{}", run.stdout);
    for word in SUBCOMMANDS
        .iter()
        .chain(&["\\-\\-color", "\\-\\-quiet", "\\-\\-verbose"])
    {
        assert!(run.stdout.contains(word), "the man page lacks {word}");
    }

    let run = Smgen::new().args(["man", "--dir", "man1"]).run();
    run.assert_success();
    let dir = run.tmp.path().join("man1");
    for cmd in ["smgen", "smgen-generate", "smgen-upgrade", "smgen-schema"] {
        let page = fs::read_to_string(dir.join(format!("{cmd}.1")))
            .unwrap_or_else(|e| panic!("{cmd}.1: {e}"));
        assert!(page.starts_with(".ie") || page.contains(".TH"), "{cmd}.1");
    }
    let generate = fs::read_to_string(dir.join("smgen-generate.1")).unwrap();
    assert!(
        generate.contains("\\-\\-check"),
        "generate's page lists --check"
    );
}

// ---------------------------------------------------------------------------------------------
// JSON Schema
// ---------------------------------------------------------------------------------------------

fn schema() -> Value {
    let run = Smgen::new().arg("schema").run();
    run.assert_success();
    run.json()
}

fn toml_to_json(text: &str) -> Value {
    toml::from_str(text).unwrap_or_else(|e| panic!("not TOML: {e}\n{text}"))
}

/// The schema's complaints about `text` (empty: valid).
fn schema_errors(validator: &jsonschema::Validator, text: &str) -> Vec<String> {
    validator
        .iter_errors(&toml_to_json(text))
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn preset_text(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("presets/{name}.toml"));
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_schema_accepts_every_preset_and_every_generated_smgen_toml() {
    let schema = schema();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    for preset in PRESETS {
        let errors = schema_errors(&validator, &preset_text(preset));
        assert!(errors.is_empty(), "preset {preset}: {errors:?}");

        let run = Smgen::new()
            .args(["generate", "--preset", preset])
            .out_dir()
            .run();
        run.assert_success();
        let answers = run.file("smgen.toml");
        let errors = schema_errors(&validator, &answers);
        assert!(errors.is_empty(), "{preset}/smgen.toml: {errors:?}");
        // The hint editors read, pointing at the schema shipped beside the file.
        let first = answers.lines().next().unwrap();
        assert_eq!(first, "#:schema ./smgen.schema.json");
        let shipped: Value = serde_json::from_str(&run.file("smgen.schema.json")).unwrap();
        assert_eq!(
            shipped, schema,
            "{preset}: the project's copy is `smgen schema`"
        );
    }
}

#[test]
fn the_schema_rejects_what_smgen_rejects() {
    let validator = jsonschema::validator_for(&schema()).unwrap();
    let good = preset_text("regulated");
    let cases: &[(&str, &str)] = &[
        (
            "an unknown key",
            "[project]\nname = \"a\"\nregion = \"eu-west-1\"\ncolour = \"red\"\n",
        ),
        ("a missing project", "[network]\nnat = \"none\"\n"),
        (
            "a NAT mode that does not exist",
            "[project]\nname = \"a\"\nregion = \"eu-west-1\"\n[network]\nnat = \"double\"\n",
        ),
        (
            "a boolean as text",
            "[project]\nname = \"a\"\nregion = \"eu-west-1\"\n[network]\nflow_logs = \"yes\"\n",
        ),
        ("an unknown table", &format!("{good}\n[extras]\nx = 1\n")),
    ];
    for (what, text) in cases {
        assert!(
            !schema_errors(&validator, text).is_empty(),
            "the schema accepts {what}"
        );
        // And smgen itself refuses the same file, so the schema is not stricter than smgen.
        Smgen::new()
            .file("bad.toml", text)
            .args(["generate", "--config", "bad.toml"])
            .out_dir()
            .run()
            .assert_exit(2);
    }
    let errors = schema_errors(&validator, cases[2].1);
    assert!(
        errors.iter().any(|e| e.starts_with("/network/nat")),
        "{errors:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// --json on every reporting command
// ---------------------------------------------------------------------------------------------

#[test]
fn diff_and_upgrade_report_json() {
    let made = Smgen::new()
        .args(["generate", "--preset", "vpc-only-isolated"])
        .out_dir()
        .run();
    made.assert_success();
    let dir = made.out.clone();

    let diff = Smgen::new().arg("diff").arg(&dir).arg("--json").run();
    diff.assert_success();
    let report = diff.json();
    assert_eq!(report["pending"], 0);
    assert_eq!(report["edited"], 0);
    assert_eq!(report["files"], Value::Array(vec![]));

    let dry = Smgen::new()
        .arg("upgrade")
        .arg(&dir)
        .args(["--set", "network.nat=single", "--dry-run", "--json"])
        .run();
    dry.assert_success();
    let report = dry.json();
    assert_eq!(report["written"], false);
    assert_eq!(report["answers_file"], true);
    let changes = report["answers_changed"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c.as_str().unwrap().starts_with("network.nat"))
    );
    let files = report["files"].as_array().unwrap();
    let network = files
        .iter()
        .find(|f| f["path"] == "network.tf")
        .expect("NAT changes network.tf");
    assert_eq!(network["decision"], "update-clean");
    assert!(
        network["diff"]
            .as_str()
            .unwrap()
            .contains("aws_nat_gateway")
    );
    assert_eq!(
        fs::read_to_string(dir.join("smgen.toml")).unwrap(),
        made.file("smgen.toml"),
        "a dry run writes nothing"
    );

    let real = Smgen::new()
        .arg("upgrade")
        .arg(&dir)
        .args(["--set", "network.nat=single", "--json"])
        .run();
    real.assert_success();
    let report = real.json();
    assert_eq!(report["written"], true);
    assert_eq!(report["conflicts"], Value::Array(vec![]));
    for f in report["files"].as_array().unwrap() {
        assert!(f.get("diff").is_none(), "diffs only in dry runs: {f}");
        let on_disk = dir.join(f["path"].as_str().unwrap()).exists();
        assert_eq!(on_disk, f["decision"] != "remove", "{f}");
    }
    assert!(
        fs::read_to_string(dir.join("network.tf"))
            .unwrap()
            .contains("aws_nat_gateway")
    );
}

// ---------------------------------------------------------------------------------------------
// Global flags and streams
// ---------------------------------------------------------------------------------------------

#[test]
fn quiet_drops_messages_and_verbose_adds_stage_times_and_info_findings() {
    let normal = Smgen::new()
        .args(["generate", "--preset", "regulated"])
        .out_dir()
        .run();
    normal.assert_success().assert_stderr_contains("wrote ");
    assert!(!normal.stderr.contains("info:"), "{}", normal.stderr);

    let quiet = Smgen::new()
        .args(["--quiet", "generate", "--preset", "regulated"])
        .out_dir()
        .run();
    quiet.assert_success();
    assert_eq!(quiet.stderr, "", "nothing but warnings and errors");
    assert_eq!(quiet.tree(), normal.tree(), "the same project");

    let verbose = Smgen::new()
        .args(["generate", "--preset", "regulated", "-v"])
        .out_dir()
        .run();
    verbose
        .assert_success()
        .assert_stderr_contains("resolved the model in")
        .assert_stderr_contains("rendered ")
        .assert_stderr_contains("info:");

    Smgen::new()
        .args(["-q", "-v", "presets"])
        .run()
        .assert_exit(2)
        .assert_stderr_contains("cannot be used with");
}

#[test]
fn data_goes_to_stdout_and_color_follows_the_flag() {
    let made = Smgen::new()
        .args(["generate", "--preset", "public-only"])
        .out_dir()
        .run();
    made.assert_success();
    let readme = made.out.join("README.md");
    fs::write(&readme, "edited\n").unwrap();

    let diff = |color: &str| {
        let run = Smgen::new()
            .arg("diff")
            .arg(&made.out)
            .arg(format!("--color={color}"))
            .run();
        run.assert_exit(0);
        run
    };
    // The test harness sets NO_COLOR, so `auto` is plain; `always` wins over it.
    for (color, escapes) in [("auto", false), ("never", false), ("always", true)] {
        let run = diff(color);
        assert!(
            run.stdout.contains("+++ yours/README.md"),
            "the diff is data: {}",
            run.stdout
        );
        assert_eq!(run.stdout.contains("\x1b["), escapes, "--color={color}");
        assert!(!run.stderr.contains("\x1b["), "messages are never coloured");
        assert!(
            run.stderr.contains("carries your edits"),
            "the summary is a message"
        );
    }
    Smgen::new()
        .args(["--color", "sometimes", "presets"])
        .run()
        .assert_exit(2)
        .assert_stderr_contains("possible values");
}

/// Completion scripts know the preset names, the formats and the `--set` answer paths; an
/// unknown preset gets a "did you mean"; `generate --help` shows examples (issue 20).
#[test]
fn completions_know_presets_formats_and_set_keys() {
    for shell in ["bash", "zsh", "fish"] {
        let run = Smgen::new().args(["completions", shell]).run();
        run.assert_success();
        for word in [
            "vpc-only-isolated",
            "regulated",
            "cloudformation",
            "network.nat=",
            "project.account_id=",
            "jobs.network_isolation=",
        ] {
            assert!(run.stdout.contains(word), "{shell}: no {word}");
        }
    }
    let typo = Smgen::new()
        .args(["generate", "--preset", "regulatd"])
        .out_dir()
        .run();
    typo.assert_exit(2);
    typo.assert_stderr_contains("did you mean 'regulated'?");
    let help = Smgen::new().args(["generate", "--help"]).run();
    help.assert_success();
    assert!(
        help.stdout.contains("Examples:\n  smgen generate --preset"),
        "{}",
        help.stdout
    );
    assert!(
        !help.stdout.contains("network.nat=,"),
        "answer paths stay out of the help"
    );
}

/// `explain` in a terminal (`--text` forces it): tables within 100 columns, the isolated
/// jobs' data cell saying that SageMaker copies the data; `--markdown` is ARCHITECTURE.md's.
#[test]
fn explain_text_fits_a_terminal() {
    for preset in PRESETS {
        let run = Smgen::new()
            .args(["explain", "--preset", preset, "--text"])
            .run();
        run.assert_success();
        for line in run.stdout.lines() {
            assert!(line.chars().count() <= 100, "{preset}: {line:?}");
        }
        assert!(run.stdout.contains("What can reach what"), "{preset}");
    }
    let iso = Smgen::new()
        .args(["explain", "--preset", "vpc-only-isolated", "--text"])
        .run();
    assert!(iso.stdout.contains("✗ copied¹"), "{}", iso.stdout);
    assert!(
        iso.stdout.contains("SageMaker copies its input data in"),
        "{}",
        iso.stdout
    );
    let md = Smgen::new()
        .args(["explain", "--preset", "vpc-only-isolated", "--markdown"])
        .run();
    assert!(md.stdout.contains("```mermaid"), "{}", md.stdout);
    assert!(md.stdout.contains("| ✗ copied¹ |"), "{}", md.stdout);
    assert!(md.stdout.contains("SageMaker copies its input data in"));
    assert!(md.stdout.contains("## What each workload may do"));
    assert!(iso.stdout.contains("What each workload may do"));
}

/// Every key of every `--json` report (at any depth) is documented in the README's "`--json`
/// reports" section, and each report names its schema.
#[test]
fn every_report_field_is_in_the_readme() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("### `--json` reports")
        .nth(1)
        .and_then(|s| s.split("\n### ").next())
        .expect("README has the --json reports section");

    let made = Smgen::new()
        .args(["generate", "--preset", "vpc-only-isolated", "--json"])
        .out_dir()
        .run();
    made.assert_success();
    let dir = made.out.clone();
    // An edit, so that `diff` reports an `edit` side too.
    let readme_path = dir.join("README.md");
    let text = fs::read_to_string(&readme_path).unwrap();
    fs::write(&readme_path, format!("{text}\nOur notes.\n")).unwrap();

    let run = |args: &[&str]| {
        let r = Smgen::new().args(args).run();
        assert!(matches!(r.code(), Some(0 | 1)), "{args:?}: {}", r.stderr);
        r.json()
    };
    let d = dir.to_str().unwrap();
    let reports = [
        ("smgen-presets/1", run(&["presets", "--json"])),
        ("smgen-generate/1", made.json()),
        (
            "smgen-check/1",
            run(&[
                "generate",
                "--preset",
                "vpc-only-isolated",
                "--set",
                "network.nat=single",
                "--out",
                d,
                "--check",
                "--json",
            ]),
        ),
        ("smgen-diff/1", run(&["diff", d, "--json"])),
        (
            "smgen-upgrade/1",
            run(&[
                "upgrade",
                d,
                "--set",
                "network.nat=single",
                "--dry-run",
                "--json",
            ]),
        ),
    ];
    fn keys(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, v)| {
                out.push(k.clone());
                keys(v, out)
            }),
            Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    for (schema, report) in reports {
        assert_eq!(report["schema"], schema);
        assert!(
            section.contains(&format!("`{schema}`")),
            "{schema} undocumented"
        );
        let mut all = vec![];
        keys(&report, &mut all);
        let missing: Vec<_> = all
            .iter()
            .filter(|k| {
                !section.contains(&format!("`{k}`")) && !section.contains(&format!("`{k}[]`"))
            })
            .collect();
        assert!(
            missing.is_empty(),
            "{schema}: undocumented fields {missing:?}"
        );
    }
}
