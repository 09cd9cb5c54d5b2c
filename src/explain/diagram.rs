//! The architecture diagram: one graph built from the model and the reachability matrix (VPC,
//! private and public subnets per AZ, NAT gateways, endpoints, the Studio domain, notebook
//! instances, jobs, the buckets and the key, and the data paths the matrix found), written as
//! Mermaid (renders on GitHub) or Graphviz dot. Labels are escaped for each syntax.

use super::reach::{Hop, Matrix, Source};
use crate::aws::endpoints::EndpointKind;
use crate::model::Model;
use crate::spec::{KmsMode, Nat, NetworkMode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagramFormat {
    Mermaid,
    Dot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Box,
    Store,
    Key,
    Cloud,
}

#[derive(Debug)]
struct Node {
    id: String,
    label: String,
    shape: Shape,
}

#[derive(Debug, Default)]
struct Cluster {
    id: String,
    label: String,
    nodes: Vec<Node>,
    clusters: Vec<Cluster>,
}

#[derive(Debug)]
struct Edge {
    from: String,
    to: String,
    label: String,
    dashed: bool,
}

#[derive(Debug, Default)]
struct Graph {
    top: Cluster,
    edges: Vec<Edge>,
}

fn node(id: &str, label: impl Into<String>, shape: Shape) -> Node {
    Node {
        id: id.into(),
        label: label.into(),
        shape,
    }
}

impl Graph {
    fn edge(&mut self, from: &str, to: &str, label: &str, dashed: bool) {
        let e = Edge {
            from: from.into(),
            to: to.into(),
            label: label.into(),
            dashed,
        };
        if !self
            .edges
            .iter()
            .any(|x| x.from == e.from && x.to == e.to && x.label == e.label)
        {
            self.edges.push(e);
        }
    }
}

fn source_node(s: Source) -> &'static str {
    match s {
        Source::StudioApps => "studio",
        Source::NotebookInstances => "notebooks",
        Source::JobsIsolated | Source::JobsNotIsolated | Source::HostedModels => "jobs",
    }
}

