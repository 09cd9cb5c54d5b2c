//! The Terraform renderer: turns the model into a template context in which every value is
//! already an HCL fragment (a quoted, escaped string or an expression), so templates only
//! place fragments and never print raw spec text.

use super::hcl::{self, Refs};
use super::{FileSet, render_dir};
use crate::error::Result;
use crate::model::Model;
use crate::model::endpoints::EndpointKind;
use crate::model::iam::PolicyDocument;
use crate::model::refs::Ref;
use crate::model::security::{Direction, Peer};
use crate::spec::{AuthMode, KmsMode, NetworkMode};
use serde_json::{Value as Json, json};

/// The account id the generated tests plan with (AWS's documentation example account).
const TEST_ACCOUNT: &str = "111122223333";

pub fn render(model: &Model) -> Result<FileSet> {
    let ctx = tera::Context::from_serialize(context(model)).expect("context is a JSON object");
    render_dir("terraform", &ctx, |path, text| {
        if path.ends_with(".tf") || path.ends_with(".tftest.hcl") {
            hcl::layout(&text)
        } else {
            text
        }
    })
}

struct Ctx<'a> {
    refs: Refs<'a>,
    model: &'a Model,
}

impl Ctx<'_> {
    fn e(&self, r: &Ref) -> String {
        self.refs.expr(r)
    }
    fn list(&self, r: &[Ref]) -> String {
        self.refs.list(r)
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

fn context(model: &Model) -> Json {
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
    };
    let name = &model.name;
    let tags: Vec<Json> = model
        .tags
        .iter()
        .map(|(k, v)| json!({"key": s(k), "value": s(v)}))
        .collect();

    let net = &model.network;
    let vpc = net.created.as_ref().map(|v| {
        let zones: Vec<Json> = v
            .zones
            .iter()
            .map(|z| {
                json!({
                    "suffix": z.suffix,
                    "az_id": s(&z.az_id),
                    "private_cidr": s(&z.private_cidr),
                    "public_cidr": z.public_cidr.as_deref().map(s),
                    "nat": z.nat_gateway,
                    "private_name": s(&format!("{name}-private-{}", z.az_id)),
                    "public_name": s(&format!("{name}-public-{}", z.az_id)),
                    "nat_name": s(&format!("{name}-nat-{}", z.az_id)),
                    "rt_name": s(&format!("{name}-private-{}", z.az_id)),
                })
            })
            .collect();
        let nats: Vec<&Json> = zones
            .iter()
            .filter(|z| z["nat"].as_str() == z["suffix"].as_str())
            .collect();
        json!({
            "cidr": s(&v.cidr),
            "zones": zones,
            "nats": nats,
            "public": v.public_subnets,
            "name": s(&format!("{name}-vpc")),
            "igw_name": s(&format!("{name}-igw")),
            "public_rt_name": s(&format!("{name}-public")),
        })
    });

    let endpoints: Vec<Json> = model
        .endpoints
        .iter()
        .map(|e| {
            json!({
                "name": e.name,
                "key": e.key,
                "service_name": s(&e.service_name),
                "gateway": e.kind == EndpointKind::Gateway,
                "reason": e.reason,
                "purpose": e.purpose,
                "source": e.source,
                "policy": c.policy(&e.policy),
                "tag_name": s(&format!("{name}-{}", e.key)),
                "existing_id": e.existing_id.as_deref().map(s),
                "address": format!(
                    "{}aws_vpc_endpoint.{}",
                    if e.existing_id.is_some() { "data." } else { "" },
                    e.name
                ),
            })
        })
        .collect();

    let mut ingress = vec![];
    let mut egress = vec![];
    let sgs: Vec<Json> = model
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
                let rule = json!({
                    "skips": rule_skips(r),
                    "name": format!("{}_{}", g.name, r.id),
                    "group": g.name,
                    "protocol": s(r.protocol),
                    "from_port": r.from_port,
                    "to_port": r.to_port,
                    "peer_attr": peer_attr,
                    "peer": peer,
                    "description": s(&r.description),
                    "text": r.description,
                });
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
            json!({
                "skips": group_skips(&g.name),
                "name": g.name,
                "ingress_texts": texts(Direction::Ingress),
                "egress_texts": texts(Direction::Egress),
                "group_name": s(&format!("{name}-{}", g.name.replace('_', "-"))),
                "description": s(&g.description),
            })
        })
        .collect();

    let kms = json!({
        "create": model.kms.mode == KmsMode::Create,
        "existing": model.kms.mode == KmsMode::Existing,
        "aws_managed": model.kms.mode == KmsMode::AwsManaged,
        "key": c.key(),
        "policy": model.kms.policy.as_ref().map(|p| c.policy(p)),
        "alias": s(&format!("alias/{name}")),
        "description": s(&format!("{name}: SageMaker environment data, volumes and logs")),
    });

    let buckets: Vec<Json> = model
        .buckets
        .iter()
        .map(|b| {
            json!({
                "name": b.name,
                "bucket": c.e(&b.bucket_name),
                "purpose": b.purpose,
                "sse_kms": b.sse_kms,
                "key": b.kms_key.as_ref().map(|k| c.e(k)),
                "log_bucket": b.access_log_bucket,
                "log_prefix": s(&format!("{}/", b.name)),
                "policy": c.policy(&b.policy),
                "log_target": b.is_log_target,
            })
        })
        .collect();

    let log_groups: Vec<Json> = model
        .log_groups
        .iter()
        .map(|g| {
            json!({
                "name": g.name,
                "log_group_name": s(&g.log_group_name),
                "retention": g.retention_days,
                "key": g.kms_key.as_ref().map(|k| c.e(k)),
            })
        })
        .collect();

    let roles: Vec<Json> = model
        .roles
        .iter()
        .map(|r| {
            let policies: Vec<Json> = r
                .policies
                .iter()
                .map(|p| {
                    json!({
                        "name": p.name,
                        "policy_name": s(&p.policy_name),
                        "description": s(&p.description),
                        "document": c.policy(&p.document),
                    })
                })
                .collect();
            json!({
                "boundary": r.boundary.as_ref().map(|p| json!({
                    "name": p.name,
                    "policy_name": s(&p.policy_name),
                    "description": s(&p.description),
                    "document": c.policy(&p.document),
                })),
                "name": r.name,
                "role_name": s(&r.role_name),
                "path": s(&r.path),
                "description": s(&r.description),
                "trust": c.policy(&r.trust),
                "policies": policies,
            })
        })
        .collect();

    let domain = model.domain.as_ref().map(|d| {
        let profiles: Vec<Json> = d
            .profiles
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "profile_name": s(&p.profile_name),
                    "sg": c.e(&p.security_group),
                })
            })
            .collect();
        json!({
            "domain_name": s(&d.domain_name),
            "auth_mode": s(match d.auth_mode { AuthMode::Iam => "IAM", AuthMode::Sso => "SSO" }),
            "sso": d.auth_mode == AuthMode::Sso,
            "access": s(d.app_network_access_type),
            "access_raw": d.app_network_access_type,
            "vpc_only": d.app_network_access_type == "VpcOnly",
            "key": d.kms_key.as_ref().map(|k| c.e(k)),
            "role": c.e(&d.execution_role),
            "default_sgs": c.list(&d.default_security_groups),
            "space_sgs": c.list(&d.space_security_groups),
            "profiles": profiles,
        })
    });

    let notebooks: Vec<Json> = model
        .notebooks
        .iter()
        .map(|n| {
            json!({
                "name": n.name,
                "instance_name": s(&n.instance_name),
                "instance_type": s(&n.instance_type),
                "volume": n.volume_size_gb,
                "subnet": c.e(&n.subnet),
                "sgs": c.list(&n.security_groups),
                "key": n.kms_key.as_ref().map(|k| c.e(k)),
                "direct_internet": s(if n.direct_internet_access { "Enabled" } else { "Disabled" }),
                "direct_internet_on": n.direct_internet_access,
                "root_access": s(if n.root_access { "Enabled" } else { "Disabled" }),
                "root_on": n.root_access,
                "role": c.e(&n.role),
            })
        })
        .collect();

    let exec: Vec<&crate::model::ManagedPolicy> = model
        .roles
        .iter()
        .filter(|r| r.name == "execution")
        .flat_map(|r| &r.policies)
        .collect();
    // Finding serializes as {severity, choice, message, source}, severity in lower case.
    let findings = serde_json::to_value(&model.findings).expect("findings serialize");

    json!({
        "name": name,
        "name_q": s(name),
        "region": s(&model.region),
        "region_raw": model.region,
        "partition": model.partition.arn(),
        "account_default": model.account_id.as_deref().map(s),
        "deploy": super::standalone::readme_facts(model),
        "test_account": s(model.account_id.as_deref().unwrap_or(TEST_ACCOUNT)),
        "test_account_raw": model.account_id.as_deref().unwrap_or(TEST_ACCOUNT),
        "tags": tags,
        "vpc_only": model.mode == NetworkMode::VpcOnly,
        "vpc": vpc,
        "vpc_id": c.e(&net.vpc_id),
        "private_subnets": c.list(&net.private_subnets),
        "private_route_tables": c.list(&net.private_route_tables),
        "flow_logs": net.flow_logs,
        "existing": net.created.is_none(),
        "existing_vpc": net.existing.as_ref().map(|x| json!({
            "vpc_id": s(&x.vpc_id),
            "subnet_ids": format!("[{}]", x.subnet_ids.iter().map(|i| s(i)).collect::<Vec<_>>().join(", ")),
            "route_table_ids": format!("[{}]", x.route_table_ids.iter().map(|i| s(i)).collect::<Vec<_>>().join(", ")),
        })),
        "existing_key_arn": model.kms.existing_arn.as_deref().map(s),
        "endpoints": endpoints,
        "interface_endpoints": model.endpoints.iter().filter(|e| e.kind == EndpointKind::Interface).map(|e| e.name.clone()).collect::<Vec<_>>(),
        "security_groups": sgs,
        "ingress": ingress,
        "egress": egress,
        "kms": kms,
        "buckets": buckets,
        "data_buckets": model.buckets.iter().filter(|b| !b.is_log_target).map(|b| b.name.clone()).collect::<Vec<_>>(),
        "log_groups": log_groups,
        "roles": roles,
        "domain": domain,
        "notebooks": notebooks,
        "jobs": {
            "network_isolation": model.jobs.network_isolation,
            "icte": model.jobs.inter_container_encryption,
            "sg": c.e(&model.jobs.security_group),
            "subnets": c.list(&model.jobs.subnets),
            "key": model.jobs.kms_key.as_ref().map(|k| c.e(k)),
            "sdk_bucket": c.e(&model.jobs.sdk_bucket),
            "sdk_prefix": model.jobs.sdk_prefix.as_ref().map(|p| c.e(&Ref::lit(p))),
        },
        "findings": findings,
        "teardown_delete": model.teardown_delete,
        "access_policies": model.access_policies.iter().map(|p| json!({
            "name": p.name,
            "policy_name": s(&p.policy_name),
            "description": s(&p.description),
            "document": c.policy(&p.document),
        })).collect::<Vec<_>>(),
        "guardrail_checks": exec
            .iter()
            .flat_map(|p| &p.document.statements)
            .filter(|st| st.effect == crate::model::iam::Effect::Deny)
            .map(|st| json!({
                "sid": s(&st.sid),
                "message": s(&format!("The guardrail {} must be attached to the execution role.", st.sid)),
            }))
            .collect::<Vec<_>>(),
        "exec_policies": format!("[{}]", exec.iter().map(|p| format!("aws_iam_policy.{}", p.name)).collect::<Vec<_>>().join(", ")),
        "flow_log_attachments": format!("[{}]", model.roles.iter().filter(|r| r.name == "flow_logs").flat_map(|r| &r.policies).map(|p| format!("aws_iam_role_policy_attachment.{}", p.name)).collect::<Vec<_>>().join(", ")),
        "exec_attachments": format!("[{}]", exec.iter().map(|p| format!("aws_iam_role_policy_attachment.{}", p.name)).collect::<Vec<_>>().join(", ")),
    })
}

