//! Validation of the network answers: the VPC block and zones, an existing VPC's ids, NAT, the
//! endpoint list.

use crate::aws::endpoints::{self, CatalogEntry};
use crate::aws::region::RegionInfo;
use crate::error::{Error, Result};
use crate::spec::rules;
use crate::spec::{EndpointChoice, Nat, Spec};
use ipnet::Ipv4Net;
use std::collections::BTreeSet;

impl Spec {
    /// The network answers; the VPC block when smgen creates the VPC.
    pub(super) fn validate_network(&self, info: &RegionInfo) -> Result<Option<Ipv4Net>> {
        let n = &self.network;
        let v = &n.vpc;
        let mut cidr = None;
        if v.create {
            let net: Ipv4Net = v.cidr.parse().map_err(|_| {
                Error::invalid(
                    "network.vpc.cidr",
                    &v.cidr,
                    "not an IPv4 CIDR block",
                    "a block such as '10.20.0.0/16'",
                )
            })?;
            if net.trunc() != net {
                return Err(Error::invalid(
                    "network.vpc.cidr",
                    &v.cidr,
                    "host bits are set",
                    format!("the network address, '{}'", net.trunc()),
                ));
            }
            // AWS takes VPC blocks from /16 to /28 (VPC User Guide, VPC CIDR blocks); smgen
            // stops at /24 so that every zone's private subnet still holds Studio's addresses.
            if net.prefix_len() < 16 {
                return Err(Error::invalid(
                    "network.vpc.cidr",
                    &v.cidr,
                    "block too large: AWS allows VPC blocks from /16 (65,536 addresses) to /28",
                    "a /16 to /24 block, such as '10.20.0.0/16'",
                ));
            }
            if net.prefix_len() > 24 {
                return Err(Error::invalid(
                    "network.vpc.cidr",
                    &v.cidr,
                    "block too small: smaller blocks leave too few addresses for Studio",
                    "a /16 to /24 block, such as '10.20.0.0/16'",
                ));
            }
            if !(1..=6).contains(&v.azs) {
                return Err(Error::invalid(
                    "network.vpc.azs",
                    v.azs,
                    "number of Availability Zones out of range",
                    "1 to 6",
                ));
            }
            self.validate_az_ids(info)?;
            self.validate_subnet_size(&net)?;
            cidr = Some(net);
            for (field, set) in [
                ("network.vpc.subnet_ids", !v.subnet_ids.is_empty()),
                ("network.vpc.route_table_ids", !v.route_table_ids.is_empty()),
                ("network.vpc.vpc_id", v.vpc_id.is_some()),
                (
                    "network.vpc.s3_gateway_endpoint_id",
                    v.s3_gateway_endpoint_id.is_some(),
                ),
            ] {
                if set {
                    return Err(Error::invalid(
                        field,
                        "(set)",
                        "only used with an existing VPC",
                        "set network.vpc.create = false to reuse a VPC, or remove the key",
                    ));
                }
            }
        } else {
            let id = v.vpc_id.as_deref().unwrap_or("");
            if !rules::is_ec2_id(id, "vpc-") {
                return Err(Error::invalid(
                    "network.vpc.vpc_id",
                    id,
                    "missing or not a VPC id",
                    "an id such as 'vpc-0123456789abcdef0' (required when network.vpc.create = false)",
                ));
            }
            if v.subnet_ids.is_empty() {
                return Err(Error::invalid(
                    "network.vpc.subnet_ids",
                    "[]",
                    "an existing VPC needs private subnets",
                    "one or more ids such as 'subnet-0123456789abcdef0', ideally in different AZs",
                ));
            }
            check_ids("network.vpc.subnet_ids", &v.subnet_ids, "subnet-")?;
            check_ids("network.vpc.route_table_ids", &v.route_table_ids, "rtb-")?;
            if v.route_table_ids.is_empty() {
                return Err(Error::invalid(
                    "network.vpc.route_table_ids",
                    "[]",
                    "the S3 gateway endpoint needs the private subnets' route tables",
                    "one or more ids such as 'rtb-0123456789abcdef0'",
                ));
            }
            if let Some(id) = &v.s3_gateway_endpoint_id
                && !rules::is_ec2_id(id, "vpce-")
            {
                return Err(Error::invalid(
                    "network.vpc.s3_gateway_endpoint_id",
                    id,
                    "not a VPC endpoint id",
                    "the id of the VPC's S3 gateway endpoint, such as 'vpce-0123456789abcdef0', or remove the key to create one",
                ));
            }
            if n.nat != Nat::None {
                return Err(Error::invalid(
                    "network.nat",
                    super::nat_name(n.nat),
                    "smgen creates NAT gateways only in a VPC it creates",
                    "'none' with an existing VPC",
                ));
            }
        }
        if n.private_endpoints_with_nat {
            if n.nat == Nat::None {
                return Err(Error::invalid(
                    "network.private_endpoints_with_nat",
                    "true",
                    "only used with a NAT gateway: without NAT the interface endpoints are always created",
                    "remove it, or set network.nat = \"single\" or \"per-az\"",
                ));
            }
            if matches!(n.endpoints, EndpointChoice::List(_)) {
                return Err(Error::invalid(
                    "network.private_endpoints_with_nat",
                    "true",
                    "only used with network.endpoints = \"auto\": a list already names every endpoint",
                    "remove it, or set network.endpoints = \"auto\"",
                ));
            }
        }
        Ok(cidr)
    }

