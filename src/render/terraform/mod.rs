//! The Terraform renderer: turns the model into a template context in which every value is
//! already an HCL fragment (a quoted, escaped string or an expression), so templates only
//! place fragments and never print raw spec text. The context is typed ([`context`]).

mod context;
mod environments;
mod lifecycle;

pub use environments::{MAIN_MODULE, render_environments};

use super::FileSet;
use super::hcl::{self, Refs};
use crate::aws::endpoints::EndpointKind;
use crate::error::Result;
use crate::model::audit::FieldOp;
use crate::model::iam::Effect;
use crate::model::iam::PolicyDocument;
use crate::model::refs::Ref;
use crate::model::security::{Direction, Peer};
use crate::model::{ManagedPolicy, Model};
use crate::project::Format;
use crate::spec::{AuthMode, KmsMode, NetworkMode};
use crate::view::View;
use crate::view::outputs::{self as text, noted};
use crate::view::waivers::{self, Waiver};
use context::{
    Bucket, Context, Described, Domain, Endpoint, ExistingVpc, Expiration, Field, GuardrailCheck,
    Jobs, Kms, LogGroup, Notebook, Outputs, Policy, Profile, Role, Rule, SecurityGroup, Selector,
    Tag, Trail, Vpc, Zone,
};

/// The account id the generated tests plan with (AWS's documentation example account).
const TEST_ACCOUNT: &str = "111122223333";

pub fn render(view: &View) -> Result<FileSet> {
    let ctx =
        tera::Context::from_serialize(context(view, false)).expect("context is a JSON object");
    render_selected(&ctx, |rel| {
        (!rel.starts_with(environments::TEMPLATES)).then(|| rel.to_string())
    })
}

/// Lays out `.tf` and `.tftest.hcl` files (indentation, aligned `=`); other files unchanged.
fn post(path: &str, text: String) -> String {
    if path.ends_with(".tf") || path.ends_with(".tftest.hcl") {
        hcl::layout(&text)
    } else {
        text
    }
}

/// Renders (or copies) the templates under `templates/terraform/` that `select` maps to an
/// output path: `select` gets the template's path without `terraform/` and without `.tera`,
/// and answers where it goes (`None`: not rendered). What [`super::render_dir`] does, for a
/// subset: the single root and each module and environment root of a multi-environment
/// project take different templates from the same directory.
fn render_selected(
    ctx: &tera::Context,
    select: impl Fn(&str) -> Option<String>,
) -> Result<FileSet> {
    let format = super::Format::Terraform;
    let root = super::TEMPLATES
        .get_dir(format.name())
        .expect("the terraform templates are embedded");
    let tera = super::tera(format);
    let mut files = vec![];
    super::walk(root, &mut files);
    let mut set = FileSet::default();
    for f in files {
        let path = f.path().to_string_lossy().replace('\\', "/");
        let rel = path
            .strip_prefix(&format!("{}/", format.name()))
            .unwrap_or(&path);
        let Some(out) = select(rel.strip_suffix(".tera").unwrap_or(rel)) else {
            continue;
        };
        if rel.ends_with(".tera") {
            let text = tera
                .render(&path, ctx)
                .map_err(|e| crate::error::Error::Render {
                    template: path.clone(),
                    message: super::error_chain(&e),
                })?;
            if !text.trim().is_empty() {
                let text = post(&out, text);
                set.insert(out, text);
            }
        } else if let Some(text) = f.contents_utf8() {
            set.insert(out, text);
        }
    }
    Ok(set)
}

struct Ctx<'a> {
    refs: Refs<'a>,
    model: &'a Model,
    /// Rendering a module of a multi-environment project: the per-environment inputs (VPC and
    /// subnet blocks; the account is always `var.account_id`) become variables, and the tags
    /// are left to the environment root's provider (`default_tags`).
    module: bool,
}

