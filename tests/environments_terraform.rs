//! Terraform of a project of several environments (tests/fixtures/environments/smgen.toml): the
//! snapshot of its modules, roots and README, and the split between shared modules and
//! per-environment roots (an environment's values in its root only, never in a module).

mod common;

use smgen::render::{self, FileSet, Format};
use smgen::spec::{self, SpecSource};

const FIXTURE: &str = include_str!("fixtures/environments/smgen.toml");

fn render_text(text: &str) -> FileSet {
    common::render_environments(text, Format::Terraform)
}

/// The files the Terraform renderer writes (the per-environment files every format shares,
/// policies, SDK defaults, teardown script and ARCHITECTURE.md, are left out).
fn terraform_file(path: &str) -> bool {
    path == "README.md"
        || path.starts_with("modules/")
        || (path.starts_with("environments/")
            && (path.ends_with(".tf") || path.ends_with(".tftest.hcl")))
}

#[test]
fn terraform_environments_snapshot() {
    let set = render_text(FIXTURE);
    let mut text = String::new();
    for (path, contents) in set.files.iter().filter(|(p, _)| terraform_file(p)) {
        text.push_str(&format!("=== {path} ===\n{contents}"));
        if !contents.ends_with('\n') {
            text.push_str("\n[no newline at end of file]\n");
        }
    }
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s.bind(|| insta::assert_snapshot!("terraform_environments", text));
}

#[test]
fn the_layout_has_a_module_per_structure_and_a_root_per_environment() {
    let set = render_text(FIXTURE);
    for f in [
        "modules/sagemaker-environment/versions.tf",
        "modules/sagemaker-environment/variables.tf",
        "modules/sagemaker-environment/outputs.tf",
        "modules/sagemaker-environment/README.md",
        "modules/sagemaker-environment/tests/security.tftest.hcl",
        "modules/sagemaker-environment-data/network.tf",
        "environments/dev/main.tf",
        "environments/prod/providers.tf",
        "environments/prod/backend.tf",
        "environments/prod/outputs.tf",
        "environments/prod/tests/environment.tftest.hcl",
        "environments/data/versions.tf",
        "README.md",
    ] {
        assert!(set.files.contains_key(f), "{f} missing");
    }
    // A module configures no provider; the roots do, with their account's guard.
    assert!(
        !set.files
            .keys()
            .any(|p| p.starts_with("modules/") && p.ends_with("providers.tf"))
    );
    assert!(!set.files.iter().any(|(p, t)| p.starts_with("modules/")
        && p.ends_with(".tf")
        && t.lines().any(|l| l.starts_with("provider "))));
    let main = &set.files["environments/data/main.tf"];
    assert!(main.contains("source = \"../../modules/sagemaker-environment-data\""));
    assert!(
        set.files["environments/prod/providers.tf"]
            .contains("allowed_account_ids = [local.account_id]")
    );
    // The module reads the lifecycle scripts, if any, from the project root, and the VPC block
    // from its variables.
    let network = &set.files["modules/sagemaker-environment/network.tf"];
    assert!(network.contains("cidr_block           = var.vpc_cidr"));
    assert!(network.contains("var.private_subnet_cidrs[1]"));
    // The data module says why it is not the main one.
    assert!(set.files["modules/sagemaker-environment-data/README.md"].contains("- `needs.studio`"));
}

