//! The needs → permissions table (`data/needs.toml`): for Studio and every `[needs]` item, the
//! actions each principal calls, on which resources, through which VPC endpoint. The execution
//! role, the people's access policy, the invoker role and every interface endpoint policy are
//! built from it, so an endpoint carries exactly what the declared needs send through it.

use super::Model;
use super::iam::{Condition, Statement};
use super::policies::sagemaker_arn;
use super::refs::{Attr, Kind, Ref};
use crate::spec::{Pip, Spec};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const TEXT: &str = include_str!("../../data/needs.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Principal {
    /// The SageMaker execution role: Studio apps, notebook instances, jobs, pipelines.
    Execution,
    /// The people who open the environment (the access policy they attach).
    Access,
    /// The application server that calls the environment's endpoints.
    Invoker,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantCondition {
    pub op: String,
    pub key: String,
    pub values: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    pub sid: String,
    pub needs: Vec<String>,
    pub principal: Principal,
    /// Catalog keys of the endpoints the call travels through; `service` or `none` for calls
    /// that never pass the VPC's endpoints.
    pub via: Vec<String>,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    #[serde(default)]
    pub condition: Option<GrantCondition>,
    #[serde(default)]
    pub activity: Option<String>,
    pub source: String,
    /// Resources in endpoint policies when they differ: identity policies of the execution
    /// role cannot name the Studio domain (the domain names the role, so the reference would
    /// be circular), the endpoint policy can.
    #[serde(default)]
    pub endpoint_resources: Option<Vec<String>>,
    /// Only the endpoint policies carry it: the caller is outside the environment (an
    /// application server assuming the invoker role).
    #[serde(default)]
    pub endpoint_only: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeftOut {
    pub activity: String,
    pub actions: Vec<String>,
    pub why: String,
    /// Needs (separated by `|`) that grant these actions after all: the entry is void then.
    #[serde(default)]
    pub unless: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub grant: Vec<Grant>,
    /// Role Manager activity template → the needs it belongs to.
    pub activities: BTreeMap<String, Vec<String>>,
    pub left_out: Vec<LeftOut>,
    /// What each need is called in `explain` ("What each workload may do").
    pub titles: BTreeMap<String, String>,
}

/// The table, parsed once (it is embedded; a test parses it on every build).
pub fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| toml::from_str(TEXT).expect("data/needs.toml parses (tested)"))
}

/// Every need name the table may use, with whether the spec declares it.
pub fn declared(spec: &Spec) -> BTreeMap<&'static str, bool> {
    let n = &spec.needs;
    BTreeMap::from([
        ("always", true),
        ("studio", n.studio),
        ("notebook_instances", n.notebook_instances),
        ("sdk_remote_jobs", n.sdk_remote_jobs),
        ("custom_images", n.custom_images),
        ("pip.codeartifact", n.pip == Pip::Codeartifact),
        ("projects", n.projects),
        ("feature_store_online", n.feature_store_online),
        ("experiments", n.experiments),
        ("jumpstart", n.jumpstart),
        ("git", n.git),
        ("pipelines", n.pipelines),
        ("model_registry", n.model_registry),
        ("monitoring", n.monitoring),
        ("hosting", n.hosting),
        // Notebook instances that stop themselves when idle (their on-start script).
        (
            "notebook_idle_stop",
            n.notebook_instances
                && spec.notebook.idle_stop_minutes.is_some()
                && spec.lifecycle.notebook_instance.is_some(),
        ),
    ])
}

/// The need names a model declares (`Model::needs`) in the shape [`Grant::applies`] takes.
pub fn declared_names<'a>(names: &[&'a str]) -> BTreeMap<&'a str, bool> {
    names.iter().map(|n| (*n, true)).collect()
}

impl Grant {
    pub fn applies(&self, declared: &BTreeMap<&str, bool>) -> bool {
        self.needs
            .iter()
            .any(|n| declared.get(n.as_str()).copied().unwrap_or(false))
    }
}

/// The grants that apply to the spec, in table order.
pub fn grants(spec: &Spec) -> Vec<&'static Grant> {
    let d = declared(spec);
    table().grant.iter().filter(|g| g.applies(&d)).collect()
}

/// The grants of one principal that apply to the spec.
pub fn grants_for(spec: &Spec, p: Principal) -> Vec<&'static Grant> {
    grants(spec)
        .into_iter()
        .filter(|g| g.principal == p && !g.endpoint_only)
        .collect()
}

/// The identity-policy statements of one principal's grants that apply to the spec.
pub fn identity_statements(spec: &Spec, p: Principal, model: &Model) -> Vec<Statement> {
    grants_for(spec, p)
        .into_iter()
        .filter_map(|g| statement(g, model))
        .collect()
}

/// The Role Manager actions the table leaves out for this spec, with the reason.
pub fn left_out(spec: &Spec) -> Vec<&'static LeftOut> {
    let d = declared(spec);
    let t = table();
    t.left_out
        .iter()
        .filter(|l| {
            let activity_needed = t
                .activities
                .get(&l.activity)
                .is_some_and(|needs| needs.iter().any(|n| d.get(n.as_str()) == Some(&true)));
            let granted_anyway = l
                .unless
                .as_deref()
                .is_some_and(|u| u.split('|').any(|n| d.get(n) == Some(&true)));
            activity_needed && !granted_anyway
        })
        .collect()
}

