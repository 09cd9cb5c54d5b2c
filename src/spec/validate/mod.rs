//! Validation of every spec value, once, with errors that name the field, the value and what is
//! allowed. Cross-field rules that are about *whether the design works* (missing endpoints, risky
//! combinations) are findings in the model, not validation errors here.

mod audit;
mod lifecycle;
mod network;
mod workloads;

pub use audit::{LOG_RETENTION_DAYS, MAX_TRAIL_RETENTION_DAYS};
pub use lifecycle::{IDLE_MINUTES, LIFECYCLE_DIR, is_script_path};

use super::rules::{self, is_dns_label};
use super::{EndpointChoice, Nat, Spec};
use crate::aws::endpoints::CatalogEntry;
use crate::aws::region::RegionInfo;
use crate::aws::{endpoints, region};
use crate::error::{Error, Result};
use ipnet::Ipv4Net;

/// A spec that passed validation, with what validation resolved: the Region's facts, the VPC
/// block and an explicit endpoint list's catalog entries. Only [`Spec::validate`] makes one, so
/// what reads it (the model) needs no second lookup that could fail. It reads as the [`Spec`] it
/// holds.
#[derive(Debug, Clone)]
pub struct Valid {
    spec: Spec,
    region: &'static RegionInfo,
    cidr: Option<Ipv4Net>,
    endpoints: Option<Vec<&'static CatalogEntry>>,
    /// `[environments.NAME]`, each resolved and validated; empty for a one-environment project.
    environments: Vec<super::Environment>,
}

impl Valid {
    /// The facts of `project.region`.
    pub fn region(&self) -> &'static RegionInfo {
        self.region
    }

    /// The VPC block (`network.vpc.cidr`) when smgen creates the VPC; `None` for an existing
    /// VPC.
    pub fn cidr(&self) -> Option<Ipv4Net> {
        self.cidr
    }

    /// The spec with its Region and VPC block resolved but no other answer checked, `None`
    /// when those two do not resolve. For the tests that feed the renderers values validation
    /// refuses (escaping is defence in depth), and for the shared answers of environments,
    /// which are checked as part of each environment; everything else goes through
    /// [`Spec::validate`].
    #[doc(hidden)]
    pub fn unchecked(spec: Spec) -> Option<Valid> {
        let region = region::lookup(&spec.project.region)?;
        let v = &spec.network.vpc;
        let cidr = if v.create {
            Some(v.cidr.parse().ok()?)
        } else {
            None
        };
        let endpoints = match &spec.network.endpoints {
            EndpointChoice::List(keys) => Some(
                keys.iter()
                    .map(|k| endpoints::find(k))
                    .collect::<Option<Vec<_>>>()?,
            ),
            EndpointChoice::Keyword(_) => None,
        };
        Some(Valid {
            spec,
            region,
            cidr,
            endpoints,
            environments: vec![],
        })
    }

    /// The endpoints of an explicit `network.endpoints` list, as catalog entries; `None` when
    /// the solver picks them (`auto`).
    pub fn explicit_endpoints(&self) -> Option<&[&'static CatalogEntry]> {
        self.endpoints.as_deref()
    }

    /// The environments (`[environments.NAME]`), sorted by name; empty when the answers
    /// describe one environment.
    pub fn environments(&self) -> &[super::Environment] {
        &self.environments
    }

    /// The answers, to change and validate again.
    pub fn into_spec(self) -> Spec {
        self.spec
    }
}

/// Two are equal when their answers are: the rest is derived from them.
impl PartialEq for Valid {
    fn eq(&self, other: &Valid) -> bool {
        self.spec == other.spec
    }
}

/// Serializes as the answers it holds.
impl serde::Serialize for Valid {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.spec.serialize(serializer)
    }
}

impl std::ops::Deref for Valid {
    type Target = Spec;

    fn deref(&self) -> &Spec {
        &self.spec
    }
}

