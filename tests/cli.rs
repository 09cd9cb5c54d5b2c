//! The command-line contract: what `smgen presets` and `smgen generate` print, write and exit
//! with (docs/architecture.md § Exit codes: 0 clean, 2 usage/input error; errors are one `error:` line naming the
//! field and the value; nothing is written when anything is wrong).

mod common;

use common::{
    MIN_CONFIG, OUT, PRESETS, Smgen, TERRAFORM_FILES, readme_template_exists, tree, tree_diff,
};
use smgen::render::Format;
use std::fs;

// ---------------------------------------------------------------------------------------------
// smgen presets
// ---------------------------------------------------------------------------------------------

#[test]
fn presets_lists_every_preset_with_its_description() {
    let run = Smgen::new().arg("presets").run();
    run.assert_success();
    let rows: Vec<(String, String)> = run
        .stdout
        .lines()
        .map(|line| {
            let (name, description) = line
                .split_once("  ")
                .unwrap_or_else(|| panic!("not `NAME  description`: {line:?}"));
            (name.to_string(), description.trim_start().to_string())
        })
        .collect();
    let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, PRESETS, "{}", run.stdout);
    for (name, description) in &rows {
        assert!(!description.is_empty(), "{name} has no description");
    }
    // The text and the library agree.
    for p in smgen::presets::all() {
        assert!(
            rows.iter().any(|(n, d)| n == p.name && d == p.description),
            "{} missing from the listing",
            p.name
        );
    }
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn presets_json_lists_name_and_description() {
    let run = Smgen::new().args(["presets", "--json"]).run();
    run.assert_success();
    let json = run.json();
    assert_eq!(json["schema"], "smgen-presets/1");
    let items = json["presets"].as_array().expect("a JSON array");
    let names: Vec<&str> = items
        .iter()
        .map(|i| {
            let obj = i.as_object().expect("objects");
            assert_eq!(obj.len(), 2, "only name and description: {i}");
            assert!(!obj["description"].as_str().expect("string").is_empty());
            obj["name"].as_str().expect("string name")
        })
        .collect();
    assert_eq!(names, PRESETS);
}

// ---------------------------------------------------------------------------------------------
// smgen generate: the happy path
// ---------------------------------------------------------------------------------------------

fn generate(preset: &str) -> common::Run {
    let run = Smgen::new()
        .args(["generate", "--preset", preset, "--format", "terraform"])
        .out_dir()
        .run();
    run.assert_success();
    run
}

/// The project's own files: everything but smgen's regeneration state in `.smgen/`.
fn project_files(run: &common::Run) -> Vec<String> {
    run.files()
        .into_iter()
        .filter(|f| !f.starts_with(".smgen/"))
        .collect()
}

#[test]
fn every_preset_generates_a_terraform_project() {
    for preset in PRESETS {
        let run = generate(preset);
        let files = project_files(&run);
        assert!(
            run.files().iter().any(|f| f == ".smgen/lock.toml"),
            "{preset}: no regeneration state"
        );
        for f in TERRAFORM_FILES {
            assert!(
                files.iter().any(|x| x == f),
                "{preset}: no {f} in {files:?}"
            );
        }
        if readme_template_exists() {
            assert!(
                files.iter().any(|x| x == "README.md"),
                "{preset}: no README.md in {files:?}"
            );
        }
        assert!(
            run.file("versions.tf").contains("required_providers"),
            "{preset}: versions.tf"
        );
        // Nothing but the project: no staging or temporary files left next to or inside it.
        assert!(
            files.iter().all(|f| !f.contains(".smgen-")),
            "{preset}: {files:?}"
        );
        let scratch: Vec<String> = tree(run.tmp.path()).into_keys().collect();
        assert!(
            scratch.iter().all(|p| p.starts_with(&format!("{OUT}/"))),
            "{preset}: written outside the out dir: {scratch:?}"
        );
        assert!(
            run.stderr.contains(&format!("wrote {} files", files.len())),
            "{preset}: {}",
            run.stderr
        );
    }
}