fn build(model: &Model, matrix: &Matrix) -> Graph {
    let mut g = Graph::default();
    let mut vpc = Cluster {
        id: "vpc".into(),
        ..Default::default()
    };
    let mut nat_ids = vec![];
    match &model.network.created {
        Some(c) => {
            vpc.label = format!("VPC {}", c.cidr);
            for z in &c.zones {
                let mut az = Cluster {
                    id: format!("az_{}", z.suffix),
                    label: format!("AZ {}", z.az_id),
                    ..Default::default()
                };
                az.nodes.push(node(
                    &format!("private_{}", z.suffix),
                    format!("private subnet {}", z.private_cidr),
                    Shape::Box,
                ));
                if let Some(p) = &z.public_cidr {
                    az.nodes.push(node(
                        &format!("public_{}", z.suffix),
                        format!("public subnet {p}"),
                        Shape::Box,
                    ));
                    let hosts_nat =
                        c.nat == Nat::PerAz || (c.nat == Nat::Single && z.suffix == "a");
                    if hosts_nat {
                        let id = format!("nat_{}", z.suffix);
                        az.nodes.push(node(&id, "NAT gateway", Shape::Box));
                        nat_ids.push(id);
                    }
                }
                vpc.clusters.push(az);
            }
        }
        None => {
            vpc.label = "existing VPC".into();
            vpc.nodes.push(node(
                "private_subnets",
                format!(
                    "{} existing private subnets",
                    model.network.private_subnets.len()
                ),
                Shape::Box,
            ));
        }
    }
    let interface: Vec<&str> = model
        .endpoints
        .iter()
        .filter(|e| e.kind == EndpointKind::Interface)
        .map(|e| e.key)
        .collect();
    if !interface.is_empty() {
        vpc.nodes.push(node(
            "endpoints",
            format!("interface endpoints: {}", interface.join(", ")),
            Shape::Box,
        ));
    }
    if model.endpoint("s3").is_some() {
        vpc.nodes
            .push(node("s3gw", "S3 gateway endpoint", Shape::Box));
    }
    let in_vpc = |s: Source| match s {
        Source::StudioApps => model.mode == NetworkMode::VpcOnly,
        Source::NotebookInstances => true,
        _ => true,
    };
    if let Some(d) = &model.domain {
        let label = format!(
            "Studio domain ({}), {} user profile{}",
            d.app_network_access_type,
            d.profiles.len(),
            if d.profiles.len() == 1 { "" } else { "s" }
        );
        if in_vpc(Source::StudioApps) {
            vpc.nodes.push(node("studio", label, Shape::Box));
        } else {
            g.top.nodes.push(node("studio", label, Shape::Box));
        }
    }
    if !model.notebooks.is_empty() {
        let names: Vec<&str> = model
            .notebooks
            .iter()
            .map(|n| n.instance_name.as_str())
            .collect();
        vpc.nodes.push(node(
            "notebooks",
            format!("notebook instances: {}", names.join(", ")),
            Shape::Box,
        ));
    }
    vpc.nodes.push(node(
        "jobs",
        format!(
            "training, processing, hosting (network isolation {})",
            if model.jobs.network_isolation {
                "on"
            } else {
                "off"
            }
        ),
        Shape::Box,
    ));
    let first_subnet = vpc
        .clusters
        .first()
        .and_then(|az| az.nodes.first())
        .or(vpc.nodes.first())
        .map(|n| n.id.clone());
    g.top.clusters.push(vpc);
    // Public only still mounts the Studio EFS through the domain's subnets (docs/sagemaker-facts.md § 2.2).
    if model.domain.is_some()
        && !in_vpc(Source::StudioApps)
        && let Some(subnet) = &first_subnet
    {
        g.edge("studio", subnet, "EFS home (NFS 2049)", true);
    }

    // Outside the VPC.
    for b in model.buckets.iter() {
        let what = if b.is_log_target {
            "access logs"
        } else {
            "data"
        };
        g.top.nodes.push(node(
            &format!("bucket_{}", b.name),
            format!("S3 bucket {} ({what})", b.name),
            Shape::Store,
        ));
    }
    let key = match model.kms.mode {
        KmsMode::Create => Some("KMS key (customer managed, created)"),
        KmsMode::Existing => Some("KMS key (customer managed, existing)"),
        KmsMode::AwsManaged => None,
    };
    if let Some(k) = key {
        g.top.nodes.push(node("kms", k, Shape::Key));
    }
    g.top
        .nodes
        .push(node("aws", "AWS service endpoints (public)", Shape::Cloud));
    g.top.nodes.push(node("internet", "internet", Shape::Cloud));

    // Data paths, from the matrix: a source's first hop, then where that hop leads.
    let has_managed = matrix
        .rows
        .iter()
        .any(|r| r.cells.iter().any(|c| c.hop == Some(Hop::SagemakerManaged)));
    if has_managed {
        g.top
            .nodes
            .push(node("managed", "SageMaker-managed network", Shape::Cloud));
        g.edge("managed", "internet", "", false);
        g.edge("managed", "aws", "", false);
    }
    let data_buckets: Vec<String> = model
        .buckets
        .iter()
        .filter(|b| !b.is_log_target)
        .map(|b| format!("bucket_{}", b.name))
        .collect();
    for row in &matrix.rows {
        let from = source_node(row.source);
        for c in row.cells.iter() {
            let Some(hop) = c.hop else { continue };
            match hop {
                Hop::InterfaceEndpoint => {
                    g.edge(from, "endpoints", "HTTPS 443", false);
                }
                Hop::S3Gateway => {
                    g.edge(from, "s3gw", "HTTPS 443", false);
                }
                Hop::Nat => {
                    for n in &nat_ids {
                        g.edge(from, n, "HTTPS 443", false);
                    }
                }
                Hop::SagemakerManaged => g.edge(from, "managed", "", false),
            }
        }
    }
    if model.endpoint("s3").is_some() {
        for b in &data_buckets {
            g.edge("s3gw", b, "endpoint policy", false);
        }
    }
    if !interface.is_empty() {
        g.edge("endpoints", "aws", "PrivateLink", false);
    }
    for n in &nat_ids {
        g.edge(n, "internet", "", false);
    }
    if model.jobs.network_isolation {
        for b in &data_buckets {
            g.edge("jobs", b, "SageMaker copies input and output", true);
        }
    }
    if key.is_some() {
        for b in &model.buckets {
            if b.kms_key.is_some() {
                g.edge("kms", &format!("bucket_{}", b.name), "SSE-KMS", true);
            }
        }
        if model.domain.as_ref().is_some_and(|d| d.kms_key.is_some()) {
            g.edge("kms", "studio", "EFS and EBS", true);
        }
        if model.notebooks.iter().any(|n| n.kms_key.is_some()) {
            g.edge("kms", "notebooks", "ML volume", true);
        }
        g.edge("kms", "jobs", "volumes and output", true);
    }
    if let Some(b) = model.buckets.iter().find(|b| b.is_log_target) {
        for d in &data_buckets {
            g.edge(d, &format!("bucket_{}", b.name), "access logs", true);
        }
    }
    g
}

