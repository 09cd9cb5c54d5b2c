//! The context of the generated app's own test (`test/<app>.test.ts`, aws-cdk-lib/assertions):
//! what it asserts the synthesized template holds. Not smgen's unit tests.

use super::Ctx;
use super::iam::exec_policies;
use crate::aws::endpoints::EndpointKind;
use crate::model::iam::Effect;
use crate::render::typescript::string as s;
use serde::Serialize;
use serde_json::Value as Json;
use serde_json::json;

/// What the generated test checks of the trail (typed; the rest of this context is still JSON).
#[derive(Serialize)]
struct TrailTest {
    key: Option<String>,
    /// The `resources.type` values of the data-event selectors, TypeScript strings.
    types: Vec<String>,
    /// The `resources.ARN` prefixes, a TypeScript list.
    prefixes: String,
    bucket: String,
    protected: bool,
    role_policies: String,
}

fn trail_test(c: &Ctx) -> Option<TrailTest> {
    use crate::model::audit::FieldOp;
    let t = c.model.audit.trail.as_ref()?;
    let fields = t.selectors.iter().flat_map(|s| &s.fields);
    let types = fields
        .clone()
        .filter(|f| f.field == "resources.type")
        .flat_map(|f| f.values.iter().map(|v| c.e(v)))
        .collect();
    let prefixes: Vec<crate::model::refs::Ref> = fields
        .filter(|f| f.op == FieldOp::StartsWith)
        .flat_map(|f| f.values.iter().cloned())
        .collect();
    let policies: Vec<String> = t
        .cloudwatch
        .iter()
        .flat_map(|l| c.model.roles.iter().filter(move |r| r.name == l.role))
        .flat_map(|r| &r.policies)
        .map(|p| format!("stack.iam.policies[{}]", s(&p.name)))
        .collect();
    Some(TrailTest {
        key: t.kms_key.as_ref().map(|k| c.e(k)),
        types,
        prefixes: c.list(&prefixes),
        bucket: format!("stack.storage.buckets[{}]", s(&t.bucket)),
        protected: t.deletion_protected,
        role_policies: format!("[{}]", policies.join(", ")),
    })
}

/// Expressions the generated tests compare the synthesized template with (`stack.…`).
pub(super) fn test(c: &Ctx) -> Json {
    let m = c.model;
    let domain = m.domain.as_ref().map(|d| {
        json!({
            "access": s(d.app_network_access_type),
            "key": d.kms_key.as_ref().map(|k| c.e(k)),
            "profiles": d.profiles.iter().map(|p| json!({"key": s(&p.name), "sg": c.e(&p.security_group)})).collect::<Vec<_>>(),
        })
    });
    let notebooks: Vec<Json> = m
        .notebooks
        .iter()
        .map(|n| {
            json!({
                "key": s(&n.name),
                "label": s(&n.name),
                "direct_internet": s(if n.direct_internet_access { "Enabled" } else { "Disabled" }),
                "root_access": s(if n.root_access { "Enabled" } else { "Disabled" }),
                "key_arn": n.kms_key.as_ref().map(|k| c.e(k)),
            })
        })
        .collect();
    let buckets: Vec<Json> = m
        .buckets
        .iter()
        .map(|b| {
            json!({
                "key": s(&b.name),
                "sse": s(if b.sse_kms { "aws:kms" } else { "AES256" }),
                "key_arn": b.kms_key.as_ref().map(|k| c.e(k)),
            })
        })
        .collect();
    let endpoints: Vec<Json> = m
        .endpoints
        .iter()
        .filter(|e| e.existing_id.is_none())
        .map(|e| {
            json!({
                "key": s(&e.name),
                "label": s(e.key),
                "service_name": s(&e.service_name),
                "gateway": e.kind == EndpointKind::Gateway,
            })
        })
        .collect();
    let log_groups: Vec<Json> = m
        .log_groups
        .iter()
        .map(|g| {
            json!({
                "key": s(&g.name),
                "retention": g.retention_days,
                "key_arn": g.kms_key.as_ref().map(|k| c.e(k)),
            })
        })
        .collect();
    let subnets: Vec<Json> = m
        .network
        .created
        .iter()
        .flat_map(|v| v.zones.iter())
        .map(|z| s(&format!("private_{}", z.suffix)).into())
        .collect();
    json!({
        "domain": domain,
        "lifecycle": lifecycle(c),
        "notebooks": notebooks,
        "buckets": buckets,
        "endpoints": endpoints,
        "log_groups": log_groups,
        "trail": serde_json::to_value(trail_test(c)).expect("a serializable context"),
        "created_vpc": m.network.created.is_some(),
        "tags": m.tags.iter().map(|(k, v)| json!({"key": s(k), "value": s(v)})).collect::<Vec<_>>(),
        "private_subnets": subnets,
        "execution_role": c.e(&crate::model::execution_role_arn()),
        "exec_policies": exec_policies(c),
        "guardrails": m
            .roles
            .iter()
            .filter(|r| r.name == crate::model::EXECUTION_ROLE)
            .flat_map(|r| &r.policies)
            .flat_map(|p| &p.document.statements)
            .filter(|st| st.effect == Effect::Deny)
            .map(|st| s(&st.sid))
            .collect::<Vec<_>>(),
        "boundary": m
            .roles
            .iter()
            .find(|r| r.name == crate::model::EXECUTION_ROLE)
            .and_then(|r| r.boundary.as_ref())
            .map(|b| format!("stack.iam.policies[{}]", s(&b.name))),
    })
}

/// The lifecycle configurations' scripts, and what the domain and notebook instances attach:
/// `None` when the project has none and no idle shutdown.
fn lifecycle(c: &Ctx) -> Option<Json> {
    use crate::model::lifecycle::LifecycleApp;
    let m = c.model;
    let configs: Vec<Json> = m
        .lifecycle_configs
        .iter()
        .map(|l| {
            let studio = l.app != LifecycleApp::NotebookInstance;
            json!({
                "construct": if studio {
                    format!("stack.sagemaker.lifecycleConfigs[{}]", s(l.name))
                } else {
                    format!("stack.sagemaker.notebookLifecycleConfigs[{}]", s(l.name))
                },
                "content": if studio { ".StudioLifecycleConfigContent" } else { ".OnStart[0].Content" },
                "script": s(&l.script),
            })
        })
        .collect();
    let apps: Vec<Json> = m
        .domain
        .iter()
        .flat_map(|d| {
            let user = d.apps.iter().map(|a| ("DefaultUserSettings", a));
            let space = d
                .apps
                .iter()
                .filter(|a| a.app == LifecycleApp::JupyterLab)
                .map(|a| ("DefaultSpaceSettings", a));
            user.chain(space)
                .map(|(scope, a)| {
                    json!({
                        "scope": scope,
                        "block": match a.app {
                            LifecycleApp::CodeEditor => "CodeEditorAppSettings",
                            _ => "JupyterLabAppSettings",
                        },
                        "lifecycle_config": a.lifecycle_config.as_ref().map(|r| c.e(r)),
                        "idle": a.idle,
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let notebooks: Vec<Json> = m
        .notebooks
        .iter()
        .filter_map(|n| {
            let r = n.lifecycle_config.as_ref()?;
            Some(json!({"key": s(&n.name), "lifecycle_config": c.e(r)}))
        })
        .collect();
    (!configs.is_empty() || !apps.is_empty())
        .then(|| json!({"configs": configs, "apps": apps, "notebooks": notebooks}))
}