/// What a project of `format` holds beyond the files every format writes, checked on the
/// project `generate --preset P --format F` wrote.
fn assert_layout(format: Format, preset: &str, run: &common::Run) {
    let files = run.files();
    let has = |f: &str| files.iter().any(|x| x == f);
    let foreign = |f: &String| match format {
        Format::Terraform => f == "template.yaml" || f.starts_with("bin/"),
        Format::CloudFormation => f.ends_with(".tf") || f.starts_with("bin/"),
        Format::Cdk => f.ends_with(".tf") || f == "template.yaml",
    };
    assert!(
        !files.iter().any(foreign),
        "{preset}: files of another format in a {format} project: {files:?}"
    );
    for f in ["README.md", "smgen.toml"] {
        assert!(has(f), "{preset}: no {f} in {files:?}");
    }
    match format {
        Format::Terraform => {
            assert!(
                run.file("versions.tf").contains("required_providers"),
                "{preset}"
            );
        }
        Format::CloudFormation => {
            assert!(
                has("parameters.json"),
                "{preset}: no parameters.json in {files:?}"
            );
            let template = run.file("template.yaml");
            assert!(
                template.starts_with("AWSTemplateFormatVersion: \"2010-09-09\""),
                "{preset}"
            );
        }
        Format::Cdk => {
            // `cdk init` names the entry point, the stack and its test after the app.
            let bin: Vec<&String> = files
                .iter()
                .filter(|f| f.starts_with("bin/") && f.ends_with(".ts"))
                .collect();
            assert_eq!(bin.len(), 1, "{preset}: one entry point in {files:?}");
            let app = bin[0].trim_start_matches("bin/").trim_end_matches(".ts");
            for f in [
                format!("lib/{app}-stack.ts"),
                format!("test/{app}.test.ts"),
                "cdk.json".into(),
                "package.json".into(),
                "tsconfig.json".into(),
                ".gitignore".into(),
                ".npmignore".into(),
            ] {
                assert!(has(&f), "{preset}: no {f} in {files:?}");
            }
        }
    }
}

/// Every preset in every format: the project has its format's layout, the run says which
/// format, the answers name it, nothing is written outside the out dir, and `generate --config
/// smgen.toml` reproduces the project byte for byte.
#[test]
fn every_preset_in_every_format_is_reproduced_by_its_smgen_toml() {
    for format in Format::ALL {
        for preset in PRESETS {
            let run = Smgen::new()
                .args(["generate", "--preset", preset, "--format", format.name()])
                .out_dir()
                .run();
            run.assert_success();
            assert_layout(format, preset, &run);
            assert!(
                run.stderr.contains(&format!("({format})")),
                "{preset}: {}",
                run.stderr
            );
            assert!(
                run.file("smgen.toml")
                    .contains(&format!("--format {format}")),
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
                .args(["--format", format.name()])
                .out_dir()
                .run();
            again.assert_success();
            assert!(
                run.tree() == again.tree(),
                "{preset} ({format}): --config smgen.toml differs:\n{}",
                tree_diff(&run.tree(), &again.tree())
            );
        }
    }
}

#[test]
fn generating_twice_gives_identical_trees_and_smgen_toml_reproduces_them() {
    for preset in PRESETS {
        let first = generate(preset);
        let second = generate(preset);
        assert!(
            first.tree() == second.tree(),
            "{preset}: two runs differ:\n{}",
            tree_diff(&first.tree(), &second.tree())
        );

        // Regenerating from the recorded answers gives the same bytes.
        let config = first.out.join("smgen.toml");
        let third = Smgen::new()
            .arg("generate")
            .arg("--config")
            .arg(&config)
            .args(["--format", "terraform"])
            .out_dir()
            .run();
        third.assert_success();
        assert!(
            first.tree() == third.tree(),
            "{preset}: --config smgen.toml differs:\n{}",
            tree_diff(&first.tree(), &third.tree())
        );

        // Regenerating into the same project changes nothing.
        let before = first.tree();
        let again = Smgen::new()
            .arg("generate")
            .arg("--config")
            .arg(&config)
            .arg("--out")
            .arg(&first.out)
            .arg("--json")
            .run();
        again.assert_success();
        let json = again.json();
        let files = json["files"].as_array().expect("files");
        assert_eq!(files.len(), project_files(&first).len(), "{preset}");
        for f in files {
            assert_eq!(f["action"], "identical", "{preset}: {f}");
        }
        assert!(before == first.tree(), "{preset}: the project changed");

        let text = Smgen::new()
            .arg("generate")
            .arg("--config")
            .arg(&config)
            .arg("--out")
            .arg(&first.out)
            .run();
        text.assert_success();
        text.assert_stderr_contains("(0 changed)");
    }
}

#[test]
fn set_overrides_a_preset_answer() {
    let without = generate("regulated");
    assert!(!without.file("network.tf").contains("aws_nat_gateway"));
    let with = Smgen::new()
        .args([
            "generate",
            "--preset",
            "regulated",
            "--set",
            "network.nat=single",
        ])
        .out_dir()
        .run();
    with.assert_success();
    assert!(
        with.file("network.tf")
            .contains("resource \"aws_nat_gateway\""),
        "{}",
        with.file("network.tf")
    );
    // The override is recorded in the answers.
    let answers: toml::Table = toml::from_str(&with.file("smgen.toml")).expect("toml");
    assert_eq!(answers["network"]["nat"].as_str(), Some("single"));
}

#[test]
fn dry_run_writes_nothing() {
    let run = Smgen::new()
        .args(["generate", "--preset", "regulated", "--dry-run"])
        .out_dir()
        .run();
    run.assert_success();
    assert!(!run.out.exists(), "--dry-run created {}", run.out.display());
    assert!(
        tree(run.tmp.path()).is_empty(),
        "{:?}",
        tree(run.tmp.path())
    );
    // It says what it would write.
    for f in TERRAFORM_FILES {
        assert!(
            run.stdout
                .lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["create", f]),
            "no `create {f}` in\n{}",
            run.stdout
        );
    }
    run.assert_stderr_contains("would write");

    // A dry run over an existing project reports every file identical and changes nothing.
    let project = generate("regulated");
    let before = project.tree();
    let dry = Smgen::new()
        .args(["generate", "--preset", "regulated", "--dry-run", "--json"])
        .arg("--out")
        .arg(&project.out)
        .run();
    dry.assert_success();
    let json = dry.json();
    assert_eq!(json["dry_run"], true);
    for f in json["files"].as_array().expect("files") {
        assert_eq!(f["action"], "identical", "{f}");
    }
    assert!(before == project.tree());
}

