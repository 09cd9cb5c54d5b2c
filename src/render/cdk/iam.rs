//! The IAM construct (`lib/iam.ts`), the policies for people (`lib/access.ts`), and the
//! resource policies the stack applies once every construct exists (`lib/resource-
//! policies.ts`).

use super::context::{Access, Iam, Logging, Policy, ResourcePolicies, ResourcePolicy, Role};
use super::refs::{Owner, Scope};
use super::{Ctx, Ids, nag};
use crate::model::ManagedPolicy;
use crate::render::typescript::comment;
use crate::render::typescript::string as s;

/// Resource policies, applied by the stack once every construct exists (`stack.…` scope).
pub(super) fn resource_policies(c: &Ctx) -> ResourcePolicies {
    let m = c.model;
    // A reused endpoint's policy is its owner's (policies/endpoint-policy-*.json).
    let endpoints = m
        .endpoints
        .iter()
        .filter(|e| e.existing_id.is_none())
        .map(|e| ResourcePolicy {
            key: s(&e.name),
            what: comment(&format!("{} endpoint", e.key)),
            policy: c.policy(&e.policy),
        })
        .collect();
    let buckets = m
        .buckets
        .iter()
        .map(|b| ResourcePolicy {
            key: s(&b.name),
            what: comment(&format!("{} bucket", b.name)),
            policy: c.policy(&b.policy),
        })
        .collect();
    // Buckets whose server access logging waits for the target's policy.
    let logging = m
        .buckets
        .iter()
        .filter_map(|b| {
            b.access_log_bucket.as_ref().map(|t| Logging {
                key: s(&b.name),
                target: s(t),
            })
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
    let flow_log_policies = format!("[{}]", flow_log_policies.join(", "));
    ResourcePolicies {
        endpoints,
        buckets,
        logging,
        // The same list as the app stack spells it (`this.` instead of `stack.`).
        flow_log_policies_in_stack: flow_log_policies.replace("stack.", "this."),
        flow_log_policies,
    }
}

/// One managed policy: its document, and the reasons for its wildcards (`Sid: reason,` lines
/// of a TypeScript object literal); `n` numbers the roles' policies.
fn managed_policy(
    c: &Ctx,
    ids: &mut Ids,
    p: &ManagedPolicy,
    boundary: bool,
    n: Option<usize>,
) -> Policy {
    let reasons = nag::wildcard_reasons(&p.document, boundary)
        .into_iter()
        .map(|(sid, why)| format!("{}: {},", s(&sid), s(&why)))
        .collect();
    Policy {
        key: s(&p.name),
        id: ids.id(&p.name, "Policy"),
        policy_name: s(&p.policy_name),
        description: s(&p.description),
        document: c.policy(&p.document),
        reasons,
        n,
    }
}

pub(super) fn iam(c: &Ctx) -> Iam {
    let m = c.model;
    let mut ids = Ids::default();
    let mut n = 0;
    let roles = m
        .roles
        .iter()
        .map(|r| {
            // Ids in the order they are taken: the role's policies, the role, its boundary.
            let policies = r
                .policies
                .iter()
                .map(|p| {
                    n += 1;
                    managed_policy(c, &mut ids, p, false, Some(n))
                })
                .collect();
            Role {
                key: s(&r.name),
                id: ids.id(&r.name, "Role"),
                role_name: s(&r.role_name),
                path: s(&r.path),
                description: s(&r.description),
                trust: c.policy(&r.trust),
                boundary: r
                    .boundary
                    .as_ref()
                    .map(|b| managed_policy(c, &mut ids, b, true, None)),
                policies,
            }
        })
        .collect();
    Iam { roles }
}

pub(super) fn access(c: &Ctx) -> Access {
    let mut ids = Ids::default();
    let policies = c
        .model
        .access_policies
        .iter()
        .map(|p| managed_policy(c, &mut ids, p, false, None))
        .collect();
    Access { policies }
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
