//! AWS quotas the model can count, checked against what it will create.
//!
//! Every quota here is a row of [`QUOTAS`] with its default, whether it can be raised and the
//! page that states it (read 2026-11-30 through the documentation search; where the current
//! page and an older copy differ, the current page wins). [`check`] counts the model's rules,
//! groups, endpoints, policies and tags and returns one finding per quota a design exceeds:
//!
//! - an **error** when the quota cannot be raised (the apply fails whatever the account), or
//!   when the count is beyond even the highest value AWS grants;
//! - a **warning** when the count exceeds an adjustable default: the apply fails until the
//!   quota is raised through Service Quotas, which the finding says.
//!
//! The design keeps every count flat as users grow (see `security.rs`: the interface endpoints
//! admit the groups every app carries, not one group per user), so the checks fire only on
//! what the model cannot keep flat: one security group per user profile (2,500 per Region),
//! and IAM documents that list every user's resources (counted here, built in `policies.rs`).
//!
//! Not checked, because no quota is documented in the pages read: user profiles and spaces per
//! Studio domain (the SageMaker quotas pages list none; `CreateUserProfile` only documents a
//! `ResourceLimitExceeded` error). Subnet addresses per user are a validation rule
//! (`spec/validate/network.rs`) and a capacity finding (`findings/`).

use super::ManagedPolicy;
use super::Model;
use super::findings::{Finding, Severity};
use super::security::{Direction, Peer, SecurityGroup};
use crate::aws::endpoints::EndpointKind;

/// Whether and how far AWS raises a quota on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adjustable {
    No,
    /// Raisable through Service Quotas, up to `max` where AWS states one.
    Yes {
        max: Option<usize>,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct Quota {
    pub key: &'static str,
    pub name: &'static str,
    pub default: usize,
    pub adjustable: Adjustable,
    /// Where the figure is stated.
    pub source: &'static str,
}

const VPC_QUOTAS: &str = "Amazon VPC User Guide, Amazon VPC quotas (docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html), read 2026-11-30";
const PRIVATELINK_QUOTAS: &str = "AWS PrivateLink Guide, AWS PrivateLink quotas (docs.aws.amazon.com/vpc/latest/privatelink/vpc-limits-endpoints.html), read 2026-11-30";
const IAM_QUOTAS: &str = "IAM User Guide, IAM and AWS STS quotas (docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), read 2026-11-30";

/// The quotas [`check`] counts.
pub static QUOTAS: &[Quota] = &[
    Quota {
        key: "sg-inbound-rules",
        name: "inbound rules per security group",
        default: 60,
        // Rules per group × groups per interface may not exceed 1,000 (same page).
        adjustable: Adjustable::Yes { max: Some(1000) },
        source: VPC_QUOTAS,
    },
    Quota {
        key: "sg-outbound-rules",
        name: "outbound rules per security group",
        default: 60,
        adjustable: Adjustable::Yes { max: Some(1000) },
        source: VPC_QUOTAS,
    },
    Quota {
        key: "sgs-per-interface",
        name: "security groups per network interface",
        default: 5,
        adjustable: Adjustable::Yes { max: Some(16) },
        source: VPC_QUOTAS,
    },
    Quota {
        key: "sgs-per-region",
        name: "VPC security groups per Region",
        default: 2500,
        adjustable: Adjustable::Yes { max: None },
        source: VPC_QUOTAS,
    },
    Quota {
        key: "interface-endpoints-per-vpc",
        name: "interface and Gateway Load Balancer endpoints per VPC",
        default: 50,
        adjustable: Adjustable::Yes { max: None },
        source: PRIVATELINK_QUOTAS,
    },
    Quota {
        key: "gateway-endpoints-per-region",
        name: "gateway VPC endpoints per Region",
        default: 20,
        adjustable: Adjustable::Yes { max: None },
        source: PRIVATELINK_QUOTAS,
    },
    Quota {
        key: "endpoint-policy-chars",
        name: "characters per VPC endpoint policy (white space included)",
        default: 20_480,
        adjustable: Adjustable::No,
        source: PRIVATELINK_QUOTAS,
    },
    Quota {
        key: "managed-policies-per-role",
        name: "managed policies attached to an IAM role",
        default: 10,
        // The knowledge-center article "iam-increase-policy-size" gives 20 as the maximum;
        // secondary pages quoting the current quotas page give 25. The lower figure is used.
        adjustable: Adjustable::Yes { max: Some(20) },
        source: IAM_QUOTAS,
    },
    Quota {
        key: "managed-policy-chars",
        name: "characters per managed policy (white space not counted)",
        default: super::iam::MANAGED_POLICY_MAX,
        adjustable: Adjustable::No,
        source: IAM_QUOTAS,
    },
    Quota {
        key: "trust-policy-chars",
        name: "characters per role trust policy (white space not counted)",
        default: 2048,
        adjustable: Adjustable::Yes { max: None },
        source: IAM_QUOTAS,
    },
    Quota {
        key: "bucket-policy-bytes",
        name: "bytes per S3 bucket policy",
        default: 20 * 1024,
        adjustable: Adjustable::No,
        source: "Amazon S3 User Guide, Bucket policies and user policies (\"Bucket policies are limited to 20 KB in size\"), read 2026-11-30",
    },
    Quota {
        key: "key-policy-bytes",
        name: "bytes per KMS key policy",
        default: 32 * 1024,
        adjustable: Adjustable::No,
        source: "AWS KMS API Reference, PutKeyPolicy (\"The policy size limit is 32 KiB (32768 bytes)\"), read 2026-11-30",
    },
    Quota {
        key: "tags-per-resource",
        name: "tags per resource",
        default: 50,
        adjustable: Adjustable::No,
        source: "Tagging AWS Resources and Tag Editor, tag naming limits and requirements (50 user tags per resource), read 2026-11-30",
    },
];

pub fn quota(key: &str) -> &'static Quota {
    QUOTAS
        .iter()
        .find(|q| q.key == key)
        .unwrap_or_else(|| panic!("no quota {key}"))
}

