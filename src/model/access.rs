//! The access policy for the people who open Studio and notebook instances: presigned URLs for
//! this environment only, restricted by source address or VPC endpoint when the spec asks.
//!
//! Sources (docs/sagemaker-facts.md § 2.6): presigned-URL actions have no SageMaker condition keys, so the
//! restriction uses the global keys `aws:SourceIp` / `aws:sourceVpce` (archived dg
//! `studio-interface-endpoint`, `notebook-interface-endpoint`,
//! `security_iam_id-based-policy-examples`); Studio restrictions work only in IAM auth mode.

use super::iam::{Condition, PolicyDocument, Statement};
use super::refs::{Attr, Kind, Ref};
use super::{ManagedPolicy, Model};
use crate::spec::{PresignedRestrict, Spec};

fn restriction(spec: &Spec, model: &Model, ui_endpoint: &str) -> Option<Condition> {
    let pre = &spec.studio.presigned_url;
    match pre.restrict {
        PresignedRestrict::None => None,
        PresignedRestrict::SourceIp => Some(Condition::new(
            "IpAddress",
            "aws:SourceIp",
            pre.source_ips.iter().map(Ref::lit),
        )),
        PresignedRestrict::SourceVpce => {
            let ids: Vec<Ref> = ["sagemaker.api", ui_endpoint]
                .iter()
                .filter_map(|k| model.endpoint(k))
                .map(|e| Ref::attr(Kind::VpcEndpoint, &e.name, Attr::Id))
                .collect();
            Some(Condition::new("StringEquals", "aws:sourceVpce", ids))
        }
    }
}

/// A customer managed policy to attach to the users' IAM identities (not to the execution role),
/// from the needs table's `access` grants; opening Studio or a notebook instance carries the
/// presigned-URL restriction.
pub fn studio_access(spec: &Spec, model: &Model) -> Option<ManagedPolicy> {
    let st: Vec<Statement> = super::needs::grants_for(spec, super::needs::Principal::Access)
        .into_iter()
        .filter_map(|g| {
            let s = super::needs::statement(g, model)?;
            let ui = match g.actions.first().map(String::as_str) {
                Some("sagemaker:CreatePresignedDomainUrl") => "studio",
                Some("sagemaker:CreatePresignedNotebookInstanceUrl") => "notebook",
                _ => return Some(s),
            };
            Some(match restriction(spec, model, ui) {
                Some(c) => s.when(c),
                None => s,
            })
        })
        .collect();
    if st.is_empty() {
        return None;
    }
    Some(ManagedPolicy {
        name: "studio_access".into(),
        policy_name: format!("{}-sagemaker-user-access", model.name),
        description: "Attach to the people who use this environment: open Studio and notebook instances of this environment only".into(),
        document: PolicyDocument::new(st),
    })
}