impl Ctx<'_> {
    fn e(&self, r: &Ref) -> String {
        self.refs.expr(r)
    }
    fn list(&self, r: &[Ref]) -> String {
        self.refs.list(r)
    }
    fn value(&self, v: &crate::model::iam::Value) -> String {
        self.refs.value(v)
    }
    fn policy(&self, doc: &PolicyDocument) -> String {
        format!("jsonencode({})", self.refs.value(&doc.to_value()))
    }
    fn key(&self) -> Option<String> {
        self.model.kms.key_arn.as_ref().map(|k| self.e(k))
    }
}

fn s(v: &str) -> String {
    hcl::string(v)
}

/// The template context of `view`; `module`: of a module shared by several environments
/// ([`Ctx::module`]).
fn context<'a>(view: &'a View, module: bool) -> Context<'a> {
    let model = view.model;
    let names = &view.names;
    let c = Ctx {
        refs: Refs {
            partition: model.partition.arn(),
            region: &model.region,
            existing_endpoints: model
                .endpoints
                .iter()
                .filter(|e| e.existing_id.is_some())
                .map(|e| e.name.as_str())
                .collect(),
        },
        model,
        module,
    };
    let name = &model.name;
    let tags = if c.module { vec![] } else { tags(&model.tags) };

    let net = &model.network;
    let vpc = net.created.as_ref().map(|v| {
        let zones: Vec<Zone> = v
            .zones
            .iter()
            .zip(&names.zones)
            .enumerate()
            .map(|(i, (z, n))| Zone {
                suffix: &z.suffix,
                az_id: s(&z.az_id),
                private_cidr: if c.module {
                    format!("var.{}[{i}]", environments::PRIVATE_SUBNETS)
                } else {
                    s(&z.private_cidr)
                },
                public_cidr: z.public_cidr.as_deref().map(|p| {
                    if c.module {
                        format!("var.{}[{i}]", environments::PUBLIC_SUBNETS)
                    } else {
                        s(p)
                    }
                }),
                nat: z.nat_gateway.as_deref(),
                private_name: s(&n.private_subnet),
                public_name: s(&n.public_subnet),
                nat_name: s(&n.nat_gateway),
                rt_name: s(&n.private_route_table),
            })
            .collect();
        let nats = zones
            .iter()
            .filter(|z| z.nat == Some(z.suffix))
            .cloned()
            .collect();
        Vpc {
            cidr: if c.module {
                format!("var.{}", environments::VPC_CIDR)
            } else {
                s(&v.cidr)
            },
            zones,
            nats,
            public: v.public_subnets,
            name: s(&names.vpc),
            igw_name: s(&names.internet_gateway),
            public_rt_name: s(&names.public_route_table),
        }
    });

    let endpoints = model
        .endpoints
        .iter()
        .map(|e| Endpoint {
            name: &e.name,
            key: e.key,
            service_name: s(&e.service_name),
            gateway: e.kind == EndpointKind::Gateway,
            reason: &e.reason,
            purpose: e.purpose,
            source: e.source,
            policy: c.policy(&e.policy),
            tag_name: s(&names.endpoint(e.key)),
            existing_id: e.existing_id.as_deref().map(s),
            address: format!(
                "{}aws_vpc_endpoint.{}",
                if e.existing_id.is_some() { "data." } else { "" },
                e.name
            ),
        })
        .collect();

    let mut ingress = vec![];
    let mut egress = vec![];
    let security_groups = model
        .security_groups
        .iter()
        .map(|g| {
            for r in &g.rules {
                let (peer_attr, peer) = match &r.peer {
                    Peer::Itself => (
                        "referenced_security_group_id",
                        format!("aws_security_group.{}.id", g.name),
                    ),
                    Peer::Group(o) => (
                        "referenced_security_group_id",
                        format!("aws_security_group.{o}.id"),
                    ),
                    Peer::Cidr(cidr) => ("cidr_ipv4", s(cidr)),
                    Peer::PrefixList(p) => ("prefix_list_id", c.e(p)),
                };
                let rule = Rule {
                    skips: skips(&waivers::rule(r)),
                    name: format!("{}_{}", g.name, r.id),
                    group: &g.name,
                    protocol: s(r.protocol),
                    from_port: r.from_port,
                    to_port: r.to_port,
                    peer_attr,
                    peer,
                    description: s(&r.description),
                    text: &r.description,
                };
                match r.direction {
                    Direction::Ingress => ingress.push(rule),
                    Direction::Egress => egress.push(rule),
                }
            }
            // The README's rule list per group: the group's own rules, so the template does
            // not scan every rule of every group (quadratic in the number of user profiles).
            let texts = |d: Direction| -> Vec<&str> {
                g.rules
                    .iter()
                    .filter(|r| r.direction == d)
                    .map(|r| r.description.as_str())
                    .collect()
            };
            SecurityGroup {
                skips: skips(&waivers::group(&g.name)),
                name: &g.name,
                ingress_texts: texts(Direction::Ingress),
                egress_texts: texts(Direction::Egress),
                group_name: s(&names.security_group(&g.name)),
                description: s(&g.description),
            }
        })
        .collect();

    let kms = Kms {
        create: model.kms.mode == KmsMode::Create,
        existing: model.kms.mode == KmsMode::Existing,
        aws_managed: model.kms.mode == KmsMode::AwsManaged,
        key: c.key(),
        policy: model.kms.policy.as_ref().map(|p| c.policy(p)),
        alias: s(&names.kms_alias),
        description: s(&names.kms_description),
    };

    let buckets = model
        .buckets
        .iter()
        .map(|b| Bucket {
            name: &b.name,
            bucket: c.e(&b.bucket_name),
            purpose: &b.purpose,
            sse_kms: b.sse_kms,
            key: b.kms_key.as_ref().map(|k| c.e(k)),
            log_bucket: b.access_log_bucket.as_deref(),
            log_prefix: s(&format!("{}/", b.name)),
            policy: c.policy(&b.policy),
            log_target: b.is_log_target,
            expiration: b.expiration.as_ref().map(|e| Expiration {
                id: s(e.id),
                days: e.days,
                noncurrent_days: e.noncurrent_days,
            }),
            policy_after_lifecycle: b.policy_after_lifecycle,
            skips: skips(&waivers::bucket(b)),
        })
        .collect();
    let trail = model.audit.trail.as_ref().map(|t| trail(&c, t));

    let log_groups = model
        .log_groups
        .iter()
        .map(|g| LogGroup {
            name: &g.name,
            log_group_name: s(&g.log_group_name),
            retention: g.retention_days,
            key: g.kms_key.as_ref().map(|k| c.e(k)),
            skips: skips(&waivers::log_group(g)),
        })
        .collect();

    let policy = |p: &'a ManagedPolicy| Policy {
        name: &p.name,
        policy_name: s(&p.policy_name),
        description: s(&p.description),
        document: c.policy(&p.document),
    };
    let roles = model
        .roles
        .iter()
        .map(|r| Role {
            boundary: r.boundary.as_ref().map(policy),
            name: &r.name,
            role_name: s(&r.role_name),
            path: s(&r.path),
            description: s(&r.description),
            trust: c.policy(&r.trust),
            policies: r.policies.iter().map(policy).collect(),
        })
        .collect();

    let domain = model.domain.as_ref().map(|d| Domain {
        domain_name: s(&d.domain_name),
        auth_mode: s(match d.auth_mode {
            AuthMode::Iam => "IAM",
            AuthMode::Sso => "SSO",
        }),
        sso: d.auth_mode == AuthMode::Sso,
        access: s(d.app_network_access_type),
        access_raw: d.app_network_access_type,
        vpc_only: d.app_network_access_type == "VpcOnly",
        key: d.kms_key.as_ref().map(|k| c.e(k)),
        role: c.e(&d.execution_role),
        default_sgs: c.list(&d.default_security_groups),
        space_sgs: c.list(&d.space_security_groups),
        profiles: d
            .profiles
            .iter()
            .map(|p| Profile {
                name: &p.name,
                profile_name: s(&p.profile_name),
                sg: c.e(&p.security_group),
            })
            .collect(),
        skips: skips(&waivers::domain(d)),
        user_apps: lifecycle::app_settings(&c.refs, d, false),
        space_apps: lifecycle::app_settings(&c.refs, d, true),
    });

    let enabled = |on: bool| s(if on { "Enabled" } else { "Disabled" });
    let notebooks = model
        .notebooks
        .iter()
        .map(|n| Notebook {
            name: &n.name,
            instance_name: s(&n.instance_name),
            instance_type: s(&n.instance_type),
            volume: n.volume_size_gb,
            subnet: c.e(&n.subnet),
            sgs: c.list(&n.security_groups),
            key: n.kms_key.as_ref().map(|k| c.e(k)),
            direct_internet: enabled(n.direct_internet_access),
            root_access: enabled(n.root_access),
            skips: skips(&waivers::notebook(n)),
            role: c.e(&n.role),
            lifecycle_config: n.lifecycle_config.as_ref().map(|r| c.e(r)),
        })
        .collect();

    let exec: Vec<&ManagedPolicy> = model
        .roles
        .iter()
        .filter(|r| r.name == crate::model::EXECUTION_ROLE)
        .flat_map(|r| &r.policies)
        .collect();
    let addresses = |kind: &str, policies: &[&ManagedPolicy]| {
        let list: Vec<String> = policies
            .iter()
            .map(|p| format!("{kind}.{}", p.name))
            .collect();
        format!("[{}]", list.join(", "))
    };
    let flow_log_policies: Vec<&ManagedPolicy> = model
        .roles
        .iter()
        .filter(|r| r.name == "flow_logs")
        .flat_map(|r| &r.policies)
        .collect();
    let hcl_list = |ids: &[String]| {
        let items: Vec<String> = ids.iter().map(|i| s(i)).collect();
        format!("[{}]", items.join(", "))
    };

    Context {
        name,
        name_q: s(name),
        region: s(&model.region),
        region_raw: &model.region,
        partition: model.partition.arn(),
        account_default: model.account_id.as_deref().filter(|_| !module).map(s),
        deploy: super::standalone::readme_facts(model),
        test_account: s(test_account(model, module)),
        test_account_raw: test_account(model, module),
        module,
        module_test: module.then(|| environments::module_test(model)).flatten(),
        tags,
        vpc_only: model.mode == NetworkMode::VpcOnly,
        vpc,
        vpc_id: c.e(&net.vpc_id),
        private_subnets: c.list(&net.private_subnets),
        private_route_tables: c.list(&net.private_route_tables),
        flow_logs: net.flow_logs,
        existing: net.created.is_none(),
        existing_vpc: net.existing.as_ref().map(|x| ExistingVpc {
            vpc_id: s(&x.vpc_id),
            subnet_ids: hcl_list(&x.subnet_ids),
            route_table_ids: hcl_list(&x.route_table_ids),
        }),
        existing_key_arn: model.kms.existing_arn.as_deref().map(s),
        endpoints,
        interface_endpoints: model
            .endpoints
            .iter()
            .filter(|e| e.kind == EndpointKind::Interface)
            .map(|e| e.name.as_str())
            .collect(),
        security_groups,
        ingress,
        egress,
        kms,
        buckets,
        data_buckets: model
            .buckets
            .iter()
            .filter(|b| !b.is_log_target)
            .map(|b| b.name.as_str())
            .collect(),
        log_groups,
        trail,
        roles,
        domain,
        notebooks,
        lifecycle_configs: lifecycle::configs(
            model,
            if module {
                environments::LIFECYCLE_FROM_MODULE
            } else {
                ""
            },
        ),
        jobs: Jobs {
            network_isolation: model.jobs.network_isolation,
            icte: model.jobs.inter_container_encryption,
            key: model.jobs.kms_key.as_ref().map(|k| c.e(k)),
            defaults: c.value(&crate::view::sdk::job_defaults(model)),
            sdk_config: c.value(&crate::view::sdk::sdk_config(model)),
        },
        findings: &model.findings,
        teardown_delete: model.teardown_delete,
        access_policies: model.access_policies.iter().map(policy).collect(),
        guardrail_checks: exec
            .iter()
            .flat_map(|p| &p.document.statements)
            .filter(|st| st.effect == Effect::Deny)
            .map(|st| GuardrailCheck {
                sid: s(&st.sid),
                message: s(&format!(
                    "The guardrail {} must be attached to the execution role.",
                    st.sid
                )),
            })
            .collect(),
        exec_policies: addresses("aws_iam_policy", &exec),
        flow_log_attachments: addresses("aws_iam_role_policy_attachment", &flow_log_policies),
        exec_attachments: addresses("aws_iam_role_policy_attachment", &exec),
        outputs: outputs(),
    }
}

