//! Bad input, one row per mistake: exit 2, one `error:` line on stderr that names the field, the
//! bad value and what is allowed, nothing on stdout, and the scratch directory byte for byte as
//! it was (nothing written, not even a half project).

mod common;

use common::{MIN_CONFIG, OUT, Smgen, tree, tree_diff};
use std::fs;

/// What is at `--out` before the run.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    /// Run twice: the out dir does not exist, then it is an existing empty directory.
    Fresh,
    /// `out` is a regular file.
    File,
    /// `out` is a directory holding a user's file and no smgen.toml.
    Foreign,
    /// Run from `work/` with `--out ..`: the parent holds the user's files and no smgen.toml.
    DotDot,
    /// `--out` under `/proc`, where no one may create a directory, root included.
    Proc,
    /// `--out ro/out` with `ro` read-only (mode 0555). Root ignores permission bits, so the
    /// row is skipped, with a printed reason, when the tests run as root; `Proc` covers the
    /// same failure for root.
    ReadOnly,
}

struct Case {
    name: &'static str,
    args: Vec<String>,
    /// Written to `input.toml` and passed as `--config input.toml`.
    config: Option<String>,
    target: Target,
    exit: i32,
    /// Substrings of the one stderr line: the field, the value, and what is allowed.
    stderr: &'static [&'static str],
}

/// `--preset P --set a --set b …`
fn set(preset: &str, sets: &[&str]) -> Vec<String> {
    let mut args = vec!["--preset".to_string(), preset.to_string()];
    for s in sets {
        args.push("--set".into());
        args.push(s.to_string());
    }
    args
}

