//! The AWS CDK (TypeScript) renderer: the model becomes a CDK v2 app in the layout
//! `cdk init app --language typescript` makes, one construct per concern (`lib/encryption.ts`,
//! `network.ts`, `storage.ts`, `iam.ts`, `sagemaker.ts`), the same resources, names and tags as
//! the Terraform output. As there, the template context holds only pre-escaped fragments
//! (TypeScript literals and expressions built by [`typescript`]); IAM documents are rendered
//! from the model's typed statements, never written in templates.

mod nag;
#[path = "typescript.rs"]
pub mod typescript;

use super::{FileSet, render_dir};
use crate::error::Result;
use crate::model::endpoints::EndpointKind;
use crate::model::iam::{Effect, PolicyDocument};
use crate::model::refs::Ref;
use crate::model::refs::{Attr, Kind};
use crate::model::security::{Direction, Peer, Rule};
use crate::model::{ManagedPolicy, Model};
use crate::spec::{AuthMode, KmsMode, NetworkMode};
use serde_json::{Value as Json, json};
use std::collections::BTreeSet;
use typescript::{Owner, Refs, Scope, comment, pascal, string as s};

pub fn render(model: &Model) -> Result<FileSet> {
    check_order(model)?;
    let ctx = tera::Context::from_serialize(context(model)).expect("context is a JSON object");
    let set = render_dir("cdk", &ctx, |path, text| {
        if path.ends_with(".ts") {
            typescript::layout(&text)
        } else {
            text
        }
    })?;
    // `cdk init` names the entry point, the stack and its test after the app.
    let app = &model.name;
    let mut out = FileSet::default();
    for (path, text) in set.files {
        let path = match path.as_str() {
            "bin/app.ts" => format!("bin/{app}.ts"),
            "lib/app-stack.ts" => format!("lib/{app}-stack.ts"),
            "test/app.test.ts" => format!("test/{app}.test.ts"),
            _ => path,
        };
        out.insert(path, text);
    }
    Ok(out)
}

/// Each construct is built after the ones it takes as props (`lib/<app>-stack.ts`), so a
/// document rendered inside a construct may refer only to resources of that construct or of
/// earlier ones. Resource policies (key, endpoints, buckets) name resources of several
/// constructs, so the stack applies them after every construct (`lib/resource-policies.ts`).
fn check_order(m: &Model) -> Result<()> {
    use crate::model::refs::ResId;
    let rank = |o: Owner| {
        [
            Owner::Encryption,
            Owner::Network,
            Owner::Storage,
            Owner::Iam,
            Owner::SageMaker,
            Owner::Access,
        ]
        .iter()
        .position(|x| *x == o)
        .unwrap_or(usize::MAX)
    };
    let mut docs: Vec<(Owner, String, &PolicyDocument)> = vec![];
    for r in &m.roles {
        docs.push((
            Owner::Iam,
            format!("trust policy of role {}", r.name),
            &r.trust,
        ));
        for p in r.policies.iter().chain(&r.boundary) {
            docs.push((Owner::Iam, format!("policy {}", p.name), &p.document));
        }
    }
    for p in &m.access_policies {
        docs.push((Owner::Access, format!("policy {}", p.name), &p.document));
    }
    for (owner, what, doc) in docs {
        let value = doc.to_value();
        let mut leaves = vec![];
        value.leaves(&mut leaves);
        let mut ids: Vec<ResId> = vec![];
        leaves.iter().for_each(|r| r.resources(&mut ids));
        if let Some(late) = ids.iter().find(|id| rank(Owner::of(id.kind)) > rank(owner)) {
            return Err(crate::error::Error::Render {
                template: "cdk".into(),
                message: format!(
                    "the {what} (built in lib/{}.ts) refers to {:?} {}, which lib/{}.ts creates later",
                    owner.field(),
                    late.kind,
                    late.name,
                    Owner::of(late.kind).field()
                ),
            });
        }
    }
    Ok(())
}

