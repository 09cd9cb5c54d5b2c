//! What a regeneration changes in the environment itself, not in files: resources added or
//! removed by kind, the VPC endpoints, the NAT gateways, the reachability cells that change
//! (from `explain`'s matrix) and the monthly baseline cost before and after. `smgen upgrade`
//! and `smgen generate` into a project print it next to their file table, so that a change
//! such as `network.nat=single` on a VPC-only project reads as "9 interface endpoints removed,
//! 1 NAT gateway added, Studio apps → public internet ✗ → ✓ NAT", not as nine policy files.
//!
//! Both sides are resolved models: the old one from the answers the lock records as applied,
//! the new one from the answers being applied now.

use crate::aws::endpoints::EndpointKind;
use crate::explain::{self, reach};
use crate::model::Model;
use crate::spec::Nat;
use serde::Serialize;

/// How many of each kind of resource a model creates, in a fixed order (kinds with none
/// included, so that two models compare row by row).
pub fn resource_counts(model: &Model) -> Vec<(&'static str, usize)> {
    let created = model.network.created.as_ref();
    let interface = model
        .endpoints
        .iter()
        .filter(|e| e.kind == EndpointKind::Interface)
        .count();
    vec![
        ("VPC", usize::from(created.is_some())),
        (
            "subnets",
            created.map_or(0, |c| c.zones.len() * if c.public_subnets { 2 } else { 1 }),
        ),
        ("NAT gateways", nat_gateways(model)),
        ("interface endpoints", interface),
        ("gateway endpoints", model.endpoints.len() - interface),
        ("security groups", model.security_groups.len()),
        (
            "KMS keys",
            usize::from(model.kms.mode == crate::spec::KmsMode::Create),
        ),
        ("S3 buckets", model.buckets.len()),
        ("log groups", model.log_groups.len()),
        ("IAM roles", model.roles.len()),
        (
            "IAM managed policies",
            model
                .roles
                .iter()
                .map(|r| r.policies.len() + usize::from(r.boundary.is_some()))
                .sum::<usize>()
                + model.access_policies.len(),
        ),
        ("Studio domains", usize::from(model.domain.is_some())),
        (
            "user profiles",
            model.domain.as_ref().map_or(0, |d| d.profiles.len()),
        ),
        ("notebook instances", model.notebooks.len()),
    ]
}

/// The NAT gateways a model creates: one with `nat = "single"` (every zone routes to it), one
/// per zone with `per-az` (the templates create one per zone that names its own gateway).
pub fn nat_gateways(model: &Model) -> usize {
    match &model.network.created {
        Some(c) if c.nat == Nat::Single => 1,
        Some(c) if c.nat == Nat::PerAz => c.zones.len(),
        _ => 0,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    pub kind: &'static str,
    pub before: usize,
    pub after: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reach {
    pub from: &'static str,
    pub to: &'static str,
    pub before: String,
    pub after: String,
}

/// A VPC endpoint that appears or disappears.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Endpoint {
    pub key: String,
    pub kind: EndpointKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cost {
    /// Monthly baseline in USD (list prices; `None`: a line has no price figure).
    pub before_usd: Option<f64>,
    pub after_usd: Option<f64>,
}

/// What changes in the environment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changes {
    pub resources: Vec<Count>,
    pub endpoints_added: Vec<Endpoint>,
    pub endpoints_removed: Vec<Endpoint>,
    pub nat_gateways: Count,
    pub reachability: Vec<Reach>,
    pub cost: Cost,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
            && self.endpoints_added.is_empty()
            && self.endpoints_removed.is_empty()
            && self.reachability.is_empty()
            && self.cost.before_usd == self.cost.after_usd
    }

    /// For people: one line per change, e.g. `- interface endpoints: 9 → 0 (removed:
    /// sagemaker.api, …)`; empty when nothing changes.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![];
        for c in &self.resources {
            let mut line = format!("{}: {} → {}", c.kind, c.before, c.after);
            if let Some(kind) = endpoint_kind(c.kind) {
                let pick = |list: &[Endpoint]| -> Vec<String> {
                    list.iter()
                        .filter(|e| e.kind == kind)
                        .map(|e| e.key.clone())
                        .collect()
                };
                let (added, removed) = (pick(&self.endpoints_added), pick(&self.endpoints_removed));
                if !added.is_empty() {
                    line.push_str(&format!(" (added: {})", added.join(", ")));
                }
                if !removed.is_empty() {
                    line.push_str(&format!(" (removed: {})", removed.join(", ")));
                }
            }
            out.push(line);
        }
        // Endpoints swapped one for another of the same kind leave the counts alone.
        let counted = |e: &Endpoint| {
            self.resources
                .iter()
                .any(|c| endpoint_kind(c.kind) == Some(e.kind))
        };
        let added: Vec<String> = self
            .endpoints_added
            .iter()
            .filter(|e| !counted(e))
            .map(|e| e.key.clone())
            .collect();
        let removed: Vec<String> = self
            .endpoints_removed
            .iter()
            .filter(|e| !counted(e))
            .map(|e| e.key.clone())
            .collect();
        if !added.is_empty() || !removed.is_empty() {
            out.push(format!(
                "VPC endpoints: added {}; removed {}",
                list(&added),
                list(&removed)
            ));
        }
        // One line per workload and change: `Studio apps → ECR, STS: ✓ endpoint → ✓ NAT`.
        let mut groups: Vec<(&str, &str, &str, Vec<&str>)> = vec![];
        for r in &self.reachability {
            match groups
                .iter_mut()
                .find(|g| g.0 == r.from && g.1 == r.before && g.2 == r.after)
            {
                Some(g) => g.3.push(r.to),
                None => groups.push((r.from, &r.before, &r.after, vec![r.to])),
            }
        }
        for (from, before, after, to) in groups {
            out.push(format!("{from} → {}: {before} → {after}", to.join(", ")));
        }

        if self.cost.before_usd != self.cost.after_usd {
            let show = |v: Option<f64>| v.map_or("no figure".to_string(), explain::cost::usd);
            out.push(format!(
                "monthly baseline (list prices, `smgen explain`): {} → {}",
                show(self.cost.before_usd),
                show(self.cost.after_usd)
            ));
        }
        out
    }
}

