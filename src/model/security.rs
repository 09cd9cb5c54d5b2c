//! Security groups and their rules (docs/sagemaker-facts.md § 2.4).
//!
//! - Studio: NFS TCP 2049 to the domain's EFS, and TCP 8192-65535 between a user's JupyterServer
//!   and KernelGateway apps (dg `studio-updated-and-internet-access`, VpcOnly requirements).
//!   The newer guidance is one security group per user profile, because a shared self-referencing
//!   group lets every user's apps reach every other user's apps; shared spaces use the
//!   `DefaultSpaceSettings` groups (CreateDomain/UserSettings API reference).
//! - Interface endpoints: inbound TCP 443 from the app groups (dg `studio-interface-endpoint`;
//!   aws-samples/amazon-sagemaker-studio-vpc-blog PR #2: without it users cannot create kernels).
//!   The endpoints admit the groups *every* app of a kind carries (the domain's default group,
//!   the shared spaces' group, notebooks, jobs), never one rule per user: UserSettings
//!   `SecurityGroups` "is aggregated when specified in both calls" (SageMaker API Reference,
//!   UserSettings), so every private-space app carries the domain's default group beside its
//!   user's group, and the endpoints' inbound rules stay at four however many users there are
//!   (AWS's default is 60 inbound rules per group: `quotas.rs`). The per-user groups keep only
//!   what must be per user: the user's own apps talking to each other.
//! - Jobs: inbound from the same group for distributed training (dg `train-vpc`), plus UDP 500
//!   and ESP (IP protocol 50) when inter-container traffic encryption is on (dg `train-encrypt`).

use super::refs::{Attr, Kind, Ref};
use crate::spec::Spec;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ingress,
    Egress,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Peer {
    /// The group itself.
    Itself,
    /// Another generated group, by logical name.
    Group(String),
    Cidr(String),
    PrefixList(Ref),
}

#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// Logical suffix, unique within the group and direction (e.g. `nfs_self`).
    pub id: String,
    pub direction: Direction,
    /// `tcp`, `udp`, `-1` (all) or an IP protocol number such as `50` (ESP).
    pub protocol: &'static str,
    pub from_port: Option<u16>,
    pub to_port: Option<u16>,
    pub peer: Peer,
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecurityGroup {
    /// Logical name (snake_case).
    pub name: String,
    pub description: String,
    pub rules: Vec<Rule>,
}

impl SecurityGroup {
    pub fn new(name: &str, description: &str) -> Self {
        SecurityGroup {
            name: name.into(),
            description: description.into(),
            rules: vec![],
        }
    }

    pub fn id_ref(&self) -> Ref {
        Ref::attr(Kind::SecurityGroup, &self.name, Attr::Id)
    }

    pub fn rule(
        &mut self,
        direction: Direction,
        id: &str,
        protocol: &'static str,
        ports: Option<(u16, u16)>,
        peer: Peer,
        description: &str,
    ) {
        self.rules.push(Rule {
            id: id.into(),
            direction,
            protocol,
            from_port: ports.map(|p| p.0),
            to_port: ports.map(|p| p.1),
            peer,
            description: description.into(),
        });
    }

    /// The same rule inbound and outbound, to and from the group itself.
    pub fn self_both(
        &mut self,
        id: &str,
        protocol: &'static str,
        ports: Option<(u16, u16)>,
        why: &str,
    ) {
        self.rule(Direction::Ingress, id, protocol, ports, Peer::Itself, why);
        self.rule(Direction::Egress, id, protocol, ports, Peer::Itself, why);
    }
}

/// What a client group may reach outside itself.
pub struct Egress {
    pub endpoints: bool,
    pub s3_prefix_list: Option<Ref>,
    pub internet: bool,
}

impl Egress {
    pub fn apply(&self, sg: &mut SecurityGroup) {
        if self.endpoints {
            sg.rule(
                Direction::Egress,
                "https_endpoints",
                "tcp",
                Some((443, 443)),
                Peer::Group("endpoints".into()),
                "HTTPS to the VPC interface endpoints",
            );
        }
        if let Some(pl) = &self.s3_prefix_list {
            sg.rule(
                Direction::Egress,
                "https_s3",
                "tcp",
                Some((443, 443)),
                Peer::PrefixList(pl.clone()),
                "HTTPS to Amazon S3 through the gateway endpoint",
            );
        }
        if self.internet {
            sg.rule(
                Direction::Egress,
                "https_internet",
                "tcp",
                Some((443, 443)),
                Peer::Cidr("0.0.0.0/0".into()),
                "HTTPS to the internet through the NAT gateway",
            );
        }
    }
}