/// Renders expressions for one scope, plus the conversions L2 props need.
struct Ctx<'a> {
    refs: Refs<'a>,
    model: &'a Model,
}

impl<'a> Ctx<'a> {
    fn at(&self, scope: Scope) -> Ctx<'_> {
        Ctx {
            refs: self.refs.with(scope),
            model: self.model,
        }
    }
    fn e(&self, r: &Ref) -> String {
        self.refs.expr(r)
    }
    fn list(&self, r: &[Ref]) -> String {
        self.refs.list(r)
    }
    fn policy(&self, doc: &PolicyDocument) -> String {
        self.refs.value(&doc.to_value())
    }
    /// The environment key as a `kms.IKey` (L2 props take the key, not its ARN). The model has
    /// one key; any key reference is that key.
    fn key_obj(&self, key: &Option<Ref>) -> Option<String> {
        key.as_ref().map(|_| {
            let e = self.e(self.model.kms.key_arn.as_ref().expect("a key reference"));
            e.strip_suffix(".keyArn").unwrap_or(&e).to_string()
        })
    }
}

/// Unique construct ids among siblings: PascalCase of the logical name plus a suffix saying
/// what it is; a collision of two names that differ only in punctuation gets a number.
#[derive(Default)]
struct Ids(BTreeSet<String>);

impl Ids {
    fn id(&mut self, name: &str, what: &str) -> String {
        let base = format!("{}{what}", pascal(name));
        let mut id = base.clone();
        let mut n = 2;
        while !self.0.insert(id.clone()) {
            id = format!("{base}{n}");
            n += 1;
        }
        s(&id)
    }
}

fn nag_list(acks: Vec<(String, String)>) -> Vec<Json> {
    acks.into_iter()
        .map(|(id, reason)| json!({"id": s(&id), "reason": s(&reason)}))
        .collect()
}

fn context(model: &Model) -> Json {
    let root = Ctx {
        refs: Refs {
            scope: Scope::Test,
            partition: model.partition.arn(),
            region: &model.region,
        },
        model,
    };
    let name = &model.name;
    let stack_class = format!("{}Stack", pascal(name));
    json!({
        "app": name,
        "stack_class": stack_class,
        "stack_id": s(&stack_class),
        "region": s(&model.region),
        "region_raw": model.region,
        "partition": model.partition.arn(),
        "name_c": comment(name),
        "description": s(&format!("{name}: a secure Amazon SageMaker environment (generated by smgen)")),
        "tags": model.tags.iter().map(|(k, v)| json!({"key": s(k), "value": s(v)})).collect::<Vec<_>>(),
        "vpc_only": model.mode == NetworkMode::VpcOnly,
        "encryption": encryption(&root.at(Scope::In(Owner::Encryption))),
        "network": network(&root.at(Scope::In(Owner::Network))),
        "storage": storage(&root.at(Scope::In(Owner::Storage))),
        "iam": iam(&root.at(Scope::In(Owner::Iam))),
        "sagemaker": sagemaker(&root.at(Scope::In(Owner::SageMaker))),
        "access": access(&root.at(Scope::In(Owner::Access))),
        "outputs": outputs(&root.at(Scope::Stack)),
        "key_policy": model.kms.policy.as_ref().map(|p| root.policy(p)),
        "resource_policies": resource_policies(&root),
        "test": test(&root),
        "readme": readme(model),
        "deploy": super::standalone::readme_facts(model),
        "teardown_delete": model.teardown_delete,
    })
}