fn list(keys: &[String]) -> String {
    if keys.is_empty() {
        "none".into()
    } else {
        keys.join(", ")
    }
}

/// The endpoint kind a resource-count row counts.
fn endpoint_kind(row: &str) -> Option<EndpointKind> {
    match row {
        "interface endpoints" => Some(EndpointKind::Interface),
        "gateway endpoints" => Some(EndpointKind::Gateway),
        _ => None,
    }
}

fn hop(cell: &reach::Cell) -> String {
    match cell.hop {
        Some(reach::Hop::InterfaceEndpoint) => "✓ endpoint",
        Some(reach::Hop::S3Gateway) => "✓ S3 gateway",
        Some(reach::Hop::Nat) => "✓ NAT",
        Some(reach::Hop::SagemakerManaged) => "✓ managed",
        None => "✗",
    }
    .to_string()
}

/// What changes from `old` to `new`.
pub fn changes(old: &Model, new: &Model) -> Changes {
    let (a, b) = (resource_counts(old), resource_counts(new));
    let resources = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x.1 != y.1)
        .map(|(x, y)| Count {
            kind: x.0,
            before: x.1,
            after: y.1,
        })
        .collect();
    let only_in = |a: &Model, b: &Model| -> Vec<Endpoint> {
        a.endpoints
            .iter()
            .filter(|e| !b.endpoints.iter().any(|x| x.key == e.key))
            .map(|e| Endpoint {
                key: e.key.to_string(),
                kind: e.kind,
            })
            .collect()
    };
    let endpoints_added = only_in(new, old);
    let endpoints_removed = only_in(old, new);
    let (ma, mb) = (reach::matrix(old), reach::matrix(new));
    let mut reachability = vec![];
    for row in &mb.rows {
        for cell in &row.cells {
            let before = ma.cell(row.source, cell.destination);
            let (was, now) = (before.map(hop), hop(cell));
            match was {
                Some(w) if w == now => {}
                // A workload that did not exist before (notebooks turned on) is new, not a
                // changed cell.
                None => {}
                Some(w) => reachability.push(Reach {
                    from: row.label,
                    to: cell.destination.label(),
                    before: w,
                    after: now,
                }),
            }
        }
    }
    let cost = |m: &Model| explain::cost::estimate(m, None).baseline_usd;
    Changes {
        resources,
        endpoints_added,
        endpoints_removed,
        nat_gateways: Count {
            kind: "NAT gateways",
            before: nat_gateways(old),
            after: nat_gateways(new),
        },
        reachability,
        cost: Cost {
            before_usd: cost(old),
            after_usd: cost(new),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{self, SpecSource};

    fn model(preset: &str, sets: &[&str]) -> Model {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        let spec = spec::load(&SpecSource::Preset(preset.into()), &sets).unwrap();
        crate::model::resolve(&spec)
    }

    #[test]
    fn nat_instead_of_endpoints_reads_as_what_it_means() {
        let old = model("vpc-only-isolated", &[]);
        let new = model("vpc-only-isolated", &["network.nat=single"]);
        let c = changes(&old, &new);
        assert_eq!(
            (c.nat_gateways.before, c.nat_gateways.after),
            (0, 1),
            "{c:?}"
        );
        let lines = c.lines().join("\n");
        assert!(lines.contains("NAT gateways: 0 → 1"), "{lines}");
        assert!(lines.contains("interface endpoints: 9 → 0"), "{lines}");
        assert!(lines.contains("removed: "), "{lines}");
        assert!(lines.contains("KMS, public internet: ✗ → ✓ NAT"), "{lines}");
        assert!(lines.contains("monthly baseline"), "{lines}");
        assert!(changes(&old, &old).is_empty());
        assert!(changes(&old, &old).lines().is_empty());
    }

    #[test]
    fn single_nat_is_one_gateway_whatever_the_zones() {
        let m = model("vpc-only-nat", &["network.nat=single", "network.vpc.azs=3"]);
        assert_eq!(nat_gateways(&m), 1);
        let m = model("vpc-only-nat", &["network.nat=per-az", "network.vpc.azs=3"]);
        assert_eq!(nat_gateways(&m), 3);
    }
}