    /// An explicit `network.endpoints` list, as catalog entries (`None` for `auto`).
    pub(super) fn validate_endpoints(&self) -> Result<Option<Vec<&'static CatalogEntry>>> {
        match &self.network.endpoints {
            EndpointChoice::Keyword(k) if k == "auto" => Ok(None),
            EndpointChoice::Keyword(k) => Err(Error::invalid(
                "network.endpoints",
                k,
                "unknown keyword",
                "'auto' or a list of endpoint keys",
            )),
            EndpointChoice::List(keys) => {
                let mut seen = BTreeSet::new();
                let mut entries = vec![];
                for key in keys {
                    let Some(entry) = endpoints::find(key) else {
                        return Err(Error::invalid(
                            "network.endpoints",
                            key,
                            "unknown endpoint",
                            format!("one of: {}", endpoints::keys().join(", ")),
                        ));
                    };
                    if !seen.insert(key) {
                        return Err(Error::invalid(
                            "network.endpoints",
                            key,
                            "listed twice",
                            "each endpoint once",
                        ));
                    }
                    entries.push(entry);
                }
                Ok(Some(entries))
            }
        }
    }

    /// The private subnets must hold the minimum Studio needs: 2 addresses per user profile
    /// (2-4 per user: dg VpcOnly requirements, docs/sagemaker-facts.md § 2.4) spread over the zones, plus
    /// about 4 per subnet for the SageMaker interface endpoints (Studio administration best
    /// practices whitepaper, network management). AWS keeps 5 addresses of every subnet (VPC
    /// User Guide, subnet sizing). Below that, Studio apps fail to start; the comfortable
    /// estimate is a warning among the findings.
    fn validate_subnet_size(&self, net: &Ipv4Net) -> Result<()> {
        let azs = usize::from(self.network.vpc.azs).max(1);
        // The network plan gives the private subnets the lower half of the block, split evenly.
        let split = usize::BITS - (azs - 1).leading_zeros();
        let prefix = u32::from(net.prefix_len()) + 1 + split;
        let usable = (1usize << (32 - prefix)) - 5;
        let users = self.studio.user_profiles.len();
        let needed = 2 * users.div_ceil(azs) + 4;
        if usable < needed {
            return Err(Error::invalid(
                "network.vpc.cidr",
                &self.network.vpc.cidr,
                format!(
                    "each private subnet (/{prefix}) has {usable} usable addresses, fewer than the {needed} that {users} user profiles in {azs} zones need"
                ),
                "a larger block (smaller prefix length) or more Availability Zones",
            ));
        }
        Ok(())
    }

    fn validate_az_ids(&self, info: &RegionInfo) -> Result<()> {
        let v = &self.network.vpc;
        if v.az_ids.is_empty() {
            if usize::from(v.azs) > info.az_ids.len() {
                return Err(Error::invalid(
                    "network.vpc.azs",
                    v.azs,
                    format!(
                        "{} has {} zones in smgen's table",
                        info.name,
                        info.az_ids.len()
                    ),
                    format!(
                        "at most {}, or list the zone ids in network.vpc.az_ids",
                        info.az_ids.len()
                    ),
                ));
            }
            return Ok(());
        }
        if v.az_ids.len() != usize::from(v.azs) {
            return Err(Error::invalid(
                "network.vpc.az_ids",
                v.az_ids.join(","),
                "the number of zone ids differs from network.vpc.azs",
                format!("exactly {} zone ids", v.azs),
            ));
        }
        let mut seen = BTreeSet::new();
        for id in &v.az_ids {
            if !info.owns_az_id(id) || !seen.insert(id) {
                return Err(Error::invalid(
                    "network.vpc.az_ids",
                    id,
                    "not a distinct zone id of the region",
                    format!("ids such as '{}'", info.az_ids[0]),
                ));
            }
        }
        Ok(())
    }
}

fn check_ids(field: &str, ids: &[String], prefix: &str) -> Result<()> {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !rules::is_ec2_id(id, prefix) || !seen.insert(id) {
            return Err(Error::invalid(
                field,
                id,
                "not a distinct resource id",
                format!("ids such as '{prefix}0123456789abcdef0'"),
            ));
        }
    }
    Ok(())
}
