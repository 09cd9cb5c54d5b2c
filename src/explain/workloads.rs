//! "What each workload may do": per declared need, who may call which actions, the generated
//! document that grants them, and the path each call takes (the VPC endpoint whose policy must
//! allow it too, NAT, or SageMaker calling for the role).
//!
//! Built from the same needs table the IAM engine builds the policies from
//! (`data/needs.toml`, [`crate::model::needs`]) and read back from the model's documents: a
//! grant is listed with the `policies/` files whose statement carries its Sid, so the section
//! cannot name a permission the generated code does not deploy. The execution role's data,
//! key and network-interface statements are built in `model::policies` rather than the table;
//! they are listed under `always` with the same document lookup.

use crate::model::iam::Effect;
use crate::model::needs::{self, Principal};
use crate::model::{ManagedPolicy, Model};
use crate::spec::NetworkMode;
use serde::Serialize;
use std::collections::BTreeSet;

/// One declared need and what it grants.
#[derive(Debug, Clone, Serialize)]
pub struct Workload {
    /// The `[needs]` key (`always` for what every environment grants).
    pub need: String,
    pub title: String,
    pub grants: Vec<Grant>,
}

/// One statement of a role or policy, as the workload sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Grant {
    /// The statement's Sid in the generated documents.
    pub sid: String,
    pub principal: Who,
    pub actions: Vec<String>,
    /// The `policies/` files holding the statement (identity policies; the execution role's
    /// permissions boundary is a ceiling over all of them, not listed per grant).
    pub documents: Vec<String>,
    /// Where each call goes, in the table's order.
    pub paths: Vec<Path>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Who {
    /// Studio apps, notebook instances, jobs and pipelines (the SageMaker execution role).
    ExecutionRole,
    /// People who open the environment, through the access policy they attach.
    People,
    /// An application server that invokes the environment's endpoints.
    InvokerRole,
}

impl Who {
    pub fn label(self) -> &'static str {
        match self {
            Who::ExecutionRole => "execution role",
            Who::People => "people (access policy)",
            Who::InvokerRole => "invoker role",
        }
    }
}

/// The path of a call.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Path {
    /// A VPC endpoint of this environment; its policy (`policy`, under `policies/`) must allow
    /// the call as well.
    Endpoint {
        endpoint: String,
        service_name: String,
        policy: String,
        /// Public only: jobs and notebook instances in the VPC use the endpoint, Studio apps
        /// the public endpoint through the SageMaker-managed network.
        studio_public: bool,
    },
    /// No endpoint for it in this VPC: a NAT gateway to the public endpoint, where no endpoint
    /// policy applies.
    Nat { endpoint: String },
    /// Public only: the SageMaker-managed network to the public endpoint.
    Public { endpoint: String },
    /// Neither an endpoint nor NAT: the call cannot leave the VPC.
    Unreachable { endpoint: String },
    /// SageMaker (or another service) makes the call for the role, outside the VPC.
    Service,
    /// Checked within another call (iam:PassRole when a job is created).
    WithinAnotherCall,
}

impl Path {
    /// One line for the reports.
    pub fn describe(&self) -> String {
        match self {
            Path::Endpoint {
                endpoint,
                policy,
                studio_public,
                ..
            } => format!(
                "`{endpoint}` endpoint (its policy: `{policy}`){}",
                if *studio_public {
                    "; Studio apps: the public endpoint (Public only)"
                } else {
                    ""
                }
            ),
            Path::Nat { endpoint } => {
                format!("NAT to the public `{endpoint}` endpoint (no endpoint policy applies)")
            }
            Path::Public { endpoint } => format!("public `{endpoint}` endpoint (Public only)"),
            Path::Unreachable { endpoint } => {
                format!("✗ no `{endpoint}` endpoint and no NAT: cannot leave the VPC")
            }
            Path::Service => "called by SageMaker or another AWS service for the role".into(),
            Path::WithinAnotherCall => "checked within the call that passes the role".into(),
        }
    }
}

