//! Guardrails: Deny statements built on SageMaker condition keys, each enabled by the spec, with
//! correct IAM semantics. The same statements go on the execution role, into a permissions
//! boundary and into an SCP document.
//!
//! Semantics (IAM User Guide, "Condition operators" and "Single-valued vs multivalued"): a key
//! absent from the request makes negated operators (`StringNotEquals`, `ArnNotEquals`) and
//! `…IfExists` operators *true*, and `ForAllValues:` true. So every Deny lists only the actions
//! that carry its key (condition_keys.rs), and a "wrong value" Deny is paired with
//! `Null: false` where absence must not deny (docs/sagemaker-facts.md § 1c: the network-firewall sample's
//! `Deny sagemaker:Create*` + `…IfExists` denies every Create that never carries the key).

use super::iam::{Condition, Statement};
use super::refs::Ref;
use super::{Model, security::SecurityGroup};
use crate::aws::condition_keys::{actions, carries};
use crate::spec::{KmsMode, NetworkMode, Spec};

/// Instance families whose storage is local NVMe: the API rejects a volume KMS key for them
/// (their volumes are hardware-encrypted). Source: SageMaker API Reference, ResourceConfig /
/// ProcessingClusterConfig / TransformResources `VolumeKmsKeyId` and CreateEndpointConfig
/// `KmsKeyId` ("You can't request a VolumeKmsKeyId when using an instance type with local
/// storage"), with the families from the Amazon EC2 "Instance store volumes" table.
pub const LOCAL_STORAGE_FAMILIES: &[&str] = &[
    "ml.c5d.*",
    "ml.c6id.*",
    "ml.g4dn.*",
    "ml.g5.*",
    "ml.g6.*",
    "ml.g6e.*",
    "ml.m5d.*",
    "ml.m6id.*",
    "ml.p3dn.*",
    "ml.p4d.*",
    "ml.p4de.*",
    "ml.p5.*",
    "ml.p5e.*",
    "ml.p5en.*",
    "ml.r5d.*",
    "ml.r6id.*",
    "ml.trn1.*",
    "ml.trn1n.*",
    "ml.trn2.*",
];

/// Actions a compute guardrail covers for `key`: the `Create*` actions that carry it. Updates
/// are left out (an update that does not restate the setting would be denied), and so are the
/// domain and user-profile calls, which have guardrails of their own.
fn create_actions(key: &str) -> Vec<String> {
    actions(key)
        .iter()
        .filter(|a| {
            a.starts_with("Create") && !matches!(a.as_str(), "CreateDomain" | "CreateUserProfile")
        })
        .map(|a| format!("sagemaker:{a}"))
        .collect()
}

/// Where a key's field is one the standard request leaves out, so an absent key must not deny
/// (carrying a key is necessary for a Deny on its absence, not sufficient). Each entry names
/// the API field the key comes from (SageMaker API Reference):
/// - CreateEndpointConfig `VpcConfig` and `EnableNetworkIsolation` exist for endpoints built
///   from inference components; `Model.deploy()` sets VPC and isolation on CreateModel and
///   sends neither here.
/// - CreateMonitoringSchedule `MonitoringScheduleConfig.MonitoringJobDefinition` (its
///   `NetworkConfig`, `MonitoringResources.ClusterConfig.VolumeKmsKeyId`, `MonitoringOutputConfig.KmsKeyId`)
///   is absent when the schedule names a job definition (`MonitoringJobDefinitionName`), as
///   the SDK's model monitors do; the job definition carries the keys instead.
///
/// For these, only a wrong value that is present is denied (`Null: false` pairing).
pub const OPTIONAL_FIELDS: &[(&str, &[&str])] = &[
    (
        "CreateEndpointConfig",
        &[
            "sagemaker:VpcSubnets",
            "sagemaker:VpcSecurityGroupIds",
            "sagemaker:NetworkIsolation",
        ],
    ),
    (
        "CreateMonitoringSchedule",
        &[
            "sagemaker:VpcSubnets",
            "sagemaker:VpcSecurityGroupIds",
            "sagemaker:NetworkIsolation",
            "sagemaker:InterContainerTrafficEncryption",
            "sagemaker:VolumeKmsKeyArn",
            "sagemaker:OutputKmsKeyArn",
        ],
    ),
];

