//! The context of the generated app's own test (`test/<app>.test.ts`, aws-cdk-lib/assertions):
//! what it asserts the synthesized template holds. Not smgen's unit tests.

use super::Ctx;
use super::iam::exec_policies;
use crate::aws::endpoints::EndpointKind;
use crate::model::iam::Effect;
use crate::render::typescript::string as s;
use serde::Serialize;

/// The context of `test/<app>.test.ts.tera` (`t`): TypeScript expressions and strings the
/// generated test compares the synthesized template with (`stack.…`). Typed, so that a
/// misspelt key does not compile.
#[derive(Serialize)]
pub struct TestContext {
    domain: Option<DomainTest>,
    lifecycle: Option<LifecycleTest>,
    notebooks: Vec<NotebookTest>,
    buckets: Vec<BucketTest>,
    endpoints: Vec<EndpointTest>,
    log_groups: Vec<LogGroupTest>,
    trail: Option<TrailTest>,
    created_vpc: bool,
    tags: Vec<TagTest>,
    /// Keys of the created private subnets (`stack.network.subnets[…]`).
    private_subnets: Vec<String>,
    execution_role: String,
    exec_policies: String,
    /// Sids of the execution role's Deny statements.
    guardrails: Vec<String>,
    boundary: Option<String>,
}

#[derive(Serialize)]
struct DomainTest {
    access: String,
    key: Option<String>,
    profiles: Vec<ProfileTest>,
}

#[derive(Serialize)]
struct ProfileTest {
    key: String,
    sg: String,
}

#[derive(Serialize)]
struct NotebookTest {
    key: String,
    label: String,
    direct_internet: String,
    root_access: String,
    key_arn: Option<String>,
}

#[derive(Serialize)]
struct BucketTest {
    key: String,
    sse: String,
    key_arn: Option<String>,
}

#[derive(Serialize)]
struct EndpointTest {
    key: String,
    label: String,
    service_name: String,
    gateway: bool,
}

#[derive(Serialize)]
struct LogGroupTest {
    key: String,
    retention: u32,
    key_arn: Option<String>,
}

#[derive(Serialize)]
struct TagTest {
    key: String,
    value: String,
}

#[derive(Serialize)]
struct LifecycleTest {
    configs: Vec<ConfigTest>,
    apps: Vec<AppTest>,
    notebooks: Vec<NotebookConfigTest>,
}

#[derive(Serialize)]
struct ConfigTest {
    /// The construct (`stack.sagemaker.lifecycleConfigs[…]`).
    construct: String,
    /// The property path of the base64 content, after `props(construct)`.
    content: &'static str,
    /// The script's path in the project, a TypeScript string.
    script: String,
}

#[derive(Serialize)]
struct AppTest {
    /// `DefaultUserSettings` or `DefaultSpaceSettings`.
    scope: &'static str,
    /// `JupyterLabAppSettings` or `CodeEditorAppSettings`.
    block: &'static str,
    lifecycle_config: Option<String>,
    idle: Option<crate::model::lifecycle::Idle>,
}

#[derive(Serialize)]
struct NotebookConfigTest {
    key: String,
    lifecycle_config: String,
}