#[test]
fn json_report_lists_files_and_findings() {
    let run = Smgen::new()
        .args(["generate", "--preset", "public-only", "--json"])
        .out_dir()
        .run();
    run.assert_success();
    let json = run.json();
    let files: Vec<&str> = json["files"]
        .as_array()
        .expect("files is an array")
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    assert_eq!(
        files,
        project_files(&run),
        "the report lists exactly what was written (besides the state in .smgen/)"
    );
    let findings = json["findings"].as_array().expect("findings is an array");
    // public-only warns that Studio traffic bypasses this VPC.
    assert!(
        findings
            .iter()
            .any(|f| f["severity"] == "warning" && f["choice"] == "network.mode"),
        "{findings:?}"
    );
    for f in findings {
        for key in ["severity", "choice", "message", "source"] {
            assert!(f[key].is_string(), "{key} in {f}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Paths: `--out` may go anywhere the user says; the files never leave it.
// ---------------------------------------------------------------------------------------------

#[test]
fn dotdot_out_is_the_users_choice_and_nothing_leaves_it() {
    for out in ["../x", "../work/../y", "./nested/deeper/z"] {
        let smgen = Smgen::new()
            .current_dir("work")
            .file("work/keep.txt", "mine");
        let parent = smgen.path().to_path_buf();
        let before = tree(&parent);
        let run = smgen
            .args(["generate", "--preset", "vpc-only-isolated"])
            .out(out)
            .run();
        run.assert_success();
        let target = run.out.canonicalize().expect("out dir exists");
        let target_rel = target
            .strip_prefix(parent.canonicalize().expect("canonical"))
            .expect("inside the scratch dir")
            .to_string_lossy()
            .replace('\\', "/");
        let after = tree(&parent);
        for (path, bytes) in &after {
            if before.get(path) == Some(bytes) {
                continue;
            }
            assert!(
                path.starts_with(&format!("{target_rel}/")),
                "--out {out}: {path} was written outside {target_rel}"
            );
        }
        for path in before.keys() {
            assert!(after.contains_key(path), "--out {out}: {path} disappeared");
        }
        assert!(
            after
                .keys()
                .any(|p| p == &format!("{target_rel}/versions.tf")),
            "--out {out}: {after:?}"
        );
    }
}

#[test]
fn toml_errors_name_file_line_and_column() {
    let run = Smgen::new()
        .arg("generate")
        .config(&format!("{MIN_CONFIG}[network]\nnat = single\n"))
        .out_dir()
        .run();
    run.assert_exit(2);
    // error: input.toml:5:7: …
    let rest = run
        .stderr
        .strip_prefix("error: input.toml:")
        .unwrap_or_else(|| panic!("{}", run.stderr));
    let mut parts = rest.splitn(3, ':');
    let line: u32 = parts.next().unwrap().parse().expect("a line number");
    let col: u32 = parts.next().unwrap().parse().expect("a column number");
    assert_eq!(line, 5, "{}", run.stderr);
    assert!(col >= 1, "{}", run.stderr);
    assert!(!run.out.exists());
}

#[test]
fn an_existing_empty_dir_is_filled_and_a_project_dir_is_updated() {
    // An empty directory is a valid target.
    let run = Smgen::new()
        .dir(OUT)
        .args(["generate", "--preset", "public-only"])
        .out_dir()
        .run();
    run.assert_success();
    assert!(run.files().iter().any(|f| f == "smgen.toml"));

    // A project directory is updated in place; the user's own files stay.
    fs::write(run.out.join("my.tf"), "# mine\n").unwrap();
    let same = Smgen::new()
        .args(["generate", "--preset", "public-only", "--out"])
        .arg(&run.out)
        .run();
    same.assert_success();
    // Other answers than the project's are refused (exit 2, nothing written), naming the
    // upgrade that changes them (issue 20); --force replaces them on purpose.
    let args = [
        "generate",
        "--preset",
        "public-only",
        "--set",
        "network.nat=single",
    ];
    let refused = Smgen::new().args(args).arg("--out").arg(&run.out).run();
    refused.assert_exit(2);
    refused.assert_stderr_contains("`smgen upgrade");
    refused.assert_stderr_contains("--set network.nat=single");
    assert!(
        !fs::read_to_string(run.out.join("network.tf"))
            .unwrap()
            .contains("aws_nat_gateway")
    );
    let again = Smgen::new()
        .args(args)
        .arg("--force")
        .arg("--out")
        .arg(&run.out)
        .run();
    again.assert_success();
    assert_eq!(
        fs::read_to_string(run.out.join("my.tf")).unwrap(),
        "# mine\n"
    );
    assert!(
        fs::read_to_string(run.out.join("network.tf"))
            .unwrap()
            .contains("aws_nat_gateway")
    );
}

/// Values that look like HCL, Terraform interpolation or TOML syntax survive the round trip
/// answers → project → smgen.toml → project unchanged (docs/architecture.md § Why each rule: deterministic output).
#[test]
fn tricky_values_round_trip_through_smgen_toml() {
    // The trickiest values AWS's rules admit (quotes and `${` are validation errors, see
    // tests/bad_inputs.rs): YAML/TypeScript-significant characters and a Unicode line separator.
    let config = format!(
        "{MIN_CONFIG}tags = {{ note = \"a: b = c + d @ e/f \\u2028 g\", \"team/x\" = \"ünï 日本\" }}\n[[data.buckets]]\nname = \"data\"\nprefixes = [\"it's (raw) & more/\"]\n"
    );
    let first = Smgen::new().arg("generate").config(&config).out_dir().run();
    first.assert_success();
    let locals = first.file("locals.tf");
    assert!(
        locals.contains("\"note\"") && locals.contains("\"team/x\""),
        "{locals}"
    );
    assert!(locals.contains("a: b = c + d @ e/f \u{2028} g"), "{locals}");
    let second = Smgen::new()
        .arg("generate")
        .arg("--config")
        .arg(first.out.join("smgen.toml"))
        .out_dir()
        .run();
    second.assert_success();
    assert!(
        first.tree() == second.tree(),
        "{}",
        tree_diff(&first.tree(), &second.tree())
    );
}

/// Several blocking findings are all reported at once (after one `error:` line), each naming
/// its choice, and nothing is written.
#[test]
fn every_blocking_finding_is_reported() {
    let run = Smgen::new()
        .args([
            "generate",
            "--preset",
            "vpc-only-isolated",
            "--set",
            "network.endpoints=[\"s3\", \"sts\"]",
            "--set",
            "needs.pip=public",
        ])
        .out_dir()
        .run();
    run.assert_exit(2);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("error: ").count(),
        1,
        "one error prefix: {}",
        run.stderr
    );
    for needle in ["'sagemaker.api'", "'sagemaker.runtime'", "needs.pip"] {
        run.assert_stderr_contains(needle);
    }
    assert!(tree(run.tmp.path()).is_empty());
}

/// Without `project.account_id`, every file a user may copy shows a marked placeholder, never a
/// plausible-looking account (issue 20); with it, the real account.
#[test]
fn an_unknown_account_is_a_marked_placeholder_in_every_file_a_user_copies() {
    for format in ["terraform", "cloudformation", "cdk"] {
        let run = Smgen::new()
            .args(["generate", "--preset", "regulated", "--format", format])
            .out_dir()
            .run();
        run.assert_success();
        for path in run.files() {
            // The Terraform tests run against a mocked provider with a fixed test account.
            if path.starts_with(".smgen/") || path.ends_with(".tftest.hcl") {
                continue;
            }
            let text = run.file(&path);
            assert!(
                !text.contains("111122223333"),
                "{format}: {path} names the documentation's example account"
            );
        }
        let scp = run.file("policies/scp-sagemaker-guardrails-2.json");
        assert!(scp.contains("<account-id>"), "{format}: {scp}");
        let config = run.file("sagemaker-config.yaml");
        assert!(
            config.contains("arn:aws:iam::<account-id>:role/"),
            "{format}: {config}"
        );
    }
    let known = Smgen::new()
        .args([
            "generate",
            "--preset",
            "regulated",
            "--set",
            "project.account_id=\"123456789012\"",
        ])
        .out_dir()
        .run();
    known.assert_success();
    assert!(
        known
            .file("sagemaker-config.yaml")
            .contains("arn:aws:iam::123456789012:role/")
    );
    assert!(!known.file("sagemaker-config.yaml").contains("<account-id>"));
}

/// The generated README says what a regulated deployment needs (issue 20): prerequisites, the
/// state, the account guard, how people sign in and the monthly cost; Terraform's provider
/// refuses another account once the account id is known.
#[test]
fn the_generated_readme_is_enough_to_deploy_from() {
    for format in ["terraform", "cloudformation", "cdk"] {
        for account in [None, Some("123456789012")] {
            let mut cmd =
                Smgen::new().args(["generate", "--preset", "regulated", "--format", format]);
            if let Some(a) = account {
                cmd = cmd.args(["--set", &format!("project.account_id=\"{a}\"")]);
            }
            let run = cmd.out_dir().run();
            run.assert_success();
            let readme = run.file("README.md");
            for needle in [
                "## Before you deploy",
                "aws sts get-caller-identity",
                "iam:CreateRole",
                "## Sign in",
                "aws sagemaker create-presigned-domain-url",
                "--user-profile-name analyst-1",
                "sm-regulated-sagemaker-user-access",
                "## Monthly cost",
                "monthly baseline ≈ $",
            ] {
                assert!(readme.contains(needle), "{format}: no {needle:?}\n{readme}");
            }
            assert!(
                readme.contains("## Remote state") || readme.contains("## State"),
                "{format}"
            );
            match (format, account) {
                ("terraform", a) => {
                    for needle in ["backend \"s3\"", "use_lockfile = true", "dynamodb_table"] {
                        assert!(readme.contains(needle), "{needle}\n{readme}");
                    }
                    let providers = run.file("providers.tf");
                    assert_eq!(
                        providers.contains("allowed_account_ids = [\"123456789012\"]"),
                        a.is_some(),
                        "{providers}"
                    );
                }
                (_, Some(a)) => assert!(
                    readme.contains(&format!("= \"{a}\"")),
                    "{format}: the account check\n{readme}"
                ),
                (_, None) => assert!(readme.contains("project.account_id"), "{format}"),
            }
        }
    }
}