/// Each environment's account and VPC block are in its own root only: never in a module (shared
/// by several environments), never in another environment's files; the tags are in no module.
#[test]
fn per_environment_values_stay_in_their_root() {
    let set = render_text(FIXTURE);
    let values = [
        ("prod", ["222222222222", "10.30."]),
        ("dev", ["111111111111", "10.20."]),
    ];
    // data's account is also a structure answer of dev and prod (the owner of the lake they
    // read, in their trail selectors, role policy and owner files): checked in data's own
    // module only.
    for (path, text) in set
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("modules/sagemaker-environment-data/"))
    {
        assert!(
            !text.contains("333333333333"),
            "data's account appears in {path}"
        );
    }
    for (path, text) in &set.files {
        if path.starts_with("modules/")
            || (path.starts_with("environments/") && !path.starts_with("environments/data/"))
        {
            assert!(!text.contains("10.40."), "data's block appears in {path}");
        }
    }
    assert!(set.files["environments/data/main.tf"].contains("333333333333"));
    for (env, needles) in &values {
        let own = format!("environments/{env}/");
        for needle in needles {
            for (path, text) in &set.files {
                let shared = path.starts_with("modules/")
                    || (path.starts_with("environments/") && !path.starts_with(&own));
                assert!(
                    !(shared && text.contains(needle)),
                    "{env}'s {needle} appears in {path}"
                );
            }
        }
        assert!(set.files[&format!("{own}main.tf")].contains(needles[0]));
        assert!(set.files[&format!("{own}main.tf")].contains(needles[1]));
        assert!(set.files[&format!("{own}tests/environment.tftest.hcl")].contains(needles[1]));
    }
    for (path, text) in set.files.iter().filter(|(p, _)| p.starts_with("modules/")) {
        for tag in ["\"env\"", "\"team\"", "\"risk\""] {
            assert!(!text.contains(tag), "the tag {tag} appears in {path}");
        }
    }
    // The account guard of a root: its own account.
    assert!(set.files["environments/prod/main.tf"].contains("account_id = \"222222222222\""));
}

/// A module is rendered from its group's first environment; rendered from another member, it
/// is the same (its README aside, which names the members).
#[test]
fn a_module_is_the_same_whichever_environment_it_is_rendered_from() {
    let a = render_text(FIXTURE);
    // `zdev` sorts after `prod`: prod becomes the group's first environment.
    let b = render_text(&FIXTURE.replace("[environments.dev.", "[environments.zdev."));
    let module = |set: &FileSet| -> Vec<(String, String)> {
        set.files
            .iter()
            .filter(|(p, _)| {
                p.starts_with("modules/sagemaker-environment/") && !p.ends_with("README.md")
            })
            .map(|(p, t)| (p.clone(), t.clone()))
            .collect()
    };
    assert!(!module(&a).is_empty());
    assert_eq!(module(&a), module(&b));
}

/// The `resource`/`data` blocks of the `.tf` files directly under `prefix` (or at the root when
/// `prefix` is empty), as `type.name`.
fn blocks(set: &FileSet, prefix: &str) -> std::collections::BTreeSet<String> {
    set.files
        .iter()
        .filter(|(p, _)| {
            p.ends_with(".tf")
                && p.strip_prefix(prefix)
                    .is_some_and(|rest| !rest.contains('/'))
        })
        .flat_map(|(_, text)| text.lines())
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let kind = words.next()?;
            if kind != "resource" && kind != "data" {
                return None;
            }
            let ty = words.next()?.trim_matches('"');
            let name = words.next()?.trim_matches('"');
            Some(format!("{kind}.{ty}.{name}"))
        })
        .collect()
}

/// Each environment's module holds exactly the resources of that environment's answers rendered
/// alone (the one-environment root, whose parity with CloudFormation `tests/parity.rs` checks).
#[test]
fn each_module_holds_the_resources_of_its_environments_alone() {
    let valid = spec::load(
        &SpecSource::Config {
            origin: "smgen.toml".into(),
            text: FIXTURE.into(),
        },
        &[],
    )
    .unwrap();
    let multi = render_text(FIXTURE);
    for env in valid.environments() {
        let model = smgen::model::resolve(&env.spec);
        let alone = render::render(&model, &env.spec, Format::Terraform).unwrap();
        let main = &multi.files[&format!("environments/{}/main.tf", env.name)];
        let source = main
            .lines()
            .find_map(|l| l.trim().strip_prefix("source = \"../../"))
            .and_then(|s| s.strip_suffix('"'))
            .expect("the root calls a module");
        let module = blocks(&multi, &format!("{source}/"));
        let root = blocks(&alone, "");
        assert!(!root.is_empty());
        assert_eq!(module, root, "{}: {source}", env.name);
    }
}