/// The weight a security-group rule counts with: 1, or for an AWS-managed prefix list the
/// weight AWS assigns it (`com.amazonaws.REGION.s3`: 1, VPC User Guide, AWS-managed prefix
/// lists, read 2026-11-30).
fn weight(peer: &Peer) -> usize {
    // The only prefix list the model references is S3's, so every rule weighs 1 today; a new
    // prefix list (S3 Express One Zone weighs 6) gets its weight here.
    let _ = matches!(peer, Peer::PrefixList(_));
    1
}

/// The rule count of one group in one direction.
pub fn rules(sg: &SecurityGroup, direction: Direction) -> usize {
    sg.rules
        .iter()
        .filter(|r| r.direction == direction)
        .map(|r| weight(&r.peer))
        .sum()
}

/// The security groups on each kind of network interface the environment creates, as
/// (what, how many). Studio adds a group of its own for NFS to every app's interface ("the
/// number of security groups that you can specify is one less than the maximum", UserSettings
/// in the SageMaker API Reference), and a user's groups are aggregated with the domain's.
pub fn groups_per_interface(model: &Model) -> Vec<(String, usize)> {
    let mut out = vec![];
    if let Some(d) = &model.domain {
        let default = d.default_security_groups.len();
        match d.profiles.first() {
            Some(_) => out.push((
                "a Studio app of a user profile".to_string(),
                default + 1 + 1,
            )),
            None => out.push(("a Studio app".to_string(), default + 1)),
        }
        out.push((
            "a Studio shared-space app".to_string(),
            d.space_security_groups.len() + 1,
        ));
    }
    if let Some(n) = model.notebooks.first() {
        out.push(("a notebook instance".to_string(), n.security_groups.len()));
    }
    out.push(("a training, processing or hosting container".to_string(), 1));
    out
}

