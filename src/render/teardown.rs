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