/// The workloads of the model's declared needs, `always` first, then in the order of the
/// `[needs]` section (the table's titles).
pub fn workloads(model: &Model) -> Vec<Workload> {
    let declared = needs::declared_names(&model.needs);
    let table = needs::table();
    let table_sids: BTreeSet<&str> = table.grant.iter().map(|g| g.sid.as_str()).collect();
    let mut out = vec![];
    for need in &model.needs {
        let mut grants: Vec<Grant> = table
            .grant
            .iter()
            .filter(|g| g.needs.iter().any(|n| n == need) && g.applies(&declared))
            .filter(|g| !g.endpoint_only)
            .filter_map(|g| {
                let who = match g.principal {
                    Principal::Execution => Who::ExecutionRole,
                    Principal::Access => Who::People,
                    Principal::Invoker => Who::InvokerRole,
                };
                let documents = documents(model, who, &g.sid);
                // A grant whose resources do not exist here (no notebook instances) is in no
                // document, and the workload has nothing to call.
                (!documents.is_empty()).then(|| Grant {
                    sid: g.sid.clone(),
                    principal: who,
                    actions: g.actions.clone(),
                    documents,
                    paths: paths(model, &g.via),
                })
            })
            .collect();
        if *need == "always" {
            grants.splice(0..0, built_in(model, &table_sids));
        }
        out.push(Workload {
            need: need.to_string(),
            title: table.titles.get(*need).cloned().unwrap_or_default(),
            grants,
        });
    }
    out
}

/// The execution role's statements that do not come from the table: data buckets, the key,
/// network interfaces (`model::policies`).
fn built_in(model: &Model, table_sids: &BTreeSet<&str>) -> Vec<Grant> {
    let mut out = vec![];
    for p in policies_of(model, Who::ExecutionRole) {
        for s in &p.document.statements {
            if s.effect != Effect::Allow
                || table_sids.contains(s.sid.as_str())
                || out.iter().any(|g: &Grant| g.sid == s.sid)
            {
                continue;
            }
            let service = s
                .actions
                .first()
                .and_then(|a| a.split_once(':'))
                .map(|x| x.0);
            let via = match service {
                Some("s3") => "s3",
                // SageMaker, S3 and EBS use the key for the role (kms:ViaService).
                _ => "service",
            };
            out.push(Grant {
                sid: s.sid.clone(),
                principal: Who::ExecutionRole,
                actions: s.actions.clone(),
                documents: documents(model, Who::ExecutionRole, &s.sid),
                paths: vec![path(model, via)],
            });
        }
    }
    out
}

fn policies_of(model: &Model, who: Who) -> Vec<&ManagedPolicy> {
    match who {
        Who::ExecutionRole | Who::InvokerRole => {
            let role = if who == Who::ExecutionRole {
                "execution"
            } else {
                "invoker"
            };
            model
                .roles
                .iter()
                .filter(|r| r.name == role)
                .flat_map(|r| &r.policies)
                .collect()
        }
        Who::People => model.access_policies.iter().collect(),
    }
}

/// The `policies/` files (as `standalone` names them) whose statements carry `sid`.
fn documents(model: &Model, who: Who, sid: &str) -> Vec<String> {
    policies_of(model, who)
        .into_iter()
        .filter(|p| p.document.statements.iter().any(|s| s.sid == sid))
        .map(|p| format!("policies/{}", Model::policy_file(p)))
        .collect()
}

/// The paths of a grant's `via` list. When SageMaker makes the call for the role, an endpoint
/// the environment lacks is only the way of code calling itself, and not a dead end.
fn paths(model: &Model, via: &[String]) -> Vec<Path> {
    let all: Vec<Path> = via.iter().map(|v| path(model, v)).collect();
    if via.iter().any(|v| v == "service") {
        all.into_iter()
            .filter(|p| !matches!(p, Path::Unreachable { .. }))
            .collect()
    } else {
        all
    }
}

