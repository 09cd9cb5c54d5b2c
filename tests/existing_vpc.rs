//! An existing VPC: what it must offer before the first deployment (DNS attributes, no second
//! gateway endpoint for S3 on the same route tables, no conflicting interface endpoints), and
//! reusing the S3 gateway endpoint it already has (`network.vpc.s3_gateway_endpoint_id`).
//!
//! Sources: PrivateLink Guide, "DNS attributes" of interface endpoints (private DNS needs
//! enableDnsSupport and enableDnsHostnames); vpc-endpoints-s3 (a route table routes S3 through
//! one gateway endpoint).

use smgen::model::{self, Model, Severity};
use smgen::render::{self, Format};
use smgen::spec::{self, SpecSource};
use std::collections::BTreeMap;

const REUSED: &str = "vpce-0aaaabbbbccccdddd";

fn sets(extra: &[&str]) -> Vec<String> {
    let mut out = vec![
        "data.deny_outside_vpc_endpoint=true".to_string(),
        r#"data.deployer_role_arns=["arn:aws:iam::111122223333:role/deploy"]"#.to_string(),
    ];
    out.extend(extra.iter().map(|s| s.to_string()));
    out
}

fn load(extra: &[&str]) -> smgen::error::Result<spec::Valid> {
    spec::load(&SpecSource::Preset("existing-vpc".into()), &sets(extra))
}

fn files(extra: &[&str], format: Format) -> (Model, BTreeMap<String, String>) {
    let spec = load(extra).unwrap();
    let m = model::resolve(&spec);
    let files = render::render(&m, &spec, format).unwrap().files;
    (m, files)
}

fn reused() -> String {
    format!("network.vpc.s3_gateway_endpoint_id={REUSED}")
}

#[test]
fn a_reused_endpoint_needs_an_existing_vpc_and_an_endpoint_id() {
    let bad = "network.vpc.s3_gateway_endpoint_id=rtb-0123456789abcdef0";
    let e = load(&[bad]).expect_err("refused");
    assert_eq!(e.code(), 2, "{e}");
    assert!(
        e.to_string().contains("network.vpc.s3_gateway_endpoint_id")
            && e.to_string().contains("rtb-0123456789abcdef0")
            && e.to_string().contains("vpce-"),
        "{e}"
    );
    // With a created VPC the key is refused by name.
    let e = spec::load(&SpecSource::Preset("vpc-only-isolated".into()), &[reused()])
        .expect_err("refused");
    assert_eq!(e.code(), 2);
    assert!(
        e.to_string().contains("network.vpc.s3_gateway_endpoint_id")
            && e.to_string().contains("only used with an existing VPC"),
        "{e}"
    );
}

#[test]
fn the_reused_endpoint_is_named_not_created_and_its_policy_is_left_to_its_owner() {
    let r = reused();
    let (m, tf) = files(&[&r], Format::Terraform);
    let s3 = m.endpoint("s3").unwrap();
    assert_eq!(s3.existing_id.as_deref(), Some(REUSED));
    // The bucket admits only that endpoint, by its id.
    let data = m.buckets.iter().find(|b| !b.is_log_target).unwrap();
    let text = serde_json::to_string(&data.policy.to_value()).unwrap();
    assert!(text.contains(REUSED), "{text}");
    // The owner is told, and the reachability does not claim smgen's policy.
    assert!(m.findings.iter().any(|f| f.severity == Severity::Warning
        && f.choice == "network.vpc.s3_gateway_endpoint_id"
        && f.message.contains("policies/endpoint-policy-s3.json")));
    assert!(tf.contains_key("policies/endpoint-policy-s3.json"));

    let endpoints = &tf["endpoints.tf"];
    assert!(!endpoints.contains("resource \"aws_vpc_endpoint\" \"s3\""));
    assert!(endpoints.contains("data \"aws_vpc_endpoint\" \"s3\""));
    assert!(endpoints.contains("self.vpc_endpoint_type == \"Gateway\""));
    assert!(endpoints.contains("setsubtract(var.route_table_ids, self.route_table_ids)"));
    // Every reference reads the data source (the egress rules to the S3 prefix list).
    let all: String = tf.values().cloned().collect();
    assert_eq!(
        all.matches("aws_vpc_endpoint.s3.").count(),
        all.matches("data.aws_vpc_endpoint.s3.").count()
    );
    assert!(tf["security_groups.tf"].contains("data.aws_vpc_endpoint.s3.prefix_list_id"));

    let (_, cfn) = files(&[&r], Format::CloudFormation);
    let template = &cfn["template.yaml"];
    assert!(!template.contains("  S3Endpoint:\n"));
    assert!(template.contains(&format!("aws:sourceVpce: {REUSED}")));

    let (_, cdk) = files(&[&r], Format::Cdk);
    let network = &cdk["lib/network.ts"];
    assert!(network.contains(&format!("this.endpointIds['s3'] = '{REUSED}';")));
    assert!(!network.contains("vpcEndpointType: 'Gateway'"));
}

#[test]
fn terraform_checks_the_existing_vpcs_dns_at_plan_time() {
    let (_, tf) = files(&[], Format::Terraform);
    let network = &tf["network.tf"];
    assert!(network.contains("data \"aws_vpc\" \"existing\""));
    assert!(network.contains("self.enable_dns_support && self.enable_dns_hostnames"));
    // The mocked provider of the generated test answers false for bools: the test sets them.
    assert!(tf["tests/security.tftest.hcl"].contains("target = data.aws_vpc.existing"));
    // A created VPC has its DNS attributes set by smgen, and no such lookup.
    let spec = spec::load(&SpecSource::Preset("vpc-only-isolated".into()), &[]).unwrap();
    let created = render::render(&model::resolve(&spec), &spec, Format::Terraform)
        .unwrap()
        .files;
    assert!(!created["network.tf"].contains("data \"aws_vpc\""));
}

#[test]
fn every_readme_lists_the_checks_with_their_commands() {
    for format in [Format::Terraform, Format::CloudFormation, Format::Cdk] {
        let (m, f) = files(&[], format);
        let readme = &f["README.md"];
        let vpc = &m.network.existing.as_ref().unwrap().vpc_id;
        assert!(readme.contains("### The existing VPC"), "{format:?}");
        for needle in [
            format!("--vpc-id {vpc} --attribute enableDnsHostnames"),
            "Name=vpc-endpoint-type,Values=Interface".to_string(),
            "set `network.vpc.s3_gateway_endpoint_id`".to_string(),
            "describe-route-tables".to_string(),
        ] {
            assert!(readme.contains(&needle), "{format:?}: {needle}");
        }
        let r = reused();
        let (_, f) = files(&[&r], format);
        assert!(
            f["README.md"].contains(&format!("--vpc-endpoint-ids {REUSED}")),
            "{format:?}"
        );
    }
}