impl Spec {
    /// Checks every value, the project's first (the rest depend on its Region). With
    /// `[environments]`, every environment's answers (the shared answers with its overrides)
    /// and the rules across environments: the shared answers are then checked as part of each
    /// environment, not alone (an answer such as a bucket of another account may need
    /// `project.account_id`, which each environment sets).
    pub fn validate(self) -> Result<Valid> {
        if self.environments.is_empty() {
            return self.validate_one();
        }
        let environments = super::environments::resolve(&self)?;
        let shared = self.clone().validate_one();
        let mut valid = match shared {
            Ok(v) => v,
            Err(e) => Valid::unchecked(self).ok_or(e)?,
        };
        valid.environments = environments;
        Ok(valid)
    }

    /// Checks one environment's answers.
    pub(super) fn validate_one(self) -> Result<Valid> {
        let region = self.validate_project()?;
        let cidr = self.validate_network(region)?;
        let endpoints = self.validate_endpoints()?;
        let partition = region.partition.arn();
        self.validate_encryption(partition)?;
        self.validate_workloads(partition)?;
        self.validate_data(partition)?;
        self.validate_audit()?;
        self.validate_lifecycle()?;
        Ok(Valid {
            spec: self,
            region,
            cidr,
            endpoints,
            environments: vec![],
        })
    }

    /// The project answers; the facts of its Region.
    fn validate_project(&self) -> Result<&'static RegionInfo> {
        let p = &self.project;
        // Bucket names are built as <name>-<bucket>-<account>-<region> and must stay within
        // S3's 63 characters, hence the short limit.
        if !is_dns_label(&p.name, 2, 24) {
            return Err(Error::invalid(
                "project.name",
                &p.name,
                "not a valid project name",
                "2-24 lower-case letters, digits and single hyphens, starting with a letter",
            ));
        }
        let Some(info) = region::lookup(&p.region) else {
            let hint = match region::suggest(&p.region) {
                Some(s) => format!("did you mean '{s}'?"),
                None => "expected a region name such as 'eu-west-1'".to_string(),
            };
            return Err(Error::invalid(
                "project.region",
                &p.region,
                "unknown region",
                hint,
            ));
        };
        if let Some(acct) = &p.account_id
            && !rules::is_account_id(acct)
        {
            return Err(Error::invalid(
                "project.account_id",
                acct,
                "not an AWS account id",
                "exactly 12 digits",
            ));
        }
        self.validate_tags()?;
        Ok(info)
    }

    fn validate_tags(&self) -> Result<()> {
        let tags = &self.project.tags;
        for (k, v) in tags {
            let field = format!("project.tags.{k}");
            if let Some(problem) = rules::tag_problem(k, true) {
                return Err(Error::invalid(field, k, problem, TAG_ALLOWED));
            }
            if let Some(problem) = rules::tag_problem(v, false) {
                return Err(Error::invalid(field, v, problem, TAG_ALLOWED));
            }
        }
        // smgen adds Project and ManagedBy everywhere, and CloudFormation adds Name.
        let own = ["Project", "ManagedBy", "Name"];
        let total = tags.len() + own.iter().filter(|k| !tags.contains_key(**k)).count();
        if total > rules::MAX_TAGS {
            return Err(Error::invalid(
                "project.tags",
                format!("{} tags", tags.len()),
                "too many tags: AWS allows 50 per resource, and smgen adds Project, ManagedBy and Name",
                format!("at most {} tags", rules::MAX_TAGS - own.len()),
            ));
        }
        Ok(())
    }
}

const TAG_ALLOWED: &str = "keys of 1-128 and values of 1-256 Unicode letters, numbers, spaces and _ . : / = + - @, not starting with 'aws:'";

pub(crate) fn nat_name(n: Nat) -> &'static str {
    match n {
        Nat::None => "none",
        Nat::Single => "single",
        Nat::PerAz => "per-az",
    }
}
