//! The IAM engine against the defects of public SageMaker templates (docs/sagemaker-facts.md § 1c) and the
//! semantics of IAM condition operators (2.10), over every preset and option combination.

use smgen::aws::condition_keys;
use smgen::model::iam::{Effect, PolicyDocument, Statement};
use smgen::model::refs::{Attr, Kind, Ref};
use smgen::model::{self, Model};
use smgen::spec::{self, SpecSource};

const KEY: &str = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// Every preset, plus the main option axes.
fn models() -> Vec<(String, Model)> {
    let mut out = vec![];
    for p in smgen::presets::all() {
        let spec = spec::load(&SpecSource::Preset(p.name.into()), &[]).unwrap();
        out.push((p.name.to_string(), model::resolve(&spec)));
    }
    let axes: &[&[&str]] = &[
        &["network.mode=public-only"],
        &["network.nat=single", "jobs.network_isolation=false"],
        &[
            "encryption.kms=existing",
            &format!("encryption.key_arn={KEY}"),
        ],
        &[
            "encryption.kms=aws-managed",
            "jobs.inter_container_encryption=false",
        ],
        &["needs.notebook_instances=true", "notebook.root_access=true"],
        &[
            "studio.presigned_url.restrict=source-vpce",
            "needs.notebook_instances=true",
        ],
        &["jobs.isolation_exceptions=[\"arn:aws:iam::111122223333:role/chainer-*\"]"],
        // A bucket of another account, with its owner's key: the owner's documents too.
        &[
            "project.account_id=\"111122223333\"",
            "data.buckets=[{ name = \"data\" }, { existing = \"partner-data\", account = \"444455556666\", key_arn = \"arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab\", prefixes = [\"shared/\"] }]",
        ],
    ];
    for sets in axes {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        let spec = spec::load(&SpecSource::Preset("vpc-only-isolated".into()), &sets).unwrap();
        out.push((sets.join(" "), model::resolve(&spec)));
    }
    out
}

/// Every IAM document in a model, with a label.
fn documents(m: &Model) -> Vec<(String, &PolicyDocument)> {
    let mut out = vec![];
    for r in &m.roles {
        out.push((format!("{} trust", r.name), &r.trust));
        for p in r.policies.iter().chain(&r.boundary) {
            out.push((p.name.clone(), &p.document));
        }
    }
    for p in &m.access_policies {
        out.push((p.name.clone(), &p.document));
    }
    for d in &m.documents {
        out.push((d.file.clone(), &d.document));
    }
    if let Some(k) = &m.kms.policy {
        out.push(("key policy".into(), k));
    }
    for b in &m.buckets {
        out.push((format!("bucket {}", b.name), &b.policy));
    }
    for e in &m.endpoints {
        out.push((format!("endpoint {}", e.key), &e.policy));
    }
    out
}

fn statements(m: &Model) -> Vec<(String, &Statement)> {
    documents(m)
        .into_iter()
        .flat_map(|(l, d)| {
            d.statements
                .iter()
                .map(move |s| (format!("{l} / {}", s.sid), s))
        })
        .collect()
}

/// The networkfirewall sample's defect: `Deny sagemaker:Create*` with an operator that is true
/// when the key is absent denies every Create that never carries the key.
#[test]
fn denies_list_only_actions_that_carry_their_key() {
    for (case, m) in models() {
        for (label, s) in statements(&m) {
            if s.effect != Effect::Deny {
                continue;
            }
            for c in &s.conditions {
                if !c.key.starts_with("sagemaker:") {
                    continue;
                }
                let absent_true = c.op.contains("Not")
                    || c.op.ends_with("IfExists")
                    || c.op.starts_with("ForAllValues:");
                for a in &s.actions {
                    assert!(
                        !a.contains('*'),
                        "{case}: {label}: wildcard {a} in a guardrail"
                    );
                    let name = a.trim_start_matches("sagemaker:");
                    if absent_true || c.op == "Null" {
                        assert!(
                            condition_keys::carries(&c.key, name),
                            "{case}: {label}: {} {} on {a}, which never carries the key",
                            c.op,
                            c.key
                        );
                    }
                }
            }
        }
    }
}

