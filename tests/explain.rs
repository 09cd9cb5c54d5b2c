//! `smgen explain`: reachability cells the AWS documentation states (docs/sagemaker-facts.md § 2.2, 2.8,
//! 2.12), every finding rule, the cost arithmetic against the price table, the diagram, and
//! the command line.

mod common;

use common::{MIN_CONFIG, Smgen};
use smgen::explain::cost::{self, Charge};
use smgen::explain::reach::{Destination as D, Hop, Matrix, Source as S};
use smgen::explain::{self, DiagramFormat};
use smgen::model::{self, Model, Severity};
use smgen::spec::{self, SpecSource};

fn model_of(extra: &str, sets: &[&str]) -> Model {
    let text = format!("{MIN_CONFIG}{extra}");
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let spec = spec::load(
        &SpecSource::Config {
            origin: "test.toml".into(),
            text,
        },
        &sets,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    model::resolve(&spec)
}

fn matrix(extra: &str, sets: &[&str]) -> Matrix {
    explain::reach::matrix(&model_of(extra, sets))
}

fn preset(name: &str) -> Matrix {
    let spec = spec::load(&SpecSource::Preset(name.into()), &[]).unwrap();
    explain::reach::matrix(&model::resolve(&spec))
}

/// The cell, which must exist.
fn cell(m: &Matrix, s: S, d: D) -> (bool, Option<Hop>, String) {
    let c = m
        .cell(s, d)
        .unwrap_or_else(|| panic!("no cell {s:?} -> {d:?}"));
    (c.reachable, c.hop, c.via.clone())
}

fn blocked(m: &Matrix, s: S, d: D, because: &str) {
    let (ok, hop, via) = cell(m, s, d);
    assert!(
        !ok && hop.is_none(),
        "{s:?} -> {d:?} should be blocked: {via}"
    );
    assert!(
        via.contains(because),
        "{s:?} -> {d:?}: '{via}' lacks '{because}'"
    );
}

fn reaches(m: &Matrix, s: S, d: D, hop: Hop) {
    let (ok, h, via) = cell(m, s, d);
    assert!(ok, "{s:?} -> {d:?} should be reachable: {via}");
    assert_eq!(h, Some(hop), "{s:?} -> {d:?}: {via}");
}

// ---------------------------------------------------------------- reachability (docs/sagemaker-facts.md § 2.2, 2.8, 2.12)

/// dg mkt-algo-model-internet-free: an isolated container makes no outbound call, "even to
/// other AWS services such as Amazon S3", in every preset (NAT or not).
#[test]
fn isolated_training_reaches_nothing() {
    for p in ["regulated", "vpc-only-nat", "public-only", "existing-vpc"] {
        let m = preset(p);
        for d in D::ALL {
            blocked(&m, S::JobsIsolated, d, "network isolation");
        }
    }
}

/// Hosted models under isolation (CreateModel EnableNetworkIsolation) reach nothing either.
#[test]
fn isolated_hosted_models_reach_nothing() {
    let m = matrix("", &["network.nat=single"]);
    for d in D::ALL {
        blocked(&m, S::HostedModels, d, "network isolation");
    }
}

/// awsdocs PR #259: VPC only without NAT and without the STS endpoint, the SDK cannot call STS.
#[test]
fn no_nat_and_no_sts_endpoint_means_no_sts() {
    let m = matrix(
        "",
        &[r#"network.endpoints=["s3","sagemaker.api","sagemaker.runtime","studio","logs"]"#],
    );
    blocked(&m, S::StudioApps, D::Sts, "no `sts` endpoint");
    blocked(&m, S::StudioApps, D::Sts, "no NAT gateway");
    blocked(&m, S::JobsNotIsolated, D::Sts, "no `sts` endpoint");
}

/// The solver adds STS for SDK remote jobs; then STS goes through the interface endpoint.
#[test]
fn sts_endpoint_carries_sts() {
    let m = matrix("", &[]);
    reaches(&m, S::StudioApps, D::Sts, Hop::InterfaceEndpoint);
}

/// awsdocs PR #259: without the Logs endpoint (and NAT) the SDK never sees the job's logs.
#[test]
fn no_nat_and_no_logs_endpoint_means_no_logs() {
    let m = matrix(
        "",
        &[r#"network.endpoints=["s3","sagemaker.api","sagemaker.runtime","studio","sts"]"#],
    );
    blocked(&m, S::StudioApps, D::CloudwatchLogs, "no `logs` endpoint");
}

/// dg studio-updated-and-internet-access: VpcOnly Studio needs the API endpoint or NAT.
#[test]
fn vpc_only_without_api_endpoint_or_nat_cannot_reach_the_api() {
    let m = matrix("", &[r#"network.endpoints=["s3","sts","logs"]"#]);
    blocked(
        &m,
        S::StudioApps,
        D::SagemakerApi,
        "no `sagemaker.api` endpoint",
    );
    let m = matrix("", &[]);
    reaches(&m, S::StudioApps, D::SagemakerApi, Hop::InterfaceEndpoint);
    reaches(
        &m,
        S::StudioApps,
        D::SagemakerRuntime,
        Hop::InterfaceEndpoint,
    );
}

/// Facts 2.2: VpcOnly with NAT reaches the internet (HTTPS) through the NAT gateway; without
/// NAT it does not.
#[test]
fn vpc_only_internet_follows_nat() {
    reaches(
        &preset("vpc-only-nat"),
        S::StudioApps,
        D::Internet,
        Hop::Nat,
    );
    blocked(
        &preset("vpc-only-isolated"),
        S::StudioApps,
        D::Internet,
        "no NAT gateway",
    );
}

/// Facts 2.2: Public only Studio uses the SageMaker-managed VPC, with internet access; the
/// VPC's endpoints are not in its path.
#[test]
fn public_only_studio_goes_through_the_managed_vpc() {
    let m = preset("public-only");
    for d in [D::Internet, D::SagemakerApi, D::Sts, D::DataBucket] {
        reaches(&m, S::StudioApps, d, Hop::SagemakerManaged);
    }
}

/// dg appendix-notebook-and-internet-access: direct internet access gives the notebook the
/// internet; with it off and no NAT, the notebook has none, but reaches the API by endpoint.
#[test]
fn notebook_internet_follows_direct_internet_access() {
    let open = matrix(
        "[needs]\nnotebook_instances = true\n[notebook]\ndirect_internet_access = true\n",
        &[],
    );
    reaches(
        &open,
        S::NotebookInstances,
        D::Internet,
        Hop::SagemakerManaged,
    );
    let private = preset("notebook-private");
    blocked(
        &private,
        S::NotebookInstances,
        D::Internet,
        "no NAT gateway",
    );
    reaches(
        &private,
        S::NotebookInstances,
        D::SagemakerApi,
        Hop::InterfaceEndpoint,
    );
}

/// dg appendix-notebook-and-internet-access + S3 aws:sourceVpce: a direct-internet notebook's
/// S3 traffic does not take the gateway endpoint, so a VPCE-only bucket policy blocks it.
#[test]
fn vpce_only_bucket_blocks_paths_outside_the_gateway_endpoint() {
    let m = matrix(
        "[needs]\nnotebook_instances = true\n[notebook]\ndirect_internet_access = true\n[data]\ndeny_outside_vpc_endpoint = true\ndeployer_role_arns = [\"arn:aws:iam::111122223333:role/deployer\"]\n",
        &[],
    );
    blocked(&m, S::NotebookInstances, D::DataBucket, "bucket policy");
    reaches(&m, S::StudioApps, D::DataBucket, Hop::S3Gateway);
}

/// The S3 gateway endpoint takes every same-Region S3 request; its policy admits only the
/// environment's buckets (docs/sagemaker-facts.md § 2.5) and, with JumpStart, its AWS-owned model
/// buckets by name.
#[test]
fn other_buckets_are_blocked_by_the_gateway_endpoint_policy() {
    let m = matrix("", &[]);
    reaches(&m, S::StudioApps, D::DataBucket, Hop::S3Gateway);
    blocked(&m, S::StudioApps, D::OtherS3, "endpoint policy");
    let js = matrix("", &["needs.jumpstart=true"]);
    blocked(&js, S::StudioApps, D::OtherS3, "JumpStart");
}

/// ECR `vpc-endpoints`: image pulls need ecr.api, ecr.dkr and S3 for the layers.
#[test]
fn ecr_needs_its_endpoints_without_nat() {
    blocked(&matrix("", &[]), S::StudioApps, D::Ecr, "no `ecr.api`");
    let m = matrix("", &["needs.custom_images=true"]);
    reaches(&m, S::StudioApps, D::Ecr, Hop::InterfaceEndpoint);
    assert!(cell(&m, S::StudioApps, D::Ecr).2.contains("S3 gateway"));
}

/// dg studio-updated-and-internet-access: with NAT, services without an endpoint are reached
/// through it.
#[test]
fn with_nat_services_without_endpoints_go_through_nat() {
    let m = preset("vpc-only-nat");
    for d in [D::SagemakerApi, D::Sts, D::Ecr, D::Kms, D::Packages] {
        reaches(&m, S::StudioApps, d, Hop::Nat);
    }
}

/// CodeArtifact create-vpc-endpoints: pip through the two CodeArtifact endpoints.
#[test]
fn codeartifact_through_its_endpoints() {
    let m = preset("regulated");
    reaches(&m, S::StudioApps, D::Packages, Hop::InterfaceEndpoint);
    blocked(
        &matrix("", &[]),
        S::StudioApps,
        D::Packages,
        "no `codeartifact.api`/`codeartifact.repositories` endpoint",
    );
}

/// KMS is reached from the VPC only with the kms endpoint or NAT (docs/sagemaker-facts.md § 2.1: only needed when
/// code calls KMS directly).
#[test]
fn kms_needs_its_endpoint_without_nat() {
    blocked(&matrix("", &[]), S::StudioApps, D::Kms, "no `kms` endpoint");
    let m = matrix(
        "",
        &[
            r#"network.endpoints=["s3","sagemaker.api","sagemaker.runtime","studio","sts","logs","kms"]"#,
        ],
    );
    reaches(&m, S::StudioApps, D::Kms, Hop::InterfaceEndpoint);
}

/// Without isolation, jobs get internet egress through NAT; with isolation on, their security
/// group has none even when NAT exists (security.rs: isolated jobs get no NAT egress).
#[test]
fn job_internet_follows_isolation_and_the_security_group() {
    let open = matrix("", &["network.nat=single", "jobs.network_isolation=false"]);
    reaches(&open, S::JobsNotIsolated, D::Internet, Hop::Nat);
    reaches(&open, S::HostedModels, D::Internet, Hop::Nat);
    let iso = matrix("", &["network.nat=single"]);
    blocked(
        &iso,
        S::JobsNotIsolated,
        D::Internet,
        "security group `jobs` allows no internet egress",
    );
}

/// No design smgen generates has a VPN, Direct Connect or transit gateway.
#[test]
fn on_prem_is_never_reachable() {
    for p in smgen::presets::all() {
        let m = preset(p.name);
        for r in &m.rows {
            let c = m.cell(r.source, D::OnPrem).unwrap();
            assert!(!c.reachable, "{}: {:?}", p.name, r.source);
        }
    }
}

/// An existing VPC: smgen adds no NAT route, and its groups get no internet egress.
#[test]
fn existing_vpc_has_no_internet_path_of_smgen() {
    blocked(
        &preset("existing-vpc"),
        S::StudioApps,
        D::Internet,
        "existing VPC",
    );
}

/// Rows follow the workloads: no Studio row without Studio, a notebook row with notebooks.
#[test]
fn rows_follow_the_workloads() {
    let nb = preset("notebook-private");
    assert!(nb.rows.iter().all(|r| r.source != S::StudioApps));
    assert!(nb.rows.iter().any(|r| r.source == S::NotebookInstances));
    for r in &nb.rows {
        assert_eq!(r.cells.len(), D::ALL.len());
    }
}

// ----------------------------------------------------------------------------- findings rules

/// Every finding rule of the model: a config that triggers it (severity, choice, a fragment
/// of the message) and, for each, the default config does not produce it.
#[test]
fn every_finding_rule() {
    let cases: &[(&str, &[&str], Severity, &str, &str)] = &[
        (
            "",
            &[r#"network.endpoints=["s3"]"#],
            Severity::Error,
            "network.endpoints",
            "'sagemaker.api' is not listed",
        ),
        (
            "",
            &[r#"network.endpoints=["s3","sagemaker.api","sagemaker.runtime","studio"]"#],
            Severity::Warning,
            "network.endpoints",
            "'sts' is not listed",
        ),
        (
            "",
            &["needs.pip=public"],
            Severity::Error,
            "needs.pip",
            "needs internet egress",
        ),
        (
            "",
            &["network.mode=public-only"],
            Severity::Warning,
            "network.mode",
            "SageMaker-managed VPC",
        ),
        (
            "",
            &[
                "needs.notebook_instances=true",
                "notebook.direct_internet_access=true",
            ],
            Severity::Warning,
            "notebook.direct_internet_access",
            "second network interface",
        ),
        (
            "",
            &["needs.notebook_instances=true", "notebook.root_access=true"],
            Severity::Warning,
            "notebook.root_access",
            "root access",
        ),
        (
            "",
            &["encryption.kms=aws-managed"],
            Severity::Warning,
            "encryption.kms",
            "AWS managed keys",
        ),
        (
            "",
            &["studio.auth_mode=sso", r#"studio.user_profiles=["ana"]"#],
            Severity::Info,
            "studio.user_profiles",
            "Identity Center user",
        ),
        (
            "",
            &["jobs.network_isolation=false"],
            Severity::Warning,
            "jobs.network_isolation",
            "may call out",
        ),
        (
            "",
            &[],
            Severity::Info,
            "needs.sdk_remote_jobs",
            "get_execution_role()",
        ),
        (
            "",
            &[
                "studio.auth_mode=sso",
                "studio.presigned_url.restrict=source-vpce",
            ],
            Severity::Error,
            "studio.presigned_url.restrict",
            "only in IAM auth mode",
        ),
        (
            "",
            &[
                "needs.notebook_instances=true",
                "studio.presigned_url.restrict=source-ip",
                r#"studio.presigned_url.source_ips=["203.0.113.0/24"]"#,
            ],
            Severity::Warning,
            "studio.presigned_url.restrict",
            "notebook VPC endpoint",
        ),
        (
            "",
            &["studio.presigned_url.restrict=source-vpce"],
            Severity::Info,
            "studio.presigned_url.restrict",
            "console's Open Studio",
        ),
        (
            "",
            &[
                "data.deny_outside_vpc_endpoint=true",
                "data.deployer_role_arns=[\"arn:aws:iam::111122223333:role/deployer\"]",
                r#"network.endpoints=["sagemaker.api","sagemaker.runtime","studio","sts","logs"]"#,
            ],
            Severity::Error,
            "data.deny_outside_vpc_endpoint",
            "leaves out",
        ),
        (
            "",
            &[
                "data.deny_outside_vpc_endpoint=true",
                "data.deployer_role_arns=[\"arn:aws:iam::111122223333:role/deployer\"]",
                "network.mode=public-only",
            ],
            Severity::Error,
            "data.deny_outside_vpc_endpoint",
            "SageMaker-managed VPC",
        ),
        (
            "",
            &[
                "data.deny_outside_vpc_endpoint=true",
                "data.deployer_role_arns=[\"arn:aws:iam::111122223333:role/deployer\"]",
            ],
            Severity::Warning,
            "data.deny_outside_vpc_endpoint",
            "the console, the CLI",
        ),
        (
            "",
            &[],
            Severity::Info,
            "jobs.require_vpc",
            "serverless endpoint",
        ),
        (
            "[studio]\nuser_profiles = [\"u1\", \"u2\", \"u3\", \"u4\", \"u5\", \"u6\", \"u7\", \"u8\", \"u9\", \"u10\"]\n",
            &["network.vpc.cidr=10.0.0.0/24", "network.vpc.azs=3"],
            Severity::Warning,
            "network.vpc.cidr",
            "usable addresses",
        ),
        ("", &[], Severity::Info, "jobs.network_isolation", "Chainer"),
        ("", &[], Severity::Info, "encryption.kms", "local NVMe"),
        // #19: one zone, controls turned off, NAT without interface endpoints.
        (
            "",
            &["network.vpc.azs=1"],
            Severity::Warning,
            "network.vpc.azs",
            "no other zone",
        ),
        (
            "",
            &["network.flow_logs=false"],
            Severity::Warning,
            "network.flow_logs",
            "flow logs are off",
        ),
        (
            "",
            &["data.access_logging=false"],
            Severity::Warning,
            "data.access_logging",
            "server access logging is off",
        ),
        (
            "",
            &["jobs.inter_container_encryption=false"],
            Severity::Warning,
            "jobs.inter_container_encryption",
            "not encrypted",
        ),
        (
            "",
            &["jobs.require_vpc=false"],
            Severity::Warning,
            "jobs.require_vpc",
            "SageMaker-managed network",
        ),
        (
            "",
            &["network.nat=per-az"],
            Severity::Info,
            "network.private_endpoints_with_nat",
            "endpoint policies",
        ),
        // #20: a public VPC block, Studio without users, unrestricted presigned URLs.
        (
            "",
            &["network.vpc.cidr=52.0.0.0/16"],
            Severity::Warning,
            "network.vpc.cidr",
            "not a private range",
        ),
        (
            "",
            &[r#"studio.user_profiles=[]"#],
            Severity::Info,
            "studio.user_profiles",
            "nobody can open Studio",
        ),
        (
            "",
            &["studio.presigned_url.restrict=none"],
            Severity::Info,
            "studio.presigned_url.restrict",
            "not restricted",
        ),
    ];
    for (extra, sets, sev, choice, fragment) in cases {
        let m = model_of(extra, sets);
        assert!(
            m.findings.iter().any(|f| f.severity == *sev
                && f.choice == *choice
                && f.message.contains(fragment)
                && !f.source.is_empty()),
            "{sets:?}: no {sev:?} on {choice} with '{fragment}' in {:#?}",
            m.findings
        );
    }
    // The rules that fire only on a non-default choice stay quiet on the defaults.
    let default = model_of("", &[]);
    let restates_default = |sets: &[&str]| {
        sets.iter().all(|s| {
            [
                "studio.user_profiles=[]",
                "studio.presigned_url.restrict=none",
            ]
            .contains(s)
        })
    };
    for (_, sets, sev, choice, fragment) in cases
        .iter()
        .filter(|c| !c.1.is_empty() && !restates_default(c.1))
    {
        assert!(
            !default
                .findings
                .iter()
                .any(|f| f.severity == *sev && f.choice == *choice && f.message.contains(fragment)),
            "{sets:?}: fires on the defaults too"
        );
    }
}

/// The isolation finding says whether exception roles exist; the NVMe one goes away with AWS
/// managed keys (no volume key is set then).
#[test]
fn finding_rules_follow_their_choices() {
    let with = model_of(
        "",
        &[r#"jobs.isolation_exceptions=["arn:aws:iam::111122223333:role/rl"]"#],
    );
    assert!(with.findings.iter().any(|f| {
        f.message
            .contains("only the roles in jobs.isolation_exceptions")
    }));
    let managed = model_of("", &["encryption.kms=aws-managed"]);
    assert!(
        !managed
            .findings
            .iter()
            .any(|f| f.message.contains("local NVMe"))
    );
    let open = model_of("", &["jobs.network_isolation=false"]);
    assert!(!open.findings.iter().any(|f| f.message.contains("Chainer")));
}

// ------------------------------------------------------------------------------------- cost

/// Quantities from the model, money from the price table (looked up here, not restated).
#[test]
fn cost_lines_follow_the_model_and_the_table() {
    let m = model_of(
        "",
        &[
            "project.region=us-east-1",
            "network.nat=per-az",
            "network.vpc.azs=3",
        ],
    );
    let e = cost::estimate(&m, Some(100.0));
    let p = cost::prices_for("us-east-1", m.partition);
    let hours = cost::table().hours_per_month;
    let nat = e.lines.iter().find(|l| l.item == "nat-gateways").unwrap();
    assert_eq!(nat.quantity, Some(3.0 * hours));
    let rate = p.nat_gateway_hour.as_ref().unwrap().usd;
    assert!((nat.monthly_usd.unwrap() - 3.0 * hours * rate).abs() < 0.01);
    let data = e.lines.iter().find(|l| l.item == "nat-data").unwrap();
    assert_eq!(data.charge, Charge::PerUse);
    assert!(
        (data.monthly_usd.unwrap() - 100.0 * p.nat_gateway_gb.as_ref().unwrap().usd).abs() < 0.01
    );
    // NAT: only the S3 gateway endpoint, which is free, so no interface line.
    assert!(!e.lines.iter().any(|l| l.item == "interface-endpoints"));
    let key = e.lines.iter().find(|l| l.item == "kms-key").unwrap();
    assert_eq!(key.quantity, Some(1.0));
    let sum: f64 = e
        .lines
        .iter()
        .filter(|l| l.charge == Charge::Monthly)
        .map(|l| l.monthly_usd.unwrap())
        .sum();
    assert!((e.baseline_usd.unwrap() - sum).abs() < 0.01);
    assert!(e.summary().contains("3 NAT gateways"), "{}", e.summary());
}

/// Interface endpoints are billed per endpoint per AZ.
#[test]
fn endpoints_are_billed_per_az() {
    let m = model_of("", &["project.region=us-east-1", "network.vpc.azs=3"]);
    let interface = m
        .endpoints
        .iter()
        .filter(|e| e.kind == smgen::aws::endpoints::EndpointKind::Interface)
        .count();
    assert!(interface > 0);
    let e = cost::estimate(&m, None);
    let l = e
        .lines
        .iter()
        .find(|l| l.item == "interface-endpoints")
        .unwrap();
    assert_eq!(
        l.quantity,
        Some((interface * 3) as f64 * cost::table().hours_per_month)
    );
    assert!(
        e.traffic_usd.is_none(),
        "no traffic assumption, no traffic cost"
    );
}

/// A region without figures says so and never borrows another region's prices: no bare total,
/// but "≥ $X; N items have no price for REGION".
#[test]
fn regions_without_figures_say_so() {
    let region = "sa-east-1";
    assert!(
        cost::prices_for(region, smgen::aws::region::Partition::Aws)
            .nat_gateway_hour
            .is_none(),
        "pick a region the table has no NAT figure for"
    );
    let entries = cost::entries_for(region, smgen::aws::region::Partition::Aws);
    assert!(
        matches!(entries.get("nat_gateway_hour"), Some(cost::Entry::None(_))),
        "the gap is an explicit entry"
    );
    let m = model_of(
        "",
        &[&format!("project.region={region}"), "network.nat=single"],
    );
    let e = cost::estimate(&m, Some(10.0));
    assert!(e.baseline_usd.is_none());
    assert!(e.missing.contains(&"nat-gateways"), "{:?}", e.missing);
    let nat = e.lines.iter().find(|l| l.item == "nat-gateways").unwrap();
    assert!(nat.unit_price.is_none() && nat.monthly_usd.is_none());
    let summary = e.summary();
    assert!(summary.contains("monthly baseline ≥ $"), "{summary}");
    assert!(!summary.contains('≈'), "a bare total: {summary}");
    let n = e.missing.len();
    assert!(
        summary.contains(&format!("{n} items have no price for {region}")),
        "{summary}"
    );
}

/// Fully priced regions keep the plain total.
#[test]
fn a_priced_region_prints_its_total() {
    let m = model_of("", &["project.region=us-east-1"]);
    let e = cost::estimate(&m, None);
    assert!(e.missing.is_empty(), "{:?}", e.missing);
    assert!(
        e.summary().starts_with("monthly baseline ≈ $"),
        "{}",
        e.summary()
    );
}

#[test]
fn aws_managed_keys_cost_nothing() {
    let m = model_of(
        "",
        &["project.region=us-east-1", "encryption.kms=aws-managed"],
    );
    let e = cost::estimate(&m, None);
    assert!(!e.lines.iter().any(|l| l.item.starts_with("kms")));
}

// ---------------------------------------------------------------------------------- diagram

#[test]
fn diagram_shows_the_network_and_the_paths() {
    let m = model_of("", &["network.nat=per-az", "network.vpc.azs=3"]);
    let x = explain::explain(&m, None, DiagramFormat::Mermaid);
    let d = &x.diagram.text;
    assert!(d.starts_with("flowchart LR\n"));
    for z in ["a", "b", "c"] {
        assert!(d.contains(&format!("nat_{z}[\"NAT gateway\"]")), "{d}");
        assert!(d.contains(&format!("subgraph az_{z}[")), "{d}");
        assert!(
            d.contains(&format!("studio -->|\"HTTPS 443\"| nat_{z}")),
            "{d}"
        );
    }
    assert!(
        d.contains("s3gw -->|\"endpoint policy\"| bucket_data"),
        "{d}"
    );
    assert_eq!(
        d.matches("subgraph ").count(),
        d.lines().filter(|l| l.trim() == "end").count()
    );
    let dot = explain::explain(&m, None, DiagramFormat::Dot).diagram.text;
    assert!(dot.starts_with("digraph \"demo\" {"));
    assert_eq!(dot.matches('{').count(), dot.matches('}').count());
    assert!(dot.contains("subgraph cluster_az_a {"));
    assert!(
        dot.contains("studio -> nat_a [label=\"HTTPS 443\"];"),
        "{dot}"
    );
}

/// Quotes and markup in user-given names cannot break out of a Mermaid label.
#[test]
fn diagram_labels_are_escaped() {
    let m = model_of(
        "[notebook]\nnames = [\"a\"]\n",
        &["needs.notebook_instances=true"],
    );
    let mut m = m;
    m.notebooks[0].instance_name = "x\"]; evil[\"|<b>#".into();
    let d = explain::explain(&m, None, DiagramFormat::Mermaid)
        .diagram
        .text;
    let line = d.lines().find(|l| l.contains("notebooks[")).unwrap();
    assert!(line.ends_with("\"]"), "{line}");
    assert_eq!(line.matches('"').count(), 2, "{line}");
}

// ------------------------------------------------------------------------------ command line

#[test]
fn explain_a_preset_prints_the_four_parts() {
    let run = Smgen::new()
        .args(["explain", "--preset", "regulated"])
        .run();
    run.assert_exit(0);
    for h in [
        "## Diagram",
        "```mermaid",
        "## What can reach what",
        "## Monthly cost",
        "## Findings",
    ] {
        assert!(run.stdout.contains(h), "{h} missing:\n{}", run.stdout);
    }
}

#[test]
fn explain_json_is_the_documented_schema() {
    let run = Smgen::new()
        .args([
            "explain",
            "--preset",
            "vpc-only-nat",
            "--json",
            "--traffic-gb",
            "250",
            "--diagram",
            "dot",
        ])
        .run();
    run.assert_exit(0);
    let j = run.json();
    assert_eq!(j["schema"], "smgen-explain/1");
    assert_eq!(j["region"], "eu-west-1");
    assert_eq!(j["network_mode"], "vpc-only");
    let rows = j["reachability"]["rows"].as_array().unwrap();
    let studio = rows.iter().find(|r| r["source"] == "studio-apps").unwrap();
    let internet = studio["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["destination"] == "internet")
        .unwrap();
    assert_eq!(internet["reachable"], true);
    assert_eq!(internet["hop"], "nat");
    assert_eq!(j["cost"]["traffic_gb"], 250.0);
    assert!(
        j["cost"]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["item"] == "nat-gateways")
    );
    assert_eq!(j["diagram"]["format"], "dot");
    assert!(
        j["diagram"]["text"]
            .as_str()
            .unwrap()
            .starts_with("digraph")
    );
    assert!(
        j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"].is_string() && f["source"].is_string())
    );
}

#[test]
fn explain_a_config_with_overrides() {
    let run = Smgen::new()
        .arg("explain")
        .config(MIN_CONFIG)
        .args(["--set", "network.nat=single", "--json"])
        .run();
    run.assert_exit(0);
    let j = run.json();
    let studio = &j["reachability"]["rows"][0];
    assert_eq!(studio["source"], "studio-apps");
    assert!(
        j["cost"]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["what"] == "1 NAT gateway")
    );
}

/// A generated project explains from its smgen.toml, and matches its ARCHITECTURE.md.
#[test]
fn explain_a_project_directory() {
    let made = Smgen::new()
        .args([
            "generate",
            "--preset",
            "notebook-private",
            "--format",
            "cloudformation",
        ])
        .out_dir()
        .run();
    made.assert_exit(0);
    let arch = made.file("ARCHITECTURE.md");
    let out = made.out.clone();
    let run = Smgen::new().arg("explain").arg(&out).run();
    run.assert_exit(0);
    let body = |s: &str| s.split_once('\n').map(|(_, b)| b.to_string()).unwrap();
    assert_eq!(
        body(&run.stdout),
        body(&arch),
        "explain DIR and ARCHITECTURE.md differ below the title"
    );
}

#[test]
fn explain_rejects_bad_input() {
    let run = Smgen::new()
        .args(["explain", "--preset", "regulated", "--traffic-gb", "-3"])
        .run();
    run.assert_exit(2).assert_stderr_contains(
        "--traffic-gb: must be a number of GB per month, zero or more (got '-3')",
    );
    let run = Smgen::new()
        .args(["explain", "--preset", "regulated", "--traffic-gb", "lots"])
        .run();
    run.assert_exit(2).assert_stderr_contains("(got 'lots')");
    let run = Smgen::new()
        .args(["explain", "--preset", "regulated", "--diagram", "svg"])
        .run();
    run.assert_exit(2);
    let run = Smgen::new().args(["explain"]).run();
    run.assert_exit(2);
    let run = Smgen::new().dir("empty").args(["explain", "empty"]).run();
    run.assert_exit(2)
        .assert_stderr_contains("not an smgen project");
    let run = Smgen::new().args(["explain", "--preset", "nope"]).run();
    run.assert_exit(2)
        .assert_stderr_contains("unknown preset 'nope'");
    let run = Smgen::new()
        .args([
            "explain",
            "--preset",
            "regulated",
            "--set",
            "network.nat=sometimes",
        ])
        .run();
    run.assert_exit(2).assert_stderr_contains("network.nat");
}

/// The README documents every field of the `--json` document (top level, rows, cells, cost
/// lines), so the documented schema cannot fall behind the code.
#[test]
fn readme_documents_every_json_field() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("### `--json` (schema `smgen-explain/1`)")
        .nth(1)
        .expect("README has the --json schema section");
    let run = Smgen::new()
        .args([
            "explain",
            "--preset",
            "vpc-only-nat",
            "--json",
            "--traffic-gb",
            "1",
        ])
        .run();
    run.assert_exit(0);
    let j = run.json();
    let keys =
        |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    let mut all = keys(&j);
    all.extend(keys(&j["reachability"]["rows"][0]));
    all.extend(keys(&j["reachability"]["rows"][0]["cells"][0]));
    all.extend(keys(&j["cost"]));
    all.extend(keys(&j["cost"]["lines"][0]));
    all.extend(keys(&j["cost"]["lines"][0]["unit_price"]));
    all.extend(keys(&j["diagram"]));
    all.extend(keys(&j["workloads"][0]));
    all.extend(keys(&j["workloads"][0]["grants"][0]));
    all.extend(keys(&j["workloads"][0]["grants"][0]["paths"][0]));
    let kinds: Vec<String> = j["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["grants"].as_array().unwrap())
        .flat_map(|g| g["paths"].as_array().unwrap())
        .map(|p| p["kind"].as_str().unwrap().to_string())
        .collect();
    assert!(kinds.iter().any(|k| k == "endpoint") && kinds.iter().any(|k| k == "service"));
    all.extend(kinds);
    // A field is named when it appears as a whole word (`cost.lines[]`, `{usd, as_of, …}`).
    let named = |k: &str| {
        section.match_indices(k).any(|(at, _)| {
            let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
            let before = section[..at].chars().next_back().is_none_or(|c| !ident(c));
            let after = section[at + k.len()..]
                .chars()
                .next()
                .is_none_or(|c| !ident(c));
            before && after
        })
    };
    for k in all {
        assert!(named(&k), "README's --json section does not name `{k}`");
    }
}

/// Nothing billed monthly: the summary says so instead of an empty list.
#[test]
fn a_design_without_monthly_charges_costs_nothing() {
    let m = model_of(
        "",
        &[
            "project.region=us-east-1",
            "network.mode=public-only",
            "needs.sdk_remote_jobs=false",
            "encryption.kms=aws-managed",
        ],
    );
    let e = cost::estimate(&m, None);
    assert!(
        !e.lines.iter().any(|l| l.charge == Charge::Monthly),
        "{:?}",
        e.lines
    );
    assert_eq!(e.baseline_usd, Some(0.0));
    assert!(
        e.summary().starts_with("monthly baseline ≈ $0.00"),
        "{}",
        e.summary()
    );
}

/// The wizard's findings lines: errors first, each with its choice and source.
#[test]
fn findings_text_puts_errors_first() {
    let m = model_of("", &["needs.pip=public", "jobs.network_isolation=false"]);
    let lines = explain::findings_text(&m);
    assert!(lines[0].starts_with("error: needs.pip:"), "{lines:?}");
    let first_non_error = lines.iter().position(|l| !l.starts_with("error")).unwrap();
    assert!(
        lines[first_non_error..]
            .iter()
            .all(|l| !l.starts_with("error"))
    );
    assert!(
        lines.iter().all(|l| l.ends_with(']')),
        "every line names its source: {lines:?}"
    );
}

/// The single-zone warning reaches every place findings go: `explain`'s report, the wizard
/// summary (warnings and errors) and the generated README.
#[test]
fn one_zone_is_shown_in_explain_the_summary_and_the_readme() {
    let run = Smgen::new()
        .file("input.toml", MIN_CONFIG)
        .args([
            "explain",
            "--config",
            "input.toml",
            "--set",
            "network.vpc.azs=1",
        ])
        .run();
    run.assert_success();
    assert!(run.stdout.contains("network.vpc.azs"), "{}", run.stdout);
    assert!(run.stdout.contains("no other zone"), "{}", run.stdout);

    let m = model_of("", &["network.vpc.azs=1"]);
    let spec = spec::load(
        &SpecSource::Config {
            origin: "t".into(),
            text: MIN_CONFIG.into(),
        },
        &["network.vpc.azs=1".into()],
    )
    .unwrap();
    let summary = smgen::wizard::summary(&spec, &m, smgen::render::Format::Terraform, 200);
    assert!(summary.contains("network.vpc.azs"), "{summary}");

    let out = Smgen::new()
        .file("input.toml", MIN_CONFIG)
        .args([
            "generate",
            "--config",
            "input.toml",
            "--set",
            "network.vpc.azs=1",
        ])
        .out_dir()
        .run();
    out.assert_success();
    let readme = out.file("README.md");
    assert!(readme.contains("`network.vpc.azs`"), "{readme}");
}
