//! Properties of the CloudFormation output that neither cfn-lint nor checkov checks (VALIDATORS.md:
//! no checkov check covers a notebook's `DirectInternetAccess`/`RootAccess`/subnet or a domain's
//! `VpcOnly`), and hostile spec values: the template must stay one YAML document whose values read
//! back exactly as given.

use serde_yaml::Value as Yaml;
use smgen::render::{self, Format};
use smgen::spec::{self, SpecSource};
use smgen::{model, presets};
use std::collections::BTreeMap;

fn render_spec(spec: &spec::Valid) -> BTreeMap<String, String> {
    let m = model::resolve(spec);
    render::render(&m, spec, Format::CloudFormation)
        .expect("renders")
        .files
}

fn preset(name: &str) -> (spec::Valid, Yaml) {
    let spec = spec::load(&SpecSource::Preset(name.into()), &[]).expect("preset");
    let files = render_spec(&spec);
    let doc = serde_yaml::from_str(&files["template.yaml"]).expect("YAML");
    (spec, doc)
}

fn resources<'a>(doc: &'a Yaml, ty: &str) -> Vec<&'a Yaml> {
    doc["Resources"]
        .as_mapping()
        .expect("Resources")
        .values()
        .filter(|r| r["Type"] == ty)
        .collect()
}

/// Types in these templates that take `Tags` (cfn-lint's resource schemas).
const TAGGABLE: &[&str] = &[
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::EIP",
    "AWS::EC2::NatGateway",
    "AWS::EC2::FlowLog",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::SecurityGroup",
    "AWS::KMS::Key",
    "AWS::S3::Bucket",
    "AWS::Logs::LogGroup",
    "AWS::IAM::Role",
    "AWS::SageMaker::Domain",
    "AWS::SageMaker::UserProfile",
    "AWS::SageMaker::NotebookInstance",
];

#[test]
fn every_taggable_resource_carries_the_model_tags() {
    for p in presets::all() {
        let (spec, doc) = preset(p.name);
        let tags = model::resolve(&spec).tags;
        for (id, r) in doc["Resources"].as_mapping().unwrap() {
            let ty = r["Type"].as_str().unwrap();
            if !TAGGABLE.contains(&ty) {
                continue;
            }
            let have: BTreeMap<&str, &str> = r["Properties"]["Tags"]
                .as_sequence()
                .unwrap_or_else(|| panic!("{}: {id:?} has no Tags", p.name))
                .iter()
                .map(|t| (t["Key"].as_str().unwrap(), t["Value"].as_str().unwrap()))
                .collect();
            for (k, v) in &tags {
                assert_eq!(
                    have.get(k.as_str()),
                    Some(&v.as_str()),
                    "{}: {id:?} tag {k}",
                    p.name
                );
            }
        }
    }
}

#[test]
fn data_and_key_are_retained_and_every_group_replaces_the_default_egress() {
    for p in presets::all() {
        let (_, doc) = preset(p.name);
        for ty in ["AWS::S3::Bucket", "AWS::KMS::Key"] {
            for r in resources(&doc, ty) {
                assert_eq!(r["DeletionPolicy"], "Retain", "{}: {ty}", p.name);
                assert_eq!(r["UpdateReplacePolicy"], "Retain", "{}: {ty}", p.name);
            }
        }
        for g in resources(&doc, "AWS::EC2::SecurityGroup") {
            let egress = g["Properties"]["SecurityGroupEgress"].as_sequence();
            assert!(egress.is_some_and(|e| !e.is_empty()), "{}: {g:?}", p.name);
        }
        for o in doc["Outputs"].as_mapping().unwrap().values() {
            let name = format!("{:?}", o["Export"]["Name"]);
            assert!(name.contains("${AWS::StackName}-"), "{}: {name}", p.name);
        }
    }
}

#[test]
fn notebooks_and_domains_are_private_and_encrypted() {
    let (_, doc) = preset("notebook-private");
    let nbs = resources(&doc, "AWS::SageMaker::NotebookInstance");
    assert!(!nbs.is_empty());
    for n in nbs {
        let p = &n["Properties"];
        assert_eq!(p["DirectInternetAccess"], "Disabled");
        assert_eq!(p["RootAccess"], "Disabled");
        assert_eq!(
            p["InstanceMetadataServiceConfiguration"]["MinimumInstanceMetadataServiceVersion"],
            "2"
        );
        assert!(
            p["SubnetId"].is_tagged() && p["KmsKeyId"].is_tagged(),
            "{p:?}"
        );
    }
    for name in ["regulated", "vpc-only-isolated", "existing-vpc"] {
        let (_, doc) = preset(name);
        let d = &resources(&doc, "AWS::SageMaker::Domain")[0]["Properties"];
        assert_eq!(d["AppNetworkAccessType"], "VpcOnly", "{name}");
        assert!(d["KmsKeyId"].is_tagged(), "{name}");
    }
}