fn row(name: &'static str, args: Vec<String>, stderr: &'static [&'static str]) -> Case {
    Case {
        name,
        args,
        config: None,
        target: Target::Fresh,
        exit: 2,
        stderr,
    }
}

fn config(name: &'static str, text: String, stderr: &'static [&'static str]) -> Case {
    Case {
        config: Some(text),
        ..row(name, vec![], stderr)
    }
}

fn target(name: &'static str, target: Target, stderr: &'static [&'static str]) -> Case {
    Case {
        target,
        ..row(name, set("regulated", &[]), stderr)
    }
}

const ISO: &str = "vpc-only-isolated";
const KEY: &str = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn cases() -> Vec<Case> {
    let profiles: Vec<String> = (0..40).map(|i| format!("\"user{i}\"")).collect();
    let many_tags: Vec<String> = (0..48).map(|i| format!("t{i} = \"x\"")).collect();
    vec![
        // --- reading the input ----------------------------------------------------------------
        config(
            "malformed_toml",
            "[project]\nname = \"demo\nregion = \"eu-west-1\"\n".into(),
            &["input.toml:2:"],
        ),
        config(
            "unknown_key_in_config",
            format!("{MIN_CONFIG}[network]\nnatt = \"x\"\n"),
            &["input.toml:5:", "natt", "did you mean `nat`?"],
        ),
        config(
            "wrong_type_in_config",
            format!("{MIN_CONFIG}[network.vpc]\nazs = \"two\"\n"),
            &[
                "input.toml:5:7",
                "network.vpc.azs",
                "\"two\"",
                "expected u8",
            ],
        ),
        row(
            "missing_config_file",
            vec!["--config".into(), "does-not-exist.toml".into()],
            &["does-not-exist.toml"],
        ),
        row(
            "unknown_preset",
            vec!["--preset".into(), "no-such-preset".into()],
            &[
                "no-such-preset",
                "existing-vpc",
                "notebook-private",
                "public-only",
                "regulated",
                "vpc-only-isolated",
                "vpc-only-nat",
            ],
        ),
        // --- --set ----------------------------------------------------------------------------
        row(
            "lifecycle_script_outside_the_project",
            set("regulated", &["lifecycle.jupyterlab=../../etc/profile.sh"]),
            &[
                "lifecycle.jupyterlab",
                "../../etc/profile.sh",
                "lifecycle/<name>.sh",
            ],
        ),
        row(
            "lifecycle_script_not_a_shell_script",
            set("regulated", &["lifecycle.code_editor=lifecycle/setup.py"]),
            &[
                "lifecycle.code_editor",
                "lifecycle/setup.py",
                "lifecycle/<name>.sh",
            ],
        ),
        row(
            "lifecycle_script_shared_by_two_apps",
            set(
                "regulated",
                &["lifecycle.code_editor=lifecycle/jupyterlab.sh"],
            ),
            &[
                "lifecycle.code_editor",
                "lifecycle/jupyterlab.sh",
                "a path of its own",
            ],
        ),
        row(
            "idle_shutdown_below_sagemakers_minimum",
            set("regulated", &["studio.idle_shutdown_minutes=30"]),
            &["studio.idle_shutdown_minutes", "30", "60 to 525600 minutes"],
        ),
        row(
            "notebook_idle_stop_without_its_script",
            set("notebook-private", &["notebook.idle_stop_minutes=120"]),
            &[
                "notebook.idle_stop_minutes",
                "120",
                "lifecycle.notebook_instance",
            ],
        ),
        row(
            "approved_image_given_as_an_arn",
            set(
                "regulated",
                &[
                    "studio.approved_images=[\"arn:aws:sagemaker:eu-central-1:111122223333:image/x\"]",
                ],
            ),
            &[
                "studio.approved_images",
                "arn:aws:sagemaker",
                "the image's name, not its ARN",
            ],
        ),
        row(
            "unknown_set_section",
            set("regulated", &["bogus.x=1"]),
            &["bogus", "expected one of", "network"],
        ),
        row(
            "unknown_set_section_typo",
            set("regulated", &["netwrok.nat=single"]),
            &["netwrok", "did you mean `network`?"],
        ),
        row(
            "unknown_set_key",
            set("regulated", &["network.natt=single"]),
            &["natt", "did you mean `nat`?"],
        ),
        row(
            "unknown_enum_word",
            set("regulated", &["network.nat=singel"]),
            &["network.nat=singel", "per-az", "did you mean `single`?"],
        ),
        row(
            "wrong_type_in_set",
            set(ISO, &["network.flow_logs=maybe"]),
            &["network.flow_logs=maybe", "expected a boolean"],
        ),
        row(
            "number_out_of_type_range",
            set(ISO, &["notebook.volume_size_gb=70000"]),
            &["notebook.volume_size_gb=70000", "expected u16"],
        ),
        row(
            "set_through_a_value",
            set("regulated", &["project.name.x=1"]),
            &["project.name", "is a value"],
        ),
        row(
            "set_without_equals",
            set("regulated", &["network.nat"]),
            &["network.nat", "key.path=value"],
        ),
        row(
            "set_with_empty_segment",
            set("regulated", &["network..nat=single"]),
            &["network..nat", "empty segment"],
        ),
        // --- project ----------------------------------------------------------------------------
        row(
            "region_typo",
            set(ISO, &["project.region=eu-wset-1"]),
            &["project.region", "eu-wset-1", "did you mean 'eu-west-1'"],
        ),
        row(
            "project_name_upper_case",
            set(ISO, &["project.name=FraudML"]),
            &["project.name", "FraudML", "lower-case letters"],
        ),
        row(
            "project_name_too_long",
            set(ISO, &["project.name=abcdefghijklmnopqrstuvwxy"]),
            &["project.name", "abcdefghijklmnopqrstuvwxy", "2-24"],
        ),
        row(
            "account_id_not_12_digits",
            set(ISO, &["project.account_id=12345678901x"]),
            &["project.account_id", "12345678901x", "exactly 12 digits"],
        ),
        row(
            "tag_key_aws_prefix",
            set(ISO, &["project.tags={ \"AWS:team\" = \"ml\" }"]),
            &[
                "project.tags.AWS:team",
                "'aws:' prefix is reserved",
                "1-128",
            ],
        ),
        row(
            "tag_value_aws_prefix",
            set(ISO, &["project.tags={ team = \"aws:ml\" }"]),
            &["project.tags.team", "aws:ml", "reserved"],
        ),
        config(
            "tag_value_injection",
            format!(
                "{MIN_CONFIG}tags = {{ note = \"\\\"}}\\nresource \\\"x\\\" {{ ${{var.a}}\" }}\n"
            ),
            &[
                "project.tags.note",
                "\\nresource",
                "character outside AWS's tag character set",
                "_ . : / = + - @",
            ],
        ),
        config(
            "tag_key_bad_character",
            format!("{MIN_CONFIG}tags = {{ \"cost#center\" = \"x\" }}\n"),
            &["project.tags.cost#center", "character outside", "letters"],
        ),
        config(
            "tag_key_empty",
            format!("{MIN_CONFIG}tags = {{ \"\" = \"x\" }}\n"),
            &["project.tags.", "may not be empty", "1-128"],
        ),
        config(
            "tag_value_empty",
            format!("{MIN_CONFIG}tags = {{ note = \"\" }}\n"),
            &["project.tags.note", "may not be empty", "1-256"],
        ),
        config(
            "tag_value_too_long",
            format!("{MIN_CONFIG}tags = {{ note = \"{}\" }}\n", "v".repeat(257)),
            &["project.tags.note", "at most 256 characters", "1-256"],
        ),
        config(
            "too_many_tags",
            format!("{MIN_CONFIG}tags = {{ {} }}\n", many_tags.join(", ")),
            &["project.tags", "48 tags", "at most 47 tags"],
        ),
        // --- network ----------------------------------------------------------------------------
        row(
            "cidr_prefix_too_long",
            set(ISO, &["network.vpc.cidr=10.0.0.0/33"]),
            &["network.vpc.cidr", "10.0.0.0/33", "10.20.0.0/16"],
        ),
        row(
            "cidr_too_large",
            set(ISO, &["network.vpc.cidr=10.0.0.0/8"]),
            &[
                "network.vpc.cidr",
                "10.0.0.0/8",
                "block too large",
                "from /16",
                "/16 to /24",
            ],
        ),
        row(
            "cidr_host_bits_set",
            set(ISO, &["network.vpc.cidr=10.0.0.1/16"]),
            &["network.vpc.cidr", "10.0.0.1/16", "10.0.0.0/16"],
        ),
        row(
            "cidr_too_small",
            set(ISO, &["network.vpc.cidr=10.0.0.0/26"]),
            &["network.vpc.cidr", "10.0.0.0/26", "/16 to /24"],
        ),
        config(
            "subnets_too_small_for_the_users",
            format!(
                "{MIN_CONFIG}[network.vpc]\ncidr = \"10.0.0.0/24\"\nazs = 3\n[studio]\nuser_profiles = [{}]\n",
                profiles.join(", ")
            ),
            &[
                "network.vpc.cidr",
                "10.0.0.0/24",
                "/27",
                "27 usable addresses",
                "larger block",
            ],
        ),
        row(
            "azs_out_of_range",
            set(ISO, &["network.vpc.azs=7"]),
            &["network.vpc.azs", "'7'", "1 to 6"],
        ),
        row(
            "more_azs_than_the_region_has",
            set(ISO, &["network.vpc.azs=4"]),
            &[
                "network.vpc.azs",
                "'4'",
                "eu-west-1 has 3 zones",
                "at most 3",
            ],
        ),
        row(
            "az_ids_of_another_region",
            set(ISO, &["network.vpc.az_ids=[\"use1-az1\", \"use1-az2\"]"]),
            &["network.vpc.az_ids", "use1-az1", "euw1-az"],
        ),
        row(
            "existing_vpc_without_vpc_id",
            set("regulated", &["network.vpc.create=false"]),
            &["network.vpc.vpc_id", "vpc-0123456789abcdef0"],
        ),
        row(
            "vpc_id_malformed",
            set("existing-vpc", &["network.vpc.vpc_id=vpc-XYZ"]),
            &["network.vpc.vpc_id", "vpc-XYZ", "vpc-0123456789abcdef0"],
        ),
        row(
            "existing_vpc_without_subnet_ids",
            set("existing-vpc", &["network.vpc.subnet_ids=[]"]),
            &["network.vpc.subnet_ids", "[]", "subnet-0123456789abcdef0"],
        ),
        row(
            "subnet_id_malformed",
            set("existing-vpc", &["network.vpc.subnet_ids=[\"subnet-123\"]"]),
            &[
                "network.vpc.subnet_ids",
                "subnet-123",
                "subnet-0123456789abcdef0",
            ],
        ),
        row(
            "route_table_listed_twice",
            set(
                "existing-vpc",
                &["network.vpc.route_table_ids=[\"rtb-01234567\", \"rtb-01234567\"]"],
            ),
            &["network.vpc.route_table_ids", "rtb-01234567", "distinct"],
        ),
        row(
            "nat_with_existing_vpc",
            set("existing-vpc", &["network.nat=single"]),
            &["network.nat", "single", "'none'"],
        ),
        row(
            "public_pip_without_nat",
            set(ISO, &["needs.pip=public"]),
            &["needs.pip", "nat"],
        ),
        row(
            "private_endpoints_without_nat",
            set(ISO, &["network.private_endpoints_with_nat=true"]),
            &[
                "network.private_endpoints_with_nat",
                "true",
                "only used with a NAT gateway",
                "network.nat = \"single\" or \"per-az\"",
            ],
        ),
        row(
            "private_endpoints_with_an_endpoint_list",
            set(
                "vpc-only-nat",
                &[
                    "network.private_endpoints_with_nat=true",
                    "network.endpoints=[\"s3\"]",
                ],
            ),
            &[
                "network.private_endpoints_with_nat",
                "only used with network.endpoints = \"auto\"",
            ],
        ),
        row(
            "endpoints_unknown_keyword",
            set(ISO, &["network.endpoints=all"]),
            &["network.endpoints", "'all'", "'auto' or a list"],
        ),
        row(
            "endpoints_wrong_type",
            set(ISO, &["network.endpoints=3"]),
            &["network.endpoints", "\"auto\" or a list of endpoint keys"],
        ),
        row(
            "endpoint_unknown",
            set(ISO, &["network.endpoints=[\"s3\", \"sagemakr.api\"]"]),
            &["network.endpoints", "sagemakr.api", "sagemaker.api"],
        ),
        row(
            "endpoint_listed_twice",
            set(ISO, &["network.endpoints=[\"s3\", \"s3\"]"]),
            &["network.endpoints", "'s3'", "each endpoint once"],
        ),
        row(
            "explicit_endpoints_without_sagemaker_api",
            set(
                ISO,
                &[
                    "network.endpoints=[\"s3\", \"sagemaker.runtime\", \"studio\", \"sts\", \"logs\"]",
                ],
            ),
            &["network.endpoints", "sagemaker.api"],
        ),
        // --- encryption -------------------------------------------------------------------------
        row(
            "kms_existing_without_key_arn",
            set("regulated", &["encryption.kms=existing"]),
            &["encryption.key_arn", "existing", "arn:aws:kms:"],
        ),
        row(
            "kms_key_arn_of_another_partition",
            set(
                ISO,
                &[
                    "encryption.kms=existing",
                    "encryption.key_arn=arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                ],
            ),
            &[
                "encryption.key_arn",
                "arn:aws-cn:kms",
                "'arn:aws:kms:<region>",
            ],
        ),
        row(
            "kms_key_arn_in_another_region",
            set(
                ISO,
                &[
                    "encryption.kms=existing",
                    "encryption.key_arn=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                ],
            ),
            &[
                "encryption.key_arn",
                "arn:aws:kms:us-east-1:111122223333",
                "the key is in us-east-1",
                "S3, SageMaker and CloudWatch Logs",
                "a key ARN in eu-west-1",
            ],
        ),
        row(
            "kms_alias_instead_of_key_arn",
            set(
                ISO,
                &[
                    "encryption.kms=existing",
                    "encryption.key_arn=arn:aws:kms:eu-west-1:111122223333:alias/ml",
                ],
            ),
            &["encryption.key_arn", "alias/ml", "key/<key-id>"],
        ),
        row(
            "key_arn_without_kms_existing",
            set(ISO, &[&format!("encryption.key_arn={KEY}")]),
            &[
                "encryption.key_arn",
                "1234abcd",
                "encryption.kms = \"existing\"",
            ],
        ),
        // --- Studio, notebooks, jobs ------------------------------------------------------------
        row(
            "duplicate_user_profile",
            set(ISO, &["studio.user_profiles=[\"ana\", \"ana\"]"]),
            &["studio.user_profiles", "ana", "twice", "distinct names"],
        ),
        row(
            "user_profile_with_a_path",
            set(ISO, &["studio.user_profiles=[\"../../etc\"]"]),
            &[
                "studio.user_profiles",
                "../../etc",
                "letters, digits and hyphens",
            ],
        ),
        row(
            "user_profile_too_long",
            set(
                ISO,
                &[
                    "studio.user_profiles=[\"a234567890123456789012345678901234567890123456789012345678901234\"]",
                ],
            ),
            &["studio.user_profiles", "a2345678901", "1-63"],
        ),
        row(
            "source_ip_restriction_without_ranges",
            set(ISO, &["studio.presigned_url.restrict=source-ip"]),
            &["studio.presigned_url.source_ips", "[]", "203.0.113.0/24"],
        ),
        row(
            "source_ip_not_a_cidr",
            set(
                ISO,
                &[
                    "studio.presigned_url.restrict=source-ip",
                    "studio.presigned_url.source_ips=[\"10.0.0.300/24\"]",
                ],
            ),
            &[
                "studio.presigned_url.source_ips",
                "10.0.0.300/24",
                "CIDR blocks",
            ],
        ),
        row(
            "invalid_instance_type",
            set("notebook-private", &["notebook.instance_type=t3.medium"]),
            &["notebook.instance_type", "t3.medium", "ml.t3.medium"],
        ),
        row(
            "instance_type_unknown_size",
            set("notebook-private", &["notebook.instance_type=ml.t3.huge"]),
            &["notebook.instance_type", "ml.t3.huge", "ml.<family>.<size>"],
        ),
        row(
            "notebook_name_with_underscore",
            set("notebook-private", &["notebook.names=[\"my_nb\"]"]),
            &["notebook.names", "my_nb", "letters, digits and hyphens"],
        ),
        row(
            "notebook_name_too_long_with_the_project_name",
            set(
                "notebook-private",
                &[
                    "notebook.names=[\"n23456789012345678901234567890123456789012345678901234567890\"]",
                ],
            ),
            &["notebook.names", "longer than 63 characters", "at most"],
        ),
        row(
            "volume_size_out_of_range",
            set("notebook-private", &["notebook.volume_size_gb=2"]),
            &["notebook.volume_size_gb", "'2'", "5 to 16384 GB"],
        ),
        row(
            "isolation_exception_not_a_role_arn",
            set(
                ISO,
                &["jobs.isolation_exceptions=[\"arn:aws:iam::111122223333:user/bob\"]"],
            ),
            &["jobs.isolation_exceptions", "user/bob", ":role/<name>"],
        ),
        // --- data -------------------------------------------------------------------------------
        row(
            "bucket_short_name_upper_case",
            set(ISO, &["data.buckets=[{ name = \"Data\" }]"]),
            &["data.buckets[0].name", "Data", "1-10 lower-case"],
        ),
        row(
            "bucket_named_like_the_log_bucket",
            set(ISO, &["data.buckets=[{ name = \"s3logs\" }]"]),
            &["data.buckets[0].name", "s3logs", "another short name"],
        ),
        row(
            "trail_bucket_name_reserved",
            set(ISO, &["data.buckets=[{ name = \"trail\" }]"]),
            &["data.buckets[0].name", "trail", "another short name"],
        ),
        row(
            "log_retention_not_accepted_by_cloudwatch",
            set(ISO, &["audit.log_retention_days=100"]),
            &["audit.log_retention_days", "100", "one of 1, 3, 5", "3653"],
        ),
        row(
            "trail_retention_zero",
            set(ISO, &["audit.trail_retention_days=0"]),
            &["audit.trail_retention_days", "0", "1 to 36500 days"],
        ),
        row(
            "cloudwatch_delivery_without_a_trail",
            set(
                ISO,
                &[
                    "audit.cloudtrail=organization",
                    "audit.cloudwatch_logs=true",
                ],
            ),
            &[
                "audit.cloudwatch_logs",
                "true",
                "audit.cloudtrail = \"create\"",
            ],
        ),
        row(
            "unknown_cloudtrail_mode",
            set(ISO, &["audit.cloudtrail=off"]),
            &["audit.cloudtrail", "off", "create"],
        ),
        row(
            "bucket_with_name_and_existing",
            set(
                ISO,
                &["data.buckets=[{ name = \"data\", existing = \"corp-bucket\" }]"],
            ),
            &[
                "data.buckets[0]",
                "exactly one of",
                "existing = \"my-bucket\"",
            ],
        ),
        row(
            "existing_bucket_reserved_prefix",
            set(
                ISO,
                &["data.buckets=[{ name = \"data\" }, { existing = \"xn--bucket\" }]"],
            ),
            &["data.buckets[1].existing", "xn--bucket", "3-63 lower-case"],
        ),
        row(
            "bucket_account_without_existing",
            set(
                ISO,
                &["data.buckets=[{ name = \"data\", account = \"444455556666\" }]"],
            ),
            &[
                "data.buckets[0].account",
                "444455556666",
                "only used with `existing`",
            ],
        ),
        row(
            "bucket_account_not_an_account_id",
            set(
                ISO,
                &[
                    "project.account_id=\"111122223333\"",
                    "data.buckets=[{ name = \"data\" }, { existing = \"partner-data\", account = \"4444-5555-6666\" }]",
                ],
            ),
            &[
                "data.buckets[1].account",
                "4444-5555-6666",
                "exactly 12 digits",
            ],
        ),
        row(
            "bucket_account_without_own_account_id",
            set(
                ISO,
                &[
                    "data.buckets=[{ name = \"data\" }, { existing = \"partner-data\", account = \"444455556666\" }]",
                ],
            ),
            &[
                "project.account_id",
                "data.buckets[1].account",
                "12-digit account id",
            ],
        ),
        row(
            "bucket_account_is_the_own_account",
            set(
                ISO,
                &[
                    "project.account_id=\"111122223333\"",
                    "data.buckets=[{ name = \"data\" }, { existing = \"partner-data\", account = \"111122223333\" }]",
                ],
            ),
            &["data.buckets[1].account", "111122223333", "remove it"],
        ),
        row(
            "bucket_key_of_another_account",
            set(
                ISO,
                &[
                    "project.account_id=\"111122223333\"",
                    "data.buckets=[{ name = \"data\" }, { existing = \"partner-data\", account = \"444455556666\", key_arn = \"arn:aws:kms:eu-west-1:777788889999:key/1234abcd-12ab-34cd-56ef-1234567890ab\" }]",
                ],
            ),
            &[
                "data.buckets[1].key_arn",
                "777788889999",
                "a key of account 444455556666",
            ],
        ),
        row(
            "bucket_key_of_another_partition",
            set(
                ISO,
                &[
                    "project.account_id=\"111122223333\"",
                    "data.buckets=[{ name = \"data\" }, { existing = \"partner-data\", account = \"444455556666\", key_arn = \"arn:aws-cn:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab\" }]",
                ],
            ),
            &[
                "data.buckets[1].key_arn",
                "arn:aws-cn:kms",
                "'arn:aws:kms:<region>",
            ],
        ),
        row(
            "bucket_key_in_another_region",
            set(
                ISO,
                &[
                    "project.account_id=\"111122223333\"",
                    "data.buckets=[{ name = \"data\" }, { existing = \"partner-data\", account = \"444455556666\", key_arn = \"arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab\" }]",
                ],
            ),
            &[
                "data.buckets[1].key_arn",
                "us-east-1",
                "a key ARN in eu-west-1",
            ],
        ),
        row(
            "bucket_key_without_account",
            set(
                ISO,
                &[
                    "data.buckets=[{ name = \"data\" }, { existing = \"corp-bucket\", key_arn = \"arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab\" }]",
                ],
            ),
            &[
                "data.buckets[1].key_arn",
                "only used with `account`",
                "account = ",
            ],
        ),
        row(
            "no_created_bucket",
            set(ISO, &["data.buckets=[{ existing = \"corp-bucket\" }]"]),
            &[
                "data.buckets",
                "no created bucket",
                "at least one entry with `name`",
            ],
        ),
        row(
            "prefix_with_a_wildcard",
            set(
                ISO,
                &["data.buckets=[{ name = \"data\", prefixes = [\"raw/*\"] }]"],
            ),
            &["data.buckets[0].prefixes", "raw/*", "'raw/'"],
        ),
        row(
            "prefix_with_a_policy_variable",
            set(
                ISO,
                &["data.buckets=[{ name = \"data\", prefixes = [\"${aws:username}/\"] }]"],
            ),
            &["data.buckets[0].prefixes", "${aws:username}/", "'$'"],
        ),
        // --- where the project goes -------------------------------------------------------------
        target("out_is_a_file", Target::File, &["out", "not a directory"]),
        target(
            "out_is_not_an_smgen_project",
            Target::Foreign,
            &["out", "not empty", "smgen.toml", "empty or new directory"],
        ),
        target(
            "out_through_dotdot_is_not_an_smgen_project",
            Target::DotDot,
            &["..", "not empty", "smgen.toml", "empty or new directory"],
        ),
        target(
            "out_where_even_root_cannot_write",
            Target::Proc,
            &["/proc/"],
        ),
        target(
            "out_parent_not_writable",
            Target::ReadOnly,
            &["ro", "Permission denied"],
        ),
    ]
}

/// Runs one case against one starting state of `--out`; returns what went wrong.
fn check_case(case: &Case, start: &str) -> Vec<String> {
    let mut smgen = Smgen::new();
    if let Some(text) = &case.config {
        smgen = smgen.file("input.toml", text);
    }
    let scratch = smgen.path().to_path_buf();
    let proc_out = format!("/proc/smgen-test-{}/out", std::process::id());
    smgen = match start {
        "missing" => smgen,
        "empty dir" => smgen.dir(OUT),
        "file" => smgen.file(OUT, "not a directory\n"),
        "foreign dir" => smgen.file(&format!("{OUT}/notes.txt"), "my notes\n"),
        "parent dir" => smgen.file("keep.txt", "mine\n").current_dir("work"),
        "proc" | "read-only dir" => smgen,
        other => unreachable!("{other}"),
    };
    if start == "read-only dir" {
        use std::os::unix::fs::PermissionsExt;
        let ro = scratch.join("ro");
        fs::create_dir(&ro).expect("create ro");
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).expect("chmod");
    }
    smgen = smgen.arg("generate").args(&case.args);
    if case.config.is_some() {
        smgen = smgen.args(["--config", &scratch.join("input.toml").to_string_lossy()]);
    }
    smgen = match start {
        "parent dir" => smgen.out(".."),
        "proc" => smgen.args(["--out", &proc_out]),
        "read-only dir" => smgen.out("ro/out"),
        _ => smgen.out_dir(),
    };
    let before = tree(&scratch);
    let run = smgen.run();
    let after = tree(&scratch);

    let mut problems = vec![];
    if run.code() != Some(case.exit) {
        problems.push(format!("exit {:?}, expected {}", run.code(), case.exit));
    }
    let lines: Vec<&str> = run.stderr.lines().collect();
    if lines.len() != 1 {
        problems.push(format!("stderr has {} lines, expected one", lines.len()));
    }
    if !run.stderr.starts_with("error: ") {
        problems.push("stderr does not start with `error: `".into());
    }
    for needle in case.stderr {
        if !run.stderr.contains(needle) {
            problems.push(format!("stderr lacks {needle:?}"));
        }
    }
    if !run.stdout.is_empty() {
        problems.push("something was printed on stdout".into());
    }
    if before != after {
        problems.push(format!("files changed:\n{}", tree_diff(&before, &after)));
    }
    if start == "proc" && std::path::Path::new(&proc_out).exists() {
        problems.push(format!("{proc_out} was created"));
    }
    problems
        .into_iter()
        .map(|p| {
            format!(
                "{} (out: {start}): {p}\n    stderr: {}",
                case.name, run.stderr
            )
        })
        .collect()
}

fn running_as_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|euid| euid == "0"))
        })
        .unwrap_or(false)
}