/// secure-mlops' documentation used `sagemaker:VpcSecurityGroup`, a key that does not exist; the
/// deprecated `VolumeKmsKey`/`OutputKmsKey` apply to no action.
#[test]
fn every_sagemaker_key_exists_and_is_current() {
    for (case, m) in models() {
        for (label, s) in statements(&m) {
            for c in &s.conditions {
                if c.key.starts_with("sagemaker:") {
                    let info = condition_keys::info(&c.key)
                        .unwrap_or_else(|| panic!("{case}: {label}: unknown key {}", c.key));
                    assert!(
                        !info.deprecated,
                        "{case}: {label}: deprecated key {}",
                        c.key
                    );
                }
            }
        }
    }
}

/// admin-iac's PassRole pointed at `role/service-role/<name>` while the role had path `/`.
/// PassRole must name the role itself, by reference, and only for SageMaker.
#[test]
fn passrole_names_the_execution_role_itself() {
    for (case, m) in models() {
        let role = m.roles.iter().find(|r| r.name == "execution").unwrap();
        let pass: Vec<&Statement> = role
            .policies
            .iter()
            .flat_map(|p| &p.document.statements)
            .filter(|s| s.actions.iter().any(|a| a == "iam:PassRole"))
            .collect();
        assert_eq!(pass.len(), 1, "{case}");
        assert_eq!(
            pass[0].resources,
            vec![Ref::attr(Kind::Role, "execution", Attr::Arn)],
            "{case}"
        );
        assert!(
            pass[0]
                .conditions
                .iter()
                .any(|c| c.key == "iam:PassedToService"
                    && c.values == vec![Ref::lit("sagemaker.amazonaws.com")]),
            "{case}"
        );
        // The boundary spells the ARN out: it must agree with the role's path and name.
        let b = role.boundary.as_ref().unwrap();
        let spelled: Vec<&Ref> = b
            .document
            .statements
            .iter()
            .filter(|s| s.actions.iter().any(|a| a == "iam:PassRole"))
            .flat_map(|s| &s.resources)
            .collect();
        let want = ":iam::";
        for r in spelled {
            let text = format!("{r:?}");
            assert!(
                text.contains(want)
                    && text.contains(&format!("role{}{}", role.path, role.role_name)),
                "{case}: {text}"
            );
        }
    }
}

/// Three samples grant key use with `aws:sourceVpce` = the S3 gateway endpoint: calls to KMS never
/// carry it, so the condition is a no-op. The key policy must have no endpoint conditions.
#[test]
fn key_policy_has_no_no_op_endpoint_conditions() {
    for (case, m) in models() {
        if let Some(k) = &m.kms.policy {
            for s in &k.statements {
                for c in &s.conditions {
                    assert!(
                        !c.key.eq_ignore_ascii_case("aws:sourceVpce"),
                        "{case}: {}",
                        s.sid
                    );
                }
            }
            // The execution role uses the key only through AWS services.
            let via = k
                .statements
                .iter()
                .find(|s| s.sid == "ExecutionRoleThroughAwsServices")
                .unwrap();
            assert!(
                via.conditions.iter().any(|c| c.key == "kms:ViaService"),
                "{case}"
            );
        }
    }
}

#[test]
fn no_policy_grants_every_action() {
    for (case, m) in models() {
        for (label, s) in statements(&m) {
            for a in &s.actions {
                assert!(a != "*" && a != "sagemaker:*", "{case}: {label}: {a}");
            }
        }
    }
}

#[test]
fn managed_policies_fit_iam_limits() {
    for (case, m) in models() {
        for r in &m.roles {
            for p in r.policies.iter().chain(&r.boundary) {
                assert!(
                    p.document.max_len() <= 6144,
                    "{case}: {} is {}",
                    p.name,
                    p.document.max_len()
                );
            }
        }
        for d in &m.documents {
            assert!(
                d.document.max_len() <= 5120,
                "{case}: {} is {}",
                d.file,
                d.document.max_len()
            );
        }
    }
}