/// checkov reads a self-referencing ingress rule over a port range as if it were open to
/// 0.0.0.0/0 (CKV_AWS_24/25/260 look only at ports); the source here is always a group.
fn rule_skips(r: &crate::model::security::Rule) -> Vec<String> {
    let covers = |port: u16| match (r.from_port, r.to_port) {
        (Some(a), Some(b)) => a <= port && port <= b,
        _ => r.protocol == "-1",
    };
    let from_group = matches!(r.peer, Peer::Itself | Peer::Group(_));
    if r.direction != Direction::Ingress || !from_group {
        return vec![];
    }
    let why = "the source is a security group of this environment, not 0.0.0.0/0; distributed \
               training (MPI over SSH, NCCL) needs every TCP port between a job's instances (dg train-vpc)";
    [
        (22, "CKV_AWS_24"),
        (3389, "CKV_AWS_25"),
        (80, "CKV_AWS_260"),
    ]
    .iter()
    .filter(|(port, _)| covers(*port))
    .map(|(_, id)| format!("{id}:{why}"))
    .collect()
}

/// Groups that SageMaker attaches at run time, which checkov's graph cannot see.
fn group_skips(name: &str) -> Vec<String> {
    let why = if name == "jobs" {
        "attached at run time to training, processing and hosting jobs (see the job_defaults output)"
    } else if name.starts_with("studio_") || name.starts_with("user_") {
        "attached by SageMaker to Studio apps through the domain and user profile settings, which checkov's graph does not follow"
    } else {
        return vec![];
    };
    vec![format!("CKV2_AWS_5:{why}")]
}
