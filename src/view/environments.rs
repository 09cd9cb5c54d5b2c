//! The view of several environments (`[environments.NAME]`): which answers are per-environment
//! *inputs* of one shared module, template or stack, and which environments share a structure.
//!
//! The split, decided once here for every format:
//!
//! - **Inputs** change values, never which resources exist: the account (`project.account_id`),
//!   the tags (`project.tags`) and the VPC block (`network.vpc.cidr`, with the subnet blocks
//!   carved from it). Each format takes them per environment: Terraform module variables set by
//!   each root, CloudFormation parameters in `parameters/NAME.json`, CDK stage properties.
//! - **Structure** is every other answer. NAT, the endpoint set, user profiles, the trail, the
//!   network mode, the Region (zone ids, endpoint service names and image ARNs depend on it)
//!   and the project name (in every physical name and ARN) change which resources exist or
//!   what their policies say. Environments whose structure answers are equal share one module
//!   (template, stack class); an environment with a different structure gets its own, named
//!   after it, and the generated README says which answers made the difference.
//!
//! Why not every answer a variable: a NAT gateway changes the endpoint set, the security-group
//! egress, the endpoint policies and the findings (hundreds of lines of a rendered project); a
//! module that switched all of that on variables would be a second generator written in HCL,
//! CloudFormation conditions and TypeScript, and its policies could no longer be checked as
//! data before they are written.

use crate::model::Model;
use crate::spec::{Environment, Spec, Stage};
use std::collections::BTreeMap;

/// One environment with its model.
#[derive(Debug)]
pub struct Env<'a> {
    pub name: &'a str,
    pub env: &'a Environment,
    pub model: &'a Model,
    /// Index into [`Environments::groups`].
    pub group: usize,
}

impl Env<'_> {
    pub fn stage(&self) -> Option<Stage> {
        self.env.stage()
    }

    /// `project.account_id` of this environment, when the answers name it.
    pub fn account_id(&self) -> Option<&str> {
        self.env.spec.project.account_id.as_deref()
    }

    /// `project.tags` of this environment.
    pub fn tags(&self) -> &BTreeMap<String, String> {
        &self.env.spec.project.tags
    }
}

/// Environments that share a structure: one module, template or stack class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Suffix of the module, template and stack names: empty for the main group (the one most
    /// environments share), `-NAME` (its first environment) for any other.
    pub suffix: String,
    /// Indexes into [`Environments::envs`], in name order.
    pub members: Vec<usize>,
    /// The structure answers (key paths) in which this group differs from the main group;
    /// empty for the main group.
    pub differs: Vec<String>,
}

/// The environments of a project, grouped by structure.
#[derive(Debug)]
pub struct Environments<'a> {
    pub envs: Vec<Env<'a>>,
    /// The main group first, then the others in the order of their first environment.
    pub groups: Vec<Group>,
}

impl<'a> Environments<'a> {
    /// `envs`: each environment with its model, in name order.
    pub fn of(envs: &'a [(Environment, Model)]) -> Environments<'a> {
        let shapes: Vec<Spec> = envs.iter().map(|(e, _)| structure(&e.spec)).collect();
        // Groups in the order of their first environment.
        let mut groups: Vec<Vec<usize>> = vec![];
        for (i, shape) in shapes.iter().enumerate() {
            match groups.iter_mut().find(|g| shapes[g[0]] == *shape) {
                Some(g) => g.push(i),
                None => groups.push(vec![i]),
            }
        }
        // The main group: the largest; the first of equals.
        let main = (0..groups.len())
            .max_by_key(|&g| (groups[g].len(), std::cmp::Reverse(g)))
            .unwrap_or(0);
        let main_members = groups.remove(main);
        groups.insert(0, main_members);
        let base = tables(&shapes[groups[0][0]]);
        let groups: Vec<Group> = groups
            .into_iter()
            .enumerate()
            .map(|(g, members)| Group {
                suffix: if g == 0 {
                    String::new()
                } else {
                    format!("-{}", envs[members[0]].0.name)
                },
                differs: if g == 0 {
                    vec![]
                } else {
                    differing_keys(&base, &tables(&shapes[members[0]]))
                },
                members,
            })
            .collect();
        let mut group_of = vec![0; envs.len()];
        for (g, group) in groups.iter().enumerate() {
            for &m in &group.members {
                group_of[m] = g;
            }
        }
        Environments {
            envs: envs
                .iter()
                .zip(group_of)
                .map(|((env, model), group)| Env {
                    name: &env.name,
                    env,
                    model,
                    group,
                })
                .collect(),
            groups,
        }
    }

    /// The environments of group `g`.
    pub fn members(&self, g: usize) -> impl Iterator<Item = &Env<'a>> {
        self.groups[g].members.iter().map(|&i| &self.envs[i])
    }
}

