//! The IAM construct (`lib/iam.ts`), the policies for people (`lib/access.ts`), and the
//! resource policies the stack applies once every construct exists (`lib/resource-
//! policies.ts`).

use super::refs::{Owner, Scope};
use super::{Ctx, Ids, nag};
use crate::model::ManagedPolicy;
use crate::render::typescript::comment;
use crate::render::typescript::string as s;
use serde_json::Value as Json;
use serde_json::json;

/// Resource policies, applied by the stack once every construct exists (`stack.…` scope).
pub(super) fn resource_policies(c: &Ctx) -> Json {
    let m = c.model;
    // A reused endpoint's policy is its owner's (policies/endpoint-policy-*.json).
    let endpoints: Vec<Json> = m
        .endpoints
        .iter()
        .filter(|e| e.existing_id.is_none())
        .map(|e| json!({"key": s(&e.name), "what": comment(&format!("{} endpoint", e.key)), "policy": c.policy(&e.policy)}))
        .collect();
    let buckets: Vec<Json> = m
        .buckets
        .iter()
        .map(|b| json!({"key": s(&b.name), "what": comment(&format!("{} bucket", b.name)), "policy": c.policy(&b.policy)}))
        .collect();
    // Buckets whose server access logging waits for the target's policy.
    let logging: Vec<Json> = m
        .buckets
        .iter()
        .filter_map(|b| {
            b.access_log_bucket
                .as_ref()
                .map(|t| json!({"key": s(&b.name), "target": s(t)}))
        })
        .collect();
    // The flow log waits for its role's permissions.
    let flow_log_policies: Vec<String> = m
        .roles
        .iter()
        .filter(|r| r.name == "flow_logs")
        .flat_map(|r| &r.policies)
        .map(|p| format!("stack.iam.policies[{}]", s(&p.name)))
        .collect();
    json!({
        "endpoints": endpoints,
        "buckets": buckets,
        "logging": logging,
        "flow_log_policies": format!("[{}]", flow_log_policies.join(", ")),
        // The same list as the app stack spells it (`this.` instead of `stack.`).
        "flow_log_policies_in_stack": format!("[{}]", flow_log_policies.join(", ")).replace("stack.", "this."),
    })
}

/// One managed policy: its document, and the reasons for its wildcards (`Sid: reason,` lines
/// of a TypeScript object literal).
fn managed_policy(c: &Ctx, ids: &mut Ids, p: &ManagedPolicy, boundary: bool) -> Json {
    let reasons: Vec<String> = nag::wildcard_reasons(&p.document, boundary)
        .into_iter()
        .map(|(sid, why)| format!("{}: {},", s(&sid), s(&why)))
        .collect();
    json!({
        "key": s(&p.name),
        "id": ids.id(&p.name, "Policy"),
        "policy_name": s(&p.policy_name),
        "description": s(&p.description),
        "document": c.policy(&p.document),
        "reasons": reasons,
    })
}

pub(super) fn iam(c: &Ctx) -> Json {
    let m = c.model;
    let mut ids = Ids::default();
    let mut n = 0;
    let roles: Vec<Json> = m
        .roles
        .iter()
        .map(|r| {
            let policies: Vec<Json> = r
                .policies
                .iter()
                .map(|p| {
                    n += 1;
                    let mut j = managed_policy(c, &mut ids, p, false);
                    j["n"] = n.into();
                    j
                })
                .collect();
            json!({
                "key": s(&r.name),
                "id": ids.id(&r.name, "Role"),
                "role_name": s(&r.role_name),
                "path": s(&r.path),
                "description": s(&r.description),
                "trust": c.policy(&r.trust),
                "boundary": r.boundary.as_ref().map(|b| managed_policy(c, &mut ids, b, true)),
                "policies": policies,
            })
        })
        .collect();
    json!({"roles": roles})
}

pub(super) fn access(c: &Ctx) -> Json {
    let mut ids = Ids::default();
    let policies: Vec<Json> = c
        .model
        .access_policies
        .iter()
        .map(|p| managed_policy(c, &mut ids, p, false))
        .collect();
    json!({"policies": policies})
}

/// The execution role's policies (the domain and notebooks wait for them), as a TS array.
pub(super) fn exec_policies(c: &Ctx) -> String {
    let base = match c.refs.scope {
        Scope::In(Owner::Iam) => "this".to_string(),
        Scope::Stack => "this.iam".into(),
        Scope::Test => "stack.iam".into(),
        Scope::In(_) => "props.iam".into(),
    };
    let items: Vec<String> = c
        .model
        .roles
        .iter()
        .filter(|r| r.name == crate::model::EXECUTION_ROLE)
        .flat_map(|r| &r.policies)
        .map(|p| format!("{base}.policies[{}]", s(&p.name)))
        .collect();
    format!("[{}]", items.join(", "))
}