/// The diagram of a model in one syntax (no fences).
pub fn render(model: &Model, matrix: &Matrix, format: DiagramFormat) -> String {
    let g = build(model, matrix);
    match format {
        DiagramFormat::Mermaid => mermaid(&g),
        DiagramFormat::Dot => dot(&g, &model.name),
    }
}

/// Mermaid label text: quotes and markup characters as entity codes (`#quot;`), which
/// Mermaid decodes inside quoted labels.
fn mm(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '|' => out.push_str("#124;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn mermaid(g: &Graph) -> String {
    let mut s = String::from("flowchart LR\n");
    fn nodes(s: &mut String, c: &Cluster, depth: usize) {
        let pad = "  ".repeat(depth);
        for n in &c.nodes {
            let l = mm(&n.label);
            let shape = match n.shape {
                Shape::Box => format!("[\"{l}\"]"),
                Shape::Store => format!("[(\"{l}\")]"),
                Shape::Key => format!("{{{{\"{l}\"}}}}"),
                Shape::Cloud => format!("((\"{l}\"))"),
            };
            s.push_str(&format!("{pad}{}{shape}\n", n.id));
        }
        for sub in &c.clusters {
            s.push_str(&format!(
                "{pad}subgraph {}[\"{}\"]\n",
                sub.id,
                mm(&sub.label)
            ));
            nodes(s, sub, depth + 1);
            s.push_str(&format!("{pad}end\n"));
        }
    }
    nodes(&mut s, &g.top, 1);
    for e in &g.edges {
        let arrow = if e.dashed { "-.->" } else { "-->" };
        if e.label.is_empty() {
            s.push_str(&format!("  {} {arrow} {}\n", e.from, e.to));
        } else {
            s.push_str(&format!(
                "  {} {arrow}|\"{}\"| {}\n",
                e.from,
                mm(&e.label),
                e.to
            ));
        }
    }
    s
}

fn dq(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', " ")
}

fn dot(g: &Graph, name: &str) -> String {
    let mut s = format!(
        "digraph \"{}\" {{\n  rankdir=LR;\n  node [fontname=\"Helvetica\", shape=box];\n",
        dq(name)
    );
    fn nodes(s: &mut String, c: &Cluster, depth: usize) {
        let pad = "  ".repeat(depth);
        for n in &c.nodes {
            let shape = match n.shape {
                Shape::Box => "box",
                Shape::Store => "cylinder",
                Shape::Key => "hexagon",
                Shape::Cloud => "ellipse",
            };
            s.push_str(&format!(
                "{pad}{} [label=\"{}\", shape={shape}];\n",
                n.id,
                dq(&n.label)
            ));
        }
        for sub in &c.clusters {
            s.push_str(&format!(
                "{pad}subgraph cluster_{} {{\n{pad}  label=\"{}\";\n",
                sub.id,
                dq(&sub.label)
            ));
            nodes(s, sub, depth + 1);
            s.push_str(&format!("{pad}}}\n"));
        }
    }
    nodes(&mut s, &g.top, 1);
    for e in &g.edges {
        let mut attrs = vec![];
        if !e.label.is_empty() {
            attrs.push(format!("label=\"{}\"", dq(&e.label)));
        }
        if e.dashed {
            attrs.push("style=dashed".into());
        }
        let a = if attrs.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attrs.join(", "))
        };
        s.push_str(&format!("  {} -> {}{a};\n", e.from, e.to));
    }
    s.push_str("}\n");
    s
}