fn optional_field(key: &str, action: &str) -> bool {
    let action = action.trim_start_matches("sagemaker:");
    OPTIONAL_FIELDS
        .iter()
        .any(|(a, keys)| *a == action && keys.contains(&key))
}

/// `create_actions(key)` split into the actions whose standard request carries the key and
/// those where it may be absent.
fn by_presence(key: &str) -> (Vec<String>, Vec<String>) {
    create_actions(key)
        .into_iter()
        .partition(|a| !optional_field(key, a))
}

/// A Deny on a boolean key: absent or false where the request carries it, false where the
/// field is optional.
fn deny_false(st: &mut Vec<Statement>, sid: &str, key: &str, exempt: Option<Condition>) {
    let (required, optional) = by_presence(key);
    let with_exempt = |s: Statement| match &exempt {
        Some(c) => s.when(c.clone()),
        None => s,
    };
    st.push(with_exempt(deny(sid, required).when(Condition::new(
        "BoolIfExists",
        key,
        [Ref::lit("false")],
    ))));
    if !optional.is_empty() {
        st.push(with_exempt(
            deny(&format!("{sid}WhenSet"), optional)
                .when(Condition::new("Null", key, [Ref::lit("false")]))
                .when(Condition::new("Bool", key, [Ref::lit("false")])),
        ));
    }
}

pub(super) fn deny(sid: &str, actions: Vec<String>) -> Statement {
    Statement {
        sid: sid.into(),
        effect: super::iam::Effect::Deny,
        principal: None,
        actions,
        resources: vec![Ref::lit("*")],
        conditions: vec![],
    }
}

fn lits(values: &[&str]) -> Vec<Ref> {
    values.iter().map(|v| Ref::lit(*v)).collect()
}

