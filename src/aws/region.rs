//! Static AWS Region facts, so that smgen can render infrastructure code without
//! calling AWS (no `aws_availability_zones` data source, no credentials needed at
//! generation time).
//!
//! What is here:
//! - [`Partition`]: ARN partition and DNS suffix (the PrivateLink service-name prefixes
//!   are in the endpoint catalog, per service).
//! - [`RegionInfo`] / [`all`] / [`lookup`]: every Region smgen knows, with the
//!   Availability Zone **IDs** (not names) that a new account can use, read from the
//!   table in `data/regions.toml` (beside the price table in `data/prices/`).
//! - [`suggest`] / [`is_well_formed`]: helpers for friendly validation errors.
//!
//! Sources (checked while writing this table; re-check when AWS adds Regions):
//! - "AWS Availability Zones", AWS Regions and Availability Zones guide:
//!   <https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html>
//!   (the AZ ID list for every commercial Region, and the "Constrained
//!   Availability Zones" section).
//! - "AZ IDs", same guide:
//!   <https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html>
//!   (why AZ names differ per account while AZ IDs do not).
//! - "General Information About Amazon Web Services China":
//!   <https://docs.amazonaws.cn/en_us/aws/latest/userguide/general-info.html>
//!   (China Regions).
//! - "Cross-region enabled Amazon Web Services services" (PrivateLink, China):
//!   <https://docs.amazonaws.cn/en_us/vpc/latest/privatelink/aws-services-cross-region-privatelink-support.html>.

use std::fmt;

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// An AWS partition: a group of Regions with its own IAM, ARNs and endpoints.
/// Credentials and most cross-Region features never cross a partition.
///
/// Serialises as the ARN partition string (`"aws"`, `"aws-cn"`, `"aws-us-gov"`)
/// so templates can use it directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Partition {
    /// Commercial AWS Regions.
    Aws,
    /// China Regions (Beijing, Ningxia), operated by local partners.
    AwsCn,
    /// AWS GovCloud (US) Regions.
    AwsUsGov,
}

impl Partition {
    /// The partition as it appears in ARNs: `arn:<partition>:...`.
    pub fn arn(&self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
        }
    }

    /// DNS suffix of service endpoints (`<service>.<region>.<suffix>`).
    /// GovCloud shares the commercial suffix; only China differs.
    pub fn dns_suffix(&self) -> &'static str {
        match self {
            Partition::Aws | Partition::AwsUsGov => "amazonaws.com",
            Partition::AwsCn => "amazonaws.com.cn",
        }
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.arn())
    }
}

/// Static facts about one AWS Region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionInfo {
    /// Region code, e.g. "eu-west-1".
    pub name: String,
    pub partition: Partition,
    /// Prefix shared by every AZ ID of the Region, e.g. "euw1" for eu-west-1 or
    /// "usgw1" for us-gov-west-1. Kept explicit because AWS documents it only as
    /// "a Region-specific prefix"; it lets callers validate user-supplied AZ IDs.
    pub az_id_prefix: String,
    /// Availability Zone IDs (not names: names are shuffled per account, IDs are stable), e.g. ["euw1-az1","euw1-az2","euw1-az3"],
    /// only zones that are generally available to every account (leave out limited/legacy zones such as apne1-az3, usw1-az2 if they are not open to new accounts).
    pub az_ids: Vec<String>,
}

impl RegionInfo {
    /// True if `az_id` has the shape of an AZ ID of this Region
    /// (`<prefix>-az<number>`), whether or not it is listed in [`Self::az_ids`].
    /// Used to accept user overrides such as a constrained zone an older account
    /// still has, while rejecting IDs of another Region.
    pub fn owns_az_id(&self, az_id: &str) -> bool {
        az_id
            .strip_prefix(self.az_id_prefix.as_str())
            .and_then(|rest| rest.strip_prefix("-az"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    }
}

/// Largest edit distance [`suggest`] still treats as a typo.
const MAX_SUGGESTION_DISTANCE: usize = 3;

// The table itself, with the sources of every zone list, is data: `data/regions.toml`.
static TABLE_TOML: &str = include_str!("../../data/regions.toml");

#[derive(Deserialize)]
struct Table {
    region: Vec<RegionInfo>,
}

/// The parsed table, read once. A malformed table is a build defect caught by every test that
/// looks up a Region, so the parse is an `expect`.
fn regions() -> &'static [RegionInfo] {
    static TABLE: OnceLock<Vec<RegionInfo>> = OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str::<Table>(TABLE_TOML)
            .expect("data/regions.toml parses")
            .region
    })
}

