//! Validation of every spec value, once, with errors that name the field, the value and what is
//! allowed. Cross-field rules that are about *whether the design works* (missing endpoints, risky
//! combinations) are findings in the model, not validation errors here.

use super::rules::{self, is_bucket_name, is_dns_label, is_sagemaker_name};
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
            && !rules::is_account_id(acct)
        {
            return Err(Error::invalid(
                "project.account_id",
                acct,
                "not an AWS account id",
                "exactly 12 digits",
            ));
        }
        self.validate_tags()?;
        Ok(())
    }

    fn validate_tags(&self) -> Result<()> {
        let tags = &self.project.tags;
        for (k, v) in tags {
            let field = format!("project.tags.{k}");
            if let Some(problem) = rules::tag_problem(k, true) {
                return Err(Error::invalid(field, k, problem, TAG_ALLOWED));
            }
            if let Some(problem) = rules::tag_problem(v, false) {
                return Err(Error::invalid(field, v, problem, TAG_ALLOWED));
            }
        }
        // smgen adds Project and ManagedBy everywhere, and CloudFormation adds Name.
        let own = ["Project", "ManagedBy", "Name"];
        let total = tags.len() + own.iter().filter(|k| !tags.contains_key(**k)).count();
        if total > rules::MAX_TAGS {
            return Err(Error::invalid(
                "project.tags",
                format!("{} tags", tags.len()),
                "too many tags: AWS allows 50 per resource, and smgen adds Project, ManagedBy and Name",
                format!("at most {} tags", rules::MAX_TAGS - own.len()),
            ));
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
            // AWS takes VPC blocks from /16 to /28 (VPC User Guide, VPC CIDR blocks); smgen
            // stops at /24 so that every zone's private subnet still holds Studio's addresses.
            if net.prefix_len() < 16 {
                return Err(Error::invalid(
                    "network.vpc.cidr",
                    &v.cidr,
                    "block too large: AWS allows VPC blocks from /16 (65,536 addresses) to /28",
                    "a /16 to /24 block, such as '10.20.0.0/16'",
                ));
            }
            if net.prefix_len() > 24 {
                return Err(Error::invalid(
                    "network.vpc.cidr",
                    &v.cidr,
                    "block too small: smaller blocks leave too few addresses for Studio",
                    "a /16 to /24 block, such as '10.20.0.0/16'",
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
            self.validate_subnet_size(&net)?;
            for (field, set) in [
                ("network.vpc.subnet_ids", !v.subnet_ids.is_empty()),
                ("network.vpc.route_table_ids", !v.route_table_ids.is_empty()),
                ("network.vpc.vpc_id", v.vpc_id.is_some()),
                (
                    "network.vpc.s3_gateway_endpoint_id",
                    v.s3_gateway_endpoint_id.is_some(),
                ),
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
            if !rules::is_ec2_id(id, "vpc-") {
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
            if let Some(id) = &v.s3_gateway_endpoint_id
                && !rules::is_ec2_id(id, "vpce-")
            {
                return Err(Error::invalid(
                    "network.vpc.s3_gateway_endpoint_id",
                    id,
                    "not a VPC endpoint id",
                    "the id of the VPC's S3 gateway endpoint, such as 'vpce-0123456789abcdef0', or remove the key to create one",
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
        if n.private_endpoints_with_nat {
            if n.nat == Nat::None {
                return Err(Error::invalid(
                    "network.private_endpoints_with_nat",
                    "true",
                    "only used with a NAT gateway: without NAT the interface endpoints are always created",
                    "remove it, or set network.nat = \"single\" or \"per-az\"",
                ));
            }
            if matches!(n.endpoints, EndpointChoice::List(_)) {
                return Err(Error::invalid(
                    "network.private_endpoints_with_nat",
                    "true",
                    "only used with network.endpoints = \"auto\": a list already names every endpoint",
                    "remove it, or set network.endpoints = \"auto\"",
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

    /// The private subnets must hold the minimum Studio needs: 2 addresses per user profile
    /// (2-4 per user: dg VpcOnly requirements, domain facts 2.4) spread over the zones, plus
    /// about 4 per subnet for the SageMaker interface endpoints (Studio administration best
    /// practices whitepaper, network management). AWS keeps 5 addresses of every subnet (VPC
    /// User Guide, subnet sizing). Below that, Studio apps fail to start; the comfortable
    /// estimate is a warning among the findings.
    fn validate_subnet_size(&self, net: &Ipv4Net) -> Result<()> {
        let azs = usize::from(self.network.vpc.azs).max(1);
        // The network plan gives the private subnets the lower half of the block, split evenly.
        let split = usize::BITS - (azs - 1).leading_zeros();
        let prefix = u32::from(net.prefix_len()) + 1 + split;
        let usable = (1usize << (32 - prefix)) - 5;
        let users = self.studio.user_profiles.len();
        let needed = 2 * users.div_ceil(azs) + 4;
        if usable < needed {
            return Err(Error::invalid(
                "network.vpc.cidr",
                &self.network.vpc.cidr,
                format!(
                    "each private subnet (/{prefix}) has {usable} usable addresses, fewer than the {needed} that {users} user profiles in {azs} zones need"
                ),
                "a larger block (smaller prefix length) or more Availability Zones",
            ));
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
                if !rules::is_kms_key_arn(arn, partition) {
                    return Err(Error::invalid(
                        "encryption.key_arn",
                        arn,
                        "not a KMS key ARN of this partition",
                        format!("'arn:{partition}:kms:<region>:<account>:key/<key-id>'"),
                    ));
                }
                // S3 SSE-KMS, SageMaker volumes and the Studio domain, and CloudWatch Logs take
                // only a key in the resource's own Region (S3 User Guide, UsingKMSEncryption;
                // CloudWatch Logs User Guide, encrypt-log-data-kms).
                let region = &self.project.region;
                let key_region = arn.split(':').nth(3).unwrap_or_default();
                if key_region != region {
                    return Err(Error::invalid(
                        "encryption.key_arn",
                        arn,
                        format!(
                            "the key is in {key_region}: S3, SageMaker and CloudWatch Logs need a key in the environment's Region"
                        ),
                        format!(
                            "a key ARN in {region} ('arn:{partition}:kms:{region}:<account>:key/<key-id>')"
                        ),
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
            let ok = rules::is_role_arn(arn, partition);
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
        let ok = rules::is_instance_type(t);
        if !ok {
            return Err(Error::invalid(
                "notebook.instance_type",
                t,
                "not a SageMaker instance type",
                "ml.<family>.<size>, such as 'ml.t3.medium' or 'ml.g5.2xlarge'",
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
        let partition = region::lookup(&self.project.region)
            .expect("region validated first")
            .partition
            .arn();
        for arn in &self.data.deployer_role_arns {
            if !rules::is_role_arn(arn, partition) {
                return Err(Error::invalid(
                    "data.deployer_role_arns",
                    arn,
                    "not an IAM role ARN of this partition",
                    format!(
                        "'arn:{partition}:iam::<account>:role/<name>' (a '*' may stand for part of the name)"
                    ),
                ));
            }
        }
        // The AWS provider reads a bucket with HeadBucket (s3:ListBucket) on every plan; a
        // bucket policy that denies it outside the VPC endpoint locks the deployer out unless
        // the deployer is exempt (S3 User Guide, example-bucket-policies-vpc-endpoint: "this
        // policy ... also denies access from the console").
        if self.data.deny_outside_vpc_endpoint && self.data.deployer_role_arns.is_empty() {
            return Err(Error::invalid(
                "data.deployer_role_arns",
                "[]",
                "data.deny_outside_vpc_endpoint = true would lock the stack's own deployer out of the buckets (plans read them from outside the VPC)",
                "the role ARNs that run terraform/CloudFormation/CDK for this environment, e.g. ['arn:aws:iam::<account>:role/deployer']",
            ));
        }
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
                    // The real name is <project>-<name>-<account>-<region> (S3 bucket rules).
                    let full = format!(
                        "{}-{name}-111122223333-{}",
                        self.project.name, self.project.region
                    );
                    if !is_bucket_name(&full) {
                        return Err(Error::invalid(
                            format!("{field}.name"),
                            name,
                            format!(
                                "the bucket name '{}-{name}-<account>-{}' breaks the S3 naming rules (3-63 characters)",
                                self.project.name, self.project.region
                            ),
                            "a shorter bucket or project name",
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
                if let Some(problem) = rules::prefix_problem(p) {
                    return Err(Error::invalid(
                        format!("{field}.prefixes"),
                        p,
                        format!("not a usable key prefix: {problem}"),
                        "a prefix such as 'raw/' without a leading '/', '*', '?', '$', control characters or \\ { } ^ % ` ] \" > [ ~ < # |",
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

const TAG_ALLOWED: &str = "keys of 1-128 and values of 1-256 Unicode letters, numbers, spaces and _ . : / = + - @, not starting with 'aws:'";

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
        if !rules::is_ec2_id(id, prefix) || !seen.insert(id) {
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
