//! The CloudFormation render of a project with `[environments]` (the fixture
//! `tests/fixtures/environments/smgen.toml`: dev and prod share a structure, data has its own):
//! its snapshot, that one environment's inputs never reach a shared template, that every
//! parameters file satisfies its template's parameter constraints, that each environment's
//! template with its parameters is its single-environment template, and that the README and
//! teardown scripts name each environment's stack, account and Region.

mod common;

use regex::Regex;
use serde_json::Value as Json;
use serde_yaml::Value as Yaml;
use smgen::model;
use smgen::render::{self, FileSet, Format};
use smgen::spec::{self, SpecSource};
use std::collections::BTreeMap;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/environments/smgen.toml"
);

fn load(text: &str) -> spec::Valid {
    spec::load(
        &SpecSource::Config {
            origin: "smgen.toml".into(),
            text: text.into(),
        },
        &[],
    )
    .expect("the fixture is valid")
}

fn render_text(text: &str) -> FileSet {
    common::render_environments(text, Format::CloudFormation)
}

fn fixture() -> FileSet {
    render_text(&std::fs::read_to_string(FIXTURE).unwrap())
}

fn templates(set: &FileSet) -> Vec<(&String, &String)> {
    set.files
        .iter()
        .filter(|(p, _)| p.starts_with("template") && p.ends_with(".yaml"))
        .collect()
}

/// The Parameters of a parameters file.
fn parameters(set: &FileSet, env: &str) -> BTreeMap<String, String> {
    let doc: Json = serde_json::from_str(&set.files[&format!("parameters/{env}.json")]).unwrap();
    doc["Parameters"]
        .as_object()
        .expect("Parameters")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("a string").to_string()))
        .collect()
}

#[test]
fn snapshot() {
    // The files this format writes; the per-environment standalone files are the same code as
    // a single environment's (snapshotted there).
    let set = fixture();
    let mut text = String::new();
    for (path, contents) in set.files.iter().filter(|(p, _)| {
        !p.starts_with("environments/") && *p != "smgen.schema.json" && !p.starts_with("lifecycle/")
    }) {
        text.push_str(&format!("=== {path} ===\n{contents}"));
    }
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s.bind(|| insta::assert_snapshot!("cloudformation_environments", text));
}

#[test]
fn the_layout_is_one_template_per_structure() {
    let set = fixture();
    let names: Vec<&str> = templates(&set).iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(names, ["template-data.yaml", "template.yaml"]);
    for env in ["data", "dev", "prod"] {
        assert!(
            set.files.contains_key(&format!("parameters/{env}.json")),
            "{env}"
        );
        assert!(
            set.files
                .contains_key(&format!("environments/{env}/teardown.sh")),
            "{env}"
        );
    }
    // No single-environment leftovers.
    assert!(!set.files.contains_key("parameters.json"));
    assert!(!set.files.contains_key("README.environments.md"));
}

/// prod's account and VPC block are inputs: they appear in prod's parameters file (and prod's
/// own files), never in a shared template. The same for every environment's.
#[test]
fn inputs_do_not_leak_into_templates() {
    let set = fixture();
    for (env, account, block) in [
        ("prod", "222222222222", "10.30."),
        ("dev", "111111111111", "10.20."),
        ("data", "333333333333", "10.40."),
    ] {
        for (path, text) in templates(&set) {
            // data's account is also a structure answer of dev and prod (the owner of the lake
            // they read): checked in data's own template only.
            if env != "data" || path == "template-data.yaml" {
                assert!(!text.contains(account), "{env}'s account in {path}");
            }
            assert!(!text.contains(block), "{env}'s VPC block in {path}");
            assert!(
                !text.contains(&format!("Value: {env}\n")),
                "{env}'s tag in {path}"
            );
        }
        let own = &set.files[&format!("parameters/{env}.json")];
        assert!(own.contains(account) && own.contains(block), "{env}: {own}");
        for (path, text) in &set.files {
            let owner = path.starts_with(&format!("environments/{env}/"))
                || *path == format!("parameters/{env}.json")
                || path == "README.md"
                || path == "smgen.toml";
            // (data's account: also the lake's owner in dev's and prod's files, see above.)
            if !owner && env != "data" {
                assert!(!text.contains(account), "{env}'s account in {path}");
            }
        }
    }
}

