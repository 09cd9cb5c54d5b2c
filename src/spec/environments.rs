//! Several environments from one set of answers: `[environments.NAME]` tables in `smgen.toml`,
//! each overriding keys of the shared answers (`project.account_id`, `network.nat`, …).
//!
//! An environment's answers are the shared answers with its table merged over them: tables merge
//! key by key, every other value (a string, a number, a list such as `studio.user_profiles` or
//! `[[data.buckets]]`) replaces the shared one. The merged answers are validated like any spec,
//! and an error names the environment (`environments.prod: network.nat: …`).

use super::{Spec, Valid, rules};
use crate::error::{Error, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What an environment is for, which the checks across environments compare (production must
/// not be weaker than development). `project.stage`; when unset, read from the environment's
/// name ([`Stage::from_name`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Development,
    Test,
    Production,
    /// An account that owns data the others read (the data-lake account of a multi-account
    /// setup).
    Data,
}

impl Stage {
    /// The stage an environment's name says: `dev`, `development`, `sandbox` → development;
    /// `test`, `qa`, `staging`, `stage`, `uat` → test; `prod`, `production`, `prd`, `live` →
    /// production; `data`, `datalake`, `data-lake`, `lake` → data. Other names say nothing.
    pub fn from_name(name: &str) -> Option<Stage> {
        Some(match name {
            "dev" | "development" | "sandbox" => Stage::Development,
            "test" | "qa" | "staging" | "stage" | "uat" => Stage::Test,
            "prod" | "production" | "prd" | "live" => Stage::Production,
            "data" | "datalake" | "data-lake" | "lake" => Stage::Data,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Stage::Development => "development",
            Stage::Test => "test",
            Stage::Production => "production",
            Stage::Data => "data",
        }
    }
}

/// One environment: its name and its validated answers (shared answers + its overrides).
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    pub name: String,
    pub spec: Valid,
}

impl Environment {
    /// `project.stage`, or what the name says.
    pub fn stage(&self) -> Option<Stage> {
        self.spec
            .project
            .stage
            .or_else(|| Stage::from_name(&self.name))
    }
}

/// What an environment name may be: it names a directory (`environments/NAME/`), a
/// CloudFormation parameters file and a CDK Stage id.
pub const NAME_ALLOWED: &str =
    "1-16 lower-case letters, digits and single hyphens, starting with a letter";

/// The environments of `spec` (sorted by name), each validated; an empty list when it has none.
pub(super) fn resolve(spec: &Spec) -> Result<Vec<Environment>> {
    if spec.environments.is_empty() {
        return Ok(vec![]);
    }
    let shared = shared_table(spec);
    let mut out = Vec::with_capacity(spec.environments.len());
    for (name, overrides) in &spec.environments {
        if !rules::is_dns_label(name, 1, 16) {
            return Err(Error::invalid(
                "environments",
                name,
                "not a valid environment name",
                NAME_ALLOWED,
            ));
        }
        if overrides.contains_key("environments") {
            return Err(Error::invalid(
                format!("environments.{name}.environments"),
                "a table",
                "environments do not nest",
                "override keys of the shared answers only",
            ));
        }
        let mut table = shared.clone();
        merge(&mut table, overrides);
        let merged = Spec::deserialize(toml::Value::Table(table)).map_err(|e| Error::Toml {
            origin: format!("environments.{name}"),
            message: e.message().trim().replace('\n', "; "),
        })?;
        let spec = merged.validate_one().map_err(|e| in_environment(name, e))?;
        out.push(Environment {
            name: name.clone(),
            spec,
        });
    }
    check_across(&out)?;
    Ok(out)
}

/// The shared answers as a table, without `environments`.
fn shared_table(spec: &Spec) -> toml::Table {
    let mut shared = spec.clone();
    shared.environments.clear();
    match toml::Value::try_from(&shared) {
        Ok(toml::Value::Table(t)) => t,
        _ => unreachable!("a spec serializes to a table"),
    }
}

/// Merges `overrides` into `base`: tables key by key, anything else replaced.
pub(crate) fn merge(base: &mut toml::Table, overrides: &toml::Table) {
    for (k, v) in overrides {
        match (base.get_mut(k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

/// An error of one environment's answers, named as that environment's.
fn in_environment(name: &str, e: Error) -> Error {
    match e {
        Error::Invalid {
            field,
            value,
            message,
            allowed,
        } => Error::Invalid {
            field: format!("environments.{name}: {field}"),
            value,
            message,
            allowed,
        },
        Error::Toml { origin, message } => Error::Toml {
            origin: format!("environments.{name}: {origin}"),
            message,
        },
        other => other,
    }
}

/// The errors across environments: two that would create the same resources (same account,
/// Region and project name), and overlapping VPC blocks where the answers say the VPCs are
/// connected (`network.interconnect`). Overlaps of unconnected VPCs are a warning finding
/// (`model::findings::environments`), not an error.
fn check_across(envs: &[Environment]) -> Result<()> {
    for (i, a) in envs.iter().enumerate() {
        for b in &envs[i + 1..] {
            let (pa, pb) = (&a.spec.project, &b.spec.project);
            // An unset account id is "not known here": it may be the same account, and the
            // resource names (which carry the project name and Region) would then collide.
            if pa.name == pb.name && pa.region == pb.region && pa.account_id == pb.account_id {
                let account = pa.account_id.as_deref().unwrap_or("(unset)");
                return Err(Error::invalid(
                    format!("environments.{}", b.name),
                    format!(
                        "project.name '{}', project.region '{}', project.account_id {account}",
                        pa.name, pa.region
                    ),
                    format!(
                        "the same account, Region and project name as environment '{}': their resource names would collide",
                        a.name
                    ),
                    "set a different project.account_id (one account per environment), project.region or project.name in one of them",
                ));
            }
            if let (Some(ca), Some(cb)) = (a.spec.cidr(), b.spec.cidr())
                && (ca.contains(&cb.network()) || cb.contains(&ca.network()))
                && (a.spec.network.interconnect || b.spec.network.interconnect)
            {
                return Err(Error::invalid(
                    format!("environments.{}: network.vpc.cidr", b.name),
                    &b.spec.network.vpc.cidr,
                    format!(
                        "overlaps environment '{}' ({}), and network.interconnect says the VPCs are connected (peering or a transit gateway route only between non-overlapping blocks)",
                        a.name, a.spec.network.vpc.cidr
                    ),
                    "a VPC block that does not overlap the other environments' blocks",
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Nat, SpecSource, load};

    fn cfg(text: &str) -> SpecSource {
        SpecSource::Config {
            origin: "smgen.toml".into(),
            text: text.into(),
        }
    }

    const SHARED: &str = "[project]\nname = \"fraud\"\nregion = \"eu-west-1\"\n[network]\nnat = \"none\"\n[studio]\nuser_profiles = [\"ana\"]\n";

    #[test]
    fn an_environment_overrides_only_what_it_names() {
        let text = format!(
            "{SHARED}[environments.dev.project]\naccount_id = \"111111111111\"\n[environments.dev.network]\nnat = \"single\"\n[environments.prod.project]\naccount_id = \"222222222222\"\n[environments.prod.studio]\nuser_profiles = []\n"
        );
        let v = load(&cfg(&text), &[]).unwrap();
        let envs = v.environments();
        assert_eq!(envs.len(), 2);
        let (dev, prod) = (&envs[0], &envs[1]);
        assert_eq!(dev.name, "dev");
        assert_eq!(dev.spec.network.nat, Nat::Single);
        assert_eq!(dev.spec.studio.user_profiles, vec!["ana"]);
        assert_eq!(prod.spec.network.nat, Nat::None);
        // A list replaces the shared one, it is not appended to.
        assert!(prod.spec.studio.user_profiles.is_empty());
        assert_eq!(
            prod.spec.project.account_id.as_deref(),
            Some("222222222222")
        );
        assert_eq!(dev.stage(), Some(Stage::Development));
        assert_eq!(prod.stage(), Some(Stage::Production));
        // The environments' own answers carry no environments.
        assert!(dev.spec.environments.is_empty());
    }

    #[test]
    fn an_error_names_its_environment() {
        let text = format!("{SHARED}[environments.prod.network]\nnat = \"sometimes\"\n");
        let err = load(&cfg(&text), &[]).unwrap_err().to_string();
        assert!(err.starts_with("environments.prod"), "{err}");
        assert!(err.contains("single"), "{err}");
        let text = format!("{SHARED}[environments.prod.network.vpc]\ncidr = \"10.0.0.0/33\"\n");
        let err = load(&cfg(&text), &[]).unwrap_err().to_string();
        assert!(
            err.starts_with("environments.prod: network.vpc.cidr"),
            "{err}"
        );
        let text =
            format!("{SHARED}[environments.Prod_1.project]\naccount_id = \"222222222222\"\n");
        let err = load(&cfg(&text), &[]).unwrap_err();
        assert!(err.to_string().contains("'Prod_1'"), "{err}");
        assert_eq!(err.code(), 2);
    }

    #[test]
    fn two_environments_may_not_create_the_same_resources() {
        let text = format!(
            "{SHARED}[environments.dev.project]\naccount_id = \"111111111111\"\n[environments.test.project]\naccount_id = \"111111111111\"\n"
        );
        let err = load(&cfg(&text), &[]).unwrap_err().to_string();
        assert!(err.contains("environments.test"), "{err}");
        assert!(err.contains("'dev'"), "{err}");
        // A different project name in the same account is fine.
        let ok = format!(
            "{SHARED}[environments.dev.project]\naccount_id = \"111111111111\"\n[environments.test.project]\naccount_id = \"111111111111\"\nname = \"fraud-test\"\n[environments.test.network.vpc]\ncidr = \"10.30.0.0/16\"\n"
        );
        assert_eq!(load(&cfg(&ok), &[]).unwrap().environments().len(), 2);
    }

    #[test]
    fn overlapping_blocks_are_an_error_only_when_connected() {
        let two = format!(
            "{SHARED}[environments.dev.project]\naccount_id = \"111111111111\"\n[environments.prod.project]\naccount_id = \"222222222222\"\n"
        );
        // Both keep the default block: allowed while the VPCs are not connected.
        assert!(load(&cfg(&two), &[]).is_ok());
        let err = load(&cfg(&two), &["network.interconnect=true".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("network.vpc.cidr"), "{err}");
        assert!(err.contains("overlaps environment 'dev'"), "{err}");
        let apart = format!("{two}[environments.prod.network.vpc]\ncidr = \"10.30.0.0/16\"\n");
        assert!(load(&cfg(&apart), &["network.interconnect=true".into()]).is_ok());
    }

    #[test]
    fn names_say_a_stage() {
        assert_eq!(Stage::from_name("prd"), Some(Stage::Production));
        assert_eq!(Stage::from_name("lake"), Some(Stage::Data));
        assert_eq!(Stage::from_name("blue"), None);
    }
}