/// The account the generated tests plan with: the project's, or AWS's documentation example
/// account; always the example in a module shared by several environments (whose accounts are
/// inputs).
fn test_account(model: &Model, module: bool) -> &str {
    match &model.account_id {
        Some(a) if !module => a,
        _ => TEST_ACCOUNT,
    }
}

/// The tags as HCL key/value pairs.
fn tags(tags: &std::collections::BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag {
            key: s(k),
            value: s(v),
        })
        .collect()
}

/// The trail, waiting for its bucket's policy and, with CloudWatch Logs delivery, for its role's
/// permissions: CloudTrail checks both when the trail is created (CreateTrail answers
/// InsufficientS3BucketPolicyException / InvalidCloudWatchLogsRoleArnException otherwise;
/// CloudTrail API Reference, CreateTrail).
fn trail<'a>(c: &Ctx, t: &'a crate::model::audit::Trail) -> Trail<'a> {
    let mut deps = vec![format!("aws_s3_bucket_policy.{}", t.bucket)];
    if let Some(l) = &t.cloudwatch {
        let role = c.model.roles.iter().find(|r| r.name == l.role);
        deps.extend(
            role.into_iter()
                .flat_map(|r| &r.policies)
                .map(|p| format!("aws_iam_role_policy_attachment.{}", p.name)),
        );
    }
    Trail {
        skips: skips(&waivers::trail(t)),
        trail_name: s(&t.trail_name),
        bucket: &t.bucket,
        key: t.kms_key.as_ref().map(|k| c.e(k)),
        log_group_arn: t.cloudwatch.as_ref().map(|l| c.e(&l.log_group_arn)),
        role_arn: t.cloudwatch.as_ref().map(|l| {
            c.e(&Ref::attr(
                crate::model::refs::Kind::Role,
                &l.role,
                crate::model::refs::Attr::Arn,
            ))
        }),
        log_group: t.cloudwatch.as_ref().map(|l| l.log_group.as_str()),
        selectors: t
            .selectors
            .iter()
            .map(|sel| Selector {
                name: s(&sel.name),
                why: sel.why.clone(),
                fields: sel
                    .fields
                    .iter()
                    .map(|f| Field {
                        field: s(f.field),
                        op: match f.op {
                            FieldOp::Equals => "equals",
                            FieldOp::StartsWith => "starts_with",
                        },
                        values: c.list(&f.values),
                    })
                    .collect(),
                data: sel.data,
            })
            .collect(),
        depends_on: format!("[{}]", deps.join(", ")),
        retention_days: t.retention_days,
        protected: t.deletion_protected,
    }
}

/// The output descriptions, HCL strings.
fn outputs() -> Outputs {
    let d = |text: &str| Described {
        description: s(text),
    };
    Outputs {
        vpc: d(text::VPC),
        private_subnets: d(text::PRIVATE_SUBNETS),
        security_groups: d(text::SECURITY_GROUPS),
        execution_role: d(text::EXECUTION_ROLE),
        kms_key: d(&noted(text::KMS_KEY, "null with AWS managed keys")),
        buckets: d(text::BUCKETS),
        endpoints: d(text::ENDPOINTS),
        studio_domain: d(text::STUDIO_DOMAIN),
        studio_domain_url: d(text::STUDIO_DOMAIN_URL),
        notebooks: d(text::NOTEBOOKS),
        job_defaults: d(text::JOB_DEFAULTS),
        access_policy: d(text::ACCESS_POLICY),
    }
}

/// The `#checkov:skip=` texts (`ID:REASON`) of the view's waivers, under checkov's Terraform ids.
fn skips(waived: &[Waiver]) -> Vec<String> {
    waivers::ids(waived, Format::Terraform)
        .into_iter()
        .map(|(id, why)| format!("{id}:{why}"))
        .collect()
}
