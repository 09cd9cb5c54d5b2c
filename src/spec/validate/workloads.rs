//! Validation of the encryption, workload (Studio, notebooks, jobs) and data answers.

use crate::error::{Error, Result};
use crate::spec::rules::{self, is_bucket_name, is_dns_label, is_sagemaker_name};
use crate::spec::{KmsMode, PresignedRestrict, Spec};
use std::collections::BTreeSet;

impl Spec {
    pub(super) fn validate_encryption(&self, partition: &str) -> Result<()> {
        let e = &self.encryption;
        match (e.kms, &e.key_arn) {
            (KmsMode::Existing, None) => Err(Error::invalid(
                "encryption.key_arn",
                "(unset)",
                "kms = \"existing\" needs the key's ARN",
                "an ARN such as 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'",
            )),
            (KmsMode::Existing, Some(arn)) => {
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

    pub(super) fn validate_workloads(&self, partition: &str) -> Result<()> {
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

    pub(super) fn validate_data(&self, partition: &str) -> Result<()> {
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
                    if name == crate::spec::LOG_BUCKET || name == crate::spec::TRAIL_BUCKET {
                        return Err(Error::invalid(
                            format!("{field}.name"),
                            name,
                            "reserved for the server access log and CloudTrail buckets",
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
            self.validate_cross_account(&field, b, partition)?;
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

impl Spec {
    /// `account` and `key_arn` of a bucket owned by another account. The owner's bucket and key
    /// policies must name the role's full ARN (a cross-account grant needs an Allow on both
    /// sides), so the environment's account must be known; a placeholder would be copied into a policy the
    /// owner cannot save. The key must be the owner's and in the environment's Region: the S3
    /// gateway endpoint serves same-Region buckets, and S3 uses only a key in the bucket's Region
    /// (https://repost.aws/knowledge-center/cross-account-access-denied-error-s3).
    fn validate_cross_account(
        &self,
        field: &str,
        b: &crate::spec::Bucket,
        partition: &str,
    ) -> Result<()> {
        if let Some(account) = &b.account {
            if b.existing.is_none() {
                return Err(Error::invalid(
                    format!("{field}.account"),
                    account,
                    "only used with `existing`: smgen creates its own buckets in this account",
                    "remove it, or name the other account's bucket with existing = \"their-bucket\"",
                ));
            }
            if !rules::is_account_id(account) {
                return Err(Error::invalid(
                    format!("{field}.account"),
                    account,
                    "not an AWS account id",
                    "exactly 12 digits, the account that owns the bucket",
                ));
            }
            match &self.project.account_id {
                None => {
                    return Err(Error::invalid(
                        "project.account_id",
                        "(unset)",
                        format!(
                            "{field}.account names a bucket of another account, whose owner must name this environment's role ARNs in their bucket policy"
                        ),
                        "this environment's 12-digit account id",
                    ));
                }
                Some(own) if own == account => {
                    return Err(Error::invalid(
                        format!("{field}.account"),
                        account,
                        "the environment's own account (project.account_id)",
                        "remove it: a bucket of this account needs no statements from another owner",
                    ));
                }
                Some(_) => {}
            }
        }
        let Some(arn) = &b.key_arn else {
            return Ok(());
        };
        let Some(account) = &b.account else {
            return Err(Error::invalid(
                format!("{field}.key_arn"),
                arn,
                "only used with `account` (the key of a bucket in another account)",
                "remove it, or set the owning account with account = \"123456789012\"",
            ));
        };
        if !rules::is_kms_key_arn(arn, partition) {
            return Err(Error::invalid(
                format!("{field}.key_arn"),
                arn,
                "not a KMS key ARN of this partition",
                format!("'arn:{partition}:kms:<region>:<account>:key/<key-id>'"),
            ));
        }
        let parts: Vec<&str> = arn.split(':').collect();
        let (key_region, key_account) = (parts[3], parts[4]);
        if key_account != account {
            return Err(Error::invalid(
                format!("{field}.key_arn"),
                arn,
                format!("the key belongs to account {key_account}, the bucket to {account}"),
                format!("the ARN of a key of account {account}, which owns the bucket"),
            ));
        }
        let region = &self.project.region;
        if key_region != region {
            return Err(Error::invalid(
                format!("{field}.key_arn"),
                arn,
                format!(
                    "the key is in {key_region}: the bucket is reached through this environment's S3 gateway endpoint, in {region}, and S3 uses a key of the bucket's Region"
                ),
                format!(
                    "a key ARN in {region} ('arn:{partition}:kms:{region}:{account}:key/<key-id>')"
                ),
            ));
        }
        Ok(())
    }
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
        if !seen.insert(crate::spec::snake(n)) {
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