fn path(model: &Model, via: &str) -> Path {
    match via {
        "service" => Path::Service,
        "none" => Path::WithinAnotherCall,
        key => {
            let endpoint = key.to_string();
            if let Some(e) = model.endpoint(key) {
                Path::Endpoint {
                    endpoint,
                    service_name: e.service_name.clone(),
                    policy: format!("policies/{}", Model::endpoint_policy_file(key)),
                    studio_public: model.mode == NetworkMode::PublicOnly && model.domain.is_some(),
                }
            } else if model.mode == NetworkMode::PublicOnly {
                Path::Public { endpoint }
            } else if model
                .network
                .created
                .as_ref()
                .is_some_and(|c| c.nat != crate::spec::Nat::None)
            {
                Path::Nat { endpoint }
            } else {
                Path::Unreachable { endpoint }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(preset: &str, sets: &[&str]) -> Model {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        let spec =
            crate::spec::load(&crate::spec::SpecSource::Preset(preset.into()), &sets).unwrap();
        crate::model::resolve(&spec)
    }

    #[test]
    fn every_declared_need_is_a_workload_with_documents_and_paths() {
        let m = model("regulated", &[]);
        let w = workloads(&m);
        assert_eq!(
            w.iter().map(|w| w.need.as_str()).collect::<Vec<_>>(),
            m.needs
        );
        for wl in &w {
            assert!(!wl.title.is_empty(), "{}", wl.need);
            assert!(!wl.grants.is_empty(), "{} grants nothing", wl.need);
            for g in &wl.grants {
                assert!(!g.documents.is_empty() && !g.paths.is_empty(), "{}", g.sid);
            }
        }
        // The data statements built outside the table are listed, through the S3 gateway.
        let always = &w[0];
        assert_eq!(always.need, "always");
        let s3 = always
            .grants
            .iter()
            .find(|g| g.actions.iter().any(|a| a == "s3:GetObject"))
            .expect("the data bucket grant");
        assert!(matches!(&s3.paths[0], Path::Endpoint { endpoint, .. } if endpoint == "s3"));
    }

    #[test]
    fn every_endpoint_path_is_allowed_by_that_endpoints_policy() {
        // What the section says a call goes through, the endpoint's policy allows (the
        // workload simulation proves the same with conditions; this is the cheap check).
        for preset in crate::presets::all() {
            let preset = preset.name;
            let m = model(preset, &[]);
            for wl in workloads(&m) {
                for g in &wl.grants {
                    for p in &g.paths {
                        let Path::Endpoint { endpoint, .. } = p else {
                            continue;
                        };
                        if endpoint == "s3" {
                            continue; // per bucket and prefix; the simulation covers it
                        }
                        let e = m.endpoint(endpoint).unwrap();
                        for a in &g.actions {
                            assert!(
                                e.policy.statements.iter().any(|s| s.actions.contains(a)),
                                "{preset}: {} through {endpoint}: {a} not in its policy",
                                g.sid
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn paths_follow_the_network_design() {
        let nat = model(
            "vpc-only-nat",
            &[
                "needs.experiments=true",
                "network.private_endpoints_with_nat=false",
            ],
        );
        let exp = workloads(&nat)
            .into_iter()
            .find(|w| w.need == "experiments")
            .unwrap();
        assert!(
            exp.grants
                .iter()
                .flat_map(|g| &g.paths)
                .any(|p| matches!(p, Path::Nat { .. })),
            "{exp:?}"
        );
        let public = model("public-only", &[]);
        let api = workloads(&public)
            .into_iter()
            .flat_map(|w| w.grants)
            .flat_map(|g| g.paths)
            .find(|p| matches!(p, Path::Endpoint { endpoint, .. } if endpoint == "sagemaker.api"))
            .expect("jobs in the VPC use the API endpoint");
        assert!(matches!(
            api,
            Path::Endpoint {
                studio_public: true,
                ..
            }
        ));
        assert!(api.describe().contains("Studio apps: the public endpoint"));
    }
}
