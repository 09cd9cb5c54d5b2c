//! The CloudFormation renderer: the same design as the Terraform output, as one YAML template
//! (`template.yaml`), example parameter values (`parameters.json`) and a README. As in
//! terraform.rs, the context holds only finished fragments (YAML scalars, intrinsic functions,
//! YAML blocks from [`yaml::Node`]), so templates place fragments and never print spec text.

mod context;
mod environments;
mod intrinsics;
mod lifecycle;
mod network;
mod params;
mod skips;
mod workloads;

use super::yaml::{self, Node};
use super::{FileSet, render_dir};
use crate::error::{Error, Result};
use crate::model::refs::{Attr, Kind, Ref};
use crate::project::ANSWERS;
use crate::spec::KmsMode;
use crate::view::{View, waivers};
use context::{Bucket, Context, Expiration, FlowLog, Kms, LogGroup, Trail};
use intrinsics::pascal;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

/// `aws cloudformation deploy` uploads a template larger than this through S3 (`--s3-bucket`);
/// CloudFormation User Guide, "CloudFormation quotas" (template body size in a request).
const TEMPLATE_BODY_MAX: usize = 51_200;

pub fn render(view: &View) -> Result<FileSet> {
    let mut ctx = context(view);
    check_unique(&serde_json::to_value(&ctx).expect("the context serializes"))?;
    let mut set = render_dir(super::Format::CloudFormation, &tera_ctx(&ctx), |_, t| t)?;
    // The README's deploy command depends on the rendered template's size.
    let size = set.files.get("template.yaml").map_or(0, String::len);
    if size > TEMPLATE_BODY_MAX {
        ctx.needs_s3_upload = true;
        set = render_dir(super::Format::CloudFormation, &tera_ctx(&ctx), |_, t| t)?;
    }
    Ok(set)
}

fn tera_ctx(ctx: &Context) -> tera::Context {
    tera::Context::from_serialize(ctx).expect("context is a JSON object")
}

/// The model's tags, written on every taggable resource (CloudFormation has no stack-wide
/// default tags in the template), with the resource's `Name` where Terraform sets one.
pub struct Tags<'a>(&'a BTreeMap<String, String>);

impl Tags<'_> {
    fn block(&self, name: Option<&str>) -> String {
        let mut all: BTreeMap<&str, &str> = self
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if let Some(n) = name {
            all.insert("Name", n);
        }
        let items = all
            .into_iter()
            .map(|(k, v)| {
                Node::Map(vec![
                    ("Key".into(), Node::Scalar(yaml::scalar(k))),
                    ("Value".into(), Node::Scalar(yaml::scalar(v))),
                ])
            })
            .collect();
        Node::Seq(items).block()
    }

    pub fn named(&self, name: &str) -> String {
        self.block(Some(name))
    }

    pub fn plain(&self) -> String {
        self.block(None)
    }
}

fn s(v: &str) -> String {
    yaml::scalar(v)
}

/// The trail waits for its bucket's policy and its delivery role's permissions: CloudTrail
/// checks both when the trail is created (CloudTrail API Reference, CreateTrail).
fn trail(model: &crate::model::Model, t: &crate::model::audit::Trail, tags: &Tags) -> Trail {
    use crate::model::audit::FieldOp;
    use crate::render::yaml::Node;
    let mut depends = vec![format!("{}BucketPolicy", pascal(&t.bucket))];
    let role = t
        .cloudwatch
        .as_ref()
        .map(|l| Ref::attr(Kind::Role, &l.role, Attr::Arn));
    if let Some(r) = &role {
        depends.extend(workloads::role_policies(model, r));
    }
    let selectors = t
        .selectors
        .iter()
        .map(|sel| {
            let fields = sel
                .fields
                .iter()
                .map(|f| {
                    let op = match f.op {
                        FieldOp::Equals => "Equals",
                        FieldOp::StartsWith => "StartsWith",
                    };
                    Node::Map(vec![
                        ("Field".into(), Node::Scalar(s(f.field))),
                        (op.into(), intrinsics::list(&f.values)),
                    ])
                })
                .collect();
            Node::Map(vec![
                ("Name".into(), Node::Scalar(s(&sel.name))),
                ("FieldSelectors".into(), Node::Seq(fields)),
            ])
        })
        .collect();
    Trail {
        logical: "Trail".into(),
        skips: skips::node(&waivers::trail(t)),
        trail_name: s(&t.trail_name),
        bucket: intrinsics::logical(Kind::Bucket, &t.bucket),
        key: t.kms_key.as_ref().map(intrinsics::value),
        log_group_arn: t
            .cloudwatch
            .as_ref()
            .map(|l| intrinsics::value(&l.log_group_arn)),
        role_arn: role.as_ref().map(intrinsics::value),
        selectors: Node::Seq(selectors).block(),
        depends,
        tags: tags.plain(),
    }
}

