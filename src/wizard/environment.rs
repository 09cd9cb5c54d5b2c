//! `smgen init --add-env NAME` in an existing project: the questions of one more environment,
//! answered as `--set environments.NAME.…` overrides that `smgen upgrade` then applies (so the
//! answers file keeps its comments and layout, and generated files merge as on any upgrade).

use super::{Prompter, wrap};
use crate::error::{Error, Result};
use crate::spec::{Stage, Valid};
use ipnet::Ipv4Net;

/// The `--set` overrides that add environment `name` to the answers of `spec`, asked through
/// `p`. A project that is one environment first names that one: its answers become the shared
/// answers, and it becomes `[environments.THAT]` with no override.
pub fn add_environment(p: &mut dyn Prompter, spec: &Valid, name: &str) -> Result<Vec<String>> {
    let envs = spec.environments();
    if envs.iter().any(|e| e.name == name) {
        return Err(Error::invalid(
            "--add-env",
            name,
            "this environment exists already",
            "a new name; change an existing one with `smgen upgrade --set environments.NAME.KEY=VALUE`",
        ));
    }
    let mut sets = vec![];
    let mut taken: Vec<Ipv4Net> = envs.iter().filter_map(|e| e.spec.cidr()).collect();
    if envs.is_empty() {
        let w = p.width();
        p.say(&wrap(
            "This project is one environment. It becomes the first of several: its answers \
             stay the shared answers every environment starts from, and it gets a name.",
            w,
            "",
        ));
        let first = p.input(
            "environments.first",
            "Name of the existing environment",
            "dev",
        )?;
        let first = first.trim().to_string();
        if first == name {
            return Err(Error::invalid(
                "environments.first",
                &first,
                "the existing environment needs a name other than the new one",
                format!("a name other than '{name}'"),
            ));
        }
        sets.push(format!("environments.{first}={{}}"));
        taken.extend(spec.cidr());
    }
    let w = p.width();
    p.say(&wrap(
        &format!(
            "Environment '{name}': what differs from the shared answers. One account per \
             environment keeps a mistake in one from reaching the others; any other answer can \
             be changed later with `smgen upgrade --set environments.{name}.KEY=VALUE`."
        ),
        w,
        "",
    ));
    let account = p.input(
        "environments.account_id",
        "AWS account id (12 digits, empty: given at deploy time)",
        "",
    )?;
    if !account.trim().is_empty() {
        sets.push(format!(
            "environments.{name}.project.account_id=\"{}\"",
            account.trim()
        ));
    }
    let region = p.input("environments.region", "Region", &spec.project.region)?;
    if region.trim() != spec.project.region {
        sets.push(format!(
            "environments.{name}.project.region={}",
            region.trim()
        ));
    }
    if spec.network.vpc.create {
        let suggested = free_block(&taken)
            .map(|n| n.to_string())
            .unwrap_or_default();
        let cidr = p.input(
            "environments.cidr",
            "VPC block (not overlapping the other environments')",
            &suggested,
        )?;
        sets.push(format!(
            "environments.{name}.network.vpc.cidr={}",
            cidr.trim()
        ));
    }
    let stages = [
        Stage::Development,
        Stage::Test,
        Stage::Production,
        Stage::Data,
    ];
    let mut items: Vec<String> = stages.iter().map(|s| s.name().to_string()).collect();
    items.push("(none)".into());
    let default = Stage::from_name(name)
        .and_then(|s| stages.iter().position(|x| *x == s))
        .unwrap_or(items.len() - 1);
    let i = p.select(
        "environments.stage",
        "What it is for (production is checked against development)",
        &items,
        default,
    )?;
    // Only written when the name does not already say it.
    if let Some(stage) = stages.get(i).copied()
        && Stage::from_name(name) != Some(stage)
    {
        sets.push(format!(
            "environments.{name}.project.stage={}",
            stage.name()
        ));
    }
    if sets
        .iter()
        .all(|s| !s.starts_with(&format!("environments.{name}.")))
    {
        sets.push(format!("environments.{name}={{}}"));
    }
    Ok(sets)
}

/// The first /16 of 10.0.0.0/8 that overlaps none of `taken` (the suggestion for a new
/// environment's VPC block).
fn free_block(taken: &[Ipv4Net]) -> Option<Ipv4Net> {
    (0..=255u8)
        .map(|b| Ipv4Net::new(std::net::Ipv4Addr::new(10, b, 0, 0), 16).expect("a /16"))
        .find(|n| {
            !taken
                .iter()
                .any(|t| t.contains(&n.network()) || n.contains(&t.network()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers a scripted list of text/select questions in order.
    struct Answers(Vec<&'static str>);

    impl Prompter for Answers {
        fn say(&mut self, _: &str) {}
        fn input(&mut self, _: &str, _: &str, default: &str) -> Result<String> {
            let a = self.0.remove(0);
            Ok(if a.is_empty() {
                default.into()
            } else {
                a.into()
            })
        }
        fn confirm(&mut self, _: &str, _: &str, d: bool) -> Result<bool> {
            Ok(d)
        }
        fn select(&mut self, _: &str, _: &str, items: &[String], d: usize) -> Result<usize> {
            let a = self.0.remove(0);
            Ok(items.iter().position(|i| i == a).unwrap_or(d))
        }
        fn multi_select(
            &mut self,
            _: &str,
            _: &str,
            _: &[String],
            _: &[bool],
        ) -> Result<Vec<usize>> {
            Ok(vec![])
        }
    }

    const ONE: &str = "# mine\n[project]\nname = \"fraud\"\nregion = \"eu-west-1\"\naccount_id = \"111111111111\"\n";

    fn load(text: &str) -> Valid {
        crate::spec::load(
            &crate::spec::SpecSource::Config {
                origin: "smgen.toml".into(),
                text: text.into(),
            },
            &[],
        )
        .unwrap()
    }

    #[test]
    fn a_one_environment_project_names_its_environment_and_gains_one() {
        let spec = load(ONE);
        let mut p = Answers(vec!["", "222222222222", "", "", ""]);
        let sets = add_environment(&mut p, &spec, "prod").unwrap();
        assert_eq!(
            sets,
            [
                "environments.dev={}",
                "environments.prod.project.account_id=\"222222222222\"",
                "environments.prod.network.vpc.cidr=10.0.0.0/16",
            ]
        );
        // Applied as `smgen upgrade --set` applies them: the user's comment stays, and the
        // answers now hold two environments.
        let edited = crate::reconcile::set_answers(ONE, "smgen.toml", &sets).unwrap();
        assert!(edited.starts_with("# mine\n"), "{edited}");
        let v = load(&edited);
        let names: Vec<&str> = v.environments().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["dev", "prod"]);
        assert_eq!(v.environments()[1].spec.network.vpc.cidr, "10.0.0.0/16");
        // The next one avoids both blocks, and a name that exists is refused.
        let mut p = Answers(vec!["", "", "", "(none)"]);
        let sets = add_environment(&mut p, &v, "test").unwrap();
        assert!(
            sets.contains(&"environments.test.network.vpc.cidr=10.1.0.0/16".to_string()),
            "{sets:?}"
        );
        let err = add_environment(&mut Answers(vec![]), &v, "dev").unwrap_err();
        assert_eq!(err.code(), 2);
    }

    #[test]
    fn the_suggested_block_overlaps_nothing_taken() {
        let taken: Vec<Ipv4Net> = ["10.0.0.0/15", "10.20.0.0/16", "10.3.0.0/24"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(free_block(&taken), Some("10.2.0.0/16".parse().unwrap()));
        let wide: Vec<Ipv4Net> = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(free_block(&wide), None);
    }
}
