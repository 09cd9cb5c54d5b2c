//! Validation of every spec value, once, with errors that name the field, the value and what is
//! allowed. Cross-field rules that are about *whether the design works* (missing endpoints, risky
//! combinations) are findings in the model, not validation errors here.

use super::{EndpointChoice, KmsMode, Nat, PresignedRestrict, Spec};
use crate::error::{Error, Result};
use crate::model::{endpoints, region};
use ipnet::Ipv4Net;
use std::collections::BTreeSet;

impl Spec {
    pub fn validate(&self) -> Result<()> {
        self.validate_project()?;
        self.validate_network()?;
        self.validate_encryption()?;
        self.validate_workloads()?;
        self.validate_data()
    }

    fn validate_project(&self) -> Result<()> {
        let p = &self.project;
        // Bucket names are built as <name>-<bucket>-<account>-<region> and must stay within
        // S3's 63 characters, hence the short limit.
        if !is_dns_label(&p.name, 2, 24) {
            return Err(Error::invalid(
                "project.name",
                &p.name,
                "not a valid project name",
                "2-24 lower-case letters, digits and single hyphens, starting with a letter",
            ));
        }
        if region::lookup(&p.region).is_none() {
            let hint = match region::suggest(&p.region) {
                Some(s) => format!("did you mean '{s}'?"),
                None => "expected a region name such as 'eu-west-1'".to_string(),
            };
            return Err(Error::invalid(
                "project.region",
                &p.region,
                "unknown region",
                hint,
            ));
        }
        if let Some(acct) = &p.account_id
            && (acct.len() != 12 || !acct.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(Error::invalid(
                "project.account_id",
                acct,
                "not an AWS account id",
                "exactly 12 digits",
            ));
        }
        for (k, v) in &p.tags {
            // AWS tag limits: key 1-128, value 0-256 characters, `aws:` prefix reserved.
            if k.is_empty() || k.chars().count() > 128 || k.to_ascii_lowercase().starts_with("aws:")
            {
                return Err(Error::invalid(
                    format!("project.tags.{k}"),
                    k,
                    "not a valid tag key",
                    "1-128 characters, not starting with 'aws:'",
                ));
            }
            if v.chars().count() > 256 {
                return Err(Error::invalid(
                    format!("project.tags.{k}"),
                    v,
                    "tag value too long",
                    "at most 256 characters",
                ));
            }
        }
        Ok(())
    }