/// Resource policies, applied by the stack once every construct exists (`stack.…` scope).
fn resource_policies(c: &Ctx) -> Json {
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

fn encryption(c: &Ctx) -> Json {
    let m = c.model;
    let name = &m.name;
    json!({
        "create": m.kms.mode == KmsMode::Create,
        "existing": m.kms.mode == KmsMode::Existing,
        "has_key": m.kms.key_arn.is_some(),
        "existing_arn": m.kms.existing_arn.as_deref().map(s),
        "alias": s(&format!("alias/{name}")),
        "description": s(&format!("{name}: SageMaker environment data, volumes and logs")),
    })
}

fn network(c: &Ctx) -> Json {
    let m = c.model;
    let name = &m.name;
    let net = &m.network;
    let vpc = net.created.as_ref().map(|v| {
        let zones: Vec<Json> = v
            .zones
            .iter()
            .map(|z| {
                let up = z.suffix.to_uppercase();
                json!({
                    "key": s(&format!("private_{}", z.suffix)),
                    "public_key": s(&format!("public_{}", z.suffix)),
                    "up": pascal(&up),
                    "az_id": s(&z.az_id),
                    "private_cidr": s(&z.private_cidr),
                    "public_cidr": z.public_cidr.as_deref().map(s),
                    "nat": z.nat_gateway.as_deref().map(s),
                    "has_nat": z.nat_gateway.is_some(),
                    "is_nat": z.nat_gateway.as_deref() == Some(z.suffix.as_str()),
                    "nat_key": s(&z.suffix),
                    "private_name": s(&format!("{name}-private-{}", z.az_id)),
                    "public_name": s(&format!("{name}-public-{}", z.az_id)),
                    "nat_name": s(&format!("{name}-nat-{}", z.az_id)),
                })
            })
            .collect();
        json!({
            "cidr": s(&v.cidr),
            "zones": zones,
            "public": v.public_subnets,
            "name": s(&format!("{name}-vpc")),
            "igw_name": s(&format!("{name}-igw")),
            "public_rt_name": s(&format!("{name}-public")),
            "route_tables": c.list(&net.private_route_tables),
        })
    });
    let existing = net.existing.as_ref().map(|x| {
        let arr = |v: &[String]| {
            format!(
                "[{}]",
                v.iter().map(|i| s(i)).collect::<Vec<_>>().join(", ")
            )
        };
        json!({
            "vpc_id": s(&x.vpc_id),
            "subnet_ids": arr(&x.subnet_ids),
            "route_table_ids": arr(&x.route_table_ids),
        })
    });

    let mut ids = Ids::default();
    let groups: Vec<Json> = m
        .security_groups
        .iter()
        .map(|g| {
            json!({
                "key": s(&g.name),
                "id": ids.id(&g.name, "SecurityGroup"),
                "group_name": s(&format!("{name}-{}", g.name.replace('_', "-"))),
                "description": s(&g.description),
            })
        })
        .collect();
    let rules: Vec<Json> = m
        .security_groups
        .iter()
        .flat_map(|g| g.rules.iter().map(move |r| (g, r)))
        .map(|(g, r)| {
            let peer = match &r.peer {
                Peer::Itself => format!("this.securityGroups[{}]", s(&g.name)),
                Peer::Group(o) => format!("this.securityGroups[{}]", s(o)),
                Peer::Cidr(cidr) if cidr.contains(':') => format!("ec2.Peer.ipv6({})", s(cidr)),
                Peer::Cidr(cidr) => format!("ec2.Peer.ipv4({})", s(cidr)),
                Peer::PrefixList(p) => format!("ec2.Peer.prefixList({})", c.e(p)),
            };
            json!({
                "group": s(&g.name),
                "method": match r.direction { Direction::Ingress => "addIngressRule", Direction::Egress => "addEgressRule" },
                "peer": peer,
                "port": port(r),
                "description": s(&r.description),
            })
        })
        .collect();

    let endpoints: Vec<Json> = m
        .endpoints
        .iter()
        .map(|e| {
            json!({
                "key": s(&e.name),
                "id": ids.id(&e.name, "Endpoint"),
                "lookup_id": ids.id(&e.name, "PrefixList"),
                "existing_id": e.existing_id.as_deref().map(s),
                "service_name": s(&e.service_name),
                "gateway": e.kind == EndpointKind::Gateway,
                "tag_name": s(&format!("{name}-{}", e.key)),
                "what": comment(&format!("{}: {}.", e.key, e.purpose)),
                "why": comment(&format!("Why: {} ({}).", e.reason, e.source)),
            })
        })
        .collect();

    json!({
        "vpc": vpc,
        "existing": existing,
        "security_groups": groups,
        "rules": rules,
        "endpoints": endpoints,
        "has_gateway": m.endpoints.iter().any(|e| e.kind == EndpointKind::Gateway),
        "flow_logs": net.flow_logs,
        "nag": nag_list(nag::network(m)),
    })
}

/// An `ec2.Port` for a rule: protocol names as the model writes them (`tcp`, `udp`, `-1`, or an
/// IP protocol number such as `50` for ESP).
fn port(r: &Rule) -> String {
    let range = |p: &str| match (r.from_port, r.to_port) {
        (Some(a), Some(b)) if a == b => format!("ec2.Port.{p}({a})"),
        (Some(a), Some(b)) => format!("ec2.Port.{p}Range({a}, {b})"),
        _ => format!("ec2.Port.all{}()", p.to_uppercase()),
    };
    match r.protocol {
        "tcp" | "6" => range("tcp"),
        "udp" | "17" => range("udp"),
        "-1" => "ec2.Port.allTraffic()".into(),
        // `ec2.Port.esp()` renders ports 50-50, which CloudFormation ignores for a protocol
        // without ports (and its validation warns about, W3687): no ports at all.
        "50" => "new ec2.Port({ protocol: ec2.Protocol.ESP, stringRepresentation: 'ESP' })".into(),
        "51" => "new ec2.Port({ protocol: ec2.Protocol.AH, stringRepresentation: 'AH' })".into(),
        other => format!(
            "new ec2.Port({{ protocol: {} as ec2.Protocol, stringRepresentation: {} }})",
            s(other),
            s(&format!("protocol {other}"))
        ),
    }
}

fn storage(c: &Ctx) -> Json {
    let m = c.model;
    let mut ids = Ids::default();
    let buckets: Vec<Json> = m
        .buckets
        .iter()
        .map(|b| {
            let encryption = match (b.sse_kms, &b.kms_key) {
                (true, Some(_)) => "KMS",
                (true, None) => "KMS_MANAGED",
                (false, _) => "S3_MANAGED",
            };
            json!({
                "key": s(&b.name),
                "id": ids.id(&b.name, "Bucket"),
                "bucket_name": c.e(&b.bucket_name),
                "what": comment(&format!("{}: {}.", b.name, b.purpose)),
                "encryption": encryption,
                "sse_kms": b.sse_kms,
                "key_obj": c.key_obj(&b.kms_key),
                "log_bucket": b.access_log_bucket.as_deref().map(s),
                "log_prefix": s(&format!("{}/", b.name)),
                "log_target": b.is_log_target,
                "nag": nag_list(nag::bucket(b)),
            })
        })
        .collect();
    let log_groups: Vec<Json> = m
        .log_groups
        .iter()
        .map(|g| {
            json!({
                "key": s(&g.name),
                "id": ids.id(&g.name, "LogGroup"),
                "log_group_name": s(&g.log_group_name),
                "retention": g.retention_days,
                "key_obj": c.key_obj(&g.kms_key),
            })
        })
        .collect();
    json!({"buckets": buckets, "log_groups": log_groups})
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

fn iam(c: &Ctx) -> Json {
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

fn access(c: &Ctx) -> Json {
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
fn exec_policies(c: &Ctx) -> String {
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
        .filter(|r| r.name == "execution")
        .flat_map(|r| &r.policies)
        .map(|p| format!("{base}.policies[{}]", s(&p.name)))
        .collect();
    format!("[{}]", items.join(", "))
}

fn sagemaker(c: &Ctx) -> Json {
    let m = c.model;
    let mut ids = Ids::default();
    let net = &m.network;
    let domain = m.domain.as_ref().map(|d| {
        let profiles: Vec<Json> = d
            .profiles
            .iter()
            .map(|p| {
                json!({
                    "key": s(&p.name),
                    "id": ids.id(&p.name, "UserProfile"),
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
            "vpc_only": d.app_network_access_type == "VpcOnly",
            "vpc_id": c.e(&net.vpc_id),
            "subnets": c.list(&net.private_subnets),
            "key": d.kms_key.as_ref().map(|k| c.e(k)),
            "role": c.e(&d.execution_role),
            "default_sgs": c.list(&d.default_security_groups),
            "space_sgs": c.list(&d.space_security_groups),
            "profiles": profiles,
        })
    });
    let notebooks: Vec<Json> = m
        .notebooks
        .iter()
        .map(|n| {
            json!({
                "key": s(&n.name),
                "id": ids.id(&n.name, "NotebookInstance"),
                "instance_name": s(&n.instance_name),
                "instance_type": s(&n.instance_type),
                "volume": n.volume_size_gb,
                "subnet": c.e(&n.subnet),
                "sgs": c.list(&n.security_groups),
                "kms_key": n.kms_key.as_ref().map(|k| c.e(k)),
                "direct_internet": s(if n.direct_internet_access { "Enabled" } else { "Disabled" }),
                "root_access": s(if n.root_access { "Enabled" } else { "Disabled" }),
                "role": c.e(&n.role),
                "nag": nag_list(nag::notebook(n)),
            })
        })
        .collect();
    json!({"domain": domain, "notebooks": notebooks, "exec_policies": exec_policies(c)})
}

/// Expressions the generated tests compare the synthesized template with (`stack.…`).
fn test(c: &Ctx) -> Json {
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
        "notebooks": notebooks,
        "buckets": buckets,
        "endpoints": endpoints,
        "log_groups": log_groups,
        "created_vpc": m.network.created.is_some(),
        "tags": m.tags.iter().map(|(k, v)| json!({"key": s(k), "value": s(v)})).collect::<Vec<_>>(),
        "private_subnets": subnets,
        "execution_role": c.e(&Ref::attr(Kind::Role, "execution", Attr::Arn)),
        "exec_policies": exec_policies(c),
        "guardrails": m
            .roles
            .iter()
            .filter(|r| r.name == "execution")
            .flat_map(|r| &r.policies)
            .flat_map(|p| &p.document.statements)
            .filter(|st| st.effect == Effect::Deny)
            .map(|st| s(&st.sid))
            .collect::<Vec<_>>(),
        "boundary": m
            .roles
            .iter()
            .find(|r| r.name == "execution")
            .and_then(|r| r.boundary.as_ref())
            .map(|b| format!("stack.iam.policies[{}]", s(&b.name))),
    })
}

/// The README's facts (Markdown, not code: the same text the Terraform README shows).
fn readme(m: &Model) -> Json {
    let endpoints: Vec<Json> = m
        .endpoints
        .iter()
        .map(|e| {
            json!({
                "key": e.key,
                "gateway": e.kind == EndpointKind::Gateway,
                "reason": e.reason,
                "source": e.source,
            })
        })
        .collect();
    let groups: Vec<Json> = m
        .security_groups
        .iter()
        .map(|g| {
            let rules: Vec<String> = g
                .rules
                .iter()
                .map(|r| match r.direction {
                    Direction::Ingress => format!("in: {}", r.description),
                    Direction::Egress => format!("out: {}", r.description),
                })
                .collect();
            json!({"name": g.name, "rules": rules.join("; ")})
        })
        .collect();
    // Finding serializes as {severity, choice, message, source}, severity in lower case.
    let findings = serde_json::to_value(&m.findings).expect("findings serialize");
    json!({
        "name": m.name,
        "region": m.region,
        "partition": m.partition.arn(),
        "zones": m.network.created.as_ref().map(|v| v.zones.len()),
        "public": m.network.created.as_ref().is_some_and(|v| v.public_subnets),
        "existing": m.network.created.is_none(),
        "flow_logs": m.network.flow_logs,
        "kms": match m.kms.mode { KmsMode::Create => "create", KmsMode::Existing => "existing", KmsMode::AwsManaged => "aws-managed" },
        "access": m.domain.as_ref().map(|d| d.app_network_access_type),
        "notebooks": !m.notebooks.is_empty(),
        "has_gateway": m.endpoints.iter().any(|e| e.kind == EndpointKind::Gateway),
        "endpoints": endpoints,
        "groups": groups,
        "logging": m.buckets.iter().any(|b| b.is_log_target),
        "jobs": {
            "network_isolation": m.jobs.network_isolation,
            "icte": m.jobs.inter_container_encryption,
            "key": m.jobs.kms_key.is_some(),
        },
        "findings": findings,
    })
}

/// The stack's outputs: the Terraform output's `outputs.tf`, one `CfnOutput` each (maps and
/// lists as JSON strings, since outputs are strings).
fn outputs(c: &Ctx) -> Vec<Json> {
    let m = c.model;
    let json_of = |pairs: Vec<(String, String)>| {
        let body: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("{}: {v},", s(&k)))
            .collect();
        format!(
            "cdk.Stack.of(this).toJsonString({{\n{}\n}})",
            body.join("\n")
        )
    };
    let exec_role = c.e(&Ref::attr(Kind::Role, "execution", Attr::Arn));
    let jobs = &m.jobs;
    let sg = c.e(&jobs.security_group);
    let subnets = c.list(&jobs.subnets);
    let key = jobs.kms_key.as_ref().map(|k| c.e(k));
    let vpc_config = format!("{{ SecurityGroupIds: [{sg}], Subnets: {subnets} }}");
    let (iso, icte) = (jobs.network_isolation, jobs.inter_container_encryption);
    let mut out: Vec<(&str, &str, String)> = vec![
        (
            "VpcId",
            "The VPC of the environment.",
            c.e(&m.network.vpc_id),
        ),
        (
            "PrivateSubnetIds",
            "Private subnets for the domain, notebooks, jobs and endpoints (comma-separated).",
            format!("cdk.Fn.join(',', {})", c.list(&m.network.private_subnets)),
        ),
        (
            "SecurityGroupIds",
            "Security groups by role in the environment (JSON).",
            json_of(
                m.security_groups
                    .iter()
                    .map(|g| (g.name.clone(), c.e(&g.id_ref())))
                    .collect(),
            ),
        ),
        (
            "ExecutionRoleArn",
            "The SageMaker execution role; pass it explicitly to the SageMaker Python SDK (no get_execution_role() lookups).",
            exec_role.clone(),
        ),
    ];
    if let Some(k) = &key {
        out.push((
            "KmsKeyArn",
            "The customer managed key of the environment.",
            k.clone(),
        ));
    }
    out.push((
        "BucketNames",
        "Buckets created for the environment (JSON).",
        json_of(
            m.buckets
                .iter()
                .map(|b| (b.name.clone(), c.e(&b.bucket_name)))
                .collect(),
        ),
    ));
    out.push((
        "VpcEndpointIds",
        "VPC endpoints by service key (JSON).",
        json_of(
            m.endpoints
                .iter()
                .map(|e| {
                    (
                        e.name.clone(),
                        c.e(&Ref::attr(Kind::VpcEndpoint, &e.name, Attr::Id)),
                    )
                })
                .collect(),
        ),
    ));
    if m.domain.is_some() {
        out.push((
            "StudioDomainId",
            "The SageMaker Studio domain.",
            "this.sagemaker.domain.attrDomainId".into(),
        ));
        out.push((
            "StudioDomainUrl",
            "The Studio domain URL.",
            "this.sagemaker.domain.attrUrl".into(),
        ));
    }
    if !m.notebooks.is_empty() {
        let names: Vec<String> = m
            .notebooks
            .iter()
            .map(|n| {
                format!(
                    "this.sagemaker.notebooks[{}].attrNotebookInstanceName",
                    s(&n.name)
                )
            })
            .collect();
        out.push((
            "NotebookInstanceNames",
            "Notebook instances (comma-separated).",
            format!("cdk.Fn.join(',', [{}])", names.join(", ")),
        ));
    }
    let mut job_defaults = vec![
        ("enable_network_isolation".to_string(), iso.to_string()),
        (
            "enable_inter_container_traffic_encryption".to_string(),
            icte.to_string(),
        ),
        ("subnets".to_string(), subnets.clone()),
        ("security_group_ids".to_string(), format!("[{sg}]")),
    ];
    job_defaults.push((
        "kms_key_arn".into(),
        key.clone().unwrap_or_else(|| "null".into()),
    ));
    out.push((
        "JobDefaults",
        "Settings every training, processing and hosting job of this environment should use (JSON).",
        json_of(job_defaults),
    ));
    for p in &m.access_policies {
        out.push((
            "AccessPolicyArn",
            "Attach this policy to the people who use the environment (presigned Studio and notebook URLs of this environment only).",
            format!("this.access.policies[{}].managedPolicyArn", s(&p.name)),
        ));
    }
    // SageMaker Python SDK defaults (config.yaml; YAML reads JSON), as the Terraform output.
    let with_key = |base: &str, extra: String| match &key {
        Some(_) => format!("{{ {base}, {extra} }}"),
        None => format!("{{ {base} }}"),
    };
    let k = key.clone().unwrap_or_default();
    let sdk_session = match &jobs.sdk_prefix {
        Some(p) => format!(
            "{{ Modules: {{ Session: {{ DefaultS3Bucket: {}, DefaultS3ObjectKeyPrefix: {} }} }} }}",
            c.e(&jobs.sdk_bucket),
            c.e(&Ref::lit(p))
        ),
        None => format!(
            "{{ Modules: {{ Session: {{ DefaultS3Bucket: {} }} }} }}",
            c.e(&jobs.sdk_bucket)
        ),
    };
    let mut sdk = vec![
        ("PythonSDK".to_string(), sdk_session),
        (
            "TrainingJob".to_string(),
            with_key(
                &format!(
                    "EnableNetworkIsolation: {iso}, EnableInterContainerTrafficEncryption: {icte}, RoleArn: {exec_role}, VpcConfig: {vpc_config}"
                ),
                format!(
                    "OutputDataConfig: {{ KmsKeyId: {k} }}, ResourceConfig: {{ VolumeKmsKeyId: {k} }}"
                ),
            ),
        ),
        (
            "ProcessingJob".to_string(),
            with_key(
                &format!(
                    "NetworkConfig: {{ EnableNetworkIsolation: {iso}, EnableInterContainerTrafficEncryption: {icte}, VpcConfig: {vpc_config} }}, RoleArn: {exec_role}"
                ),
                format!(
                    "ProcessingOutputConfig: {{ KmsKeyId: {k} }}, ProcessingResources: {{ ClusterConfig: {{ VolumeKmsKeyId: {k} }} }}"
                ),
            ),
        ),
        (
            "Model".to_string(),
            format!(
                "{{ EnableNetworkIsolation: {iso}, ExecutionRoleArn: {exec_role}, VpcConfig: {vpc_config} }}"
            ),
        ),
    ];
    if key.is_some() {
        sdk.push(("EndpointConfig".into(), format!("{{ KmsKeyId: {k} }}")));
        sdk.push((
            "TransformJob".into(),
            format!("{{ TransformOutput: {{ KmsKeyId: {k} }}, TransformResources: {{ VolumeKmsKeyId: {k} }} }}"),
        ));
    }
    let sdk_body: Vec<String> = sdk.into_iter().map(|(k, v)| format!("{k}: {v},")).collect();
    out.push((
        "SageMakerSdkConfig",
        "SageMaker Python SDK defaults with this environment's values: save as ~/.config/sagemaker/config.yaml.",
        format!(
            "cdk.Stack.of(this).toJsonString({{\nSchemaVersion: '1.0',\nSageMaker: {{\n{}\n}},\n}})",
            sdk_body.join("\n")
        ),
    ));
    let mut ids = Ids::default();
    out.into_iter()
        .map(|(id, description, value)| {
            json!({"id": ids.id(id, ""), "description": s(description), "value": value})
        })
        .collect()
}
