//! The CDK app of several environments (`[environments.NAME]`), rendered in-process from the
//! fixture `tests/fixtures/environments/smgen.toml` (dev and prod share a structure; data has its
//! own): a snapshot of the app, and the split of per-environment inputs from the shared stack
//! classes. The real validators (tsc, `npm test`, `cdk synth '**'` with cdk-nag, cfn-lint) run
//! on the same fixture in `scripts/harness.py --case environments --stage cdk`.

mod common;

use smgen::render::{FileSet, Format};

const FIXTURE: &str = include_str!("fixtures/environments/smgen.toml");

fn render_fixture(text: &str) -> FileSet {
    common::render_environments(text, Format::Cdk)
}

/// The CDK app (not the files every format shares: `environments/`, the answers, the schema).
#[test]
fn cdk_environments_snapshot() {
    let set = render_fixture(FIXTURE);
    let mut text = String::new();
    for (path, contents) in set.files.iter().filter(|(p, _)| {
        !p.starts_with("environments/")
            && p.as_str() != "smgen.toml"
            && p.as_str() != smgen::project::SCHEMA_FILE
    }) {
        text.push_str(&format!("=== {path} ===\n{contents}"));
    }
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s.bind(|| insta::assert_snapshot!("cdk_environments", text));
}

/// Which files hold `needle`.
fn holders(set: &FileSet, needle: &str) -> Vec<String> {
    set.files
        .iter()
        .filter(|(_, t)| t.contains(needle))
        .map(|(p, _)| p.clone())
        .collect()
}

/// prod's account and VPC block are inputs: only the stage wiring (`bin/environments.ts`) and
/// prod's own files hold them (and the answers and the README's table), never the shared stack classes in `lib/` or the tests.
#[test]
fn per_environment_inputs_stay_out_of_the_stack_classes() {
    let set = render_fixture(FIXTURE);
    for needle in ["222222222222", "10.30."] {
        let found = holders(&set, needle);
        assert!(
            found.iter().any(|p| p == "bin/environments.ts"),
            "{needle} must be wired in bin/environments.ts: {found:?}"
        );
        for p in &found {
            assert!(
                p == "bin/environments.ts"
                    || p == "README.md"
                    || p == "smgen.toml"
                    || p.starts_with("environments/prod/"),
                "{needle} (prod's input) leaks into {p}"
            );
        }
    }
    // No environment's inputs in any stack class: the VPC blocks are props. The data account's
    // id is an input of its own stack class only: dev and prod name it as the owner of the lake
    // they read (a structure answer: the bucket's name and owner).
    for (path, text) in set.files.iter().filter(|(p, _)| p.starts_with("lib/")) {
        let own_data = if path.starts_with("lib/data/") {
            vec!["333333333333"]
        } else {
            vec![]
        };
        for needle in ["111111111111", "10.20.", "10.40.", "'env'"]
            .into_iter()
            .chain(own_data)
        {
            assert!(!text.contains(needle), "{path} holds the input {needle}");
        }
        if path.ends_with("-stack.ts") {
            assert!(
                !text.contains("cdk.Tags.of(this).add"),
                "{path} tags its stack: tags are per environment (the Stage's)"
            );
        }
    }
}

/// One Stage per environment, each with the stack class of its structure group, and one class
/// per group: dev and prod share `FraudMlStack`, data has `FraudMlDataStack` under `lib/data/`.
#[test]
fn one_stage_per_environment_one_class_per_group() {
    let set = render_fixture(FIXTURE);
    let wiring = &set.files["bin/environments.ts"];
    for (env, class) in [
        ("data", "FraudMlDataStack"),
        ("dev", "FraudMlStack"),
        ("prod", "FraudMlStack"),
    ] {
        let entry =
            format!("name: '{env}',\n    stackName: 'fraud-ml-{env}',\n    stackClass: '{class}',");
        assert!(wiring.contains(&entry), "no stage for {env}:\n{wiring}");
    }
    assert!(set.files["lib/fraud-ml-stack.ts"].contains("export class FraudMlStack "));
    let data = &set.files["lib/data/fraud-ml-data-stack.ts"];
    assert!(data.contains("export class FraudMlDataStack "));
    // The data account runs no Studio: its class has no domain, the main one has.
    assert!(!set.files["lib/data/sagemaker.ts"].contains("CfnDomain("));
    assert!(set.files["lib/sagemaker.ts"].contains("CfnDomain("));
    // The helpers are shared, not copied.
    assert!(!set.files.contains_key("lib/data/policy.ts"));
    assert!(set.files["lib/data/iam.ts"].contains("from '../policy'"));
    // cdk-nag on every stage; the README says why data has a class of its own.
    assert!(
        set.files["lib/fraud-ml-stage.ts"]
            .contains("cdk.Validations.of(this).addPlugins(new AwsSolutionsChecks(this")
    );
    let readme = &set.files["README.md"];
    assert!(readme.contains(
        "`FraudMlDataStack` | `lib/data/fraud-ml-data-stack.ts` | `data` | its structure differs"
    ));
    assert!(readme.contains("`needs.studio`"), "{readme}");
    assert!(readme.contains("--trust"));
    // Every environment's teardown script names its Region.
    for env in ["data", "dev", "prod"] {
        assert!(
            set.files[&format!("environments/{env}/teardown.sh")].contains("REGION='eu-west-1'")
        );
    }
}

/// An environment without `project.account_id` gets no account in its Stage's `env`, as the
/// single-environment app: the deploying credentials' account, and synth needs none.
#[test]
fn an_environment_without_an_account_is_account_agnostic() {
    // Without an account, dev cannot read the data account's lake (its owner must name dev's
    // role ARN): dev keeps its own bucket only.
    let text = format!(
        "{}[[environments.dev.data.buckets]]\nname = \"data\"\n",
        FIXTURE.replace("account_id = \"111111111111\"\n", "")
    );
    let set = render_fixture(&text);
    let wiring = &set.files["bin/environments.ts"];
    let dev = wiring
        .split("name: 'dev',")
        .nth(1)
        .and_then(|rest| rest.split("name: '").next())
        .expect("dev's entry");
    assert!(
        dev.contains("env: { region: 'eu-west-1' },") && !dev.contains("account:"),
        "{wiring}"
    );
}