/// Facts for `region` (exact, lower-case Region code), or `None` if smgen does
/// not know it.
pub fn lookup(region: &str) -> Option<&'static RegionInfo> {
    regions().iter().find(|info| info.name == region)
}

/// Every Region smgen knows, grouped by geography.
pub fn all() -> &'static [RegionInfo] {
    regions()
}

/// Closest known region name for a typo (edit distance ≤ 3), for "did you mean" messages.
///
/// Case is ignored (so "EU-WEST-1" suggests "eu-west-1") and a swap of two
/// adjacent letters counts as one edit, since that is the commonest typo. Ties
/// go to the Region listed first in [`all`].
pub fn suggest(region: &str) -> Option<&'static str> {
    let wanted = region.trim().to_ascii_lowercase();
    if wanted.is_empty() {
        return None;
    }
    let mut best: Option<(usize, &'static str)> = None;
    for info in regions() {
        // The distance is at least the length difference; skip hopeless candidates.
        if info.name.chars().count().abs_diff(wanted.chars().count()) > MAX_SUGGESTION_DISTANCE {
            continue;
        }
        // Optimal string alignment: Levenshtein plus the swap of two adjacent characters as
        // one edit ("wset" -> "west" costs 1, not 2).
        let distance = strsim::osa_distance(&wanted, &info.name);
        if distance <= MAX_SUGGESTION_DISTANCE && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, info.name.as_str()));
        }
    }
    best.map(|(_, name)| name)
}

