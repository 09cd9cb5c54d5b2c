//! The reachability matrix: which workload can reach which destination, and how, computed from
//! the model (interface endpoints present, the S3 gateway endpoint and its policy, NAT gateways,
//! the workloads' security-group egress rules, network mode, direct internet access, network
//! isolation, bucket policies). Nothing here is written per preset.
//!
//! The rules it encodes, with their sources:
//! - VpcOnly Studio reaches AWS services only through interface endpoints in the VPC or a NAT
//!   gateway ("an interface endpoint to the SageMaker API and runtime, or a NAT gateway with
//!   internet access, and your security groups allow outbound connections": dg
//!   `studio-updated-and-internet-access`; docs/sagemaker-facts.md § 2.2).
//! - Public only Studio sends everything but EFS traffic through the SageMaker-managed VPC, with
//!   internet access; endpoints in your VPC are not used (dg
//!   `studio-notebooks-and-internet-access`; docs/sagemaker-facts.md § 2.2).
//! - A notebook instance with direct internet access has a second network interface in the
//!   SageMaker-managed network; even its S3 traffic takes the public internet (dg
//!   `appendix-notebook-and-internet-access`).
//! - A container under network isolation makes no outbound call at all, "even to other AWS
//!   services such as Amazon S3", and holds no AWS credentials; SageMaker moves its S3 input and
//!   output with the execution role (dg `mkt-algo-model-internet-free`; docs/sagemaker-facts.md § 2.8).
//! - Without the STS or CloudWatch Logs endpoint and without NAT, the SDK's remote jobs fail on
//!   STS or never see their logs (awsdocs/amazon-sagemaker-developer-guide PR #259; docs/sagemaker-facts.md § 2.12).
//! - The S3 gateway endpoint takes every same-Region S3 request of the route tables it is
//!   attached to, so its policy decides which buckets are reachable (PrivateLink Guide,
//!   `vpc-endpoints-s3`: gateway endpoints and endpoint policies); a bucket policy with
//!   `aws:sourceVpce` denies any other path (S3 User Guide `example-bucket-policies-vpc-endpoint`).
//! - ECR image pulls need `ecr.api`, `ecr.dkr` and S3 for the layers (ECR `vpc-endpoints`).
//! - CodeArtifact from a VPC needs `codeartifact.api` and `codeartifact.repositories` (CodeArtifact
//!   `create-vpc-endpoints`); the public PyPI index needs internet egress.

use crate::model::Model;
use crate::model::iam::Effect;
use crate::model::network::CreatedVpc;
use crate::model::security::{Direction, Peer, SecurityGroup};
use crate::spec::{Nat, NetworkMode};
use serde::Serialize;

/// A kind of workload that sends traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    StudioApps,
    NotebookInstances,
    JobsIsolated,
    JobsNotIsolated,
    HostedModels,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::StudioApps => "Studio apps",
            Source::NotebookInstances => "notebook instances",
            Source::JobsIsolated => "training/processing, isolated",
            Source::JobsNotIsolated => "training/processing, not isolated",
            Source::HostedModels => "hosted model containers",
        }
    }
}

/// Where traffic goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Destination {
    SagemakerApi,
    SagemakerRuntime,
    DataBucket,
    OtherS3,
    Ecr,
    Sts,
    CloudwatchLogs,
    Kms,
    Packages,
    Internet,
    OnPrem,
}

