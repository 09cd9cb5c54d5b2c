//! checkov suppressions of the CloudFormation output, each with its reason, written as
//! `Metadata: checkov: skip: [{id, comment}]` on the resource. The reasons are the ones the
//! Terraform output gives for the same resources; only checks that fire on the CloudFormation
//! form are listed (checkov's CloudFormation and Terraform check sets differ: its
//! CloudFormation security-group checks read `CidrIp` and so pass the group-to-group rules that
//! need CKV_AWS_24/25/260 skips in Terraform, and it has no CKV_AWS_144/145 or CKV2_AWS_62 for
//! `AWS::S3::Bucket`).

use crate::render::yaml::{self, Node};

pub type Skip = (&'static str, String);

/// The `skip:` list, or `None` when there is nothing to suppress.
pub fn node(skips: &[Skip]) -> Option<String> {
    if skips.is_empty() {
        return None;
    }
    let items = skips
        .iter()
        .map(|(id, why)| {
            Node::Map(vec![
                ("id".into(), Node::Scalar(yaml::scalar(id))),
                ("comment".into(), Node::Scalar(yaml::scalar(why))),
            ])
        })
        .collect();
    Some(Node::Seq(items).block())
}

const AWS_MANAGED: &str = "encryption.kms = \"aws-managed\" was chosen";

/// `logged`: the bucket sends server access logs to the log bucket.
pub fn bucket(log_target: bool, logged: bool) -> Vec<Skip> {
    if log_target {
        return vec![(
            "CKV_AWS_18",
            "this bucket is the server access log target; logging it to itself would loop".into(),
        )];
    }
    if !logged {
        return vec![(
            "CKV_AWS_18",
            "data.access_logging = false was chosen in smgen.toml".into(),
        )];
    }
    vec![]
}

pub fn log_group(encrypted: bool) -> Vec<Skip> {
    if encrypted {
        return vec![];
    }
    vec![(
        "CKV_AWS_158",
        format!("{AWS_MANAGED}; CloudWatch Logs encrypts with its service-owned key"),
    )]
}

pub fn domain(encrypted: bool) -> Vec<Skip> {
    if encrypted {
        return vec![];
    }
    vec![(
        "CKV_AWS_187",
        format!("{AWS_MANAGED}; the domain EFS and EBS use AWS managed keys"),
    )]
}

pub fn notebook(encrypted: bool) -> Vec<Skip> {
    if encrypted {
        return vec![];
    }
    let why = format!("{AWS_MANAGED}; the ML volume uses the AWS managed key");
    vec![("CKV_AWS_22", why.clone()), ("CKV_AWS_187", why)]
}