fn context<'a>(view: &'a View) -> Context<'a> {
    let model = view.model;
    let names = &view.names;
    let name = &model.name;
    let tags = Tags(&model.tags);
    let net = &model.network;
    let key = model.kms.key_arn.as_ref().map(intrinsics::value);
    let (security_groups, sg_rules) = network::security_groups(model, names, &tags);

    let buckets = model
        .buckets
        .iter()
        .map(|b| Bucket {
            logical: intrinsics::logical(Kind::Bucket, &b.name),
            name: &b.name,
            bucket: intrinsics::value(&b.bucket_name),
            purpose: &b.purpose,
            sse_kms: b.sse_kms,
            key: b.kms_key.as_ref().map(intrinsics::value),
            log_bucket: b
                .access_log_bucket
                .as_deref()
                .map(|l| intrinsics::logical(Kind::Bucket, l)),
            // S3 checks the target's permissions when logging is enabled (S3 User Guide,
            // enable-server-access-logging): the bucket waits for the target's policy.
            log_policy: b
                .access_log_bucket
                .as_deref()
                .map(|l| format!("{}BucketPolicy", pascal(l))),
            log_prefix: s(&format!("{}/", b.name)),
            policy: intrinsics::policy(&b.policy),
            policy_logical: format!("{}BucketPolicy", pascal(&b.name)),
            log_target: b.is_log_target,
            expiration: b.expiration.as_ref().map(|e| Expiration {
                id: s(e.id),
                days: e.days,
                noncurrent_days: e.noncurrent_days,
            }),
            skips: skips::node(&waivers::bucket(b)),
            tags: tags.plain(),
            output: format!("{}BucketName", pascal(&b.name)),
        })
        .collect();

    let log_groups = model
        .log_groups
        .iter()
        .map(|g| LogGroup {
            logical: intrinsics::logical(Kind::LogGroup, &g.name),
            log_group_name: s(&g.log_group_name),
            retention: g.retention_days,
            key: g.kms_key.as_ref().map(intrinsics::value),
            skips: skips::node(&waivers::log_group(g)),
            tags: tags.plain(),
        })
        .collect();

    let flow_log = net.flow_logs.then(|| {
        let role = Ref::attr(Kind::Role, "flow_logs", Attr::Arn);
        FlowLog {
            destination: intrinsics::value(&Ref::attr(Kind::LogGroup, "flow_logs", Attr::Arn)),
            role: intrinsics::value(&role),
            // The role needs its permissions before the first delivery.
            depends: workloads::role_policies(model, &role),
            tags: tags.named(&names.flow_logs),
        }
    });

    let parameters = params::parameters(model);
    let vpc_id = intrinsics::value(&net.vpc_id);
    let outputs = workloads::outputs(model, &vpc_id);
    Context {
        name,
        stack_name: name,
        deploy: crate::render::standalone::readme_facts(model),
        region: s(&model.region),
        region_raw: &model.region,
        region_assert: s(&format!(
            "This template was generated for {}: its Availability Zone ids and endpoint service names belong to that region. Regenerate it with smgen for another region.",
            model.region
        )),
        // Terraform's allowed_account_ids: with project.account_id the stack refuses any
        // other account before anything is created (CloudFormation User Guide, template
        // rules: assertions on pseudo parameters).
        account_rule_id: model.account_id.as_deref().map(s),
        account_rule_message: model.account_id.as_deref().map(|a| {
            s(&format!(
                "This template was generated for account {a} (project.account_id): its policies name that account. Deploy with that account's credentials, or regenerate with smgen upgrade --set project.account_id=..."
            ))
        }),
        expected_account: None,
        partition: model.partition.arn(),
        description: s(&format!(
            "smgen: secure Amazon SageMaker environment {name} ({}); generated from {ANSWERS}, regenerate rather than edit",
            model.region
        )),
        tags: tags.plain(),
        vpc: network::vpc(model, names, &tags),
        vpc_id,
        private_subnets: intrinsics::list(&net.private_subnets).block(),
        private_subnets_joined: joined(&net.private_subnets),
        private_route_tables: intrinsics::list(&net.private_route_tables).block(),
        existing: net.created.is_none(),
        flow_log,
        endpoints: network::endpoints(model, names, &tags),
        security_groups,
        sg_rules,
        kms: Kms {
            create: model.kms.mode == KmsMode::Create,
            existing: model.kms.mode == KmsMode::Existing,
            aws_managed: model.kms.mode == KmsMode::AwsManaged,
            key,
            policy: model.kms.policy.as_ref().map(intrinsics::policy),
            alias: s(&names.kms_alias),
            description: s(&names.kms_description),
            tags: tags.plain(),
        },
        buckets,
        log_groups,
        trail: model.audit.trail.as_ref().map(|t| trail(model, t, &tags)),
        roles: workloads::roles(model, &tags),
        access_policies: workloads::access_policies(model),
        domain: workloads::domain(model, &tags),
        notebooks: workloads::notebooks(model, &tags),
        lifecycle_configs: lifecycle::configs(model, &tags),
        jobs: workloads::jobs(model),
        findings: &model.findings,
        teardown_delete: model.teardown_delete,
        params: parameters.list,
        param_groups: parameters.groups,
        parameters_json: parameters.json,
        s3_prefix_list: parameters.s3_prefix_list,
        needs_s3_upload: false,
        outputs,
    }
}