trait Tagged {
    fn is_tagged(&self) -> bool;
}

impl Tagged for Yaml {
    fn is_tagged(&self) -> bool {
        matches!(self, Yaml::Tagged(_))
    }
}

#[test]
fn arns_are_partition_neutral() {
    for p in presets::all() {
        let (_, doc) = preset(p.name);
        let text = serde_yaml::to_string(&doc["Resources"]).unwrap();
        for bad in ["arn:aws:", "arn:aws-cn:", "arn:aws-us-gov:"] {
            assert!(
                !text.contains(bad),
                "{}: a literal partition ({bad})",
                p.name
            );
        }
    }
}

const HOSTILE_TAGS: &[(&str, &str)] = &[
    ("x: y", "}\n!Ref x: #"),
    ("resolve", "{{resolve:ssm:/org/cost-center}}"),
    ("dollar", "${AWS::Region}"),
    ("quote", "a \"b\" 'c' \\d"),
    ("anchor", "&a *b !c"),
    ("yes", "no"),
    ("num", "012"),
];

#[test]
fn hostile_values_stay_values() {
    let mut text =
        String::from("[project]\nname = \"hostile\"\nregion = \"eu-west-1\"\n[project.tags]\n");
    for (k, v) in HOSTILE_TAGS {
        text.push_str(&format!("{} = {}\n", toml_str(k), toml_str(v)));
    }
    // A prefix becomes part of IAM resource ARNs, which are `!Sub` strings: `${` must stay literal.
    text.push_str("[[data.buckets]]\nname = \"data\"\nprefixes = [\"in${AWS::Region}/\", \"{{resolve:x}}/\"]\n");
    // AWS's tag and prefix rules reject these values; the renderer must still keep them values
    // (defence in depth), so the spec is read without validation.
    let spec: spec::Spec = toml::from_str(&text).expect("hostile spec parses");
    let spec = spec::Valid::unchecked(spec).expect("a known Region");
    let files = render_spec(&spec);
    let template = &files["template.yaml"];
    let doc: Yaml = serde_yaml::from_str(template).expect("still one YAML document");
    let vpc = &resources(&doc, "AWS::EC2::VPC")[0]["Properties"]["Tags"];
    let have: BTreeMap<&str, &str> = vpc
        .as_sequence()
        .unwrap()
        .iter()
        .map(|t| (t["Key"].as_str().unwrap(), t["Value"].as_str().unwrap()))
        .collect();
    for (k, v) in HOSTILE_TAGS {
        assert_eq!(have.get(k), Some(v), "tag {k:?}");
    }
    assert!(template.contains("{{resolve:ssm:/org/cost-center}}"));
    assert!(template.contains("${!AWS::Region}/*"), "escaped in !Sub");
    let params: serde_json::Value = serde_json::from_str(&files["parameters.json"]).expect("JSON");
    assert!(params.is_array());
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.into()).to_string()
}

/// `a-1` and `a1` are distinct names (snake_case `a_1`, `a1`) but one PascalCase logical id:
/// rendering refuses rather than let one resource replace the other.
#[test]
fn names_that_share_a_logical_id_are_refused() {
    let text = "[project]\nname = \"clash\"\nregion = \"eu-west-1\"\n[studio]\nuser_profiles = [\"a-1\", \"a1\"]\n";
    let spec = spec::load(
        &SpecSource::Config {
            origin: "clash.toml".into(),
            text: text.into(),
        },
        &[],
    )
    .expect("valid spec");
    let m = model::resolve(&spec);
    let err = render::render(&m, &spec, Format::CloudFormation).expect_err("a clash");
    let msg = err.to_string();
    assert!(
        msg.contains("UserA1") && msg.contains("logical id"),
        "{msg}"
    );
    assert_eq!(err.code(), 2);
}

/// Terraform's `allowed_account_ids` in CloudFormation: with `project.account_id` a template rule
/// (an assertion on the `AWS::AccountId` pseudo parameter) refuses any other account before
/// anything is created; without it there is no account to hold the stack to.
#[test]
fn the_template_refuses_accounts_other_than_the_projects() {
    let with = spec::load(
        &SpecSource::Preset("regulated".into()),
        &[r#"project.account_id="123456789012""#.into()],
    )
    .expect("preset");
    let files = render_spec(&with);
    let doc: Yaml = serde_yaml::from_str(&files["template.yaml"]).expect("YAML");
    let rule = &doc["Rules"]["GeneratedForAccount"]["Assertions"][0];
    let assert = serde_yaml::to_string(&rule["Assert"]).unwrap();
    assert!(
        assert.contains("AWS::AccountId") && assert.contains("123456789012"),
        "{assert}"
    );
    assert!(files["README.md"].contains("GeneratedForAccount"));
    let (_, without) = preset("regulated");
    assert!(without["Rules"]["GeneratedForAccount"].is_null());
    assert!(!without["Rules"]["GeneratedForRegion"].is_null());
}