impl Destination {
    pub const ALL: [Destination; 11] = [
        Destination::SagemakerApi,
        Destination::SagemakerRuntime,
        Destination::DataBucket,
        Destination::OtherS3,
        Destination::Ecr,
        Destination::Sts,
        Destination::CloudwatchLogs,
        Destination::Kms,
        Destination::Packages,
        Destination::Internet,
        Destination::OnPrem,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Destination::SagemakerApi => "SageMaker API",
            Destination::SagemakerRuntime => "SageMaker runtime",
            Destination::DataBucket => "data bucket",
            Destination::OtherS3 => "other S3",
            Destination::Ecr => "ECR",
            Destination::Sts => "STS",
            Destination::CloudwatchLogs => "CloudWatch Logs",
            Destination::Kms => "KMS",
            Destination::Packages => "CodeArtifact/PyPI",
            Destination::Internet => "public internet",
            Destination::OnPrem => "on-prem network",
        }
    }

    /// The interface endpoints that carry this destination's traffic inside the VPC.
    fn endpoint_keys(self) -> &'static [&'static str] {
        match self {
            Destination::SagemakerApi => &["sagemaker.api"],
            Destination::SagemakerRuntime => &["sagemaker.runtime"],
            Destination::Ecr => &["ecr.api", "ecr.dkr"],
            Destination::Sts => &["sts"],
            Destination::CloudwatchLogs => &["logs"],
            Destination::Kms => &["kms"],
            Destination::Packages => &["codeartifact.api", "codeartifact.repositories"],
            _ => &[],
        }
    }
}

/// The first hop of a reachable path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hop {
    InterfaceEndpoint,
    S3Gateway,
    Nat,
    SagemakerManaged,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub destination: Destination,
    pub reachable: bool,
    /// The first hop when reachable (`None` when blocked).
    pub hop: Option<Hop>,
    /// The path when reachable, the blocking reason otherwise.
    pub via: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub source: Source,
    pub label: &'static str,
    /// Whether this workload runs in the environment as configured, and under what condition.
    pub note: String,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    pub rows: Vec<Row>,
}

impl Matrix {
    pub fn cell(&self, source: Source, dest: Destination) -> Option<&Cell> {
        self.rows
            .iter()
            .find(|r| r.source == source)?
            .cells
            .iter()
            .find(|c| c.destination == dest)
    }
}

