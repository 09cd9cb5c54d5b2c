//! Static AWS Region facts, so that smgen can render infrastructure code without
//! calling AWS (no `aws_availability_zones` data source, no credentials needed at
//! generation time).
//!
//! What is here:
//! - [`Partition`]: ARN partition and DNS suffix (the PrivateLink service-name prefixes
//!   are in the endpoint catalog, per service).
//! - [`RegionInfo`] / [`all`] / [`lookup`]: every Region smgen knows, with the
//!   Availability Zone **IDs** (not names) that a new account can use.
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

use serde::Serialize;

/// An AWS partition: a group of Regions with its own IAM, ARNs and endpoints.
/// Credentials and most cross-Region features never cross a partition.
///
/// Serialises as the ARN partition string (`"aws"`, `"aws-cn"`, `"aws-us-gov"`)
/// so templates can use it directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RegionInfo {
    /// Region code, e.g. "eu-west-1".
    pub name: &'static str,
    pub partition: Partition,
    /// Prefix shared by every AZ ID of the Region, e.g. "euw1" for eu-west-1 or
    /// "usgw1" for us-gov-west-1. Kept explicit because AWS documents it only as
    /// "a Region-specific prefix"; it lets callers validate user-supplied AZ IDs.
    pub az_id_prefix: &'static str,
    /// Availability Zone IDs (not names: names are shuffled per account, IDs are stable), e.g. ["euw1-az1","euw1-az2","euw1-az3"],
    /// only zones that are generally available to every account (leave out limited/legacy zones such as apne1-az3, usw1-az2 if they are not open to new accounts).
    pub az_ids: &'static [&'static str],
}