fn run_case(name: &str) {
    let cases = cases();
    let case = cases
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case {name}"));
    let starts: &[&str] = match case.target {
        Target::Fresh => &["missing", "empty dir"],
        Target::File => &["file"],
        Target::Foreign => &["foreign dir"],
        Target::DotDot => &["parent dir"],
        Target::Proc => &["proc"],
        Target::ReadOnly if running_as_root() => {
            println!(
                "skipped: root ignores permission bits, so a read-only directory does not stop it; \
                 out_where_even_root_cannot_write covers root"
            );
            return;
        }
        Target::ReadOnly => &["read-only dir"],
    };
    let problems: Vec<String> = starts.iter().flat_map(|t| check_case(case, t)).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// One `#[test]` per row of [`cases`], so that each failure is reported by name; the
/// `every_case_has_a_test` test keeps the list and the table in step.
macro_rules! bad_input_tests {
    ($($name:ident),* $(,)?) => {
        mod bad_input {
            $(
                #[test]
                fn $name() {
                    super::run_case(stringify!($name));
                }
            )*
        }

        #[test]
        fn every_case_has_a_test_and_there_are_at_least_40() {
            let listed: &[&str] = &[$(stringify!($name)),*];
            let cases = cases();
            let table: Vec<&str> = cases.iter().map(|c| c.name).collect();
            assert_eq!(listed, table.as_slice());
            assert!(table.len() >= 40, "{} cases", table.len());
        }
    };
}

bad_input_tests!(
    malformed_toml,
    unknown_key_in_config,
    wrong_type_in_config,
    missing_config_file,
    unknown_preset,
    lifecycle_script_outside_the_project,
    lifecycle_script_not_a_shell_script,
    lifecycle_script_shared_by_two_apps,
    idle_shutdown_below_sagemakers_minimum,
    notebook_idle_stop_without_its_script,
    approved_image_given_as_an_arn,
    unknown_set_section,
    unknown_set_section_typo,
    unknown_set_key,
    unknown_enum_word,
    wrong_type_in_set,
    number_out_of_type_range,
    set_through_a_value,
    set_without_equals,
    set_with_empty_segment,
    region_typo,
    project_name_upper_case,
    project_name_too_long,
    account_id_not_12_digits,
    tag_key_aws_prefix,
    tag_value_aws_prefix,
    tag_value_injection,
    tag_key_bad_character,
    tag_key_empty,
    tag_value_empty,
    tag_value_too_long,
    too_many_tags,
    cidr_prefix_too_long,
    cidr_too_large,
    cidr_host_bits_set,
    cidr_too_small,
    subnets_too_small_for_the_users,
    azs_out_of_range,
    more_azs_than_the_region_has,
    az_ids_of_another_region,
    existing_vpc_without_vpc_id,
    vpc_id_malformed,
    existing_vpc_without_subnet_ids,
    subnet_id_malformed,
    route_table_listed_twice,
    nat_with_existing_vpc,
    public_pip_without_nat,
    private_endpoints_without_nat,
    private_endpoints_with_an_endpoint_list,
    endpoints_unknown_keyword,
    endpoints_wrong_type,
    endpoint_unknown,
    endpoint_listed_twice,
    explicit_endpoints_without_sagemaker_api,
    kms_existing_without_key_arn,
    kms_key_arn_of_another_partition,
    kms_key_arn_in_another_region,
    kms_alias_instead_of_key_arn,
    key_arn_without_kms_existing,
    duplicate_user_profile,
    user_profile_with_a_path,
    user_profile_too_long,
    source_ip_restriction_without_ranges,
    source_ip_not_a_cidr,
    invalid_instance_type,
    instance_type_unknown_size,
    notebook_name_with_underscore,
    notebook_name_too_long_with_the_project_name,
    volume_size_out_of_range,
    isolation_exception_not_a_role_arn,
    bucket_short_name_upper_case,
    bucket_named_like_the_log_bucket,
    trail_bucket_name_reserved,
    log_retention_not_accepted_by_cloudwatch,
    trail_retention_zero,
    cloudwatch_delivery_without_a_trail,
    unknown_cloudtrail_mode,
    bucket_with_name_and_existing,
    existing_bucket_reserved_prefix,
    bucket_account_without_existing,
    bucket_account_not_an_account_id,
    bucket_account_without_own_account_id,
    bucket_account_is_the_own_account,
    bucket_key_of_another_account,
    bucket_key_of_another_partition,
    bucket_key_in_another_region,
    bucket_key_without_account,
    no_created_bucket,
    prefix_with_a_wildcard,
    prefix_with_a_policy_variable,
    out_is_a_file,
    out_is_not_an_smgen_project,
    out_through_dotdot_is_not_an_smgen_project,
    out_where_even_root_cannot_write,
    out_parent_not_writable,
);