/// The guardrail statements the spec enables.
pub fn statements(spec: &Spec, model: &Model) -> Vec<Statement> {
    let mut st = vec![];
    let subnets = model.network.private_subnets.clone();
    let groups: Vec<Ref> = model
        .security_groups
        .iter()
        // Compute (jobs, models, notebook instances) runs in the environment's shared groups;
        // per-user groups belong to user profiles, which have a guardrail of their own, and
        // listing them would outgrow a managed policy as users grow.
        .filter(|g| g.name != "endpoints" && !g.name.starts_with("user_"))
        .map(SecurityGroup::id_ref)
        .collect();

    if spec.jobs.require_vpc {
        for (key, label, allowed) in [
            ("sagemaker:VpcSubnets", "Subnets", &subnets),
            ("sagemaker:VpcSecurityGroupIds", "SecurityGroups", &groups),
        ] {
            let (required, _) = by_presence(key);
            st.push(
                deny(&format!("DenyComputeWithoutVpc{label}"), required).when(Condition::new(
                    "Null",
                    key,
                    [Ref::lit("true")],
                )),
            );
            // ForAnyValue over an absent key is false: this one denies only wrong values.
            st.push(
                deny(
                    &format!("DenyComputeOutsideEnvironment{label}"),
                    create_actions(key),
                )
                .when(Condition::new(
                    "ForAnyValue:StringNotEquals",
                    key,
                    allowed.clone(),
                )),
            );
        }
    }

    if spec.jobs.network_isolation {
        // Containers that cannot run isolated (Chainer, reinforcement learning: dg
        // mkt-algo-model-internet-free) run under roles listed as exceptions.
        let exempt = (!spec.jobs.isolation_exceptions.is_empty()).then(|| {
            Condition::new(
                "ArnNotLike",
                "aws:PrincipalArn",
                spec.jobs.isolation_exceptions.iter().map(Ref::lit),
            )
        });
        deny_false(
            &mut st,
            "DenyComputeWithoutNetworkIsolation",
            "sagemaker:NetworkIsolation",
            exempt,
        );
    }

    if spec.jobs.inter_container_encryption {
        deny_false(
            &mut st,
            "DenyComputeWithoutInterContainerEncryption",
            "sagemaker:InterContainerTrafficEncryption",
            None,
        );
    }

    if let (Some(key), true) = (
        &model.kms.key_arn,
        spec.encryption.kms != KmsMode::AwsManaged,
    ) {
        let volume = "sagemaker:VolumeKmsKeyArn";
        let output = "sagemaker:OutputKmsKeyArn";
        // Missing volume key: denied, except when every instance type of the request has local
        // NVMe storage. The exception needs `sagemaker:InstanceTypes`, so the actions that do
        // not carry it get a statement without it.
        let (typed, untyped): (Vec<String>, Vec<String>) =
            by_presence(volume).0.into_iter().partition(|a| {
                carries(
                    "sagemaker:InstanceTypes",
                    a.trim_start_matches("sagemaker:"),
                )
            });
        st.push(
            deny("DenyVolumesWithoutEnvironmentKey", untyped).when(Condition::new(
                "Null",
                volume,
                [Ref::lit("true")],
            )),
        );
        st.push(
            deny("DenyVolumesWithoutEnvironmentKeyExceptLocalStorage", typed)
                .when(Condition::new("Null", volume, [Ref::lit("true")]))
                .when(Condition::new(
                    "ForAllValues:StringNotLike",
                    "sagemaker:InstanceTypes",
                    lits(LOCAL_STORAGE_FAMILIES),
                )),
        );
        st.push(
            deny("DenyVolumesWithForeignKey", create_actions(volume))
                .when(Condition::new("Null", volume, [Ref::lit("false")]))
                .when(Condition::new("ArnNotEquals", volume, [key.clone()])),
        );
        st.push(
            deny("DenyOutputsWithoutEnvironmentKey", by_presence(output).0).when(Condition::new(
                "Null",
                output,
                [Ref::lit("true")],
            )),
        );
        st.push(
            deny("DenyOutputsWithForeignKey", create_actions(output))
                .when(Condition::new("Null", output, [Ref::lit("false")]))
                .when(Condition::new("ArnNotEquals", output, [key.clone()])),
        );
    }

    if spec.network.mode == NetworkMode::VpcOnly {
        let key = "sagemaker:AppNetworkAccessType";
        // CreateDomain defaults to PublicInternetOnly, so an absent key must deny; an
        // UpdateDomain that does not change the setting does not carry it.
        st.push(
            deny(
                "DenyDomainsOutsideVpc",
                vec!["sagemaker:CreateDomain".into()],
            )
            .when(Condition::new(
                "StringNotEquals",
                key,
                [Ref::lit("VpcOnly")],
            )),
        );
        st.push(
            deny(
                "DenyDomainUpdatesOutOfVpc",
                vec!["sagemaker:UpdateDomain".into()],
            )
            .when(Condition::new("Null", key, [Ref::lit("false")]))
            .when(Condition::new(
                "StringNotEquals",
                key,
                [Ref::lit("VpcOnly")],
            )),
        );
    }

    // Notebook instances: the create defaults are the insecure values (internet on, root on,
    // IMDSv1 allowed), so an absent key denies on create; updates only when they set it.
    let nb = &spec.notebook;
    let mut nb_rule = |sid: &str, key: &str, value: &str| {
        st.push(
            deny(
                &format!("DenyNotebookCreate{sid}"),
                vec!["sagemaker:CreateNotebookInstance".into()],
            )
            .when(Condition::new("StringNotEquals", key, [Ref::lit(value)])),
        );
        if actions(key).iter().any(|a| a == "UpdateNotebookInstance") {
            st.push(
                deny(
                    &format!("DenyNotebookUpdate{sid}"),
                    vec!["sagemaker:UpdateNotebookInstance".into()],
                )
                .when(Condition::new("Null", key, [Ref::lit("false")]))
                .when(Condition::new("StringNotEquals", key, [Ref::lit(value)])),
            );
        }
    };
    if !nb.direct_internet_access {
        nb_rule("WithInternet", "sagemaker:DirectInternetAccess", "Disabled");
    }
    if !nb.root_access {
        nb_rule("WithRoot", "sagemaker:RootAccess", "Disabled");
    }
    nb_rule(
        "WithImdsV1",
        "sagemaker:MinimumInstanceMetadataServiceVersion",
        "2",
    );
    st.extend(super::studio_guardrails::statements(spec, model));
    st
}