/// What the generated test checks of the trail.
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
pub(super) fn test(c: &Ctx) -> TestContext {
    let m = c.model;
    let enabled = |on: bool| s(if on { "Enabled" } else { "Disabled" });
    let exec_role = m
        .roles
        .iter()
        .find(|r| r.name == crate::model::EXECUTION_ROLE);
    TestContext {
        domain: m.domain.as_ref().map(|d| DomainTest {
            access: s(d.app_network_access_type),
            key: d.kms_key.as_ref().map(|k| c.e(k)),
            profiles: d
                .profiles
                .iter()
                .map(|p| ProfileTest {
                    key: s(&p.name),
                    sg: c.e(&p.security_group),
                })
                .collect(),
        }),
        lifecycle: lifecycle(c),
        notebooks: m
            .notebooks
            .iter()
            .map(|n| NotebookTest {
                key: s(&n.name),
                label: s(&n.name),
                direct_internet: enabled(n.direct_internet_access),
                root_access: enabled(n.root_access),
                key_arn: n.kms_key.as_ref().map(|k| c.e(k)),
            })
            .collect(),
        buckets: m
            .buckets
            .iter()
            .map(|b| BucketTest {
                key: s(&b.name),
                sse: s(if b.sse_kms { "aws:kms" } else { "AES256" }),
                key_arn: b.kms_key.as_ref().map(|k| c.e(k)),
            })
            .collect(),
        endpoints: m
            .endpoints
            .iter()
            .filter(|e| e.existing_id.is_none())
            .map(|e| EndpointTest {
                key: s(&e.name),
                label: s(e.key),
                service_name: s(&e.service_name),
                gateway: e.kind == EndpointKind::Gateway,
            })
            .collect(),
        log_groups: m
            .log_groups
            .iter()
            .map(|g| LogGroupTest {
                key: s(&g.name),
                retention: g.retention_days,
                key_arn: g.kms_key.as_ref().map(|k| c.e(k)),
            })
            .collect(),
        trail: trail_test(c),
        created_vpc: m.network.created.is_some(),
        tags: m
            .tags
            .iter()
            .map(|(k, v)| TagTest {
                key: s(k),
                value: s(v),
            })
            .collect(),
        private_subnets: m
            .network
            .created
            .iter()
            .flat_map(|v| v.zones.iter())
            .map(|z| s(&format!("private_{}", z.suffix)))
            .collect(),
        execution_role: c.e(&crate::model::execution_role_arn()),
        exec_policies: exec_policies(c),
        guardrails: exec_role
            .iter()
            .flat_map(|r| &r.policies)
            .flat_map(|p| &p.document.statements)
            .filter(|st| st.effect == Effect::Deny)
            .map(|st| s(&st.sid))
            .collect(),
        boundary: exec_role
            .and_then(|r| r.boundary.as_ref())
            .map(|b| format!("stack.iam.policies[{}]", s(&b.name))),
    }
}

/// The lifecycle configurations' scripts, and what the domain and notebook instances attach:
/// `None` when the project has none and no idle shutdown.
fn lifecycle(c: &Ctx) -> Option<LifecycleTest> {
    use crate::model::lifecycle::LifecycleApp;
    let m = c.model;
    let configs: Vec<ConfigTest> = m
        .lifecycle_configs
        .iter()
        .map(|l| {
            let studio = l.app != LifecycleApp::NotebookInstance;
            ConfigTest {
                construct: if studio {
                    format!("stack.sagemaker.lifecycleConfigs[{}]", s(l.name))
                } else {
                    format!("stack.sagemaker.notebookLifecycleConfigs[{}]", s(l.name))
                },
                content: if studio {
                    ".StudioLifecycleConfigContent"
                } else {
                    ".OnStart[0].Content"
                },
                script: s(&l.script),
            }
        })
        .collect();
    let apps: Vec<AppTest> = m
        .domain
        .iter()
        .flat_map(|d| {
            let user = d.default_apps(false).map(|a| ("DefaultUserSettings", a));
            let space = d.default_apps(true).map(|a| ("DefaultSpaceSettings", a));
            user.chain(space).map(|(scope, a)| AppTest {
                scope,
                block: match a.app {
                    LifecycleApp::CodeEditor => "CodeEditorAppSettings",
                    _ => "JupyterLabAppSettings",
                },
                lifecycle_config: a.lifecycle_config.as_ref().map(|r| c.e(r)),
                idle: a.idle,
            })
        })
        .collect();
    let notebooks = m
        .notebooks
        .iter()
        .filter_map(|n| {
            Some(NotebookConfigTest {
                key: s(&n.name),
                lifecycle_config: c.e(n.lifecycle_config.as_ref()?),
            })
        })
        .collect();
    (!configs.is_empty() || !apps.is_empty()).then_some(LifecycleTest {
        configs,
        apps,
        notebooks,
    })
}
