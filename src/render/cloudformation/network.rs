//! The network part of the CloudFormation context: VPC, subnets and routes, VPC endpoints,
//! security groups and their rules.
//!
//! Security-group rules follow the AWS::EC2::SecurityGroup documentation: rules that name
//! another group (or the group itself) are separate `AWS::EC2::SecurityGroupIngress/Egress`
//! resources, since inline they would make the groups depend on each other; CIDR and
//! prefix-list rules stay inline. A group with no inline egress rule keeps EC2's default
//! allow-all egress rule, so it gets one rule that matches no traffic instead (ICMP type 252
//! code 86 to 255.255.255.255/32, the rule aws-cdk-lib's `SecurityGroup` writes for
//! `allowAllOutbound: false`).

use super::Tags;
use super::context::{Endpoint as EndpointCtx, SecurityGroup, StandaloneRule, Vpc, Zone};
use super::intrinsics::{self as cfn, logical, pascal};
use crate::aws::endpoints::{self, EndpointKind};
use crate::model::endpoints::service_name_ref;
use crate::model::refs::Kind;
use crate::model::security::{Direction, Peer, Rule};
use crate::model::{Endpoint, Model};
use crate::render::yaml::{self, Node};
use crate::view::Names;

fn s(v: &str) -> String {
    yaml::scalar(v)
}

pub fn vpc(model: &Model, names: &Names, tags: &Tags) -> Option<Vpc> {
    let v = model.network.created.as_ref()?;
    let zones = v
        .zones
        .iter()
        .zip(&names.zones)
        .map(|(z, n)| {
            let sx = &z.suffix;
            Zone {
                subnet: logical(Kind::Subnet, &format!("private_{sx}")),
                rt: logical(Kind::RouteTable, &format!("private_{sx}")),
                assoc: format!("Private{}RouteTableAssociation", pascal(sx)),
                route: format!("Private{}InternetRoute", pascal(sx)),
                public_subnet: logical(Kind::Subnet, &format!("public_{sx}")),
                public_assoc: format!("Public{}RouteTableAssociation", pascal(sx)),
                az_id: s(&z.az_id),
                private_cidr: s(&z.private_cidr),
                public_cidr: z.public_cidr.as_deref().map(s),
                nat: z
                    .nat_gateway
                    .as_deref()
                    .map(|n| format!("NatGateway{}", pascal(n))),
                is_nat: z.nat_gateway.as_deref() == Some(sx.as_str()),
                nat_name: format!("NatGateway{}", pascal(sx)),
                eip: format!("NatEip{}", pascal(sx)),
                private_tags: tags.named(&n.private_subnet),
                rt_tags: tags.named(&n.private_route_table),
                public_tags: tags.named(&n.public_subnet),
                nat_tags: tags.named(&n.nat_gateway),
            }
        })
        .collect();
    Some(Vpc {
        cidr: s(&v.cidr),
        zones,
        public: v.public_subnets,
        tags: tags.named(&names.vpc),
        igw_tags: tags.named(&names.internet_gateway),
        public_rt_tags: tags.named(&names.public_route_table),
    })
}

/// The service name with `${AWS::Region}`, from the same catalog entry as the model's.
fn service_name(model: &Model, e: &Endpoint) -> String {
    match endpoints::find(e.key) {
        Some(entry) => cfn::value(&service_name_ref(entry, model.partition)),
        None => s(&e.service_name),
    }
}

pub fn endpoints<'a>(model: &'a Model, names: &Names, tags: &Tags) -> Vec<EndpointCtx<'a>> {
    model
        .endpoints
        .iter()
        // A reused endpoint (network.vpc.s3_gateway_endpoint_id) is not the stack's.
        .filter(|e| e.existing_id.is_none())
        .map(|e| EndpointCtx {
            logical: logical(Kind::VpcEndpoint, &e.name),
            key: e.key,
            service_name: service_name(model, e),
            service_name_raw: &e.service_name,
            gateway: e.kind == EndpointKind::Gateway,
            reason: &e.reason,
            purpose: e.purpose,
            source: e.source,
            policy: cfn::policy(&e.policy),
            tags: tags.named(&names.endpoint(e.key)),
            output: format!("{}EndpointId", pascal(&e.name)),
        })
        .collect()
}

