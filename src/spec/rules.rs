//! AWS's own rules for names, ids, ARNs and tags, as predicates. Each cites the API reference
//! or user-guide page that states it; `validate/` applies them and words the errors.

use crate::aws::region;
use regex::Regex;
use std::sync::OnceLock;

/// Lower-case letters, digits and single hyphens; starts with a letter; ends with a letter or
/// digit. smgen's own rule for names that become parts of S3 bucket names (project, bucket
/// short names): a subset of the S3 bucket rules below that also reads well in resource names.
pub fn is_dns_label(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// SageMaker `DomainName`, `UserProfileName` and `NotebookInstanceName`: at most 63 characters,
/// pattern `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}` (SageMaker API Reference: CreateDomain,
/// CreateUserProfile, CreateNotebookInstance, DomainDetails).
pub fn is_sagemaker_name(s: &str) -> bool {
    (1..=63).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !s.ends_with('-')
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// S3 general purpose bucket naming rules (S3 User Guide, bucketnamingrules): 3-63 characters;
/// lower-case letters, digits, dots and hyphens; begins and ends with a letter or digit; no two
/// adjacent periods; not formatted as an IP address; none of the reserved prefixes (`xn--`,
/// `sthree-`, `amzn-s3-demo-`) or suffixes (`-s3alias`, `--ol-s3`, `.mrap`, `--x-s3`,
/// `--table-s3`).
pub fn is_bucket_name(s: &str) -> bool {
    const PREFIXES: &[&str] = &["xn--", "sthree-", "amzn-s3-demo-"];
    const SUFFIXES: &[&str] = &["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];
    (3..=63).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && !s.contains("..")
        && s.parse::<std::net::Ipv4Addr>().is_err()
        && !PREFIXES.iter().any(|p| s.starts_with(p))
        && !SUFFIXES.iter().any(|x| s.ends_with(x))
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

/// What a tag key or value may hold. The tags go on every resource (IAM roles, SageMaker,
/// EC2, S3, KMS, CloudWatch Logs), so the rule is the one all of them accept: Unicode letters,
/// separators (`\p{Z}`) and numbers, and `_ . : / = + - @`; keys 1-128 and values 1-256
/// characters; neither may start with `aws:` in any case, which AWS reserves (Tagging AWS
/// resources user guide, "Tag naming limits and requirements"; the `Tag` type of the IAM,
/// SageMaker and EFS API references gives the patterns `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`).
/// Values may be empty in the tagging APIs, but the CloudFormation resource schemas of
/// `AWS::SageMaker::Domain` and `AWS::SageMaker::UserProfile` give `Tag.Value` a minimum length
/// of 1: an empty value fails CloudFormation's validation of those resources (cfn-lint and
/// aws-cdk-lib's synth-time check report it as F3033), so smgen refuses it for every format.
pub fn tag_problem(s: &str, is_key: bool) -> Option<&'static str> {
    static CHARS: OnceLock<Regex> = OnceLock::new();
    let chars = CHARS.get_or_init(|| Regex::new(r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$").expect("valid"));
    let n = s.chars().count();
    if is_key && n == 0 {
        return Some("a tag key may not be empty");
    }
    if is_key && n > MAX_TAG_KEY {
        return Some("a tag key may have at most 128 characters");
    }
    if !is_key && n == 0 {
        return Some(
            "a tag value may not be empty (SageMaker's CloudFormation resources refuse it)",
        );
    }
    if !is_key && n > MAX_TAG_VALUE {
        return Some("a tag value may have at most 256 characters");
    }
    if s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:")) {
        return Some("the 'aws:' prefix is reserved for AWS");
    }
    if !chars.is_match(s) {
        return Some("a character outside AWS's tag character set");
    }
    None
}

pub const MAX_TAG_KEY: usize = 128;
pub const MAX_TAG_VALUE: usize = 256;
/// User-defined tags per resource (same user guide): 50.
pub const MAX_TAGS: usize = 50;

/// A SageMaker instance type: `ml.<family>.<size>`, as in the `InstanceType` enumeration of
/// CreateNotebookInstance (`ml.t3.medium`, `ml.p4d.24xlarge`, `ml.trn1n.32xlarge`). The family
/// is a letter followed by letters and digits; the size is one of EC2's size words or
/// `<n>xlarge`.
pub fn is_instance_type(s: &str) -> bool {
    const SIZES: &[&str] = &[
        "nano", "micro", "small", "medium", "large", "xlarge", "metal",
    ];
    let mut parts = s.split('.');
    let (Some("ml"), Some(family), Some(size), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let family_ok = family.starts_with(|c: char| c.is_ascii_lowercase())
        && family.len() <= 8
        && family
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let size_ok = SIZES.contains(&size)
        || size.strip_suffix("xlarge").is_some_and(|n| {
            !n.is_empty() && n.len() <= 3 && n.bytes().all(|b| b.is_ascii_digit()) && n != "0"
        });
    family_ok && size_ok
}

/// EC2 ids: `vpc-`/`subnet-`/`rtb-` followed by 8 (older) or 17 lower-case hex digits (EC2 User
/// Guide, resource IDs).
pub fn is_ec2_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|hex| {
        (hex.len() == 8 || hex.len() == 17)
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// A 12-digit AWS account id (AWS Account Management reference, account identifiers).
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `arn:<partition>:kms:<region>:<account>:key/<key-id>`, the key id a UUID or a
/// multi-Region key id `mrk-` followed by 32 hex digits (KMS Developer Guide, key identifiers).
pub fn is_kms_key_arn(arn: &str, partition: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[1] != partition || parts[2] != "kms" {
        return false;
    }
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    let key_ok = parts[5].strip_prefix("key/").is_some_and(|id| {
        if let Some(mrk) = id.strip_prefix("mrk-") {
            return mrk.len() == 32 && hex(mrk);
        }
        let groups: Vec<&str> = id.split('-').collect();
        groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12]) && groups.iter().all(|g| hex(g))
    });
    region::is_well_formed(parts[3]) && is_account_id(parts[4]) && key_ok
}

/// `arn:<partition>:iam::<account>:role/<path><name>`. IAM (CreateRole): the path is `/` or
/// begins and ends with `/`, at most 512 characters of `!` through `~`; the name is 1-64
/// characters of letters, digits and `+=,.@_-`. smgen also lets `*` stand for part of a name
/// or path, since the ARN goes into a policy condition where IAM matches wildcards.
pub fn is_role_arn(arn: &str, partition: &str) -> bool {
    let Some((acct, rest)) = arn
        .strip_prefix(&format!("arn:{partition}:iam::"))
        .and_then(|r| r.split_once(":role/"))
    else {
        return false;
    };
    let (path, name) = match rest.rsplit_once('/') {
        Some((p, n)) => (format!("/{p}/"), n),
        None => ("/".to_string(), rest),
    };
    let name_ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-*".contains(&b));
    // `$` is refused too: in a policy, `${` starts a policy variable (IAM User Guide,
    // reference_policies_variables).
    let path_ok = path.len() <= 512
        && !path.contains("//")
        && path
            .bytes()
            .all(|b| (b'!'..=b'~').contains(&b) && b != b'$');
    is_account_id(acct) && name_ok && path_ok
}

/// Why a bucket key prefix cannot go into the generated policies, if it cannot. S3 keys may hold
/// any UTF-8 (S3 User Guide, object-keys), but the prefix becomes part of IAM resource ARNs and
/// `s3:prefix` conditions, where `*` and `?` are wildcards and `${` starts a policy variable
/// (IAM User Guide, reference_policies_variables), so those are refused; and so are the
/// characters the same S3 page says to avoid in key names (`\ { } ^ % ` ] " > [ ~ < # |`) and
/// control characters. At most 1024 bytes, the S3 key limit.
pub fn prefix_problem(p: &str) -> Option<&'static str> {
    const AVOID: &str = "\\{}^%`]\">[~<#|";
    if p.is_empty() {
        Some("a prefix may not be empty")
    } else if p.len() > 1024 {
        Some("longer than S3's 1024-byte key limit")
    } else if p.starts_with('/') {
        Some("a prefix does not start with '/'")
    } else if p.contains(['*', '?', '$']) {
        Some("'*', '?' and '$' have a meaning in IAM policies")
    } else if p.chars().any(|c| c.is_control() || AVOID.contains(c)) {
        Some("a control character or one S3 says to avoid in key names")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_dns_label("fraud-ml", 2, 24));
        assert!(!is_dns_label("Fraud", 2, 24));
        assert!(!is_dns_label("a--b", 2, 24));
        assert!(!is_dns_label("1ab", 2, 24));
        assert!(is_sagemaker_name("Alice-1"));
        assert!(is_sagemaker_name("a--b"));
        assert!(!is_sagemaker_name("alice_1"));
        assert!(!is_sagemaker_name("-a"));
        assert!(!is_sagemaker_name(&"a".repeat(64)));
        assert!(is_bucket_name("corp.datalake-prod"));
        for bad in [
            "192.168.1.1",
            "a..b",
            "xn--abc",
            "sthree-x",
            "amzn-s3-demo-x",
            "data-s3alias",
            "x--ol-s3",
            "x.mrap",
            "x--x-s3",
            "x--table-s3",
            "ab",
            "Upper",
            "-lead",
        ] {
            assert!(!is_bucket_name(bad), "{bad}");
        }
    }

    #[test]
    fn tags() {
        assert_eq!(tag_problem("CostCenter", true), None);
        assert!(tag_problem("", false).is_some());
        assert_eq!(tag_problem("x", false), None);
        assert_eq!(tag_problem("ünï cödé 日本 +-=._:/@ 42", false), None);
        assert_eq!(
            tag_problem("a\u{2028}b", false),
            None,
            "separators include LS"
        );
        assert!(tag_problem("", true).is_some());
        assert!(tag_problem("AwS:x", true).is_some());
        assert!(tag_problem("aws:x", false).is_some());
        assert!(tag_problem("a\"b", false).is_some());
        assert!(tag_problem("a\nb", false).is_some());
        assert!(tag_problem("${x}", false).is_some());
        assert!(tag_problem(&"k".repeat(129), true).is_some());
        assert_eq!(tag_problem(&"v".repeat(256), false), None);
        assert!(tag_problem(&"v".repeat(257), false).is_some());
    }

    #[test]
    fn instance_types() {
        for ok in [
            "ml.t3.medium",
            "ml.p4d.24xlarge",
            "ml.trn1n.32xlarge",
            "ml.g5.xlarge",
            "ml.c5.large",
        ] {
            assert!(is_instance_type(ok), "{ok}");
        }
        for bad in [
            "t3.medium",
            "ml.t3",
            "ml.t3.medium.x",
            "ml..medium",
            "ml.T3.medium",
            "ml.t3.huge",
            "ml.t3.0xlarge",
            "ml.3t.large",
        ] {
            assert!(!is_instance_type(bad), "{bad}");
        }
    }

    #[test]
    fn ids_and_arns() {
        assert!(is_ec2_id("vpc-0123456789abcdef0", "vpc-"));
        assert!(is_ec2_id("subnet-01234567", "subnet-"));
        assert!(!is_ec2_id("vpc-0123456789ABCDEF0", "vpc-"));
        assert!(!is_ec2_id("vpc-123", "vpc-"));
        let key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assert!(is_kms_key_arn(key, "aws"));
        assert!(!is_kms_key_arn(key, "aws-cn"));
        assert!(is_kms_key_arn(
            "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab",
            "aws"
        ));
        assert!(!is_kms_key_arn(
            "arn:aws:kms:eu-west-1:111122223333:key/1234abcd12ab-34cd-56ef-1234567890ab-",
            "aws"
        ));
        assert!(!is_kms_key_arn(
            "arn:aws:kms:eu-west-1:111122223333:alias/x",
            "aws"
        ));
        assert!(is_role_arn("arn:aws:iam::111122223333:role/rl-*", "aws"));
        assert!(is_role_arn(
            "arn:aws:iam::111122223333:role/team/ml/Trainer",
            "aws"
        ));
        assert!(!is_role_arn("arn:aws:iam::111122223333:role/", "aws"));
        assert!(!is_role_arn(
            &format!("arn:aws:iam::111122223333:role/{}", "r".repeat(65)),
            "aws"
        ));
        assert!(!is_role_arn("arn:aws:iam::111122223333:role/a//b", "aws"));
        assert!(!is_role_arn("arn:aws:iam::1111:role/x", "aws"));
        assert!(!is_role_arn(
            "arn:aws:iam::111122223333:role/${aws:username}/x",
            "aws"
        ));
    }

    #[test]
    fn prefixes() {
        assert_eq!(prefix_problem("raw/2024 (eu)/it's!"), None);
        for bad in [
            "",
            "/raw",
            "a*",
            "a?",
            "${aws:username}/",
            "a\"b",
            "a\nb",
            "a#b",
        ] {
            assert!(prefix_problem(bad).is_some(), "{bad:?}");
        }
    }
}