/// How a source's traffic leaves it.
enum Network<'a> {
    /// Inside the customer VPC, under this security group.
    Vpc(&'a SecurityGroup),
    /// Through a network SageMaker manages, with internet access (Public only Studio, notebook
    /// instances with direct internet access).
    Managed(&'static str),
    /// No outbound traffic at all (network isolation).
    Isolated,
}

pub fn matrix(model: &Model) -> Matrix {
    let sg = |name: &str| model.security_groups.iter().find(|g| g.name == name);
    let mut rows = vec![];
    if model.domain.is_some() {
        let net = match (model.mode, sg("studio_domain")) {
            (NetworkMode::PublicOnly, _) | (_, None) => Network::Managed(
                "the SageMaker-managed VPC (Public only): the service's public endpoint",
            ),
            (NetworkMode::VpcOnly, Some(g)) => Network::Vpc(g),
        };
        rows.push(row(
            model,
            Source::StudioApps,
            format!(
                "Studio domain, {}",
                model
                    .domain
                    .as_ref()
                    .map_or("", |d| d.app_network_access_type)
            ),
            &net,
        ));
    }
    if let Some(nb) = model.notebooks.first() {
        let net = match sg("notebook") {
            Some(_) if nb.direct_internet_access => Network::Managed(
                "the notebook's direct internet access (SageMaker-managed network interface)",
            ),
            Some(g) => Network::Vpc(g),
            None => Network::Isolated,
        };
        let note = if nb.direct_internet_access {
            "direct internet access on"
        } else {
            "in the private subnets, direct internet access off"
        };
        rows.push(row(model, Source::NotebookInstances, note.into(), &net));
    }
    let iso = model.jobs.network_isolation;
    let guardrail_note = |isolated: bool| {
        if isolated == iso {
            "the environment's default (sagemaker-config.yaml)".to_string()
        } else if isolated {
            "allowed, not the default: jobs.network_isolation is off".to_string()
        } else {
            "denied by the guardrails except for jobs.isolation_exceptions roles".to_string()
        }
    };
    rows.push(row(
        model,
        Source::JobsIsolated,
        guardrail_note(true),
        &Network::Isolated,
    ));
    match sg("jobs") {
        Some(g) => rows.push(row(
            model,
            Source::JobsNotIsolated,
            guardrail_note(false),
            &Network::Vpc(g),
        )),
        None => rows.push(row(
            model,
            Source::JobsNotIsolated,
            guardrail_note(false),
            &Network::Isolated,
        )),
    }
    let hosted = match (iso, sg("jobs")) {
        (false, Some(g)) => Network::Vpc(g),
        _ => Network::Isolated,
    };
    let hosted_note = if iso {
        "network isolation on (CreateModel EnableNetworkIsolation)"
    } else {
        "network isolation off, in the private subnets"
    };
    rows.push(row(
        model,
        Source::HostedModels,
        hosted_note.into(),
        &hosted,
    ));
    Matrix { rows }
}

fn row(model: &Model, source: Source, note: String, net: &Network) -> Row {
    Row {
        source,
        label: source.label(),
        note,
        cells: Destination::ALL
            .iter()
            .map(|d| {
                let (hop, via) = reach(model, net, *d);
                Cell {
                    destination: *d,
                    reachable: hop.is_some(),
                    hop,
                    via,
                }
            })
            .collect(),
    }
}

type Reach = (Option<Hop>, String);

fn ok(hop: Hop, s: impl Into<String>) -> Reach {
    (Some(hop), s.into())
}
fn no(s: impl Into<String>) -> Reach {
    (None, s.into())
}

/// Whether the created buckets deny data access outside the S3 gateway endpoint.
fn buckets_vpce_only(model: &Model) -> bool {
    model.buckets.iter().any(|b| {
        b.policy.statements.iter().any(|s| {
            s.effect == Effect::Deny && s.conditions.iter().any(|c| c.key == "aws:sourceVpce")
        })
    })
}

fn reach(model: &Model, net: &Network, dest: Destination) -> Reach {
    const NO_ONPREM: &str = "no route: the design has no VPN, Direct Connect or transit gateway";
    match net {
        Network::Isolated => no(
            "network isolation: the container makes no outbound calls and holds no AWS credentials",
        ),
        Network::Managed(path) => match dest {
            Destination::DataBucket if buckets_vpce_only(model) => no(
                "bucket policy: data access only through this VPC's S3 gateway endpoint, which this path does not use",
            ),
            Destination::OnPrem => no(format!(
                "{NO_ONPREM}; only services public on the internet are reachable"
            )),
            Destination::Packages => ok(
                Hop::SagemakerManaged,
                format!("{path} (public PyPI, or CodeArtifact's public endpoint)"),
            ),
            _ => ok(Hop::SagemakerManaged, path.to_string()),
        },
        Network::Vpc(sg) => Vpc { model, sg }.reach(dest, NO_ONPREM),
    }
}

struct Vpc<'a> {
    model: &'a Model,
    sg: &'a SecurityGroup,
}