/// A rule's peer as (property, value) for the given direction.
fn peer(group: &str, r: &Rule) -> (&'static str, String) {
    let ingress = r.direction == Direction::Ingress;
    match &r.peer {
        Peer::Itself | Peer::Group(_) => {
            let other = match &r.peer {
                Peer::Group(o) => o.as_str(),
                _ => group,
            };
            let prop = if ingress {
                "SourceSecurityGroupId"
            } else {
                "DestinationSecurityGroupId"
            };
            (
                prop,
                format!("!GetAtt {}.GroupId", logical(Kind::SecurityGroup, other)),
            )
        }
        Peer::Cidr(c) => ("CidrIp", s(c)),
        Peer::PrefixList(p) => {
            let prop = if ingress {
                "SourcePrefixListId"
            } else {
                "DestinationPrefixListId"
            };
            (prop, cfn::value(p))
        }
    }
}

/// The rule's fields in CloudFormation's order (a standalone rule adds its `GroupId`).
fn rule_fields(r: &Rule, peer: (&'static str, String)) -> Vec<(String, Node)> {
    let mut m = vec![("IpProtocol".to_string(), Node::Scalar(s(r.protocol)))];
    if let (Some(from), Some(to)) = (r.from_port, r.to_port) {
        m.push(("FromPort".into(), Node::Scalar(from.to_string())));
        m.push(("ToPort".into(), Node::Scalar(to.to_string())));
    }
    m.push((peer.0.into(), Node::Scalar(peer.1)));
    m.push(("Description".into(), Node::Scalar(s(&r.description))));
    m
}

/// The placeholder that removes EC2's default allow-all egress rule.
fn no_egress() -> Node {
    Node::Map(vec![
        ("IpProtocol".into(), Node::Scalar("icmp".into())),
        ("FromPort".into(), Node::Scalar("252".into())),
        ("ToPort".into(), Node::Scalar("86".into())),
        ("CidrIp".into(), Node::Scalar("255.255.255.255/32".into())),
        (
            "Description".into(),
            Node::Scalar(s(
                "Matches no traffic: replaces the default allow-all egress rule",
            )),
        ),
    ])
}

/// (security groups, standalone rules) for the template.
pub fn security_groups<'a>(
    model: &'a Model,
    names: &Names,
    tags: &Tags,
) -> (Vec<SecurityGroup<'a>>, Vec<StandaloneRule>) {
    let mut standalone = vec![];
    let groups = model
        .security_groups
        .iter()
        .map(|g| {
            let mut ingress = vec![];
            let mut egress = vec![];
            for r in &g.rules {
                let p = peer(&g.name, r);
                let refers_to_group = matches!(r.peer, Peer::Itself | Peer::Group(_));
                if refers_to_group {
                    let dir = match r.direction {
                        Direction::Ingress => "Ingress",
                        Direction::Egress => "Egress",
                    };
                    standalone.push(StandaloneRule {
                        logical: format!("{}{dir}{}", pascal(&g.name), pascal(&r.id)),
                        r#type: format!("AWS::EC2::SecurityGroup{dir}"),
                        group: logical(Kind::SecurityGroup, &g.name),
                        fields: Node::Map(rule_fields(r, p)).block(),
                    });
                } else {
                    let node = Node::Map(rule_fields(r, p));
                    match r.direction {
                        Direction::Ingress => ingress.push(node),
                        Direction::Egress => egress.push(node),
                    }
                }
            }
            if egress.is_empty() {
                egress.push(no_egress());
            }
            let group_name = names.security_group(&g.name);
            SecurityGroup {
                name: &g.name,
                logical: logical(Kind::SecurityGroup, &g.name),
                group_name: s(&group_name),
                description: s(&g.description),
                ingress: (!ingress.is_empty()).then(|| Node::Seq(ingress).block()),
                egress: Node::Seq(egress).block(),
                tags: tags.named(&group_name),
                output: format!("{}SecurityGroupId", pascal(&g.name)),
                text: rules_text(&g.rules),
            }
        })
        .collect();
    (groups, standalone)
}

/// One line per rule for the README (`in: …; out: …;`).
fn rules_text(rules: &[Rule]) -> String {
    let mut out = String::new();
    for dir in [Direction::Ingress, Direction::Egress] {
        for r in rules.iter().filter(|r| r.direction == dir) {
            let d = if dir == Direction::Ingress {
                "in"
            } else {
                "out"
            };
            out.push_str(&format!(" {d}: {};", r.description));
        }
    }
    out
}
