//! The access policy for the people who open Studio and notebook instances: presigned URLs for
//! this environment only, restricted by source address or VPC endpoint when the spec asks.
//!
//! Sources (domain facts 2.6): presigned-URL actions have no SageMaker condition keys, so the
//! restriction uses the global keys `aws:SourceIp` / `aws:sourceVpce` (archived dg
//! `studio-interface-endpoint`, `notebook-interface-endpoint`,
//! `security_iam_id-based-policy-examples`); Studio restrictions work only in IAM auth mode.

use super::iam::{Condition, PolicyDocument, Statement};
use super::policies::sagemaker_arn;
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

/// A customer managed policy to attach to the users' IAM identities (not to the execution role).
pub fn studio_access(spec: &Spec, model: &Model) -> Option<ManagedPolicy> {
    let mut st = vec![];
    if model.domain.is_some() {
        let domain_id = Ref::attr(Kind::Domain, "main", Attr::Id);
        let profiles = Ref::join([
            sagemaker_arn("user-profile/"),
            domain_id.clone(),
            Ref::lit("/*"),
        ]);
        let mut open = Statement::allow(
            "OpenStudioOfThisDomain",
            &["sagemaker:CreatePresignedDomainUrl"],
            vec![profiles.clone()],
        );
        if let Some(c) = restriction(spec, model, "studio") {
            open = open.when(c);
        }
        st.push(open);
        st.push(Statement::allow(
            "DescribeThisDomain",
            &["sagemaker:DescribeDomain"],
            vec![Ref::join([sagemaker_arn("domain/"), domain_id])],
        ));
        st.push(Statement::allow(
            "DescribeProfilesOfThisDomain",
            &["sagemaker:DescribeUserProfile"],
            vec![profiles],
        ));
        st.push(Statement::allow(
            "ListDomainsAndProfiles",
            &["sagemaker:ListDomains", "sagemaker:ListUserProfiles"],
            vec![Ref::lit("*")],
        ));
    }
    if !model.notebooks.is_empty() {
        let arns: Vec<Ref> = model
            .notebooks
            .iter()
            .map(|n| {
                sagemaker_arn(&format!(
                    "notebook-instance/{}",
                    n.instance_name.to_lowercase()
                ))
            })
            .collect();
        let mut open = Statement::allow(
            "OpenNotebookInstancesOfThisEnvironment",
            &["sagemaker:CreatePresignedNotebookInstanceUrl"],
            arns.clone(),
        );
        if let Some(c) = restriction(spec, model, "notebook") {
            open = open.when(c);
        }
        st.push(open);
        st.push(Statement::allow(
            "DescribeNotebookInstancesOfThisEnvironment",
            &["sagemaker:DescribeNotebookInstance"],
            arns,
        ));
        st.push(Statement::allow(
            "ListNotebookInstances",
            &["sagemaker:ListNotebookInstances"],
            vec![Ref::lit("*")],
        ));
    }
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
