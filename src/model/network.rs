//! The network plan: VPC, subnets per AZ (CIDRs carved with ipnet), NAT, route tables.

use super::refs::{Attr, Input, Kind, Ref};
use crate::spec::{Nat, Valid};
use ipnet::Ipv4Net;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Network {
    /// `None` when an existing VPC is used.
    pub created: Option<CreatedVpc>,
    pub vpc_id: Ref,
    /// Where the domain, notebooks, jobs and interface endpoints live.
    pub private_subnets: Vec<Ref>,
    /// Route tables of the private subnets (the S3 gateway endpoint attaches to them).
    pub private_route_tables: Vec<Ref>,
    pub flow_logs: bool,
    /// The ids of a reused VPC (defaults of the generated inputs).
    pub existing: Option<ExistingVpc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExistingVpc {
    pub vpc_id: String,
    pub subnet_ids: Vec<String>,
    pub route_table_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreatedVpc {
    pub cidr: String,
    pub zones: Vec<Zone>,
    pub nat: Nat,
    /// Public subnets exist only to hold NAT gateways.
    pub public_subnets: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Zone {
    /// Logical suffix: `a`, `b`, …
    pub suffix: String,
    pub az_id: String,
    pub private_cidr: String,
    pub public_cidr: Option<String>,
    /// Logical name of the NAT gateway the zone's private route table uses.
    pub nat_gateway: Option<String>,
    /// Usable addresses of the private subnet (AWS reserves five per subnet).
    pub private_capacity: u32,
}

/// Bits that split `n` equal blocks out of a network.
fn split_bits(n: usize) -> u8 {
    (usize::BITS - (n.max(1) - 1).leading_zeros()) as u8
}

/// The subnet blocks of a VPC block with `zones` Availability Zones: (private, public), one of
/// each per zone. Private subnets take the lower half of the VPC, split evenly per AZ; public
/// subnets (NAT only) are small blocks from the upper half: they hold nothing but NAT gateways.
/// Public blocks are carved whether or not the structure has public subnets.
pub fn carve(net: Ipv4Net, zones: usize) -> (Vec<Ipv4Net>, Vec<Ipv4Net>) {
    let private_prefix = net.prefix_len() + 1 + split_bits(zones);
    let halves: Vec<Ipv4Net> = net
        .subnets(net.prefix_len() + 1)
        .expect("prefix < 32")
        .collect();
    let private: Vec<Ipv4Net> = halves[0]
        .subnets(private_prefix)
        .expect("prefix <= 28")
        .take(zones)
        .collect();
    let public_prefix = (private_prefix + 3).min(28);
    let publics: Vec<Ipv4Net> = halves[1]
        .subnets(public_prefix)
        .expect("prefix <= 28")
        .take(zones)
        .collect();
    (private, publics)
}

pub fn plan(spec: &Valid, az_ids: &[String]) -> Network {
    let v = &spec.network.vpc;
    // Validation parsed the block of a VPC smgen creates; an existing VPC has none.
    let Some(net) = spec.cidr() else {
        let subnets = (0..v.subnet_ids.len())
            .map(|i| Ref::InputItem(Input::SubnetIds, i))
            .collect();
        let rts = (0..v.route_table_ids.len())
            .map(|i| Ref::InputItem(Input::RouteTableIds, i))
            .collect();
        return Network {
            created: None,
            vpc_id: Ref::Input(Input::VpcId),
            private_subnets: subnets,
            private_route_tables: rts,
            flow_logs: spec.network.flow_logs,
            existing: Some(ExistingVpc {
                vpc_id: v.vpc_id.clone().unwrap_or_default(),
                subnet_ids: v.subnet_ids.clone(),
                route_table_ids: v.route_table_ids.clone(),
            }),
        };
    };
    let nat = spec.network.nat;
    let public = nat != Nat::None;
    let (private, publics) = carve(net, az_ids.len());
    let zones: Vec<Zone> = az_ids
        .iter()
        .enumerate()
        .map(|(i, az)| {
            let suffix = ((b'a' + i as u8) as char).to_string();
            let nat_gateway = match nat {
                Nat::None => None,
                Nat::Single => Some("a".to_string()),
                Nat::PerAz => Some(suffix.clone()),
            };
            Zone {
                az_id: az.clone(),
                private_cidr: private[i].to_string(),
                public_cidr: public.then(|| publics[i].to_string()),
                nat_gateway,
                private_capacity: (1u32 << (32 - private[i].prefix_len())) - 5,
                suffix,
            }
        })
        .collect();
    let private_subnets = zones
        .iter()
        .map(|z| Ref::attr(Kind::Subnet, &format!("private_{}", z.suffix), Attr::Id))
        .collect();
    let private_route_tables = zones
        .iter()
        .map(|z| Ref::attr(Kind::RouteTable, &format!("private_{}", z.suffix), Attr::Id))
        .collect();
    Network {
        created: Some(CreatedVpc {
            cidr: net.to_string(),
            zones,
            nat,
            public_subnets: public,
        }),
        vpc_id: Ref::attr(Kind::Vpc, "main", Attr::Id),
        private_subnets,
        private_route_tables,
        flow_logs: spec.network.flow_logs,
        existing: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(cidr: &str, nat: &str) -> Valid {
        crate::spec::load(
            &crate::spec::SpecSource::Config {
                origin: "t".into(),
                text: format!(
                    "[project]\nname=\"tt\"\nregion=\"eu-west-1\"\n[network]\nnat=\"{nat}\"\n[network.vpc]\ncidr=\"{cidr}\"\n"
                ),
            },
            &[],
        )
        .unwrap()
    }

    fn ids(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("euw1-az{i}")).collect()
    }

    #[test]
    fn subnets_do_not_overlap_and_fit_in_the_vpc() {
        for azs in 1..=6 {
            for cidr in ["10.0.0.0/16", "10.1.0.0/20", "192.168.0.0/24"] {
                let n = plan(&spec(cidr, "per-az"), &ids(azs));
                let vpc: Ipv4Net = cidr.parse().unwrap();
                let c = n.created.unwrap();
                let mut all: Vec<Ipv4Net> = vec![];
                for z in &c.zones {
                    all.push(z.private_cidr.parse().unwrap());
                    all.push(z.public_cidr.as_ref().unwrap().parse().unwrap());
                }
                for (i, a) in all.iter().enumerate() {
                    assert!(vpc.contains(a), "{a} outside {vpc}");
                    for b in &all[i + 1..] {
                        assert!(!a.contains(b) && !b.contains(a), "{a} overlaps {b}");
                    }
                }
            }
        }
    }

    #[test]
    fn two_azs_in_a_slash_16() {
        let n = plan(&spec("10.20.0.0/16", "none"), &ids(2));
        let c = n.created.unwrap();
        assert_eq!(c.zones[0].private_cidr, "10.20.0.0/18");
        assert_eq!(c.zones[1].private_cidr, "10.20.64.0/18");
        assert_eq!(c.zones[0].private_capacity, 16379);
        assert!(c.zones[0].public_cidr.is_none());
        assert!(!c.public_subnets);
    }

    #[test]
    fn single_nat_serves_every_zone() {
        let c = plan(&spec("10.20.0.0/16", "single"), &ids(3))
            .created
            .unwrap();
        assert!(
            c.zones
                .iter()
                .all(|z| z.nat_gateway.as_deref() == Some("a"))
        );
        assert_eq!(c.zones[2].public_cidr.as_deref(), Some("10.20.136.0/22"));
    }
}
