//! The resolver, through the library API. The assertions state facts from the domain notes
//! (docs/sagemaker-facts.md, sections named per test), not what the code
//! happens to do.

use ipnet::Ipv4Net;
use smgen::aws::endpoints::EndpointKind;
use smgen::aws::region;
use smgen::model::iam::{Effect, PolicyDocument, Principal, Statement};
use smgen::model::refs::{Attr, Kind, Ref};
use smgen::model::security::{Direction, Peer, Rule, SecurityGroup};
use smgen::model::{self, Model, Severity};
use smgen::spec::{self, SpecSource, Valid};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const BASE: &str = "[project]\nname = \"demo\"\nregion = \"eu-west-1\"\n";

fn load(text: &str, sets: &[&str]) -> Valid {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    spec::load(
        &SpecSource::Config {
            origin: "test.toml".into(),
            text: text.into(),
        },
        &sets,
    )
    .unwrap_or_else(|e| panic!("spec does not load: {e}\n{text}\n{sets:?}"))
}

/// The minimal config plus `--set` overrides, resolved.
fn resolve(sets: &[&str]) -> Model {
    model::resolve(&load(BASE, sets))
}

fn preset(name: &str, sets: &[&str]) -> Model {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let spec = spec::load(&SpecSource::Preset(name.into()), &sets)
        .unwrap_or_else(|e| panic!("preset {name}: {e}"));
    model::resolve(&spec)
}

fn keys(m: &Model) -> Vec<&str> {
    m.endpoints.iter().map(|e| e.key).collect()
}

/// A reference as text, `${…}` for everything that is not a literal.
fn show(r: &Ref) -> String {
    match r {
        Ref::Lit(s) => s.clone(),
        Ref::Partition => "${partition}".into(),
        Ref::Region => "${region}".into(),
        Ref::Account => "${account}".into(),
        Ref::Attr(id, attr) => format!("${{{:?}.{}.{:?}}}", id.kind, id.name, attr),
        Ref::Input(i) => format!("${{input.{i:?}}}"),
        Ref::InputItem(i, n) => format!("${{input.{i:?}[{n}]}}"),
        Ref::Join(parts) => parts.iter().map(show).collect(),
    }
}

fn group<'a>(m: &'a Model, name: &str) -> &'a SecurityGroup {
    m.security_groups
        .iter()
        .find(|g| g.name == name)
        .unwrap_or_else(|| panic!("no security group {name}"))
}

/// The logical name of the security group a reference points at.
fn group_name(r: &Ref) -> String {
    match r {
        Ref::Attr(id, Attr::Id) if id.kind == Kind::SecurityGroup => id.name.clone(),
        other => panic!("not a security group id: {other:?}"),
    }
}

fn has_self(g: &SecurityGroup, dir: Direction, proto: &str, ports: Option<(u16, u16)>) -> bool {
    g.rules.iter().any(|r| {
        r.direction == dir
            && r.protocol == proto
            && r.from_port == ports.map(|p| p.0)
            && r.to_port == ports.map(|p| p.1)
            && r.peer == Peer::Itself
    })
}

fn self_both(g: &SecurityGroup, proto: &str, ports: Option<(u16, u16)>) -> bool {
    has_self(g, Direction::Ingress, proto, ports) && has_self(g, Direction::Egress, proto, ports)
}

fn opens(r: &Rule, port: u16) -> bool {
    matches!((r.from_port, r.to_port), (Some(a), Some(b)) if a <= port && port <= b)
}

fn execution_role_arn() -> Ref {
    Ref::attr(Kind::Role, "execution", Attr::Arn)
}

/// The execution role's permission statements (the role the domain and notebooks run as).
fn execution_statements(m: &Model) -> Vec<&Statement> {
    let arn = m
        .domain
        .as_ref()
        .map(|d| d.execution_role.clone())
        .or_else(|| m.notebooks.first().map(|n| n.role.clone()))
        .expect("a domain or a notebook");
    let Ref::Attr(id, Attr::Arn) = &arn else {
        panic!("execution role is not a role ARN: {arn:?}")
    };
    let role = m
        .roles
        .iter()
        .find(|r| r.name == id.name)
        .expect("the execution role is generated");
    role.policies
        .iter()
        .flat_map(|p| p.document.statements.iter())
        .collect()
}