impl RegionInfo {
    /// True if `az_id` has the shape of an AZ ID of this Region
    /// (`<prefix>-az<number>`), whether or not it is listed in [`Self::az_ids`].
    /// Used to accept user overrides such as a constrained zone an older account
    /// still has, while rejecting IDs of another Region.
    pub fn owns_az_id(&self, az_id: &str) -> bool {
        az_id
            .strip_prefix(self.az_id_prefix)
            .and_then(|rest| rest.strip_prefix("-az"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    }
}

/// Largest edit distance [`suggest`] still treats as a typo.
const MAX_SUGGESTION_DISTANCE: usize = 3;

/// Shorthand so each table row stays on a few lines.
const fn region(
    name: &'static str,
    partition: Partition,
    az_id_prefix: &'static str,
    az_ids: &'static [&'static str],
) -> RegionInfo {
    RegionInfo {
        name,
        partition,
        az_id_prefix,
        az_ids,
    }
}

use Partition::{Aws, AwsCn, AwsUsGov};

// AZ IDs per Region.
//
// Commercial Regions: "AWS Availability Zones" (AWS Regions and Availability
// Zones guide), https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html,
// which lists every AZ ID by Region. Deliberately left out of that list:
// - use1-az3, usw1-az2, apne1-az3: constrained legacy zones. The guide says newer
//   accounts get only two zones in us-west-1; new accounts see only apne1-az1/2/4
//   in Tokyo; use1-az3 lacks current instance families and is missing from
//   service zone lists such as EFS One Zone ("Supported Availability Zones for
//   One Zone file systems", https://docs.aws.amazon.com/efs/latest/ug/OneZoneAZs.html).
// - euw2-az4: appears only in the newest revision of the guide; until it is in
//   service zone lists as well, three London zones are the safe default.
// - The announced second us-east-1 site (Maryland, "coming in 2026") has no ID yet.
//
// China: the China guide (general-info page above) says each China Region has
// three AZs. cnnw1-az1..3 are confirmed by `aws ec2 describe-availability-zones
// --region cn-northwest-1` output. For cn-north-1 only cnn1-az1 and cnn1-az2 are
// listed: the third zone (cnn1-az4) exists but several services are missing
// there (EMR Serverless is "limited to cnn1-az1, cnn1-az2" per its endpoints
// table; eksctl avoids cnn1-az4, github.com/weaveworks/eksctl/issues/3916).
//
// GovCloud: usgw1-az1..3 and usge1-az1..3, as listed in the EMR Serverless
// endpoint table and the MemoryDB "Subnets and subnet groups" page
// (https://docs.aws.amazon.com/memorydb/latest/devguide/subnetgroups.html).
//
// Not covered: ISO partitions and the European Sovereign Cloud (separate
// partitions smgen does not target), and opt-in Local/Wavelength Zones.
static REGIONS: &[RegionInfo] = &[
    // North America
    region(
        "us-east-1",
        Aws,
        "use1",
        &["use1-az1", "use1-az2", "use1-az4", "use1-az5", "use1-az6"],
    ),
    region(
        "us-east-2",
        Aws,
        "use2",
        &["use2-az1", "use2-az2", "use2-az3"],
    ),
    region("us-west-1", Aws, "usw1", &["usw1-az1", "usw1-az3"]),
    region(
        "us-west-2",
        Aws,
        "usw2",
        &["usw2-az1", "usw2-az2", "usw2-az3", "usw2-az4"],
    ),
    region(
        "ca-central-1",
        Aws,
        "cac1",
        &["cac1-az1", "cac1-az2", "cac1-az4"],
    ),
    region(
        "ca-west-1",
        Aws,
        "caw1",
        &["caw1-az1", "caw1-az2", "caw1-az3"],
    ),
    region(
        "mx-central-1",
        Aws,
        "mxc1",
        &["mxc1-az1", "mxc1-az2", "mxc1-az3"],
    ),
    // South America
    region(
        "sa-east-1",
        Aws,
        "sae1",
        &["sae1-az1", "sae1-az2", "sae1-az3"],
    ),
    // Africa
    region(
        "af-south-1",
        Aws,
        "afs1",
        &["afs1-az1", "afs1-az2", "afs1-az3"],
    ),
    // Asia Pacific
    region(
        "ap-east-1",
        Aws,
        "ape1",
        &["ape1-az1", "ape1-az2", "ape1-az3"],
    ),
    region(
        "ap-east-2",
        Aws,
        "ape2",
        &["ape2-az1", "ape2-az2", "ape2-az3"],
    ),
    region(
        "ap-south-1",
        Aws,
        "aps1",
        &["aps1-az1", "aps1-az2", "aps1-az3"],
    ),
    region(
        "ap-south-2",
        Aws,
        "aps2",
        &["aps2-az1", "aps2-az2", "aps2-az3"],
    ),
    region(
        "ap-northeast-1",
        Aws,
        "apne1",
        &["apne1-az1", "apne1-az2", "apne1-az4"],
    ),
    region(
        "ap-northeast-2",
        Aws,
        "apne2",
        &["apne2-az1", "apne2-az2", "apne2-az3", "apne2-az4"],
    ),
    region(
        "ap-northeast-3",
        Aws,
        "apne3",
        &["apne3-az1", "apne3-az2", "apne3-az3"],
    ),
    region(
        "ap-southeast-1",
        Aws,
        "apse1",
        &["apse1-az1", "apse1-az2", "apse1-az3"],
    ),
    region(
        "ap-southeast-2",
        Aws,
        "apse2",
        &["apse2-az1", "apse2-az2", "apse2-az3"],
    ),
    region(
        "ap-southeast-3",
        Aws,
        "apse3",
        &["apse3-az1", "apse3-az2", "apse3-az3"],
    ),
    region(
        "ap-southeast-4",
        Aws,
        "apse4",
        &["apse4-az1", "apse4-az2", "apse4-az3"],
    ),
    region(
        "ap-southeast-5",
        Aws,
        "apse5",
        &["apse5-az1", "apse5-az2", "apse5-az3"],
    ),
    region(
        "ap-southeast-6",
        Aws,
        "apse6",
        &["apse6-az1", "apse6-az2", "apse6-az3"],
    ),
    region(
        "ap-southeast-7",
        Aws,
        "apse7",
        &["apse7-az1", "apse7-az2", "apse7-az3"],
    ),
    // Europe
    region(
        "eu-central-1",
        Aws,
        "euc1",
        &["euc1-az1", "euc1-az2", "euc1-az3"],
    ),
    region(
        "eu-central-2",
        Aws,
        "euc2",
        &["euc2-az1", "euc2-az2", "euc2-az3"],
    ),
    region(
        "eu-west-1",
        Aws,
        "euw1",
        &["euw1-az1", "euw1-az2", "euw1-az3"],
    ),
    region(
        "eu-west-2",
        Aws,
        "euw2",
        &["euw2-az1", "euw2-az2", "euw2-az3"],
    ),
    region(
        "eu-west-3",
        Aws,
        "euw3",
        &["euw3-az1", "euw3-az2", "euw3-az3"],
    ),
    region(
        "eu-south-1",
        Aws,
        "eus1",
        &["eus1-az1", "eus1-az2", "eus1-az3"],
    ),
    region(
        "eu-south-2",
        Aws,
        "eus2",
        &["eus2-az1", "eus2-az2", "eus2-az3"],
    ),
    region(
        "eu-north-1",
        Aws,
        "eun1",
        &["eun1-az1", "eun1-az2", "eun1-az3"],
    ),
    // Middle East
    region(
        "il-central-1",
        Aws,
        "ilc1",
        &["ilc1-az1", "ilc1-az2", "ilc1-az3"],
    ),
    region(
        "me-south-1",
        Aws,
        "mes1",
        &["mes1-az1", "mes1-az2", "mes1-az3"],
    ),
    region(
        "me-central-1",
        Aws,
        "mec1",
        &["mec1-az1", "mec1-az2", "mec1-az3"],
    ),
    // China
    region("cn-north-1", AwsCn, "cnn1", &["cnn1-az1", "cnn1-az2"]),
    region(
        "cn-northwest-1",
        AwsCn,
        "cnnw1",
        &["cnnw1-az1", "cnnw1-az2", "cnnw1-az3"],
    ),
    // AWS GovCloud (US)
    region(
        "us-gov-west-1",
        AwsUsGov,
        "usgw1",
        &["usgw1-az1", "usgw1-az2", "usgw1-az3"],
    ),
    region(
        "us-gov-east-1",
        AwsUsGov,
        "usge1",
        &["usge1-az1", "usge1-az2", "usge1-az3"],
    ),
];

/// Facts for `region` (exact, lower-case Region code), or `None` if smgen does
/// not know it.
pub fn lookup(region: &str) -> Option<&'static RegionInfo> {
    REGIONS.iter().find(|info| info.name == region)
}