impl Vpc<'_> {
    fn egress(&self, f: impl Fn(&Peer) -> bool) -> bool {
        self.sg
            .rules
            .iter()
            .any(|r| r.direction == Direction::Egress && f(&r.peer))
    }

    /// The internet path (NAT and an egress rule), or why there is none.
    fn internet(&self) -> Result<String, String> {
        let nat = self
            .model
            .network
            .created
            .as_ref()
            .map(|c: &CreatedVpc| c.nat);
        match nat {
            None => Err(format!(
                "no NAT gateway in this design (existing VPC) and security group `{}` allows no internet egress",
                self.sg.name
            )),
            Some(Nat::None) => Err("no NAT gateway (network.nat = none)".into()),
            Some(_) if !self.egress(|p| matches!(p, Peer::Cidr(c) if c == "0.0.0.0/0")) => {
                Err(format!(
                    "security group `{}` allows no internet egress",
                    self.sg.name
                ))
            }
            Some(n) => Ok(format!(
                "NAT gateway ({}), HTTPS only",
                if n == Nat::PerAz {
                    "one per AZ"
                } else {
                    "single"
                }
            )),
        }
    }

    fn endpoints(&self, keys: &[&str]) -> Result<String, String> {
        let missing: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|k| self.model.endpoint(k).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(format!("no `{}` endpoint", missing.join("`/`")));
        }
        if !self.egress(|p| matches!(p, Peer::Group(g) if g == "endpoints")) {
            return Err(format!(
                "security group `{}` has no egress to the endpoints",
                self.sg.name
            ));
        }
        Ok(format!(
            "`{}` interface endpoint{} (private DNS)",
            keys.join("` + `"),
            if keys.len() > 1 { "s" } else { "" }
        ))
    }

    /// The S3 gateway endpoint path, or why there is none.
    fn s3_gateway(&self) -> Result<(), String> {
        if self.model.endpoint("s3").is_none() {
            return Err("no S3 gateway endpoint".into());
        }
        if !self.egress(|p| matches!(p, Peer::PrefixList(_))) {
            return Err(format!(
                "security group `{}` has no egress to the S3 prefix list",
                self.sg.name
            ));
        }
        Ok(())
    }

    /// An AWS service: its interface endpoints first, NAT otherwise.
    fn service(&self, dest: Destination) -> Reach {
        match self.endpoints(dest.endpoint_keys()) {
            Ok(path) => ok(Hop::InterfaceEndpoint, path),
            Err(why) => match self.internet() {
                Ok(nat) => ok(Hop::Nat, format!("{nat} to the public endpoint")),
                Err(no_net) => no(format!("{why}; {no_net}")),
            },
        }
    }

    fn reach(&self, dest: Destination, no_onprem: &str) -> Reach {
        match dest {
            Destination::SagemakerApi
            | Destination::SagemakerRuntime
            | Destination::Sts
            | Destination::CloudwatchLogs
            | Destination::Kms => self.service(dest),
            Destination::Ecr => {
                let (hop, via) = self.service(dest);
                match (hop, self.s3_gateway(), self.internet()) {
                    (None, _, _) => no(via),
                    (Some(h), Ok(()), _) => {
                        ok(h, format!("{via}; layers through the S3 gateway endpoint"))
                    }
                    (Some(h), Err(_), Ok(nat)) => {
                        ok(h, format!("{via}; layers from S3 through the {nat}"))
                    }
                    (Some(_), Err(s3), Err(_)) => no(format!("image layers come from S3: {s3}")),
                }
            }
            Destination::DataBucket => self.data_bucket(),
            Destination::OtherS3 => self.other_s3(),
            Destination::Packages => match self.endpoints(dest.endpoint_keys()) {
                Ok(path) => ok(
                    Hop::InterfaceEndpoint,
                    format!("CodeArtifact through {path}"),
                ),
                Err(why) => match self.internet() {
                    Ok(nat) => ok(Hop::Nat, format!("{nat} to PyPI or CodeArtifact")),
                    Err(no_net) => no(format!("{why}; {no_net}")),
                },
            },
            Destination::Internet => match self.internet() {
                Ok(nat) => ok(Hop::Nat, nat),
                Err(why) => no(why),
            },
            Destination::OnPrem => no(no_onprem),
        }
    }

    fn data_bucket(&self) -> Reach {
        match self.s3_gateway() {
            Ok(()) => ok(
                Hop::S3Gateway,
                "S3 gateway endpoint (route tables); its policy admits the environment's buckets",
            ),
            Err(why) if buckets_vpce_only(self.model) => no(format!(
                "{why}, and the bucket policy denies data access outside it"
            )),
            Err(why) => match self.internet() {
                Ok(nat) => ok(Hop::Nat, format!("{nat} to the public S3 endpoint")),
                Err(no_net) => no(format!("{why}; {no_net}")),
            },
        }
    }

    fn other_s3(&self) -> Reach {
        let Some(ep) = self.model.endpoint("s3") else {
            return match self.internet() {
                Ok(nat) => ok(Hop::Nat, format!("{nat} to the public S3 endpoint")),
                Err(why) => no(format!("no S3 gateway endpoint; {why}")),
            };
        };
        if let Err(why) = self.s3_gateway() {
            return no(why);
        }
        if let Some(id) = &ep.existing_id {
            // Its policy is its owner's: reachable unless they applied smgen's statements.
            return ok(
                Hop::S3Gateway,
                format!(
                    "the reused S3 gateway endpoint {id}, whose own policy decides (the default policy admits every bucket; policies/endpoint-policy-s3.json is what this environment needs)"
                ),
            );
        }
        let star = ep.policy.statements.iter().any(|s| {
            s.effect == Effect::Allow
                && s.resources.iter().any(|r| r.as_lit() == Some("*"))
                && s.conditions.is_empty()
        });
        if star {
            return ok(
                Hop::S3Gateway,
                "S3 gateway endpoint; its policy admits any bucket",
            );
        }
        let mut why = String::from(
            "S3 gateway endpoint policy admits only the environment's buckets and the AWS-owned ones its features need; every same-Region S3 request takes that endpoint",
        );
        if self.model.needs.contains(&"jumpstart") {
            why.push_str(" (JumpStart's model buckets jumpstart-cache-prod-REGION and jumpstart-private-cache-prod-REGION among them)");
        }
        if let Ok(nat) = self.internet() {
            why.push_str(&format!("; buckets in other Regions through the {nat}"));
        }
        no(why)
    }
}

