//! The network construct (`lib/network.ts`): the VPC, its subnets, route tables and NAT
//! gateways, or the existing VPC's ids; the security groups and their rules; the VPC endpoints.

use super::context::{Endpoint, ExistingVpc, Network, SecurityGroup, SecurityGroupRule, Vpc, Zone};
use super::{Ctx, Ids, nag_list};
use crate::aws::endpoints::EndpointKind;
use crate::model::security::{Direction, Peer, Rule};
use crate::render::typescript::string as s;
use crate::render::typescript::{comment, pascal};
use crate::view::waivers;

pub(super) fn network(c: &Ctx) -> Network {
    let m = c.model;
    let net = &m.network;
    let vpc = net.created.as_ref().map(|v| Vpc {
        cidr: s(&v.cidr),
        zones: v
            .zones
            .iter()
            .zip(&c.names.zones)
            .map(|(z, n)| Zone {
                key: s(&format!("private_{}", z.suffix)),
                public_key: s(&format!("public_{}", z.suffix)),
                up: pascal(&z.suffix.to_uppercase()),
                az_id: s(&z.az_id),
                private_cidr: s(&z.private_cidr),
                public_cidr: z.public_cidr.as_deref().map(s),
                nat: z.nat_gateway.as_deref().map(s),
                has_nat: z.nat_gateway.is_some(),
                is_nat: z.nat_gateway.as_deref() == Some(z.suffix.as_str()),
                nat_key: s(&z.suffix),
                private_name: s(&n.private_subnet),
                public_name: s(&n.public_subnet),
                nat_name: s(&n.nat_gateway),
            })
            .collect(),
        public: v.public_subnets,
        name: s(&c.names.vpc),
        igw_name: s(&c.names.internet_gateway),
        public_rt_name: s(&c.names.public_route_table),
        route_tables: c.list(&net.private_route_tables),
    });
    let existing = net.existing.as_ref().map(|x| {
        let arr = |v: &[String]| {
            format!(
                "[{}]",
                v.iter().map(|i| s(i)).collect::<Vec<_>>().join(", ")
            )
        };
        ExistingVpc {
            vpc_id: s(&x.vpc_id),
            subnet_ids: arr(&x.subnet_ids),
            route_table_ids: arr(&x.route_table_ids),
        }
    });

    let mut ids = Ids::default();
    let security_groups = m
        .security_groups
        .iter()
        .map(|g| SecurityGroup {
            key: s(&g.name),
            id: ids.id(&g.name, "SecurityGroup"),
            group_name: s(&c.names.security_group(&g.name)),
            description: s(&g.description),
        })
        .collect();
    let rules = m
        .security_groups
        .iter()
        .flat_map(|g| g.rules.iter().map(move |r| (g, r)))
        .map(|(g, r)| SecurityGroupRule {
            group: s(&g.name),
            method: match r.direction {
                Direction::Ingress => "addIngressRule",
                Direction::Egress => "addEgressRule",
            },
            peer: match &r.peer {
                Peer::Itself => format!("this.securityGroups[{}]", s(&g.name)),
                Peer::Group(o) => format!("this.securityGroups[{}]", s(o)),
                Peer::Cidr(cidr) if cidr.contains(':') => format!("ec2.Peer.ipv6({})", s(cidr)),
                Peer::Cidr(cidr) => format!("ec2.Peer.ipv4({})", s(cidr)),
                Peer::PrefixList(p) => format!("ec2.Peer.prefixList({})", c.e(p)),
            },
            port: port(r),
            description: s(&r.description),
        })
        .collect();

    let endpoints = m
        .endpoints
        .iter()
        .map(|e| Endpoint {
            key: s(&e.name),
            // The endpoint's id, then its prefix list's: ids are numbered in the order taken.
            id: ids.id(&e.name, "Endpoint"),
            lookup_id: ids.id(&e.name, "PrefixList"),
            existing_id: e.existing_id.as_deref().map(s),
            service_name: s(&e.service_name),
            gateway: e.kind == EndpointKind::Gateway,
            tag_name: s(&c.names.endpoint(e.key)),
            what: comment(&format!("{}: {}.", e.key, e.purpose)),
            why: comment(&format!("Why: {} ({}).", e.reason, e.source)),
        })
        .collect();

    Network {
        vpc,
        existing,
        security_groups,
        rules,
        endpoints,
        has_gateway: m.endpoints.iter().any(|e| e.kind == EndpointKind::Gateway),
        flow_logs: net.flow_logs,
        nag: nag_list(&waivers::network(m)),
    }
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