/// A resource pattern of the table as references (see the table's header).
pub fn resolve(pattern: &str, model: &Model) -> Vec<Ref> {
    match pattern {
        "*" => vec![Ref::lit("*")],
        "{execution_role}" => vec![crate::model::execution_role_arn()],
        "{key}" => model.kms.key_arn.clone().into_iter().collect(),
        "{notebooks}" => model
            .notebooks
            .iter()
            .map(|n| {
                sagemaker_arn(&format!(
                    "notebook-instance/{}",
                    n.instance_name.to_lowercase()
                ))
            })
            .collect(),
        _ => {
            let (service, resource) = pattern
                .split_once(':')
                .expect("table resources are SERVICE:RESOURCE (tested)");
            let resource = with_tokens(resource, model);
            match service {
                // AWS-owned SageMaker resources (the JumpStart public hub): account "aws".
                "sagemaker-aws" => vec![Ref::join([
                    Ref::lit("arn:"),
                    Ref::Partition,
                    Ref::lit(":sagemaker:"),
                    Ref::Region,
                    Ref::lit(":aws:"),
                    resource,
                ])],
                "iam" => vec![Ref::arn("iam", false, true, resource)],
                // Bucket ARNs name neither Region nor account.
                "s3" => vec![Ref::arn("s3", false, false, resource)],
                svc => vec![Ref::arn(svc, true, true, resource)],
            }
        }
    }
}

/// `{domain_id}` and `{name}` inside a resource.
fn with_tokens(resource: &str, model: &Model) -> Ref {
    let mut parts = vec![];
    let mut rest = resource;
    while let Some(i) = rest.find('{') {
        let end = rest[i..].find('}').map(|e| i + e).unwrap_or(rest.len() - 1);
        parts.push(Ref::lit(&rest[..i]));
        match &rest[i + 1..end] {
            "domain_id" => parts.push(Ref::attr(Kind::Domain, "main", Attr::Id)),
            "name" => parts.push(Ref::lit(&model.name)),
            "region" => parts.push(Ref::lit(&model.region)),
            other => parts.push(Ref::lit(format!("{{{other}}}"))),
        }
        rest = &rest[end + 1..];
    }
    parts.push(Ref::lit(rest));
    Ref::join(parts.into_iter().filter(|p| p.as_lit() != Some("")))
}

/// The identity-policy statement of a grant; `None` when its resources do not exist here
/// (no notebook instances, no customer managed key).
pub fn statement(g: &Grant, model: &Model) -> Option<Statement> {
    statement_with(g, &g.resources, model)
}

/// The endpoint-policy statement of a grant (its `endpoint_resources` when it has them).
pub fn endpoint_statement(g: &Grant, model: &Model) -> Option<Statement> {
    statement_with(
        g,
        g.endpoint_resources.as_ref().unwrap_or(&g.resources),
        model,
    )
}

fn statement_with(g: &Grant, patterns: &[String], model: &Model) -> Option<Statement> {
    let resources: Vec<Ref> = patterns.iter().flat_map(|r| resolve(r, model)).collect();
    if resources.is_empty() {
        return None;
    }
    let actions: Vec<&str> = g.actions.iter().map(String::as_str).collect();
    let mut s = Statement::allow(&g.sid, &actions, resources);
    if let Some(c) = &g.condition {
        s = s.when(Condition::new(&c.op, &c.key, c.values.iter().map(Ref::lit)));
    }
    Some(s)
}

/// The endpoints (catalog keys) the declared needs send calls through, with the grants.
pub fn routed(spec: &Spec) -> BTreeMap<&'static str, Vec<&'static Grant>> {
    let mut out: BTreeMap<&'static str, Vec<&'static Grant>> = BTreeMap::new();
    for g in grants(spec) {
        for v in &g.via {
            out.entry(v.as_str()).or_default().push(g);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::endpoints::CATALOG;
    use std::collections::BTreeSet;

    fn spec() -> Spec {
        crate::spec::load(&crate::spec::SpecSource::Preset("regulated".into()), &[])
            .unwrap()
            .into_spec()
    }

    #[test]
    fn table_parses_and_names_known_needs_endpoints_and_services() {
        let known = declared(&spec());
        let t = table();
        assert!(t.grant.len() > 30);
        let mut sids = BTreeSet::new();
        for g in &t.grant {
            assert!(
                sids.insert((g.principal, g.sid.as_str())),
                "duplicate sid {}",
                g.sid
            );
            for n in &g.needs {
                assert!(
                    known.contains_key(n.as_str()),
                    "{}: unknown need {n}",
                    g.sid
                );
            }
            for v in &g.via {
                assert!(
                    matches!(v.as_str(), "service" | "none") || CATALOG.iter().any(|e| e.key == v),
                    "{}: unknown endpoint {v}",
                    g.sid
                );
            }
            for r in &g.resources {
                assert!(
                    r == "*" || r.starts_with('{') || r.contains(':'),
                    "{}: resource {r}",
                    g.sid
                );
            }
            for a in &g.actions {
                assert!(a.contains(':') && !a.ends_with(":*") || a == "sagemaker-mlflow:*");
            }
            assert!(!g.source.is_empty());
        }
        for l in &t.left_out {
            assert!(t.activities.contains_key(&l.activity), "{}", l.activity);
            assert!(!l.why.is_empty());
        }
        for needs in t.activities.values() {
            for n in needs {
                assert!(known.contains_key(n.as_str()), "activity need {n}");
            }
        }
    }

    /// Need names the table uses.
    fn need_names() -> BTreeSet<&'static str> {
        table()
            .grant
            .iter()
            .flat_map(|g| g.needs.iter().map(String::as_str))
            .collect()
    }

    #[test]
    fn every_need_of_the_spec_has_grants_and_a_title() {
        for n in declared(&spec()).keys() {
            assert!(need_names().contains(n), "no grant for need {n}");
            assert!(table().titles.contains_key(*n), "no title for need {n}");
        }
        for n in table().titles.keys() {
            assert!(
                need_names().contains(n.as_str()),
                "title of unknown need {n}"
            );
        }
    }
}