/// Every Region smgen knows, grouped by geography.
pub fn all() -> &'static [RegionInfo] {
    REGIONS
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
    for info in REGIONS {
        // The distance is at least the length difference; skip hopeless candidates.
        if info.name.chars().count().abs_diff(wanted.chars().count()) > MAX_SUGGESTION_DISTANCE {
            continue;
        }
        // Optimal string alignment: Levenshtein plus the swap of two adjacent characters as
        // one edit ("wset" -> "west" costs 1, not 2).
        let distance = strsim::osa_distance(&wanted, info.name);
        if distance <= MAX_SUGGESTION_DISTANCE && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, info.name));
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
            assert!(seen.insert(info.name), "duplicate region {}", info.name);
            assert!(is_well_formed(info.name), "malformed region {}", info.name);
        }
    }

    #[test]
    fn az_ids_match_region_prefix_and_are_unique() {
        let mut seen = HashSet::new();
        for info in all() {
            assert_eq!(
                Some(info.az_id_prefix.to_string()),
                derived_prefix(info.name),
                "prefix of {}",
                info.name
            );
            // Two zones give no room to spread subnets; every Region must have them.
            assert!(info.az_ids.len() >= 2, "{} has too few AZs", info.name);
            let expected = format!("{}-az", info.az_id_prefix);
            for az in info.az_ids {
                assert!(az.starts_with(&expected), "{az} not in {}", info.name);
                assert!(info.owns_az_id(az), "{az} not owned by {}", info.name);
                assert!(seen.insert(*az), "duplicate AZ id {az}");
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