    fn validate_network(&self) -> Result<()> {
        let n = &self.network;
        let v = &n.vpc;
        if v.create {
            let net: Ipv4Net = v.cidr.parse().map_err(|_| {
                Error::invalid(
                    "network.vpc.cidr",
                    &v.cidr,
                    "not an IPv4 CIDR block",
                    "a block such as '10.20.0.0/16'",
                )
            })?;
            if net.trunc() != net {
                return Err(Error::invalid(
                    "network.vpc.cidr",
                    &v.cidr,
                    "host bits are set",
                    format!("the network address, '{}'", net.trunc()),
                ));
            }
            if !(16..=24).contains(&net.prefix_len()) {
                return Err(Error::invalid(
                    "network.vpc.cidr",
                    &v.cidr,
                    "prefix length out of range",
                    "a /16 to /24 block (smaller blocks leave too few addresses for Studio)",
                ));
            }
            if !(1..=6).contains(&v.azs) {
                return Err(Error::invalid(
                    "network.vpc.azs",
                    v.azs,
                    "number of Availability Zones out of range",
                    "1 to 6",
                ));
            }
            self.validate_az_ids()?;
            for (field, set) in [
                ("network.vpc.subnet_ids", !v.subnet_ids.is_empty()),
                ("network.vpc.route_table_ids", !v.route_table_ids.is_empty()),
                ("network.vpc.vpc_id", v.vpc_id.is_some()),
            ] {
                if set {
                    return Err(Error::invalid(
                        field,
                        "(set)",
                        "only used with an existing VPC",
                        "set network.vpc.create = false to reuse a VPC, or remove the key",
                    ));
                }
            }
        } else {
            let id = v.vpc_id.as_deref().unwrap_or("");
            if !is_aws_id(id, "vpc-") {
                return Err(Error::invalid(
                    "network.vpc.vpc_id",
                    id,
                    "missing or not a VPC id",
                    "an id such as 'vpc-0123456789abcdef0' (required when network.vpc.create = false)",
                ));
            }
            if v.subnet_ids.is_empty() {
                return Err(Error::invalid(
                    "network.vpc.subnet_ids",
                    "[]",
                    "an existing VPC needs private subnets",
                    "one or more ids such as 'subnet-0123456789abcdef0', ideally in different AZs",
                ));
            }
            check_ids("network.vpc.subnet_ids", &v.subnet_ids, "subnet-")?;
            check_ids("network.vpc.route_table_ids", &v.route_table_ids, "rtb-")?;
            if v.route_table_ids.is_empty() {
                return Err(Error::invalid(
                    "network.vpc.route_table_ids",
                    "[]",
                    "the S3 gateway endpoint needs the private subnets' route tables",
                    "one or more ids such as 'rtb-0123456789abcdef0'",
                ));
            }
            if n.nat != Nat::None {
                return Err(Error::invalid(
                    "network.nat",
                    nat_name(n.nat),
                    "smgen creates NAT gateways only in a VPC it creates",
                    "'none' with an existing VPC",
                ));
            }
        }
        match &n.endpoints {
            EndpointChoice::Keyword(k) if k == "auto" => {}
            EndpointChoice::Keyword(k) => {
                return Err(Error::invalid(
                    "network.endpoints",
                    k,
                    "unknown keyword",
                    "'auto' or a list of endpoint keys",
                ));
            }
            EndpointChoice::List(keys) => {
                let mut seen = BTreeSet::new();
                for key in keys {
                    if endpoints::find(key).is_none() {
                        return Err(Error::invalid(
                            "network.endpoints",
                            key,
                            "unknown endpoint",
                            format!("one of: {}", endpoints::keys().join(", ")),
                        ));
                    }
                    if !seen.insert(key) {
                        return Err(Error::invalid(
                            "network.endpoints",
                            key,
                            "listed twice",
                            "each endpoint once",
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    fn validate_az_ids(&self) -> Result<()> {
        let v = &self.network.vpc;
        let info = region::lookup(&self.project.region).expect("region validated first");
        if v.az_ids.is_empty() {
            if usize::from(v.azs) > info.az_ids.len() {
                return Err(Error::invalid(
                    "network.vpc.azs",
                    v.azs,
                    format!(
                        "{} has {} zones in smgen's table",
                        info.name,
                        info.az_ids.len()
                    ),
                    format!(
                        "at most {}, or list the zone ids in network.vpc.az_ids",
                        info.az_ids.len()
                    ),
                ));
            }
            return Ok(());
        }
        if v.az_ids.len() != usize::from(v.azs) {
            return Err(Error::invalid(
                "network.vpc.az_ids",
                v.az_ids.join(","),
                "the number of zone ids differs from network.vpc.azs",
                format!("exactly {} zone ids", v.azs),
            ));
        }
        let mut seen = BTreeSet::new();
        for id in &v.az_ids {
            if !info.owns_az_id(id) || !seen.insert(id) {
                return Err(Error::invalid(
                    "network.vpc.az_ids",
                    id,
                    "not a distinct zone id of the region",
                    format!("ids such as '{}'", info.az_ids[0]),
                ));
            }
        }
        Ok(())
    }

    fn validate_encryption(&self) -> Result<()> {
        let e = &self.encryption;
        match (e.kms, &e.key_arn) {
            (KmsMode::Existing, None) => Err(Error::invalid(
                "encryption.key_arn",
                "(unset)",
                "kms = \"existing\" needs the key's ARN",
                "an ARN such as 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'",
            )),
            (KmsMode::Existing, Some(arn)) => {
                let partition = region::lookup(&self.project.region)
                    .expect("region validated first")
                    .partition
                    .arn();
                if !is_kms_key_arn(arn, partition) {
                    return Err(Error::invalid(
                        "encryption.key_arn",
                        arn,
                        "not a KMS key ARN of this partition",
                        format!("'arn:{partition}:kms:<region>:<account>:key/<key-id>'"),
                    ));
                }
                Ok(())
            }
            (_, Some(arn)) => Err(Error::invalid(
                "encryption.key_arn",
                arn,
                "only used with kms = \"existing\"",
                "remove it, or set encryption.kms = \"existing\"",
            )),
            _ => Ok(()),
        }
    }

    fn validate_workloads(&self) -> Result<()> {
        let partition = region::lookup(&self.project.region)
            .expect("region validated first")
            .partition
            .arn();
        for arn in &self.jobs.isolation_exceptions {
            let ok = arn
                .strip_prefix(&format!("arn:{partition}:iam::"))
                .and_then(|r| r.split_once(":role/"))
                .is_some_and(|(acct, name)| {
                    acct.len() == 12
                        && acct.bytes().all(|b| b.is_ascii_digit())
                        && !name.is_empty()
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/*".contains(&b))
                });
            if !ok {
                return Err(Error::invalid(
                    "jobs.isolation_exceptions",
                    arn,
                    "not an IAM role ARN of this partition",
                    format!(
                        "'arn:{partition}:iam::<account>:role/<name>' (a '*' may stand for part of the name)"
                    ),
                ));
            }
        }
        let pre = &self.studio.presigned_url;
        match pre.restrict {
            PresignedRestrict::SourceIp => {
                if pre.source_ips.is_empty() {
                    return Err(Error::invalid(
                        "studio.presigned_url.source_ips",
                        "[]",
                        "restrict = \"source-ip\" needs the allowed address ranges",
                        "one or more CIDR blocks such as '203.0.113.0/24'",
                    ));
                }
                for c in &pre.source_ips {
                    if c.parse::<ipnet::IpNet>().is_err() {
                        return Err(Error::invalid(
                            "studio.presigned_url.source_ips",
                            c,
                            "not a CIDR block",
                            "CIDR blocks such as '203.0.113.0/24' or '2001:db8::/32'",
                        ));
                    }
                }
            }
            _ if !pre.source_ips.is_empty() => {
                return Err(Error::invalid(
                    "studio.presigned_url.source_ips",
                    pre.source_ips.join(","),
                    "only used with restrict = \"source-ip\"",
                    "remove it, or set studio.presigned_url.restrict = \"source-ip\"",
                ));
            }
            _ => {}
        }
        unique_names(
            "studio.user_profiles",
            &self.studio.user_profiles,
            is_sagemaker_name,
            "1-63 letters, digits and hyphens, starting with a letter or digit",
        )?;
        let nb = &self.notebook;
        if self.needs.notebook_instances && nb.names.is_empty() {
            return Err(Error::invalid(
                "notebook.names",
                "[]",
                "needs.notebook_instances is on but no instance is named",
                "one or more names, e.g. [\"workbench\"]",
            ));
        }
        unique_names(
            "notebook.names",
            &nb.names,
            is_sagemaker_name,
            "1-63 letters, digits and hyphens, starting with a letter or digit",
        )?;
        if self.needs.notebook_instances {
            for n in &nb.names {
                // Instances are named <project>-<name>; SageMaker allows 63 characters.
                let full = self.project.name.len() + 1 + n.len();
                if full > 63 {
                    return Err(Error::invalid(
                        "notebook.names",
                        n,
                        format!("'{}-{n}' is longer than 63 characters", self.project.name),
                        format!(
                            "at most {} characters with this project name",
                            62 - self.project.name.len()
                        ),
                    ));
                }
            }
        }
        let t = &nb.instance_type;
        let parts: Vec<&str> = t.split('.').collect();
        let ok = parts.len() == 3
            && parts[0] == "ml"
            && parts[1..].iter().all(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            });
        if !ok {
            return Err(Error::invalid(
                "notebook.instance_type",
                t,
                "not a SageMaker instance type",
                "a type such as 'ml.t3.medium'",
            ));
        }
        if !(5..=16384).contains(&nb.volume_size_gb) {
            return Err(Error::invalid(
                "notebook.volume_size_gb",
                nb.volume_size_gb,
                "volume size out of range",
                "5 to 16384 GB",
            ));
        }
        Ok(())
    }

    fn validate_data(&self) -> Result<()> {
        let mut names = BTreeSet::new();
        for (i, b) in self.data.buckets.iter().enumerate() {
            let field = format!("data.buckets[{i}]");
            match (&b.name, &b.existing) {
                (Some(name), None) => {
                    if name == crate::model::LOG_BUCKET {
                        return Err(Error::invalid(
                            format!("{field}.name"),
                            name,
                            "reserved for the server access log bucket",
                            "another short name",
                        ));
                    }
                    if !is_dns_label(name, 1, 10) {
                        return Err(Error::invalid(
                            format!("{field}.name"),
                            name,
                            "not a valid bucket short name",
                            "1-10 lower-case letters, digits and hyphens (smgen adds project, account and region)",
                        ));
                    }
                    if !names.insert(name.clone()) {
                        return Err(Error::invalid(
                            format!("{field}.name"),
                            name,
                            "listed twice",
                            "distinct bucket names",
                        ));
                    }
                }
                (None, Some(existing)) => {
                    if !is_bucket_name(existing) {
                        return Err(Error::invalid(
                            format!("{field}.existing"),
                            existing,
                            "not a valid S3 bucket name",
                            "3-63 lower-case letters, digits, dots and hyphens",
                        ));
                    }
                }
                _ => {
                    return Err(Error::invalid(
                        field,
                        "",
                        "a bucket needs exactly one of `name` (created by smgen) or `existing`",
                        "name = \"data\" or existing = \"my-bucket\"",
                    ));
                }
            }
            for p in &b.prefixes {
                if p.is_empty() || p.starts_with('/') || p.contains('*') || p.contains('?') {
                    return Err(Error::invalid(
                        format!("{field}.prefixes"),
                        p,
                        "not a valid key prefix",
                        "a non-empty prefix without a leading '/' or wildcards, e.g. 'raw/'",
                    ));
                }
            }
        }
        if !self.data.buckets.iter().any(|b| b.name.is_some()) {
            return Err(Error::invalid(
                "data.buckets",
                "(no created bucket)",
                "the environment needs one bucket it creates for model artifacts and outputs",
                "at least one entry with `name`",
            ));
        }
        Ok(())
    }
}

pub(crate) fn nat_name(n: Nat) -> &'static str {
    match n {
        Nat::None => "none",
        Nat::Single => "single",
        Nat::PerAz => "per-az",
    }
}

fn check_ids(field: &str, ids: &[String], prefix: &str) -> Result<()> {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !is_aws_id(id, prefix) || !seen.insert(id) {
            return Err(Error::invalid(
                field,
                id,
                "not a distinct resource id",
                format!("ids such as '{prefix}0123456789abcdef0'"),
            ));
        }
    }
    Ok(())
}

fn unique_names(
    field: &str,
    names: &[String],
    valid: fn(&str) -> bool,
    allowed: &str,
) -> Result<()> {
    let mut seen = BTreeSet::new();
    for n in names {
        if !valid(n) {
            return Err(Error::invalid(field, n, "not a valid name", allowed));
        }
        // Names become resource names in snake_case: `user-a` and `userA` would collide.
        if !seen.insert(crate::model::snake(n)) {
            return Err(Error::invalid(
                field,
                n,
                "listed twice, or the same as another name once '-', '.' and case are ignored",
                "distinct names",
            ));
        }
    }
    Ok(())
}

/// `vpc-`/`subnet-`/`rtb-` followed by 8 or 17 lower-case hex digits.
fn is_aws_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|hex| {
        (hex.len() == 8 || hex.len() == 17)
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Lower-case letters, digits and single hyphens; starts with a letter; ends with a letter or digit.
fn is_dns_label(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// SageMaker names (user profiles, notebook instances): `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`.
fn is_sagemaker_name(s: &str) -> bool {
    (1..=63).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !s.ends_with('-')
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// S3 general-purpose bucket naming rules (length, characters, start/end, no `..`, not an IP).
fn is_bucket_name(s: &str) -> bool {
    (3..=63).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && !s.contains("..")
        && s.parse::<std::net::Ipv4Addr>().is_err()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

fn is_kms_key_arn(arn: &str, partition: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[1] != partition || parts[2] != "kms" {
        return false;
    }
    let account_ok = parts[4].len() == 12 && parts[4].bytes().all(|b| b.is_ascii_digit());
    let key_ok = parts[5].strip_prefix("key/").is_some_and(|id| {
        id.len() == 36 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
            || id.starts_with("mrk-") && id.len() == 36
    });
    region::is_well_formed(parts[3]) && account_ok && key_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_and_name_rules() {
        assert!(is_aws_id("vpc-0123456789abcdef0", "vpc-"));
        assert!(is_aws_id("subnet-01234567", "subnet-"));
        assert!(!is_aws_id("vpc-0123456789ABCDEF0", "vpc-"));
        assert!(!is_aws_id("vpc-123", "vpc-"));
        assert!(is_dns_label("fraud-ml", 2, 24));
        assert!(!is_dns_label("Fraud", 2, 24));
        assert!(!is_dns_label("a--b", 2, 24));
        assert!(!is_dns_label("1ab", 2, 24));
        assert!(is_sagemaker_name("Alice-1"));
        assert!(!is_sagemaker_name("alice_1"));
        assert!(is_bucket_name("corp.datalake-prod"));
        assert!(!is_bucket_name("192.168.1.1"));
        assert!(!is_bucket_name("a..b"));
        assert!(is_kms_key_arn(
            "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "aws"
        ));
        assert!(!is_kms_key_arn(
            "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "aws-cn"
        ));
        assert!(!is_kms_key_arn(
            "arn:aws:kms:eu-west-1:111122223333:alias/x",
            "aws"
        ));
    }
}
