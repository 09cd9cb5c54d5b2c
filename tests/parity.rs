//! Parity of the Terraform and CloudFormation outputs: each preset is rendered in both formats,
//! both outputs are parsed (HCL and YAML) and reduced to the same inventory, and the inventories
//! must agree: resource kinds and counts through the mapping table below, endpoint service
//! names (region written out), security-group rules, and every IAM policy document with its
//! references normalised to the resources they point at.
//!
//! Every deliberate difference between the formats is a row of the table with its reason; a
//! resource type that appears in either output without a row fails the test.

#[path = "parity/cloudformation.rs"]
mod cloudformation;
#[path = "parity/normal.rs"]
mod normal;
#[path = "parity/terraform.rs"]
mod terraform;

use smgen::model;
use smgen::render::{self, Format};
use smgen::spec::{self, SpecSource};
use std::collections::BTreeMap;

/// What a Terraform resource type is in CloudFormation.
enum Cfn {
    /// One CloudFormation resource of this type per Terraform resource.
    Same(&'static str),
    /// A property of a CloudFormation resource: as many resources of the type set it as there
    /// are Terraform resources (the reason is why it is not a resource of its own).
    Property(&'static str, &'static str, &'static str),
    /// A security-group rule: compared rule by rule, not by count (see `RULES`).
    Rule,
    /// No CloudFormation counterpart, for the reason given.
    Absent(&'static str),
}

const MAPPING: &[(&str, Cfn)] = &[
    ("aws_vpc", Cfn::Same("AWS::EC2::VPC")),
    (
        "aws_default_security_group",
        Cfn::Absent(
            "CloudFormation has no resource type for a VPC's default security group; the \
             template outputs its id (DefaultSecurityGroupId) and the README gives the commands \
             that empty it",
        ),
    ),
    ("aws_subnet", Cfn::Same("AWS::EC2::Subnet")),
    ("aws_route_table", Cfn::Same("AWS::EC2::RouteTable")),
    (
        "aws_route_table_association",
        Cfn::Same("AWS::EC2::SubnetRouteTableAssociation"),
    ),
    ("aws_route", Cfn::Same("AWS::EC2::Route")),
    (
        "aws_internet_gateway",
        Cfn::Same("AWS::EC2::InternetGateway"),
    ),
    ("aws_eip", Cfn::Same("AWS::EC2::EIP")),
    ("aws_nat_gateway", Cfn::Same("AWS::EC2::NatGateway")),
    ("aws_flow_log", Cfn::Same("AWS::EC2::FlowLog")),
    ("aws_vpc_endpoint", Cfn::Same("AWS::EC2::VPCEndpoint")),
    ("aws_security_group", Cfn::Same("AWS::EC2::SecurityGroup")),
    ("aws_vpc_security_group_ingress_rule", Cfn::Rule),
    ("aws_vpc_security_group_egress_rule", Cfn::Rule),
    ("aws_kms_key", Cfn::Same("AWS::KMS::Key")),
    ("aws_kms_alias", Cfn::Same("AWS::KMS::Alias")),
    ("aws_s3_bucket", Cfn::Same("AWS::S3::Bucket")),
    (
        "aws_s3_bucket_public_access_block",
        Cfn::Property("AWS::S3::Bucket", "PublicAccessBlockConfiguration", BUCKET),
    ),
    (
        "aws_s3_bucket_ownership_controls",
        Cfn::Property("AWS::S3::Bucket", "OwnershipControls", BUCKET),
    ),
    (
        "aws_s3_bucket_versioning",
        Cfn::Property("AWS::S3::Bucket", "VersioningConfiguration", BUCKET),
    ),
    (
        "aws_s3_bucket_server_side_encryption_configuration",
        Cfn::Property("AWS::S3::Bucket", "BucketEncryption", BUCKET),
    ),
    (
        "aws_s3_bucket_lifecycle_configuration",
        Cfn::Property("AWS::S3::Bucket", "LifecycleConfiguration", BUCKET),
    ),
    (
        "aws_s3_bucket_logging",
        Cfn::Property("AWS::S3::Bucket", "LoggingConfiguration", BUCKET),
    ),
    ("aws_s3_bucket_policy", Cfn::Same("AWS::S3::BucketPolicy")),
    ("aws_cloudwatch_log_group", Cfn::Same("AWS::Logs::LogGroup")),
    ("aws_cloudtrail", Cfn::Same("AWS::CloudTrail::Trail")),
    ("aws_iam_role", Cfn::Same("AWS::IAM::Role")),
    ("aws_iam_policy", Cfn::Same("AWS::IAM::ManagedPolicy")),
    (
        "aws_iam_role_policy_attachment",
        Cfn::Property(
            "AWS::IAM::ManagedPolicy",
            "Roles[]",
            "AWS::IAM::ManagedPolicy attaches itself through its Roles list (one entry per attachment)",
        ),
    ),
    ("aws_sagemaker_domain", Cfn::Same("AWS::SageMaker::Domain")),
    (
        "aws_sagemaker_user_profile",
        Cfn::Same("AWS::SageMaker::UserProfile"),
    ),
    (
        "aws_sagemaker_notebook_instance",
        Cfn::Same("AWS::SageMaker::NotebookInstance"),
    ),
    (
        "aws_sagemaker_studio_lifecycle_config",
        Cfn::Same("AWS::SageMaker::StudioLifecycleConfig"),
    ),
    (
        "aws_sagemaker_notebook_instance_lifecycle_configuration",
        Cfn::Same("AWS::SageMaker::NotebookInstanceLifecycleConfig"),
    ),
];

const BUCKET: &str = "the AWS provider splits bucket settings into resources of their own; \
                      AWS::S3::Bucket holds them as properties";

/// CloudFormation types with no Terraform resource of their own: (type, the Terraform type
/// whose count they follow, or "" for rules, and why).
const CFN_ONLY: &[(&str, &str, &str)] = &[
    (
        "AWS::EC2::VPCGatewayAttachment",
        "aws_internet_gateway",
        "aws_internet_gateway attaches itself through vpc_id; CloudFormation needs an attachment resource",
    ),
    ("AWS::EC2::SecurityGroupIngress", "", RULES),
    ("AWS::EC2::SecurityGroupEgress", "", RULES),
];

/// Rules are compared one by one. CloudFormation writes the rules that name a group as
/// separate resources (inline they would make groups depend on each other) and the others
/// inline; a group without egress rules gets one rule that matches no traffic, which removes
/// EC2's default allow-all egress (Terraform's aws_security_group removes it by itself). That
/// rule is the only one not compared.
const RULES: &str = "rules are compared rule by rule";

struct Outputs {
    tf: terraform::Tf,
    cfn: cloudformation::Cfn,
}

fn render(preset: &str) -> Outputs {
    let spec = spec::load(&SpecSource::Preset(preset.into()), &[]).expect("preset loads");
    render_spec(&spec)
}

fn render_spec(spec: &spec::Valid) -> Outputs {
    let m = model::resolve(spec);
    let tf = render::render(&m, spec, Format::Terraform).expect("terraform renders");
    let cfn = render::render(&m, spec, Format::CloudFormation).expect("cloudformation renders");
    let partition = m.partition.arn();
    Outputs {
        tf: terraform::Tf::parse(&tf.files, partition, &m.region),
        cfn: cloudformation::Cfn::parse(&cfn.files["template.yaml"], partition, &m.region),
    }
}

fn compare_types(preset: &str, tf: &normal::Inventory, cfn: &normal::Inventory) {
    let mut expected: BTreeMap<&str, usize> = BTreeMap::new();
    for (ty, n) in &tf.types {
        let (_, map) = MAPPING
            .iter()
            .find(|(t, _)| t == ty)
            .unwrap_or_else(|| panic!("{preset}: Terraform type {ty} has no row in MAPPING"));
        match map {
            Cfn::Same(c) => *expected.entry(c).or_default() += n,
            Cfn::Property(c, prop, why) => {
                let set = cfn.properties.get(&(c.to_string(), prop.to_string()));
                assert_eq!(set, Some(n), "{preset}: {n} {ty} vs {c}.{prop} ({why})");
            }
            Cfn::Rule | Cfn::Absent(_) => {}
        }
    }
    for (ty, n) in &cfn.types {
        if let Some((_, follows, _)) = CFN_ONLY.iter().find(|(t, _, _)| t == ty) {
            if !follows.is_empty() {
                assert_eq!(
                    tf.types.get(*follows),
                    Some(n),
                    "{preset}: {ty} vs {follows}"
                );
            }
            continue;
        }
        let want = expected.remove(ty.as_str());
        assert_eq!(
            want,
            Some(*n),
            "{preset}: {n} {ty} in CloudFormation; MAPPING expects {want:?}"
        );
    }
    assert!(
        expected.is_empty(),
        "{preset}: missing in CloudFormation: {expected:?}"
    );
}

fn check(preset: &str) {
    compare(preset, render(preset));
}

fn compare(preset: &str, o: Outputs) {
    let tf = o.tf.inventory();
    let cfn = o.cfn.inventory();
    compare_types(preset, &tf, &cfn);
    assert_eq!(
        tf.service_names, cfn.service_names,
        "{preset}: service names"
    );
    assert!(!tf.service_names.is_empty(), "{preset}: no endpoints");
    assert_eq!(tf.rules, cfn.rules, "{preset}: security-group rules");
    assert_eq!(
        tf.policies.keys().collect::<Vec<_>>(),
        cfn.policies.keys().collect::<Vec<_>>(),
        "{preset}: policy documents"
    );
    for (k, doc) in &tf.policies {
        assert_eq!(
            doc,
            &cfn.policies[k],
            "{preset}: {k}\nterraform:\n{}\ncloudformation:\n{}",
            serde_json::to_string_pretty(doc).unwrap(),
            serde_json::to_string_pretty(&cfn.policies[k]).unwrap()
        );
    }
}

macro_rules! parity {
    ($($test:ident => $preset:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                check($preset);
            }
        )*

        #[test]
        fn every_preset_is_compared() {
            let tested: Vec<&str> = vec![$($preset),*];
            let all: Vec<&str> = smgen::presets::all().iter().map(|p| p.name).collect();
            assert_eq!(tested, all);
        }
    };
}

parity! {
    existing_vpc => "existing-vpc",
    notebook_private => "notebook-private",
    public_only => "public-only",
    regulated => "regulated",
    vpc_only_isolated => "vpc-only-isolated",
    vpc_only_nat => "vpc-only-nat",
}

/// The normal form itself: references to different resources stay different, so a renderer
/// that pointed at the wrong bucket would fail the comparison above.
#[test]
fn references_keep_their_target() {
    let o = render("regulated");
    let cfn = o.cfn.inventory();
    let text = serde_json::to_string(&cfn.policies).unwrap();
    assert!(
        text.contains("<bucket:sm-regulated-data-<account>-eu-central-1:arn>"),
        "{text}"
    );
    assert!(text.contains("<bucket:sm-regulated-s3logs-<account>-eu-central-1:arn>"));
    assert!(!text.contains("${"), "unresolved !Sub variable: {text}");
}

/// Literal `${…}` and `{{…}}` in user text (here S3 key prefixes, which end up in IAM resource
/// ARNs) mean the same in both formats: escaped as `$${` in HCL and `${!` in `!Sub`.
#[test]
fn hostile_prefixes_keep_parity() {
    let text = "[project]\nname = \"hostile\"\nregion = \"eu-west-1\"\n\
                [[data.buckets]]\nname = \"data\"\n\
                prefixes = [\"in${AWS::Region}/\", \"{{resolve:ssm:x}}/\", \"a\\\"b/\"]\n";
    // Validation now refuses `$`, `{` and `"` in prefixes (IAM policy variables, S3's characters
    // to avoid); the renderers must still agree on them, so the spec is read without it.
    let spec: spec::Spec = toml::from_str(text).expect("hostile spec parses");
    let spec = spec::Valid::unchecked(spec).expect("a known Region");
    compare("hostile", render_spec(&spec));
}

/// Every deliberate difference says why.
#[test]
fn every_difference_has_a_reason() {
    for (ty, map) in MAPPING {
        let why = match map {
            Cfn::Property(_, _, why) | Cfn::Absent(why) => why,
            Cfn::Same(_) | Cfn::Rule => continue,
        };
        assert!(why.len() > 20, "{ty}: no reason");
    }
    for (ty, _, why) in CFN_ONLY {
        assert!(why.len() > 20, "{ty}: no reason");
    }
}

/// Several environments: each environment's answers (the shared answers with its overrides)
/// keep Terraform/CloudFormation parity. With `tests/environments_terraform.rs` (each module
/// holds exactly the resources of its environments' one-environment render) and
/// `tests/cloudformation_environments.rs` (each template with an environment's parameters is its
/// one-environment template), this is parity per environment of the multi-environment output.
#[test]
fn every_environment_of_the_fixture_keeps_parity() {
    let text = include_str!("fixtures/environments/smgen.toml");
    let valid = spec::load(
        &SpecSource::Config {
            origin: "smgen.toml".into(),
            text: text.into(),
        },
        &[],
    )
    .expect("the fixture loads");
    assert_eq!(valid.environments().len(), 3);
    for env in valid.environments() {
        compare(
            &format!("environments.{}", env.name),
            render_spec(&env.spec),
        );
    }
}
