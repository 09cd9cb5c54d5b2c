//! Findings across environments (`[environments.NAME]`): what no single environment's model
//! can see. Errors across environments (the same resources twice, overlapping blocks of
//! connected VPCs) are validation errors (`spec::environments`); these are warnings.

use super::{Finding, Severity};
use crate::model::Model;
use crate::spec::{CloudTrail, Environment, KmsMode, Nat, NetworkMode, Spec, Stage};

/// VPC peering and transit gateway attachments route only between VPCs whose blocks do not
/// overlap: "You cannot create a VPC peering connection between VPCs that have matching or
/// overlapping IPv4 or IPv6 CIDR blocks"
/// (https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html#vpc-peering-limitations).
const OVERLAP_SOURCE: &str = "vpc peering vpc-peering-basics (overlapping CIDR blocks)";

/// Separate environments, production held to at least development's controls: AWS
/// Prescriptive Guidance, "Organizing your AWS environment using multiple accounts"
/// (https://docs.aws.amazon.com/whitepapers/latest/organizing-your-aws-environment/organizing-workload-oriented-ous.html),
/// and the SageMaker security best practices of the facts file (§ multi-account).
const WEAKER_SOURCE: &str = "whitepaper organizing-your-aws-environment (workload OUs)";

/// The findings across `envs`: overlapping VPC blocks of unconnected VPCs, and every control a
/// production environment has weaker than a development environment.
pub fn across(envs: &[(Environment, Model)]) -> Vec<Finding> {
    let mut out = vec![];
    for (i, (a, _)) in envs.iter().enumerate() {
        for (b, _) in &envs[i + 1..] {
            if let (Some(ca), Some(cb)) = (a.spec.cidr(), b.spec.cidr())
                && (ca.contains(&cb.network()) || cb.contains(&ca.network()))
            {
                out.push(Finding::new(
                    Severity::Warning,
                    &format!("environments.{}: network.vpc.cidr", b.name),
                    format!(
                        "{} overlaps environment '{}' ({}): the two VPCs can never be peered or routed through a transit gateway without renumbering one; give each environment its own block",
                        cb, a.name, ca
                    ),
                    OVERLAP_SOURCE,
                ));
            }
        }
    }
    let of = |stage: Stage| envs.iter().filter(move |(e, _)| e.stage() == Some(stage));
    for (prod, _) in of(Stage::Production) {
        for (dev, _) in of(Stage::Development) {
            for (choice, what) in weaker(&prod.spec, &dev.spec) {
                out.push(Finding::new(
                    Severity::Warning,
                    &format!("environments.{}: {choice}", prod.name),
                    format!(
                        "production is weaker than development ('{}'): {what}",
                        dev.name
                    ),
                    WEAKER_SOURCE,
                ));
            }
        }
    }
    out
}