/// Whether a group is one user profile's own (`user_<name>`).
pub fn is_per_user(name: &str) -> bool {
    name.starts_with("user_")
}

/// The environment's groups: Studio (domain default, shared spaces, one per user profile),
/// notebook instances, jobs, and the interface endpoints' group that admits them all.
pub fn groups(spec: &Spec, egress: &Egress, has_interface: bool) -> Vec<SecurityGroup> {
    let mut sgs: Vec<SecurityGroup> = vec![];
    let studio = spec.needs.studio;
    if studio {
        let mut domain_sg = SecurityGroup::new(
            "studio_domain",
            "SageMaker Studio private spaces: NFS to the domain EFS and egress to AWS services",
        );
        domain_sg.self_both(
            "nfs_self",
            "tcp",
            Some((2049, 2049)),
            "NFS to the Studio domain EFS",
        );
        egress.apply(&mut domain_sg);
        sgs.push(domain_sg);
        let mut spaces = SecurityGroup::new(
            "studio_spaces",
            "SageMaker Studio shared spaces: NFS, JupyterServer to KernelGateway, egress to AWS services",
        );
        spaces.self_both(
            "nfs_self",
            "tcp",
            Some((2049, 2049)),
            "NFS to the Studio domain EFS",
        );
        spaces.self_both(
            "apps_self",
            "tcp",
            Some((8192, 65535)),
            "Studio apps of a shared space (JupyterServer to KernelGateway)",
        );
        egress.apply(&mut spaces);
        sgs.push(spaces);
        for p in &spec.studio.user_profiles {
            let mut sg = SecurityGroup::new(
                &format!("user_{}", super::snake(p)),
                &format!("SageMaker Studio apps of user profile {p} only"),
            );
            sg.self_both(
                "apps_self",
                "tcp",
                Some((8192, 65535)),
                "this user's Studio apps (JupyterServer to KernelGateway)",
            );
            sgs.push(sg);
        }
    }
    let notebooks_on = spec.needs.notebook_instances;
    if notebooks_on {
        let mut nb = SecurityGroup::new(
            "notebook",
            "SageMaker notebook instances: egress to AWS services only",
        );
        egress.apply(&mut nb);
        sgs.push(nb);
    }
    let mut jobs_sg = SecurityGroup::new(
        "jobs",
        "SageMaker training, processing and hosting containers in the VPC",
    );
    jobs_sg.self_both(
        "tcp_self",
        "tcp",
        Some((0, 65535)),
        "distributed training between instances of the same job",
    );
    if spec.jobs.inter_container_encryption {
        jobs_sg.self_both(
            "ike_self",
            "udp",
            Some((500, 500)),
            "inter-container traffic encryption (IPsec IKE)",
        );
        jobs_sg.self_both(
            "esp_self",
            "50",
            None,
            "inter-container traffic encryption (IPsec ESP)",
        );
    }
    // Isolated jobs never reach the internet, so their group gets no NAT egress.
    Egress {
        internet: egress.internet && !spec.jobs.network_isolation,
        s3_prefix_list: egress.s3_prefix_list.clone(),
        endpoints: egress.endpoints,
    }
    .apply(&mut jobs_sg);
    sgs.push(jobs_sg);
    if has_interface {
        let mut ep = SecurityGroup::new(
            "endpoints",
            "VPC interface endpoints: HTTPS from the SageMaker workloads",
        );
        // One rule per group that every app of a kind carries; per-user groups ride along on
        // the domain's default group, so the rule count does not grow with the users.
        let clients: Vec<String> = sgs
            .iter()
            .filter(|s| !is_per_user(&s.name))
            .map(|s| s.name.clone())
            .collect();
        for c in clients {
            ep.rule(
                Direction::Ingress,
                &format!("https_from_{c}"),
                "tcp",
                Some((443, 443)),
                Peer::Group(c.clone()),
                &format!("HTTPS from {}", c.replace('_', " ")),
            );
        }
        sgs.push(ep);
    }
    sgs
}