/// Counts every quota in [`QUOTAS`] and reports the ones the design exceeds.
pub fn check(model: &Model) -> Vec<Finding> {
    let mut out = vec![];
    let mut over = |key: &str, choice: &str, count: usize, what: String| {
        let q = quota(key);
        if count <= q.default {
            return;
        }
        let (severity, raise) = match q.adjustable {
            Adjustable::No => (Severity::Error, "it cannot be raised".to_string()),
            Adjustable::Yes { max: Some(m) } if count > m => {
                (Severity::Error, format!("it can be raised only to {m}"))
            }
            Adjustable::Yes { max: Some(m) } => (
                Severity::Warning,
                format!(
                    "it can be raised (up to {m}) through Service Quotas; raise it before the apply"
                ),
            ),
            Adjustable::Yes { max: None } => (
                Severity::Warning,
                "it can be raised through Service Quotas; raise it before the apply".to_string(),
            ),
        };
        out.push(Finding {
            severity,
            choice: choice.into(),
            message: format!(
                "quota '{}' (AWS default {}): {what} has {count}; {raise}",
                q.name, q.default
            ),
            source: q.source,
        });
    };

    for sg in &model.security_groups {
        let choice = if super::security::is_per_user(&sg.name) || sg.name == "endpoints" {
            "studio.user_profiles"
        } else {
            "network"
        };
        over(
            "sg-inbound-rules",
            choice,
            rules(sg, Direction::Ingress),
            format!("security group '{}'", sg.name),
        );
        over(
            "sg-outbound-rules",
            choice,
            rules(sg, Direction::Egress),
            format!("security group '{}'", sg.name),
        );
    }
    for (what, n) in groups_per_interface(model) {
        over("sgs-per-interface", "network", n, what);
    }
    over(
        "sgs-per-region",
        "studio.user_profiles",
        model.security_groups.len(),
        "this environment alone (one group per user profile)".into(),
    );
    let interface = model
        .endpoints
        .iter()
        .filter(|e| e.kind == EndpointKind::Interface)
        .count();
    over(
        "interface-endpoints-per-vpc",
        "network.endpoints",
        interface,
        "the VPC".into(),
    );
    let gateway = model.endpoints.len() - interface;
    over(
        "gateway-endpoints-per-region",
        "network.endpoints",
        gateway,
        "this environment".into(),
    );
    for e in &model.endpoints {
        over(
            "endpoint-policy-chars",
            "network.endpoints",
            e.policy.max_len(),
            format!(
                "the '{}' endpoint policy (references at their longest)",
                e.key
            ),
        );
    }
    let policies = |p: &ManagedPolicy| (p.policy_name.clone(), p.document.max_len());
    for r in &model.roles {
        over(
            "managed-policies-per-role",
            "studio.user_profiles",
            r.policies.len(),
            format!("role '{}'", r.role_name),
        );
        over(
            "trust-policy-chars",
            "project",
            r.trust.max_len(),
            format!("the trust policy of role '{}'", r.role_name),
        );
        for (name, len) in r.policies.iter().chain(r.boundary.as_ref()).map(policies) {
            over(
                "managed-policy-chars",
                "studio.user_profiles",
                len,
                format!("managed policy '{name}' (references at their longest)"),
            );
        }
    }
    for (name, len) in model.access_policies.iter().map(policies) {
        over(
            "managed-policy-chars",
            "studio.user_profiles",
            len,
            format!("managed policy '{name}' (references at their longest)"),
        );
    }
    for b in &model.buckets {
        over(
            "bucket-policy-bytes",
            "data.buckets",
            b.policy.max_len(),
            format!("the policy of bucket '{}'", b.name),
        );
    }
    if let Some(p) = &model.kms.policy {
        over(
            "key-policy-bytes",
            "encryption.kms",
            p.max_len(),
            "the key policy".into(),
        );
    }
    // Every resource carries the environment's tags; CloudFormation and the templates add Name.
    let tags = model.tags.len() + usize::from(!model.tags.contains_key("Name"));
    over(
        "tags-per-resource",
        "project.tags",
        tags,
        "every resource".into(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_quota_names_its_source_and_date() {
        for q in QUOTAS {
            assert!(q.source.contains("read 20"), "{}: {}", q.key, q.source);
            assert!(q.default > 0, "{}", q.key);
            if let Adjustable::Yes { max: Some(m) } = q.adjustable {
                assert!(m > q.default, "{}", q.key);
            }
        }
    }
}