/// True if `region` looks like an AWS region name at all (e.g. `^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$`).
///
/// This only checks the shape, so a well-formed but unknown Region (a Region
/// launched after this table was written) can get a clearer message than a typo.
pub fn is_well_formed(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let (country, qualifier, direction, number) = match parts.as_slice() {
        [country, direction, number] => (*country, None, *direction, *number),
        [country, qualifier, direction, number] => {
            (*country, Some(*qualifier), *direction, *number)
        }
        _ => return false,
    };
    let lower = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase());
    let qualifier_ok = qualifier.is_none_or(|q| {
        q == "gov"
            || q.strip_prefix("iso")
                .is_some_and(|rest| rest.is_empty() || (rest.len() == 1 && lower(rest)))
    });
    country.len() == 2
        && lower(country)
        && qualifier_ok
        && lower(direction)
        && number.len() == 1
        && number.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// AZ ID prefix derived from the Region code by AWS's naming pattern
    /// (country + gov/iso qualifier initial + direction initials + number). Used
    /// only to catch typos in the hand-written `az_id_prefix` column.
    fn derived_prefix(region: &str) -> Option<String> {
        let parts: Vec<&str> = region.split('-').collect();
        let (country, qualifier, direction, number) = match parts.as_slice() {
            [c, d, n] => (*c, "", *d, *n),
            [c, q, d, n] => (*c, *q, *d, *n),
            _ => return None,
        };
        let qualifier = match qualifier {
            "" => String::new(),
            "gov" => "g".to_string(),
            q => format!("i{}", q.strip_prefix("iso")?),
        };
        let direction = match direction {
            "north" => "n",
            "south" => "s",
            "east" => "e",
            "west" => "w",
            "central" => "c",
            "northeast" => "ne",
            "northwest" => "nw",
            "southeast" => "se",
            "southwest" => "sw",
            _ => return None,
        };
        Some(format!("{country}{qualifier}{direction}{number}"))
    }

    #[test]
    fn lookup_finds_known_regions() {
        let info = lookup("eu-west-1").expect("eu-west-1 is in the table");
        assert_eq!(info.name, "eu-west-1");
        assert_eq!(info.partition, Partition::Aws);
        assert_eq!(info.az_ids, &["euw1-az1", "euw1-az2", "euw1-az3"]);
        assert!(lookup("us-east-1").is_some());
        assert!(lookup("mx-central-1").is_some());
        assert!(lookup("eu-wset-1").is_none());
        assert!(lookup("EU-WEST-1").is_none());
        assert!(lookup("").is_none());
    }

    #[test]
    fn region_names_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for info in all() {
            assert!(
                seen.insert(info.name.as_str()),
                "duplicate region {}",
                info.name
            );
            assert!(is_well_formed(&info.name), "malformed region {}", info.name);
        }
    }

    #[test]
    fn az_ids_match_region_prefix_and_are_unique() {
        let mut seen = HashSet::new();
        for info in all() {
            assert_eq!(
                Some(info.az_id_prefix.to_string()),
                derived_prefix(&info.name),
                "prefix of {}",
                info.name
            );
            // Two zones give no room to spread subnets; every Region must have them.
            assert!(info.az_ids.len() >= 2, "{} has too few AZs", info.name);
            let expected = format!("{}-az", info.az_id_prefix);
            for az in &info.az_ids {
                assert!(az.starts_with(&expected), "{az} not in {}", info.name);
                assert!(info.owns_az_id(az), "{az} not owned by {}", info.name);
                assert!(seen.insert(az.as_str()), "duplicate AZ id {az}");
            }
        }
    }

    #[test]
    fn partitions_follow_region_names() {
        for info in all() {
            let expected = if info.name.starts_with("cn-") {
                Partition::AwsCn
            } else if info.name.starts_with("us-gov-") {
                Partition::AwsUsGov
            } else {
                Partition::Aws
            };
            assert_eq!(info.partition, expected, "partition of {}", info.name);
        }
        assert_eq!(
            lookup("cn-north-1").map(|r| r.partition),
            Some(Partition::AwsCn)
        );
        assert_eq!(
            lookup("us-gov-east-1").map(|r| r.partition),
            Some(Partition::AwsUsGov)
        );
    }

    #[test]
    fn partition_strings() {
        assert_eq!(Partition::Aws.arn(), "aws");
        assert_eq!(Partition::AwsCn.arn(), "aws-cn");
        assert_eq!(Partition::AwsUsGov.arn(), "aws-us-gov");
        assert_eq!(Partition::AwsCn.dns_suffix(), "amazonaws.com.cn");
        assert_eq!(Partition::AwsUsGov.dns_suffix(), "amazonaws.com");
        assert_eq!(Partition::AwsUsGov.to_string(), "aws-us-gov");
    }

    #[test]
    fn suggest_fixes_typos() {
        assert_eq!(suggest("eu-wset-1"), Some("eu-west-1"));
        assert_eq!(suggest("us-east1"), Some("us-east-1"));
        assert_eq!(suggest("EU-WEST-1"), Some("eu-west-1"));
        assert_eq!(suggest("ap-southeast-01"), Some("ap-southeast-1"));
        assert_eq!(suggest("eu-west-1"), Some("eu-west-1"));
        assert_eq!(suggest("mars-north-9"), None);
        assert_eq!(suggest(""), None);
        assert_eq!(suggest("x"), None);
    }

    #[test]
    fn well_formed_accepts_region_shapes() {
        assert!(is_well_formed("eu-west-1"));
        assert!(is_well_formed("us-gov-west-1"));
        assert!(is_well_formed("us-iso-east-1"));
        assert!(is_well_formed("us-isob-east-1"));
        assert!(is_well_formed("ap-southeast-7"));
        // Shape-valid but unknown: well-formed, just not in the table.
        assert!(is_well_formed("xx-north-9"));
    }

    #[test]
    fn well_formed_rejects_garbage() {
        for bad in [
            "EU-WEST-1",
            "euwest1",
            "",
            "eu-west",
            "eu-west-12",
            "eu-west-a",
            "eur-west-1",
            "eu--1",
            "us-foo-east-1",
            "us-isobb-east-1",
            "eu-west-1a",
            " eu-west-1",
        ] {
            assert!(!is_well_formed(bad), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn owns_az_id_rejects_other_regions() {
        let info = lookup("us-east-1").expect("us-east-1 is in the table");
        // A constrained zone an older account may still use is still "ours".
        assert!(info.owns_az_id("use1-az3"));
        assert!(!info.owns_az_id("use2-az1"));
        assert!(!info.owns_az_id("use1-az"));
        assert!(!info.owns_az_id("use1-azx"));
        assert!(!info.owns_az_id("us-east-1a"));
    }
}