/// The controls `prod` has weaker than `dev`: (answer, what is weaker).
fn weaker(prod: &Spec, dev: &Spec) -> Vec<(&'static str, String)> {
    let mut out = vec![];
    let mut check = |weaker: bool, choice: &'static str, what: &str| {
        if weaker {
            out.push((choice, what.to_string()));
        }
    };
    check(
        prod.network.mode == NetworkMode::PublicOnly && dev.network.mode == NetworkMode::VpcOnly,
        "network.mode",
        "Studio reaches the internet directly (public-only) in production only",
    );
    check(
        prod.network.nat != Nat::None && dev.network.nat == Nat::None,
        "network.nat",
        "a NAT gateway gives production an internet path development does not have",
    );
    check(
        prod.audit.cloudtrail == CloudTrail::None && dev.audit.cloudtrail != CloudTrail::None,
        "audit.cloudtrail",
        "no trail records production's API calls",
    );
    check(
        prod.audit.log_retention_days < dev.audit.log_retention_days,
        "audit.log_retention_days",
        "production keeps its logs for a shorter time",
    );
    check(
        !prod.jobs.network_isolation && dev.jobs.network_isolation,
        "jobs.network_isolation",
        "production jobs run without network isolation",
    );
    check(
        !prod.jobs.require_vpc && dev.jobs.require_vpc,
        "jobs.require_vpc",
        "production jobs may run outside the VPC",
    );
    check(
        prod.encryption.kms == KmsMode::AwsManaged && dev.encryption.kms != KmsMode::AwsManaged,
        "encryption.kms",
        "production data is encrypted with AWS managed keys, whose policy you cannot restrict",
    );
    check(
        !prod.data.deny_outside_vpc_endpoint && dev.data.deny_outside_vpc_endpoint,
        "data.deny_outside_vpc_endpoint",
        "production buckets accept requests from outside the VPC",
    );
    check(
        !prod.studio.deny_remote_access && dev.studio.deny_remote_access,
        "studio.deny_remote_access",
        "remote IDE connections to production spaces are allowed",
    );
    check(
        !prod.lifecycle.deny_other && dev.lifecycle.deny_other,
        "lifecycle.deny_other",
        "production apps may start with lifecycle configurations nobody approved",
    );
    check(
        !prod.network.flow_logs && dev.network.flow_logs,
        "network.flow_logs",
        "production records no VPC flow logs",
    );
    out
}

/// The environments of an answers text, each with its model (for unit tests here and in the
/// view).
#[cfg(test)]
pub(crate) fn pairs(text: &str) -> Vec<(Environment, Model)> {
    let v = crate::spec::load(
        &crate::spec::SpecSource::Config {
            origin: "smgen.toml".into(),
            text: text.into(),
        },
        &[],
    )
    .unwrap();
    v.environments()
        .iter()
        .map(|e| (e.clone(), crate::model::resolve(&e.spec)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn across_of(text: &str) -> Vec<Finding> {
        across(&pairs(text))
    }

    const TWO: &str = "[project]\nname = \"fraud\"\nregion = \"eu-west-1\"\n\
        [environments.dev.project]\naccount_id = \"111111111111\"\n\
        [environments.prod.project]\naccount_id = \"222222222222\"\n";

    #[test]
    fn overlapping_blocks_warn() {
        let f = across_of(TWO);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].choice, "environments.prod: network.vpc.cidr");
        assert_eq!(f[0].severity, Severity::Warning);
        let apart = across_of(&format!(
            "{TWO}[environments.prod.network.vpc]\ncidr = \"10.30.0.0/16\"\n"
        ));
        assert!(apart.is_empty(), "{apart:?}");
    }

    #[test]
    fn production_weaker_than_development_is_named() {
        let f = across_of(&format!(
            "{TWO}[environments.prod.network]\nnat = \"single\"\n[environments.prod.network.vpc]\ncidr = \"10.30.0.0/16\"\n[environments.prod.audit]\ncloudtrail = \"none\"\n"
        ));
        let choices: Vec<&str> = f.iter().map(|f| f.choice.as_str()).collect();
        assert_eq!(
            choices,
            [
                "environments.prod: network.nat",
                "environments.prod: audit.cloudtrail"
            ]
        );
        // The other way round (development weaker) is not a finding.
        let f = across_of(&format!(
            "{TWO}[environments.dev.network]\nnat = \"single\"\n[environments.prod.network.vpc]\ncidr = \"10.30.0.0/16\"\n"
        ));
        assert!(f.is_empty(), "{f:?}");
        // A stage named in the answers counts like a name.
        let f = across_of(concat!(
            "[project]\nname = \"fraud\"\nregion = \"eu-west-1\"\n[environments.blue.project]\naccount_id = \"111111111111\"\nstage = \"development\"\n",
            "[environments.green.project]\naccount_id = \"222222222222\"\nstage = \"production\"\n[environments.green.network]\nnat = \"single\"\n[environments.green.network.vpc]\ncidr = \"10.30.0.0/16\"\n"
        ));
        assert_eq!(f.len(), 1, "{f:?}");
    }
}