#[test]
fn guardrails_follow_the_spec() {
    let load = |sets: &[&str]| {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        model::resolve(&spec::load(&SpecSource::Preset("vpc-only-isolated".into()), &sets).unwrap())
    };
    let sids = |m: &Model| -> Vec<String> {
        m.roles[0]
            .policies
            .iter()
            .flat_map(|p| &p.document.statements)
            .filter(|s| s.effect == Effect::Deny)
            .map(|s| s.sid.clone())
            .collect()
    };
    let all = sids(&load(&[]));
    for sid in [
        "DenyComputeWithoutVpcSubnets",
        "DenyComputeOutsideEnvironmentSecurityGroups",
        "DenyComputeWithoutNetworkIsolation",
        "DenyComputeWithoutInterContainerEncryption",
        "DenyVolumesWithoutEnvironmentKeyExceptLocalStorage",
        "DenyOutputsWithForeignKey",
        "DenyDomainsOutsideVpc",
        "DenyDomainUpdatesOutOfVpc",
        "DenyNotebookCreateWithInternet",
        "DenyNotebookUpdateWithRoot",
        "DenyNotebookCreateWithImdsV1",
    ] {
        assert!(all.contains(&sid.to_string()), "{sid} missing from {all:?}");
    }
    let off = sids(&load(&[
        "jobs.network_isolation=false",
        "jobs.inter_container_encryption=false",
        "jobs.require_vpc=false",
        "encryption.kms=aws-managed",
        "network.mode=public-only",
    ]));
    for gone in [
        "DenyComputeWithoutNetworkIsolation",
        "DenyComputeWithoutInterContainerEncryption",
        "DenyComputeWithoutVpcSubnets",
        "DenyOutputsWithForeignKey",
        "DenyDomainsOutsideVpc",
    ] {
        assert!(!off.contains(&gone.to_string()), "{gone} still in {off:?}");
    }
    // CreateCompilationJob carries no VPC key (docs/sagemaker-facts.md § 0.2): never in a VPC guardrail.
    let m = load(&[]);
    for s in m.roles[0]
        .policies
        .iter()
        .flat_map(|p| &p.document.statements)
    {
        if s.sid.contains("Vpc") || s.sid.contains("Environment") {
            assert!(
                !s.actions
                    .iter()
                    .any(|a| a == "sagemaker:CreateCompilationJob"),
                "{}",
                s.sid
            );
        }
    }
}

#[test]
fn presigned_url_restrictions() {
    let load = |sets: &[&str]| {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        spec::load(&SpecSource::Preset("vpc-only-nat".into()), &sets).map(|s| model::resolve(&s))
    };
    // source-vpce adds the Studio and API endpoints even with NAT, and pins both ids.
    let m = load(&["studio.presigned_url.restrict=source-vpce"]).unwrap();
    assert!(m.endpoint("studio").is_some() && m.endpoint("sagemaker.api").is_some());
    let open = &m.access_policies[0].document.statements[0];
    assert_eq!(open.actions, vec!["sagemaker:CreatePresignedDomainUrl"]);
    assert_eq!(open.conditions[0].key, "aws:sourceVpce");
    assert_eq!(open.conditions[0].values.len(), 2);
    // source-ip needs ranges; with them, an IpAddress condition.
    assert!(load(&["studio.presigned_url.restrict=source-ip"]).is_err());
    let m = load(&[
        "studio.presigned_url.restrict=source-ip",
        "studio.presigned_url.source_ips=[\"203.0.113.0/24\"]",
    ])
    .unwrap();
    assert_eq!(
        m.access_policies[0].document.statements[0].conditions[0].op,
        "IpAddress"
    );
    // IAM Identity Center mode cannot restrict presigned URLs.
    let m = load(&[
        "studio.presigned_url.restrict=source-vpce",
        "studio.auth_mode=sso",
    ])
    .unwrap();
    assert!(
        m.errors()
            .any(|f| f.choice == "studio.presigned_url.restrict")
    );
}
