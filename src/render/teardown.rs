//! `teardown.sh`, the same in every format: what blocks or outlives a destroy of the environment
//! (Studio apps, spaces and profiles, the domain's home EFS volume and SageMaker's NFS security
//! groups, versioned buckets), removed with the AWS CLI. The script is static text
//! (`templates/teardown.sh`); only its header of project values is rendered here.

use crate::model::Model;
use crate::model::refs::Ref;

const SCRIPT: &str = include_str!("../../templates/teardown.sh");
const MARK: &str = "# @@PROJECT@@";

/// A POSIX shell single-quoted word.
fn sh(v: &str) -> String {
    format!("'{}'", v.replace('\'', r"'\''"))
}

/// A bucket name with the account left as `@ACCOUNT@` (the script asks STS for it).
fn name(model: &Model, r: &Ref) -> String {
    match r {
        Ref::Lit(s) => s.clone(),
        Ref::Account => "@ACCOUNT@".into(),
        Ref::Region => model.region.clone(),
        Ref::Partition => model.partition.arn().to_string(),
        Ref::Join(parts) => parts.iter().map(|p| name(model, p)).collect(),
        other => unreachable!(
            "a created bucket's name is built from literals and the account, not {other:?}"
        ),
    }
}

pub fn script(model: &Model) -> String {
    let buckets: Vec<String> = model
        .buckets
        .iter()
        .map(|b| sh(&name(model, &b.bucket_name)))
        .collect();
    let header = format!(
        "# This environment (smgen.toml): its Region, Studio domain and the buckets it creates.\nREGION={}\nDOMAIN_NAME={}\nBUCKETS=({})",
        sh(&model.region),
        sh(model.domain.as_ref().map_or("", |d| d.domain_name.as_str())),
        buckets.join(" ")
    );
    SCRIPT.replacen(MARK, &header, 1)
}

/// The line after which the script knows the credentials' account.
const ACCOUNT_LINE: &str = "say \"account $ACCOUNT, region $REGION, mode ${mode}\"\n";

/// The script of one environment of several (`environments/NAME/teardown.sh`): as [`script`],
/// and, when the environment names its account, refusing credentials of any other. Every
/// environment of a project has the same domain and bucket names (the account is an input,
/// not part of a name), so the script run with another environment's credentials would find
/// and delete that environment's domain, profiles and home volume.
pub fn env_script(model: &Model) -> String {
    let text = script(model);
    let Some(account) = &model.account_id else {
        return text;
    };
    let guard = format!(
        "# This environment's account (project.account_id): the other environments have the same\n\
         # domain and bucket names, so their credentials must not clean up here.\n\
         if [[ $ACCOUNT != {a} ]]; then\n  \
         say \"these credentials are for account $ACCOUNT, this environment is in {raw}: nothing done\"\n  \
         exit 1\n\
         fi\n",
        a = sh(account),
        // Validated as 12 digits: nothing to quote inside the double-quoted message.
        raw = account
    );
    assert!(text.contains(ACCOUNT_LINE), "teardown.sh names the account");
    text.replacen(ACCOUNT_LINE, &format!("{ACCOUNT_LINE}{guard}"), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(account: Option<&str>) -> Model {
        let mut text = String::from("[project]\nname = \"fraud\"\nregion = \"eu-west-1\"\n");
        if let Some(a) = account {
            text.push_str(&format!("account_id = \"{a}\"\n"));
        }
        let spec = crate::spec::load(
            &crate::spec::SpecSource::Config {
                origin: "smgen.toml".into(),
                text,
            },
            &[],
        )
        .unwrap();
        crate::model::resolve(&spec)
    }

    #[test]
    fn an_environment_script_refuses_another_account() {
        let text = env_script(&model(Some("222222222222")));
        let at = text.find(ACCOUNT_LINE).unwrap() + ACCOUNT_LINE.len();
        assert!(text[at..].starts_with("# This environment's account"));
        assert!(text.contains("if [[ $ACCOUNT != '222222222222' ]]; then"));
        // Before anything is listed or deleted.
        assert!(at < text.find("list-domains").unwrap());
        // Without an account, nothing to compare: the plain script.
        let m = model(None);
        assert_eq!(env_script(&m), script(&m));
    }
}