/// The structure answers of `spec`: the answers with the per-environment inputs cleared.
fn structure(spec: &Spec) -> Spec {
    let mut s = spec.clone();
    s.project.account_id = None;
    s.project.tags.clear();
    s.project.stage = None;
    if s.network.vpc.create {
        s.network.vpc.cidr.clear();
    }
    s.network.interconnect = false;
    s
}

fn tables(spec: &Spec) -> toml::Table {
    match toml::Value::try_from(spec) {
        Ok(toml::Value::Table(t)) => t,
        _ => unreachable!("a spec serializes to a table"),
    }
}

/// The dotted key paths whose values differ between `a` and `b` (tables compared key by key,
/// anything else as a whole).
fn differing_keys(a: &toml::Table, b: &toml::Table) -> Vec<String> {
    let mut out = vec![];
    diff(a, b, "", &mut out);
    out
}

fn diff(a: &toml::Table, b: &toml::Table, prefix: &str, out: &mut Vec<String>) {
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for k in keys {
        let path = format!("{prefix}{k}");
        match (a.get(k), b.get(k)) {
            (Some(toml::Value::Table(x)), Some(toml::Value::Table(y))) => {
                diff(x, y, &format!("{path}."), out)
            }
            (x, y) if x != y => out.push(path),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn environments(text: &str) -> Vec<(Environment, Model)> {
        crate::model::findings::environments::pairs(text)
    }

    const SHARED: &str = "[project]\nname = \"fraud\"\nregion = \"eu-west-1\"\n";

    #[test]
    fn inputs_do_not_split_a_group_structure_does() {
        let envs = environments(&format!(
            "{SHARED}[environments.dev.project]\naccount_id = \"111111111111\"\ntags = {{ env = \"dev\" }}\n\
             [environments.prod.project]\naccount_id = \"222222222222\"\n[environments.prod.network.vpc]\ncidr = \"10.30.0.0/16\"\n\
             [environments.sandbox.project]\naccount_id = \"333333333333\"\n[environments.sandbox.network]\nnat = \"single\"\n"
        ));
        let view = Environments::of(&envs);
        assert_eq!(view.groups.len(), 2);
        // dev and prod differ only in inputs: the main group.
        assert_eq!(view.groups[0].members, vec![0, 1]);
        assert_eq!(view.groups[0].suffix, "");
        assert_eq!(view.groups[1].members, vec![2]);
        assert_eq!(view.groups[1].suffix, "-sandbox");
        assert_eq!(view.groups[1].differs, vec!["network.nat"]);
        assert_eq!(view.envs[2].group, 1);
        assert_eq!(
            view.members(0).map(|e| e.name).collect::<Vec<_>>(),
            ["dev", "prod"]
        );
    }

    #[test]
    fn the_largest_group_is_the_main_one() {
        let envs = environments(&format!(
            "{SHARED}[environments.a.project]\naccount_id = \"111111111111\"\n[environments.a.network]\nnat = \"single\"\n\
             [environments.b.project]\naccount_id = \"222222222222\"\n[environments.c.project]\naccount_id = \"333333333333\"\n"
        ));
        let view = Environments::of(&envs);
        assert_eq!(view.groups[0].members, vec![1, 2]);
        assert_eq!(view.groups[1].suffix, "-a");
    }
}