fn every_preset() -> Vec<(&'static str, Model)> {
    smgen::presets::all()
        .iter()
        .map(|p| (p.name, preset(p.name, &[])))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Endpoint solver (docs/sagemaker-facts.md § 2.1, §2.12)
// ---------------------------------------------------------------------------------------------

#[test]
fn vpc_only_studio_without_nat_gets_the_endpoints_studio_needs() {
    let m = resolve(&["network.nat=none", "needs.studio=true"]);
    let k = keys(&m);
    for key in [
        "sagemaker.api",
        "sagemaker.runtime",
        "studio",
        "s3",
        "sts",
        "logs",
    ] {
        assert!(k.contains(&key), "{key} missing from {k:?}");
    }
    // S3 is the free gateway endpoint, the rest are interface endpoints.
    assert_eq!(m.endpoint("s3").unwrap().kind, EndpointKind::Gateway);
    for e in &m.endpoints {
        if e.key != "s3" {
            assert_eq!(e.kind, EndpointKind::Interface, "{}", e.key);
        }
    }
    // Nothing that no need asked for.
    for key in [
        "ecr.api",
        "ecr.dkr",
        "codeartifact.api",
        "servicecatalog",
        "notebook",
    ] {
        assert!(!k.contains(&key), "{key} in {k:?}");
    }
}

#[test]
fn sts_and_logs_come_with_sdk_remote_jobs() {
    let with = resolve(&["needs.sdk_remote_jobs=true"]);
    let without = resolve(&["needs.sdk_remote_jobs=false"]);
    for key in ["sts", "logs"] {
        assert!(keys(&with).contains(&key), "{key}: {:?}", keys(&with));
        assert!(
            !keys(&without).contains(&key),
            "{key}: {:?}",
            keys(&without)
        );
    }
    // Studio itself still needs the API, runtime and Studio endpoints.
    for key in ["sagemaker.api", "sagemaker.runtime", "studio", "s3"] {
        assert!(keys(&without).contains(&key), "{key}: {:?}", keys(&without));
    }
}

#[test]
fn with_nat_only_the_s3_gateway_is_needed() {
    for nat in ["single", "per-az"] {
        let m = resolve(&[
            &format!("network.nat={nat}"),
            "needs.custom_images=true",
            "needs.pip=codeartifact",
            "needs.projects=true",
        ]);
        assert_eq!(keys(&m), ["s3"], "nat = {nat}");
    }
}

#[test]
fn custom_images_add_both_ecr_endpoints() {
    let m = resolve(&["needs.custom_images=true"]);
    assert!(keys(&m).contains(&"ecr.api") && keys(&m).contains(&"ecr.dkr"));
    let m = resolve(&["needs.custom_images=false"]);
    assert!(!keys(&m).contains(&"ecr.api") && !keys(&m).contains(&"ecr.dkr"));
}

#[test]
fn codeartifact_pip_adds_api_and_repositories() {
    let m = resolve(&["needs.pip=codeartifact"]);
    for key in ["codeartifact.api", "codeartifact.repositories"] {
        assert!(keys(&m).contains(&key), "{key}: {:?}", keys(&m));
    }
    let m = resolve(&["needs.pip=none"]);
    assert!(!keys(&m).iter().any(|k| k.starts_with("codeartifact")));
}

#[test]
fn projects_add_service_catalog() {
    assert!(keys(&resolve(&["needs.projects=true"])).contains(&"servicecatalog"));
    assert!(!keys(&resolve(&["needs.projects=false"])).contains(&"servicecatalog"));
}

#[test]
fn every_endpoint_says_why() {
    let everything = [
        "needs.custom_images=true",
        "needs.pip=codeartifact",
        "needs.projects=true",
        "needs.notebook_instances=true",
        "needs.feature_store_online=true",
        "needs.experiments=true",
        "needs.git=true",
    ];
    let mut models = vec![resolve(&everything)];
    models.extend(every_preset().into_iter().map(|(_, m)| m));
    for m in &models {
        for e in &m.endpoints {
            assert!(!e.reason.trim().is_empty(), "{} has no reason", e.key);
            assert!(!e.source.trim().is_empty(), "{} has no source", e.key);
        }
    }
}

#[test]
fn service_names_are_partition_correct() {
    let cases = [
        (
            "eu-west-1",
            [
                ("sagemaker.api", "com.amazonaws.eu-west-1.sagemaker.api"),
                (
                    "sagemaker.runtime",
                    "com.amazonaws.eu-west-1.sagemaker.runtime",
                ),
                ("studio", "aws.sagemaker.eu-west-1.studio"),
                ("s3", "com.amazonaws.eu-west-1.s3"),
            ],
        ),
        (
            "cn-north-1",
            [
                ("sagemaker.api", "cn.com.amazonaws.cn-north-1.sagemaker.api"),
                (
                    "sagemaker.runtime",
                    "cn.com.amazonaws.cn-north-1.sagemaker.runtime",
                ),
                ("studio", "aws.sagemaker.cn-north-1.studio"),
                ("s3", "com.amazonaws.cn-north-1.s3"),
            ],
        ),
        (
            "us-gov-west-1",
            [
                ("sagemaker.api", "com.amazonaws.us-gov-west-1.sagemaker.api"),
                (
                    "sagemaker.runtime",
                    "com.amazonaws.us-gov-west-1.sagemaker.runtime",
                ),
                ("studio", "aws.sagemaker.us-gov-west-1.studio"),
                ("s3", "com.amazonaws.us-gov-west-1.s3"),
            ],
        ),
    ];
    for (region, expected) in cases {
        let m = resolve(&[&format!("project.region={region}")]);
        for (key, name) in expected {
            let e = m
                .endpoint(key)
                .unwrap_or_else(|| panic!("{region}: no {key}"));
            assert_eq!(e.service_name, name, "{region} {key}");
        }
        // Every name carries the region, and the Studio/notebook names never get a
        // `com.amazonaws` prefix (hashicorp/terraform-provider-aws#11806, aws-cdk#2597).
        for e in &m.endpoints {
            assert!(e.service_name.contains(region), "{}", e.service_name);
        }
    }
    let m = resolve(&["needs.notebook_instances=true"]);
    assert_eq!(
        m.endpoint("notebook").unwrap().service_name,
        "aws.sagemaker.eu-west-1.notebook"
    );
}

#[test]
fn an_explicit_list_without_the_sagemaker_api_is_an_error() {
    let m = resolve(&[
        "network.endpoints=[\"s3\", \"sagemaker.runtime\", \"studio\", \"sts\", \"logs\"]",
    ]);
    let errors: Vec<_> = m.errors().collect();
    assert!(
        errors
            .iter()
            .any(|f| f.choice == "network.endpoints" && f.message.contains("sagemaker.api")),
        "{:?}",
        m.findings
    );
    // The list is taken as given: no endpoint is added behind the user's back.
    assert_eq!(
        keys(&m),
        ["s3", "sagemaker.runtime", "studio", "sts", "logs"]
    );

    // The same list with the API is fine.
    let ok = resolve(&[
        "network.endpoints=[\"s3\", \"sagemaker.api\", \"sagemaker.runtime\", \"studio\", \"sts\", \"logs\"]",
    ]);
    assert_eq!(ok.errors().count(), 0, "{:?}", ok.findings);
    // With NAT the API is reachable without its endpoint.
    let nat = resolve(&["network.nat=single", "network.endpoints=[\"s3\"]"]);
    assert_eq!(nat.errors().count(), 0, "{:?}", nat.findings);
}

// ---------------------------------------------------------------------------------------------
// CIDR plan
// ---------------------------------------------------------------------------------------------

#[test]
fn subnets_fit_in_the_vpc_and_never_overlap() {
    for cidr in [
        "10.0.0.0/16",
        "10.20.0.0/18",
        "172.16.0.0/20",
        "10.1.2.0/23",
        "192.168.7.0/24",
    ] {
        let vpc: Ipv4Net = cidr.parse().unwrap();
        for azs in 1..=6u8 {
            let az_ids: Vec<String> = (1..=azs).map(|i| format!("\"use1-az{i}\"")).collect();
            for nat in ["none", "single", "per-az"] {
                let m = resolve(&[
                    "project.region=us-east-1",
                    &format!("network.vpc.cidr={cidr}"),
                    &format!("network.vpc.azs={azs}"),
                    &format!("network.vpc.az_ids=[{}]", az_ids.join(",")),
                    &format!("network.nat={nat}"),
                ]);
                let c = m.network.created.as_ref().expect("a created VPC");
                assert_eq!(c.zones.len(), usize::from(azs));
                let mut nets: Vec<Ipv4Net> = vec![];
                for z in &c.zones {
                    nets.push(z.private_cidr.parse().unwrap());
                    match (&z.public_cidr, nat) {
                        (Some(p), "single" | "per-az") => nets.push(p.parse().unwrap()),
                        (None, "none") => {}
                        (p, _) => panic!("nat {nat}: public subnet {p:?}"),
                    }
                }
                for (i, a) in nets.iter().enumerate() {
                    assert!(vpc.contains(a), "{cidr}/{azs}/{nat}: {a} outside the VPC");
                    assert!(a.prefix_len() <= 28, "{a}: AWS subnets are /16 to /28");
                    for b in &nets[i + 1..] {
                        assert!(
                            !a.contains(b) && !b.contains(a),
                            "{cidr}/{azs}/{nat}: {a} overlaps {b}"
                        );
                    }
                }
                // Private subnets are all the same size, and the capacity excludes the five
                // addresses AWS reserves.
                for z in &c.zones {
                    let n: Ipv4Net = z.private_cidr.parse().unwrap();
                    assert_eq!(
                        z.private_capacity,
                        (1u32 << (32 - n.prefix_len())) - 5,
                        "{}",
                        z.private_cidr
                    );
                }
            }
        }
    }
}

#[test]
fn zones_use_the_regions_az_ids() {
    for (region, azs) in [
        ("eu-west-1", 3u8),
        ("us-east-1", 5),
        ("cn-north-1", 2),
        ("us-gov-west-1", 3),
        ("ap-northeast-1", 1),
    ] {
        let m = resolve(&[
            &format!("project.region={region}"),
            &format!("network.vpc.azs={azs}"),
        ]);
        let info = region::lookup(region).unwrap();
        let zones = &m.network.created.as_ref().unwrap().zones;
        assert_eq!(zones.len(), usize::from(azs));
        let mut seen = std::collections::BTreeSet::new();
        for z in zones {
            assert!(
                info.az_ids.contains(&z.az_id),
                "{region}: {} is not one of {:?}",
                z.az_id,
                info.az_ids
            );
            assert!(info.owns_az_id(&z.az_id));
            assert!(seen.insert(z.az_id.clone()), "{region}: {} twice", z.az_id);
        }
    }
    // Explicit zone ids are used as given.
    let m = resolve(&[
        "network.vpc.azs=2",
        "network.vpc.az_ids=[\"euw1-az3\", \"euw1-az1\"]",
    ]);
    let ids: Vec<&str> = m
        .network
        .created
        .as_ref()
        .unwrap()
        .zones
        .iter()
        .map(|z| z.az_id.as_str())
        .collect();
    assert_eq!(ids, ["euw1-az3", "euw1-az1"]);
}

// ---------------------------------------------------------------------------------------------
// Security groups (docs/sagemaker-facts.md § 2.4, §2.12: "Studio SG without self 8192-65535 / 2049")
// ---------------------------------------------------------------------------------------------

#[test]
fn studio_groups_carry_nfs_and_app_ports() {
    let m = resolve(&["studio.user_profiles=[\"alice\", \"bob\"]"]);
    let d = m.domain.as_ref().expect("a Studio domain");
    let defaults: Vec<String> = d.default_security_groups.iter().map(group_name).collect();
    let spaces: Vec<String> = d.space_security_groups.iter().map(group_name).collect();
    let users: Vec<String> = d
        .profiles
        .iter()
        .map(|p| group_name(&p.security_group))
        .collect();
    assert!(!defaults.is_empty() && !spaces.is_empty());
    assert_eq!(users.len(), 2);
    assert_eq!(
        users
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        2,
        "one group per user profile: {users:?}"
    );

    // NFS to the domain's EFS from the default (private-space) and shared-space groups.
    for g in defaults.iter().chain(&spaces) {
        assert!(
            self_both(group(&m, g), "tcp", Some((2049, 2049))),
            "{g}: no self NFS"
        );
    }
    // JupyterServer ↔ KernelGateway on the per-user and shared-space groups …
    for g in users.iter().chain(&spaces) {
        assert!(
            self_both(group(&m, g), "tcp", Some((8192, 65535))),
            "{g}: no self 8192-65535"
        );
    }
    // … and NOT on the domain default group, which every user's apps share: it would let one
    // user's apps reach another's.
    for g in &defaults {
        assert!(
            !group(&m, g).rules.iter().any(|r| opens(r, 8192)),
            "{g} opens the app ports to every user"
        );
    }
    // No all-traffic self rules on Studio groups.
    for g in defaults.iter().chain(&spaces).chain(&users) {
        assert!(
            group(&m, g).rules.iter().all(|r| r.protocol != "-1"),
            "{g} has an all-traffic rule"
        );
    }
}

#[test]
fn endpoint_group_accepts_https_only_from_the_environments_groups() {
    for (name, m) in every_preset().into_iter().chain([(
        "everything",
        resolve(&[
            "needs.notebook_instances=true",
            "studio.user_profiles=[\"a\"]",
        ]),
    )]) {
        let interface = m
            .endpoints
            .iter()
            .any(|e| e.kind == EndpointKind::Interface);
        let Some(ep) = m.security_groups.iter().find(|g| g.name == "endpoints") else {
            assert!(!interface, "{name}: interface endpoints without a group");
            continue;
        };
        let others: Vec<&str> = m
            .security_groups
            .iter()
            .filter(|g| g.name != ep.name)
            .map(|g| g.name.as_str())
            .collect();
        let ingress: Vec<&Rule> = ep
            .rules
            .iter()
            .filter(|r| r.direction == Direction::Ingress)
            .collect();
        assert!(!ingress.is_empty(), "{name}: the endpoints accept nothing");
        for r in &ingress {
            assert_eq!(r.protocol, "tcp", "{name}: {r:?}");
            assert_eq!(
                (r.from_port, r.to_port),
                (Some(443), Some(443)),
                "{name}: {r:?}"
            );
            match &r.peer {
                Peer::Group(g) => assert!(others.contains(&g.as_str()), "{name}: from {g}"),
                other => panic!("{name}: endpoint ingress from {other:?}"),
            }
        }
        // Every group that sends HTTPS to the endpoints is let in.
        for g in &m.security_groups {
            let sends = g.rules.iter().any(|r| {
                r.direction == Direction::Egress && r.peer == Peer::Group(ep.name.clone())
            });
            if sends {
                assert!(
                    ingress
                        .iter()
                        .any(|r| r.peer == Peer::Group(g.name.clone())),
                    "{name}: {} sends to the endpoints but is not let in",
                    g.name
                );
            }
        }
    }
}

#[test]
fn jobs_group_has_ipsec_rules_iff_inter_container_encryption() {
    for on in [true, false] {
        let m = resolve(&[&format!("jobs.inter_container_encryption={on}")]);
        let jobs = group(&m, &group_name(&m.jobs.security_group));
        assert_eq!(
            self_both(jobs, "udp", Some((500, 500))),
            on,
            "IKE, icte={on}"
        );
        assert_eq!(self_both(jobs, "50", None), on, "ESP, icte={on}");
        // Distributed training talks inside the group either way.
        assert!(jobs.rules.iter().any(|r| r.direction == Direction::Ingress
            && r.peer == Peer::Itself
            && r.protocol == "tcp"));
    }
}

#[test]
fn no_ingress_rule_has_a_cidr_peer() {
    let mut models = every_preset();
    for sets in [
        &["network.nat=single", "needs.pip=public"][..],
        &["network.nat=per-az", "jobs.network_isolation=false"],
        &[
            "needs.notebook_instances=true",
            "notebook.direct_internet_access=true",
        ],
    ] {
        models.push(("custom", resolve(sets)));
    }
    for (name, m) in &models {
        for g in &m.security_groups {
            for r in &g.rules {
                if r.direction == Direction::Ingress {
                    assert!(
                        !matches!(r.peer, Peer::Cidr(_)),
                        "{name}: {} ingress {} from {:?}",
                        g.name,
                        r.id,
                        r.peer
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// IAM (docs/sagemaker-facts.md § 2.11: PassRole pinned to the role with iam:PassedToService, confused-deputy
// conditions in trust policies, no wildcard actions, S3 limited to the project's data)
// ---------------------------------------------------------------------------------------------

#[test]
fn pass_role_is_pinned_to_the_execution_role_and_sagemaker() {
    for (name, m) in every_preset() {
        let st = execution_statements(&m);
        let pass: Vec<&&Statement> = st
            .iter()
            .filter(|s| s.actions.iter().any(|a| a == "iam:PassRole"))
            .collect();
        assert_eq!(pass.len(), 1, "{name}: one PassRole statement");
        let s = pass[0];
        assert_eq!(s.effect, Effect::Allow);
        assert_eq!(s.actions, ["iam:PassRole"], "{name}: PassRole alone");
        assert_eq!(s.resources, [execution_role_arn()], "{name}: resource");
        assert!(
            s.conditions.iter().any(|c| c.op == "StringEquals"
                && c.key == "iam:PassedToService"
                && c.values == [Ref::lit("sagemaker.amazonaws.com")]),
            "{name}: {:?}",
            s.conditions
        );
    }
}

#[test]
fn trust_policies_prevent_the_confused_deputy() {
    for (name, m) in every_preset() {
        for role in &m.roles {
            for s in &role.trust.statements {
                assert!(
                    s.principal.is_some(),
                    "{name}: {} trust without principal",
                    role.name
                );
                // Service principals: pinned to this account (confused deputy); IAM
                // principals: this account only.
                let this_account = matches!(&s.principal, Some(Principal::Aws(v))
                    if v.iter().all(|r| format!("{r:?}").contains("Account") && format!("{r:?}").contains(":root")));
                assert!(
                    this_account
                        || s.conditions
                            .iter()
                            .any(|c| c.key == "aws:SourceAccount" && c.values == [Ref::Account]),
                    "{name}: {} trust lacks aws:SourceAccount",
                    role.name
                );
            }
        }
        // The execution role trusts SageMaker.
        let exec = m.roles.iter().find(|r| r.name == "execution").unwrap();
        assert!(exec.trust.statements.iter().any(|s| {
            s.actions == ["sts:AssumeRole"]
                && matches!(&s.principal, Some(Principal::Service(v)) if v == &[Ref::lit("sagemaker.amazonaws.com")])
        }));
    }
}

#[test]
fn execution_policy_has_no_wildcard_actions() {
    for (name, m) in every_preset() {
        for s in execution_statements(&m) {
            for a in &s.actions {
                // sagemaker-mlflow is only the tracking servers' data plane, and the
                // statement names this account's tracking servers (dg
                // mlflow-create-tracking-server-iam grants sagemaker-mlflow:* the same way).
                assert!(
                    a != "*" && (!a.ends_with(":*") || a == "sagemaker-mlflow:*"),
                    "{name}: {} allows {a}",
                    s.sid
                );
            }
        }
    }
}

fn s3_statements<'a>(st: &[&'a Statement], action: &str) -> Vec<&'a Statement> {
    st.iter()
        .copied()
        .filter(|s| s.effect == Effect::Allow && s.actions.iter().any(|a| a == action))
        .collect()
}

#[test]
fn s3_prefixes_narrow_object_arns_and_listing() {
    let text = format!(
        "{BASE}[[data.buckets]]\nname = \"data\"\nprefixes = [\"raw/\", \"models/\"]\naccess = \"read-only\"\n"
    );
    let m = model::resolve(&load(&text, &[]));
    let st = execution_statements(&m);
    let bucket = show(&Ref::attr(Kind::Bucket, "data", Attr::Arn));

    // The SDK's own bucket is granted by name when no environment bucket is writable.
    let st: Vec<&Statement> = st
        .into_iter()
        .filter(|s| !s.sid.starts_with("SdkDefaultBucket"))
        .collect();
    let objects = s3_statements(&st, "s3:GetObject");
    assert!(!objects.is_empty());
    let resources: Vec<String> = objects
        .iter()
        .flat_map(|s| s.resources.iter().map(show))
        .collect();
    let mut sorted = resources.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [format!("{bucket}/models/*"), format!("{bucket}/raw/*")],
        "object access only under the prefixes"
    );
    // read-only means no writes at all.
    for s in &st {
        assert!(
            !s.actions
                .iter()
                .any(|a| a == "s3:PutObject" || a == "s3:DeleteObject"),
            "{}: {:?}",
            s.sid,
            s.actions
        );
    }

    let lists = s3_statements(&st, "s3:ListBucket");
    assert_eq!(lists.len(), 1);
    let list = lists[0];
    assert_eq!(
        list.resources.iter().map(show).collect::<Vec<_>>(),
        [bucket.as_str()]
    );
    let prefix = list
        .conditions
        .iter()
        .find(|c| c.key == "s3:prefix")
        .expect("ListBucket has an s3:prefix condition");
    assert!(prefix.op.starts_with("StringLike"), "{}", prefix.op);
    let values: Vec<String> = prefix.values.iter().map(show).collect();
    for p in ["raw/", "models/"] {
        assert!(values.iter().any(|v| v.starts_with(p)), "{p} in {values:?}");
    }
    for v in &values {
        assert!(v.starts_with("raw/") || v.starts_with("models/"), "{v}");
    }

    // Without prefixes: the whole bucket, no prefix condition.
    let m = resolve(&[]);
    let st = execution_statements(&m);
    let objects: Vec<String> = s3_statements(&st, "s3:GetObject")
        .iter()
        .flat_map(|s| s.resources.iter().map(show))
        .collect();
    assert_eq!(objects, [format!("{bucket}/*")]);
    assert!(
        s3_statements(&st, "s3:ListBucket")
            .iter()
            .all(|s| s.conditions.iter().all(|c| c.key != "s3:prefix"))
    );
}

#[test]
fn s3_access_is_limited_to_the_projects_buckets() {
    let text = format!(
        "{BASE}[[data.buckets]]\nname = \"data\"\n[[data.buckets]]\nexisting = \"corp-lake\"\naccess = \"read-only\"\n"
    );
    let m = model::resolve(&load(&text, &[]));
    for s in execution_statements(&m) {
        if s.actions.iter().any(|a| a.starts_with("s3:")) {
            for r in &s.resources {
                let r = show(r);
                assert!(
                    r.starts_with("${Bucket.data.Arn}")
                        || r.starts_with("arn:${partition}:s3:::corp-lake"),
                    "{}: {r}",
                    s.sid
                );
            }
        }
    }
}

fn all_documents(m: &Model) -> Vec<&PolicyDocument> {
    let mut docs: Vec<&PolicyDocument> = vec![];
    for r in &m.roles {
        docs.push(&r.trust);
        docs.extend(r.policies.iter().map(|p| &p.document));
    }
    docs.extend(m.buckets.iter().map(|b| &b.policy));
    docs.extend(m.endpoints.iter().map(|e| &e.policy));
    docs.extend(m.kms.policy.iter());
    docs
}

#[test]
fn statement_ids_are_unique_within_each_document() {
    for (name, m) in every_preset() {
        for doc in all_documents(&m) {
            let mut sids: Vec<&str> = doc.statements.iter().map(|s| s.sid.as_str()).collect();
            let n = sids.len();
            sids.sort();
            sids.dedup();
            assert_eq!(sids.len(), n, "{name}: duplicate Sid in {sids:?}");
            for s in &doc.statements {
                assert!(
                    !s.sid.is_empty() && s.sid.chars().all(|c| c.is_ascii_alphanumeric()),
                    "{name}: Sid {:?} must be alphanumeric",
                    s.sid
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Findings (docs/sagemaker-facts.md § 2.12, §2.13)
// ---------------------------------------------------------------------------------------------

fn warns(m: &Model, choice: &str) -> bool {
    m.findings
        .iter()
        .any(|f| f.severity == Severity::Warning && f.choice == choice)
}

#[test]
fn presets_have_no_error_findings() {
    for (name, m) in every_preset() {
        assert_eq!(m.errors().count(), 0, "{name}: {:?}", m.findings);
    }
}

#[test]
fn public_only_warns() {
    let m = preset("public-only", &[]);
    assert!(warns(&m, "network.mode"), "{:?}", m.findings);
    assert!(!warns(&preset("vpc-only-isolated", &[]), "network.mode"));
}

#[test]
fn aws_managed_kms_warns() {
    let m = resolve(&["encryption.kms=aws-managed"]);
    assert!(warns(&m, "encryption.kms"), "{:?}", m.findings);
    assert!(!warns(&resolve(&[]), "encryption.kms"));
}

#[test]
fn direct_internet_on_notebooks_warns() {
    let m = preset(
        "notebook-private",
        &["notebook.direct_internet_access=true"],
    );
    assert!(
        warns(&m, "notebook.direct_internet_access"),
        "{:?}",
        m.findings
    );
    assert!(!warns(
        &preset("notebook-private", &[]),
        "notebook.direct_internet_access"
    ));
}

#[test]
fn public_pip_without_any_internet_is_an_error() {
    let m = resolve(&["needs.pip=public", "network.nat=none"]);
    assert!(
        m.errors().any(|f| f.choice == "needs.pip"),
        "{:?}",
        m.findings
    );
    let m = resolve(&["needs.pip=public", "network.nat=single"]);
    assert_eq!(m.errors().count(), 0, "{:?}", m.findings);
}

/// In Public-only mode Studio apps reach the internet through the SageMaker-managed VPC
/// (docs/sagemaker-facts.md § 2.12, dg `studio-notebooks-and-internet-access`), so `pip install` from PyPI works
/// there without a NAT gateway: that combination must not be refused as unworkable.
#[test]
fn public_pip_works_for_public_only_studio_without_nat() {
    let m = preset("public-only", &["needs.pip=public"]);
    assert_eq!(m.errors().count(), 0, "{:?}", m.findings);
}

// ---------------------------------------------------------------------------------------------
// Names: every name the spec accepts must give a deployable project. Rejecting the input in
// validation is as good as making the names distinct; silently colliding is not.
// ---------------------------------------------------------------------------------------------

/// The model, or `None` when the spec is rejected (which is an acceptable outcome here).
fn try_resolve(text: &str, sets: &[&str]) -> Option<Model> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    spec::load(
        &SpecSource::Config {
            origin: "test.toml".into(),
            text: text.into(),
        },
        &sets,
    )
    .ok()
    .map(|s| model::resolve(&s))
}

fn assert_unique(what: &str, names: Vec<String>) {
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        names.len(),
        "{what}: duplicate logical names in {names:?}"
    );
}

/// Every logical name, by the kind of resource it names (a Terraform address is kind + name).
fn logical_names(m: &Model) -> Vec<(&'static str, Vec<String>)> {
    vec![
        (
            "security group",
            m.security_groups.iter().map(|g| g.name.clone()).collect(),
        ),
        (
            "user profile",
            m.domain
                .iter()
                .flat_map(|d| d.profiles.iter().map(|p| p.name.clone()))
                .collect(),
        ),
        (
            "notebook instance",
            m.notebooks.iter().map(|n| n.name.clone()).collect(),
        ),
        ("bucket", m.buckets.iter().map(|b| b.name.clone()).collect()),
        (
            "endpoint",
            m.endpoints.iter().map(|e| e.name.clone()).collect(),
        ),
        ("role", m.roles.iter().map(|r| r.name.clone()).collect()),
        (
            "log group",
            m.log_groups.iter().map(|g| g.name.clone()).collect(),
        ),
    ]
}

/// User profile and notebook names are case-sensitive and may repeat hyphens
/// (`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`), so `userA`, `user-a` and `user--a` are three
/// different profiles. They must not become the same Terraform resource.
#[test]
fn distinct_user_profiles_get_distinct_resources() {
    for profiles in [
        r#"["userA", "user-a"]"#,
        r#"["a-b", "a--b"]"#,
        r#"["DataSci", "data-sci"]"#,
    ] {
        let Some(m) = try_resolve(BASE, &[&format!("studio.user_profiles={profiles}")]) else {
            continue;
        };
        for (what, names) in logical_names(&m) {
            assert_unique(&format!("{profiles}: {what}"), names);
        }
    }
}

#[test]
fn distinct_notebook_instances_get_distinct_resources() {
    let Some(m) = try_resolve(
        BASE,
        &[
            "needs.notebook_instances=true",
            r#"notebook.names=["nbA", "nb-a"]"#,
        ],
    ) else {
        return;
    };
    for (what, names) in logical_names(&m) {
        assert_unique(what, names);
    }
}

/// `s3logs` is the access-log bucket's logical name; a data bucket of that name must be
/// refused (or renamed), not emitted as a second `aws_s3_bucket.s3logs`.
#[test]
fn a_data_bucket_cannot_take_the_log_buckets_name() {
    let text = format!("{BASE}[[data.buckets]]\nname = \"{}\"\n", model::LOG_BUCKET);
    if let Some(m) = try_resolve(&text, &[]) {
        assert_unique("bucket", m.buckets.iter().map(|b| b.name.clone()).collect());
    }
}

/// Terraform identifiers start with a letter or an underscore; user profile and notebook
/// names may start with a digit.
#[test]
fn logical_names_are_valid_terraform_identifiers() {
    let Some(m) = try_resolve(
        BASE,
        &[
            r#"studio.user_profiles=["1st-user", "alice"]"#,
            "needs.notebook_instances=true",
            r#"notebook.names=["2024-research"]"#,
        ],
    ) else {
        return;
    };
    for (what, names) in logical_names(&m) {
        for n in names {
            let ok = n.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            assert!(ok, "{what} {n:?} is not a Terraform identifier");
        }
    }
}

/// CreateNotebookInstance: `NotebookInstanceName` is at most 63 characters. The instance name
/// is `<project>-<name>`, so an accepted spec must keep the two together within the limit.
#[test]
fn notebook_instance_names_stay_within_63_characters() {
    let long_project = "abcdefghijklmnopqrstuvwx"; // 24, the longest project name
    let long_name = "n".repeat(63); // the longest notebook name the spec accepts
    for (project, name) in [
        (long_project, "research".to_string()),
        ("demo", long_name.clone()),
        (long_project, long_name),
    ] {
        let Some(m) = try_resolve(
            BASE,
            &[
                &format!("project.name={project}"),
                "needs.notebook_instances=true",
                &format!(r#"notebook.names=["{name}"]"#),
            ],
        ) else {
            continue;
        };
        for nb in &m.notebooks {
            assert!(
                nb.instance_name.len() <= 63,
                "{} is {} characters",
                nb.instance_name,
                nb.instance_name.len()
            );
        }
    }
}

/// S3 bucket names are at most 63 characters: `<project>-<bucket>-<account>-<region>` must fit
/// with the longest accepted project and bucket names in every region smgen knows.
#[test]
fn bucket_names_stay_within_63_characters() {
    for info in region::all() {
        let text = format!(
            "[project]\nname = \"abcdefghijklmnopqrstuvwx\"\nregion = \"{}\"\n[network.vpc]\nazs = 1\n[[data.buckets]]\nname = \"abcdefghij\"\n",
            info.name
        );
        let m = model::resolve(&load(&text, &[]));
        for b in &m.buckets {
            let name = show(&b.bucket_name).replace("${account}", "111122223333");
            assert!(!name.contains("${"), "{name}");
            assert!(
                name.len() <= 63,
                "{}: {name} is {} characters",
                info.name,
                name.len()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Quotas as model rules (AWS default quotas; src/model/quotas.rs)
// ---------------------------------------------------------------------------------------------

fn profiles(n: usize) -> String {
    let names: Vec<String> = (0..n).map(|i| format!("\"user{i}\"")).collect();
    format!("studio.user_profiles=[{}]", names.join(","))
}

fn has(m: &Model, severity: Severity, choice: &str, text: &str) -> bool {
    m.findings
        .iter()
        .any(|f| f.severity == severity && f.choice == choice && f.message.contains(text))
}

#[test]
fn the_endpoints_group_has_the_same_rules_for_2_and_200_users() {
    // UserSettings SecurityGroups are aggregated with the domain's (SageMaker API Reference),
    // so every private-space app carries `studio_domain`; the endpoints admit that group once.
    let rules = |n: usize| {
        let m = resolve(&[&profiles(n), "needs.notebook_instances=true"]);
        let ep = group(&m, "endpoints");
        let mut peers: Vec<String> = ep
            .rules
            .iter()
            .filter(|r| r.direction == Direction::Ingress)
            .map(|r| format!("{:?}", r.peer))
            .collect();
        peers.sort();
        (peers, m)
    };
    let (two, _) = rules(2);
    let (many, m) = rules(200);
    assert_eq!(two, many);
    assert_eq!(many.len(), 4, "{many:?}");
    assert!(many.iter().all(|p| !p.contains("user_")), "{many:?}");
    // The per-user groups keep only what is per user: the user's apps among themselves.
    let user = group(&m, "user_user7");
    assert!(self_both(user, "tcp", Some((8192, 65535))));
    assert!(
        user.rules.iter().all(|r| r.peer == Peer::Itself),
        "{user:?}"
    );
    // And the user's apps still reach the endpoints through the domain's group.
    let d = m.domain.as_ref().unwrap();
    assert_eq!(group_name(&d.default_security_groups[0]), "studio_domain");
    assert!(group(&m, "studio_domain").rules.iter().any(|r| {
        r.direction == Direction::Egress && r.peer == Peer::Group("endpoints".into())
    }));
}

#[test]
fn no_security_group_quota_is_exceeded_with_200_users() {
    let m = resolve(&[&profiles(200)]);
    for f in &m.findings {
        assert!(
            !(f.message.contains("rules per security group")
                || f.message.contains("security groups per")),
            "{f}"
        );
    }
    for g in &m.security_groups {
        for dir in [Direction::Ingress, Direction::Egress] {
            assert!(model::quotas::rules(g, dir) <= 60, "{}: {dir:?}", g.name);
        }
    }
    for (what, n) in model::quotas::groups_per_interface(&m) {
        assert!(n <= 5, "{what}: {n}");
    }
}

#[test]
fn a_quota_finding_names_the_quota_its_default_whether_it_can_be_raised_and_the_source() {
    // More groups than the Region's default (one per user profile) is a warning: raisable.
    let m = resolve(&[&profiles(2_600), "network.vpc.azs=3"]);
    let f = m
        .findings
        .iter()
        .find(|f| f.message.contains("VPC security groups per Region"))
        .unwrap_or_else(|| panic!("{:#?}", m.findings));
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.choice, "studio.user_profiles");
    assert!(f.message.contains("AWS default 2500"), "{f}");
    assert!(f.message.contains("can be raised"), "{f}");
    assert!(
        f.source.contains("amazon-vpc-limits") && f.source.contains("read 20"),
        "{f}"
    );
    for q in model::quotas::QUOTAS {
        assert!(q.source.contains("read 20"), "{}", q.key);
    }
}

#[test]
fn oversized_policies_are_errors_naming_the_unraisable_quota() {
    // The execution role's documents list every user's group; past the managed-policy size
    // (6,144 characters, not adjustable) that is an error, never a silent failed apply.
    let m = resolve(&[&profiles(400)]);
    let over: Vec<_> = m
        .findings
        .iter()
        .filter(|f| f.message.contains("characters per managed policy"))
        .collect();
    for f in &over {
        assert_eq!(f.severity, Severity::Error, "{f}");
        assert!(f.message.contains("cannot be raised"), "{f}");
    }
    // Whatever policies.rs does, a document past 6,144 characters never goes unreported.
    for r in &m.roles {
        for p in r.policies.iter().chain(&r.boundary) {
            if p.document.max_len() > 6144 {
                assert!(
                    over.iter().any(|f| f.message.contains(&p.policy_name)),
                    "{} is {} long and unreported",
                    p.policy_name,
                    p.document.max_len()
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Findings for answers that weaken the design (#19, #20)
// ---------------------------------------------------------------------------------------------

#[test]
fn one_availability_zone_warns_and_says_what_is_affected() {
    let m = resolve(&["network.vpc.azs=1"]);
    assert!(
        has(&m, Severity::Warning, "network.vpc.azs", "EFS"),
        "{:#?}",
        m.findings
    );
    assert!(has(&m, Severity::Warning, "network.vpc.azs", "fail over"));
    assert!(!warns(&resolve(&[]), "network.vpc.azs"));
}

#[test]
fn every_control_turned_off_warns_naming_what_is_lost() {
    for (set, choice, lost) in [
        (
            "network.flow_logs=false",
            "network.flow_logs",
            "CKV2_AWS_11",
        ),
        (
            "data.access_logging=false",
            "data.access_logging",
            "who read or wrote",
        ),
        ("encryption.kms=aws-managed", "encryption.kms", "key policy"),
        (
            "jobs.network_isolation=false",
            "jobs.network_isolation",
            "call out",
        ),
        (
            "jobs.inter_container_encryption=false",
            "jobs.inter_container_encryption",
            "in clear",
        ),
        ("jobs.require_vpc=false", "jobs.require_vpc", "outside"),
    ] {
        let m = resolve(&[set]);
        assert!(
            has(&m, Severity::Warning, choice, lost),
            "{set}: {:#?}",
            m.findings
        );
        assert!(!warns(&resolve(&[]), choice), "{choice} warns by default");
    }
}

#[test]
fn nat_without_private_endpoints_says_which_controls_do_not_apply() {
    let m = resolve(&["network.nat=single", "needs.custom_images=true"]);
    assert_eq!(keys(&m), ["s3"]);
    let f = m
        .findings
        .iter()
        .find(|f| f.choice == "network.private_endpoints_with_nat")
        .unwrap_or_else(|| panic!("{:#?}", m.findings));
    assert_eq!(f.severity, Severity::Info);
    for text in [
        "sagemaker.api",
        "sts",
        "logs",
        "ecr.api",
        "aws:SourceVpce",
        "policies",
    ] {
        assert!(f.message.contains(text), "{text}: {f}");
    }
    // No NAT: nothing goes out that way.
    assert!(
        !resolve(&[])
            .findings
            .iter()
            .any(|f| f.choice == "network.private_endpoints_with_nat")
    );
}

#[test]
fn private_endpoints_with_nat_keeps_the_solvers_endpoints() {
    let without_nat = resolve(&["needs.custom_images=true"]);
    for nat in ["single", "per-az"] {
        let m = resolve(&[
            &format!("network.nat={nat}"),
            "network.private_endpoints_with_nat=true",
            "needs.custom_images=true",
        ]);
        assert_eq!(keys(&m), keys(&without_nat), "{nat}");
        assert!(
            !m.findings
                .iter()
                .any(|f| f.choice == "network.private_endpoints_with_nat"),
            "{:#?}",
            m.findings
        );
        // Workloads keep both ways out: HTTPS to the endpoints and to the internet via NAT.
        let domain = group(&m, "studio_domain");
        assert!(
            domain
                .rules
                .iter()
                .any(|r| r.peer == Peer::Group("endpoints".into()))
        );
        assert!(
            domain
                .rules
                .iter()
                .any(|r| matches!(&r.peer, Peer::Cidr(c) if c == "0.0.0.0/0"))
        );
    }
}

#[test]
fn a_vpc_block_outside_the_private_ranges_warns() {
    for (cidr, public) in [
        ("10.20.0.0/16", false),
        ("172.31.0.0/16", false),
        ("192.168.0.0/20", false),
        ("100.64.0.0/16", false),
        ("11.0.0.0/16", true),
        ("172.32.0.0/16", true),
        ("203.0.113.0/24", true),
    ] {
        let m = resolve(&[&format!("network.vpc.cidr={cidr}")]);
        assert_eq!(
            warns(&m, "network.vpc.cidr"),
            public,
            "{cidr}: {:#?}",
            m.findings
        );
    }
}

#[test]
fn studio_without_user_profiles_is_noted() {
    let m = resolve(&[]);
    assert!(has(
        &m,
        Severity::Info,
        "studio.user_profiles",
        "nobody can open"
    ));
    assert!(!has(
        &resolve(&["studio.user_profiles=[\"a\"]"]),
        Severity::Info,
        "studio.user_profiles",
        "nobody can open"
    ));
}

#[test]
fn unrestricted_presigned_urls_are_noted() {
    let m = resolve(&[]);
    assert!(has(
        &m,
        Severity::Info,
        "studio.presigned_url.restrict",
        "not restricted"
    ));
    let m = resolve(&["studio.presigned_url.restrict=source-vpce"]);
    assert!(!has(
        &m,
        Severity::Info,
        "studio.presigned_url.restrict",
        "not restricted"
    ));
}