/// A comma-joined list for an output value.
fn joined(refs: &[Ref]) -> String {
    match intrinsics::list(refs) {
        Node::Scalar(whole) => format!("!Join [\",\", {whole}]"),
        Node::Seq(items) => {
            let items: Vec<String> = items
                .into_iter()
                .map(|n| match n {
                    Node::Scalar(v) => v,
                    other => other.block(),
                })
                .collect();
            format!("!Join [\",\", [{}]]", items.join(", "))
        }
        Node::Map(_) => unreachable!("a list of references"),
    }
}

/// Logical ids come from names that are unique per kind in snake_case; two names that differ
/// only where PascalCase drops an underscore (`a-1`, `a1`) would share an id. Refuse rather
/// than write a template in which one resource silently replaces another.
fn check_unique(ctx: &Json) -> Result<()> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![ctx];
    while let Some(v) = stack.pop() {
        match v {
            Json::Object(m) => {
                for (k, v) in m {
                    if matches!(k.as_str(), "logical" | "policy_logical")
                        && let Some(id) = v.as_str()
                        && !seen.insert(id.to_string())
                    {
                        return Err(Error::Render {
                            template: "cloudformation/template.yaml".into(),
                            message: format!(
                                "two resources would both have the logical id '{id}'; rename one of the names it comes from (user profiles, notebooks or buckets that differ only in '-')"
                            ),
                        });
                    }
                    stack.push(v);
                }
            }
            Json::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    Ok(())
}

/// The CloudFormation layout of several environments (`[environments.NAME]`): see
/// `environments.rs`.
pub fn render_environments(envs: &crate::view::environments::Environments) -> Result<FileSet> {
    environments::render(envs)
}