/// Every value of a parameters file satisfies the template's `AllowedPattern`, every parameter
/// without a default has a value (except the deploy-time S3 prefix list lookup), and the file
/// names no parameter the template does not have.
#[test]
fn parameters_files_satisfy_the_template_constraints() {
    let set = fixture();
    for (env, template) in [
        ("dev", "template.yaml"),
        ("prod", "template.yaml"),
        ("data", "template-data.yaml"),
    ] {
        let doc: Yaml = serde_yaml::from_str(&set.files[template]).unwrap();
        let declared = doc["Parameters"].as_mapping().unwrap();
        let values = parameters(&set, env);
        for (k, v) in &values {
            let p = &doc["Parameters"][k.as_str()];
            let pattern = p["AllowedPattern"]
                .as_str()
                .unwrap_or_else(|| panic!("{template}: no parameter {k} with a pattern"));
            assert!(
                Regex::new(pattern).unwrap().is_match(v),
                "{env}: {k}={v} does not match {pattern}"
            );
        }
        for (k, p) in declared {
            let k = k.as_str().unwrap();
            if p.get("Default").is_none() && k != "S3PrefixListId" {
                assert!(values.contains_key(k), "{env}: no value for {k}");
            }
        }
        // The patterns refuse what they should.
        let cidr = Regex::new(
            doc["Parameters"]["VpcCidr"]["AllowedPattern"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        for bad in [
            "10.30.0.0/8",
            "10.30.0.0/29",
            "256.0.0.0/16",
            "10.30.0.0",
            "x10.0.0.0/16",
        ] {
            assert!(!cidr.is_match(bad), "{bad}");
        }
        let account = Regex::new(
            doc["Parameters"]["ExpectedAccountId"]["AllowedPattern"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        assert!(!account.is_match("2222") && !account.is_match(""));
    }
}

/// The tags and the parameters of the README's deploy command are the parameters file's.
#[test]
fn readme_deploys_each_environment_with_its_inputs() {
    let set = fixture();
    let readme = &set.files["README.md"];
    for (env, template, account) in [
        ("dev", "template.yaml", "111111111111"),
        ("prod", "template.yaml", "222222222222"),
        ("data", "template-data.yaml", "333333333333"),
    ] {
        let start = readme
            .find(&format!("### {env}\n"))
            .unwrap_or_else(|| panic!("no deploy section for {env}"));
        let block = &readme[start..];
        let block = &block[..block.find("\n```\n").unwrap()];
        assert!(
            block.contains(&format!("--stack-name fraud-ml-{env} ")),
            "{block}"
        );
        assert!(
            block.contains(&format!("--template-file {template} ")),
            "{block}"
        );
        assert!(block.contains("--region eu-west-1 "), "{block}");
        assert!(block.contains(&format!("= {account} ")), "{block}");
        for (k, v) in parameters(&set, env) {
            assert!(block.contains(&format!("{k}={v}")), "{env}: {k}: {block}");
        }
        assert!(
            block.contains(&format!("--tags env={env} team=risk")),
            "{block}"
        );
        // The teardown of the environment: its own script, stack and Region.
        assert!(readme.contains(&format!("environments/{env}/teardown.sh --dry-run")));
        assert!(readme.contains(&format!(
            "aws cloudformation delete-stack --region eu-west-1 --stack-name fraud-ml-{env}\n"
        )));
        let teardown = &set.files[&format!("environments/{env}/teardown.sh")];
        assert!(teardown.contains("REGION='eu-west-1'"), "{env}");
    }
    // Which environment has a template of its own, and why.
    let why = readme
        .split("- `template-data.yaml`: `data`. Its own template, because its structure differs")
        .nth(1)
        .expect("the README says why data has its own template");
    let why = why.split(": these").next().unwrap();
    for key in ["`data.buckets`", "`needs.studio`", "`studio.user_profiles`"] {
        assert!(why.contains(key), "{why}");
    }
}

/// A template's `!Ref`s to the parameters replaced by an environment's values, and the tags
/// the template leaves to the stack taken out of the single-environment template: what remains
/// must be the same. `GeneratedForAccount` (single) and `ExpectedAccount` (shared) are the one
/// deliberate difference, and the Parameters and Description.
fn substitute(v: &Yaml, values: &BTreeMap<String, String>) -> Yaml {
    match v {
        Yaml::Tagged(t) if t.tag == "!Ref" => match t.value.as_str().and_then(|r| values.get(r)) {
            Some(value) => Yaml::String(value.clone()),
            None => v.clone(),
        },
        Yaml::Tagged(t) => Yaml::Tagged(Box::new(serde_yaml::value::TaggedValue {
            tag: t.tag.clone(),
            value: substitute(&t.value, values),
        })),
        Yaml::Mapping(m) => Yaml::Mapping(
            m.iter()
                .map(|(k, v)| (k.clone(), substitute(v, values)))
                .collect(),
        ),
        Yaml::Sequence(s) => Yaml::Sequence(s.iter().map(|v| substitute(v, values)).collect()),
        other => other.clone(),
    }
}

/// Removes the `Tags` entries whose key is in `keys`.
fn drop_tags(v: &mut Yaml, keys: &[&str]) {
    match v {
        Yaml::Mapping(m) => {
            for (k, v) in m.iter_mut() {
                if k.as_str() == Some("Tags")
                    && let Yaml::Sequence(items) = v
                {
                    items.retain(|t| !keys.contains(&t["Key"].as_str().unwrap_or("")));
                } else {
                    drop_tags(v, keys);
                }
            }
        }
        Yaml::Sequence(s) => s.iter_mut().for_each(|v| drop_tags(v, keys)),
        Yaml::Tagged(t) => drop_tags(&mut t.value, keys),
        _ => {}
    }
}

#[test]
fn each_environment_is_its_single_environment_template() {
    let text = std::fs::read_to_string(FIXTURE).unwrap();
    let set = render_text(&text);
    let v = load(&text);
    for e in v.environments() {
        let single_model = model::resolve(&e.spec);
        let single = render::render(&single_model, &e.spec, Format::CloudFormation).unwrap();
        let mut want: Yaml = serde_yaml::from_str(&single.files["template.yaml"]).unwrap();
        let tag_keys: Vec<&str> = e.spec.project.tags.keys().map(String::as_str).collect();
        drop_tags(&mut want, &tag_keys);
        let file = if e.name == "data" {
            "template-data.yaml"
        } else {
            "template.yaml"
        };
        let shared: Yaml = serde_yaml::from_str(&set.files[file]).unwrap();
        let got = substitute(&shared, &parameters(&set, &e.name));
        for section in ["Resources", "Outputs"] {
            let (w, g) = (&want[section], &got[section]);
            let wm = w.as_mapping().unwrap();
            let gm = g.as_mapping().unwrap();
            assert_eq!(
                wm.keys().collect::<Vec<_>>(),
                gm.keys().collect::<Vec<_>>(),
                "{}: {section} logical ids",
                e.name
            );
            for (k, wv) in wm {
                assert_eq!(Some(wv), gm.get(k), "{}: {section} {k:?}", e.name);
            }
        }
        assert!(want["Rules"]["GeneratedForAccount"].is_mapping());
        assert!(got["Rules"]["ExpectedAccount"].is_mapping());
        assert_eq!(
            want["Rules"]["GeneratedForRegion"],
            got["Rules"]["GeneratedForRegion"]
        );
        // The tags the template leaves out are the stack's.
        let doc: Json =
            serde_json::from_str(&set.files[&format!("parameters/{}.json", e.name)]).unwrap();
        let tags: BTreeMap<String, String> = doc["Tags"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        assert_eq!(tags, e.spec.project.tags, "{}", e.name);
    }
}

/// An environment that names no account: the parameter is optional (empty skips the rule).
#[test]
fn an_environment_without_an_account_makes_the_check_optional() {
    let set = render_text(
        "[project]\nname = \"fraud\"\nregion = \"eu-west-1\"\n\
         [environments.dev.project]\ntags = { env = \"dev\" }\n\
         [environments.prod.project]\naccount_id = \"222222222222\"\n[environments.prod.network.vpc]\ncidr = \"10.30.0.0/16\"\n",
    );
    let t = &set.files["template.yaml"];
    assert!(t.contains("RuleCondition: !Not [!Equals [!Ref ExpectedAccountId, \"\"]]"));
    assert!(t.contains("    Default: \"\"\n"));
    assert!(!parameters(&set, "dev").contains_key("ExpectedAccountId"));
    assert_eq!(
        parameters(&set, "prod")["ExpectedAccountId"],
        "222222222222"
    );
}