/// One step of the path to a bucket of another account: where it is decided, and what decides
/// it there.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub at: String,
    pub decided_by: String,
}

/// The path from the execution role to a bucket of another account (`data.buckets[].account`):
/// the layers of this environment, then the owner's bucket policy and key policy, each with the
/// file that holds its statements. A cross-account request needs an Allow on both sides
/// (<https://repost.aws/knowledge-center/cross-account-access-denied-error-s3>).
#[derive(Debug, Clone, Serialize)]
pub struct CrossAccountPath {
    pub bucket: String,
    pub account: String,
    pub steps: Vec<Step>,
}

pub fn cross_account(model: &Model) -> Vec<CrossAccountPath> {
    use crate::model::cross_account::CrossAccountBucket;
    let step = |at: String, decided_by: String| Step { at, decided_by };
    let scope = |b: &CrossAccountBucket| {
        let access = match b.access {
            crate::spec::Access::ReadOnly => "read",
            crate::spec::Access::ReadWrite => "read and write",
        };
        if b.prefixes.is_empty() {
            access.to_string()
        } else {
            format!("{access} under {}", b.prefixes.join(", "))
        }
    };
    model
        .cross_account
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut steps = vec![step(
                format!("execution role ({})", crate::model::EXECUTION_ROLE),
                format!(
                    "its policy and permissions boundary allow it to {} on {} while account {} owns it (s3:ResourceAccount)",
                    scope(b),
                    b.bucket,
                    b.account
                ),
            )];
            steps.push(match model.endpoint("s3") {
                Some(e) => match &e.existing_id {
                    Some(id) => step(
                        format!("S3 gateway endpoint {id} (reused)"),
                        format!(
                            "its owner's policy must admit {} (the statements this environment needs: policies/{})",
                            b.bucket,
                            Model::endpoint_policy_file("s3")
                        ),
                    ),
                    None => step(
                        "S3 gateway endpoint".into(),
                        format!(
                            "its policy admits {} by name for this account's principals (statements OtherAccountBucket{n}Buckets and OtherAccountBucket{n}Objects of policies/{})",
                            b.bucket,
                            Model::endpoint_policy_file("s3"),
                            n = i + 1
                        ),
                    ),
                },
                None => step(
                    "network".into(),
                    "no S3 gateway endpoint: S3 is reached by the caller's other route (NAT or the SageMaker-managed network)".into(),
                ),
            });
            steps.push(step(
                format!("bucket {} in account {}", b.bucket, b.account),
                format!(
                    "its bucket policy must allow the role: the owner adds policies/{}",
                    b.bucket_policy_file
                ),
            ));
            if let (Some(key), Some(file)) = (&b.key_arn, &b.key_policy_file) {
                steps.push(step(
                    format!("key {key} in account {}", b.account),
                    format!(
                        "S3 uses it for the role (kms:ViaService); its key policy must allow the role: the owner adds policies/{file}"
                    ),
                ));
            }
            CrossAccountPath {
                bucket: b.bucket.clone(),
                account: b.account.clone(),
                steps,
            }
        })
        .collect()
}
