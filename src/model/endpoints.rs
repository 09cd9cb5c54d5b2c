//! The solver that picks the minimal set of VPC endpoints for a spec from the catalog
//! ([`crate::aws::endpoints`]), with the reason for each endpoint.
//!
//! Sources: SageMaker dg `studio-updated-and-internet-access` (VpcOnly Studio needs the API, runtime and
//! Studio endpoints or a NAT gateway), dg `interface-vpc-endpoint`, awsdocs PR #259 (the Python
//! SDK also needs STS and CloudWatch Logs), CodeArtifact `create-vpc-endpoints`, ECR
//! `vpc-endpoints`. China prefixes: aws-cdk `getDefaultEndpointPrefix` (services served under
//! `cn.com.amazonaws` in cn-north-1/cn-northwest-1).

use crate::aws::endpoints::{CATALOG, CatalogEntry};

use super::refs::Ref;
use crate::aws::region::Partition;
use crate::spec::{Nat, NetworkMode, Pip, Spec, Valid};
use serde::Serialize;

/// The same name with the region as a reference, for formats that resolve it at deploy
/// time (CloudFormation `${AWS::Region}`); the prefix still follows the partition.
pub fn service_name_ref(entry: &CatalogEntry, partition: Partition) -> Ref {
    const MARK: &str = "\u{0}";
    let name = entry.service_name(partition, MARK);
    let (before, after) = name
        .split_once(MARK)
        .expect("every service name has a region");
    Ref::join([Ref::lit(before), Ref::Region, Ref::lit(after)])
}

/// Why an endpoint is needed (or what breaks without it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Need {
    pub key: &'static str,
    pub reason: String,
    /// The AWS documentation or issue that states the need.
    pub source: &'static str,
    /// Whether the environment is unusable without it (as opposed to one feature breaking).
    pub critical: bool,
}

/// The endpoints the spec's needs call for, in catalog order, each with its reason.
/// With a NAT gateway only the free S3 gateway endpoint is needed: everything else has a path
/// through NAT (dg `studio-updated-and-internet-access`: "an interface endpoint to the SageMaker
/// API and runtime, or a NAT gateway").
///
/// `network.private_endpoints_with_nat` keeps the interface endpoints with NAT as well, so that
/// the calls they carry stay under endpoint policies and `aws:SourceVpce` conditions.
pub fn required(spec: &Spec) -> Vec<Need> {
    required_as(
        spec,
        spec.network.nat == Nat::None || spec.network.private_endpoints_with_nat,
    )
}

/// The interface endpoints a NAT gateway replaces: those the needs would call for without
/// internet egress that [`required`] leaves out (empty without NAT, or when they are kept).
pub fn replaced_by_nat(spec: &Spec) -> Vec<Need> {
    let kept = required(spec);
    required_as(spec, true)
        .into_iter()
        .filter(|n| !kept.iter().any(|k| k.key == n.key))
        .collect()
}

/// The needs, solved as if the VPC had no internet egress (`private`) or with it.
fn required_as(spec: &Spec, private: bool) -> Vec<Need> {
    let mut needs = vec![Need {
        key: "s3",
        reason: "data, model artifacts and container outputs stay on the AWS network; \
                 free, and needed even with NAT so S3 traffic skips NAT charges"
            .into(),
        source: "dg train-vpc; dg studio-updated-and-internet-access",
        critical: true,
    }];
    let n = &spec.network;
    let studio_in_vpc = spec.needs.studio && n.mode == NetworkMode::VpcOnly;
    let private_notebooks = spec.needs.notebook_instances && !spec.notebook.direct_internet_access;
    let jobs = spec.needs.sdk_remote_jobs;
    // Clients in the VPC that have no other way out (or that must not take it).
    let no_internet = private;
    let clients = studio_in_vpc || private_notebooks || jobs;
    // aws:sourceVpce presigned URLs are created through the API endpoint and opened through
    // the Studio (or notebook) endpoint, NAT or not (dg studio-interface-endpoint).
    if spec.studio.presigned_url.restrict == crate::spec::PresignedRestrict::SourceVpce {
        let mut keys = vec![];
        if spec.needs.studio {
            keys.push("studio");
        }
        if spec.needs.notebook_instances {
            keys.push("notebook");
        }
        if !keys.is_empty() {
            keys.insert(0, "sagemaker.api");
        }
        for key in keys {
            needs.push(Need {
                key,
                reason: "studio.presigned_url.restrict = \"source-vpce\": presigned URLs are created \
                         through the API endpoint and opened through the Studio or notebook endpoint"
                    .into(),
                source: "dg studio-interface-endpoint; dg notebook-interface-endpoint",
                critical: true,
            });
        }
    }
    if !no_internet || !clients {
        return needs;
    }
    let mut add = |key: &'static str, reason: &str, source: &'static str, critical: bool| {
        if let Some(existing) = needs.iter_mut().find(|n| n.key == key) {
            existing.critical |= critical;
            existing.reason = format!("{reason}; also {}", existing.reason);
            return;
        }
        needs.push(Need {
            key,
            reason: reason.into(),
            source,
            critical,
        })
    };
    if studio_in_vpc || private_notebooks || jobs {
        add(
            "sagemaker.api",
            "VpcOnly Studio cannot start apps and the SDK cannot create jobs without the SageMaker API",
            "dg studio-updated-and-internet-access",
            studio_in_vpc || private_notebooks,
        );
        add(
            "sagemaker.runtime",
            "invoking hosted models (and Studio notebooks, per the Studio Classic page) needs the runtime endpoint",
            "dg studio-updated-and-internet-access; dg studio-interface-endpoint",
            studio_in_vpc,
        );
    }
    if studio_in_vpc {
        add(
            "studio",
            "listed in the VpcOnly requirements; reaches Studio privately and enables aws:sourceVpce presigned-URL restrictions",
            "dg studio-updated-and-internet-access; dg studio-interface-endpoint",
            false,
        );
    }
    if spec.needs.notebook_instances {
        add(
            "notebook",
            "private access to the notebook instances' Jupyter UI",
            "dg notebook-interface-endpoint",
            false,
        );
    }
    if jobs {
        add(
            "sts",
            "the SageMaker Python SDK needs STS for remote jobs and default_bucket()",
            "awsdocs/amazon-sagemaker-developer-guide PR #259",
            false,
        );
        add(
            "logs",
            "without CloudWatch Logs the SDK's fit() hangs at 'Starting' although the job finished",
            "awsdocs/amazon-sagemaker-developer-guide PR #259",
            false,
        );
    }
    if spec.needs.custom_images {
        for key in ["ecr.api", "ecr.dkr"] {
            add(
                key,
                "custom Studio images and bring-your-own containers are pulled from ECR",
                "ECR vpc-endpoints; aws-samples/amazon-sagemaker-studio-vpc-blog PR #1",
                false,
            );
        }
    }
    if spec.needs.pip == Pip::Codeartifact {
        for key in ["codeartifact.api", "codeartifact.repositories"] {
            add(
                key,
                "pip installs from the private CodeArtifact repository (repositories needs private DNS)",
                "CodeArtifact create-vpc-endpoints; use-codeartifact-from-vpc",
                false,
            );
        }
    }
    if spec.needs.projects {
        add(
            "servicecatalog",
            "SageMaker Projects provision their templates through Service Catalog",
            "dg studio-updated-and-internet-access",
            false,
        );
    }
    if spec.needs.feature_store_online {
        add(
            "sagemaker.featurestore-runtime",
            "online feature store reads and writes",
            "dg feature-store online store; dg interface-vpc-endpoint",
            false,
        );
    }
    if spec.needs.experiments {
        add(
            "sagemaker.metrics",
            "experiment and training metrics logged from the SDK",
            "aws-samples/amazon-sagemaker-studio-vpc-blog#7",
            false,
        );
        add(
            "experiments",
            "managed MLflow tracking servers from inside the VPC",
            "dg mlflow (PrivateLink service aws.sagemaker.REGION.experiments)",
            false,
        );
    }
    if spec.needs.git {
        for key in ["git-codecommit", "codecommit"] {
            add(
                key,
                "Git over HTTPS to CodeCommit from Studio and notebooks",
                "CodeCommit codecommit-and-interface-VPC",
                false,
            );
        }
    }
    needs
}

/// The endpoint set to create: the solver's choice for `auto`, the user's list otherwise
/// (findings report what a list leaves out).
pub fn chosen(spec: &Valid, required: &[Need]) -> Vec<&'static CatalogEntry> {
    // In catalog order, whatever the order of the list.
    match spec.explicit_endpoints() {
        Some(listed) => CATALOG
            .iter()
            .filter(|e| listed.iter().any(|l| l.key == e.key))
            .collect(),
        None => CATALOG
            .iter()
            .filter(|e| required.iter().any(|n| n.key == e.key))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_name_refs_match_the_names() {
        for e in CATALOG {
            for (p, region) in [
                (Partition::Aws, "eu-west-1"),
                (Partition::AwsCn, "cn-north-1"),
                (Partition::AwsUsGov, "us-gov-west-1"),
            ] {
                let Ref::Join(parts) = service_name_ref(e, p) else {
                    panic!("{}: not a join", e.key)
                };
                let text: String = parts
                    .iter()
                    .map(|r| match r {
                        Ref::Lit(s) => s.as_str(),
                        Ref::Region => region,
                        other => panic!("{}: unexpected {other:?}", e.key),
                    })
                    .collect();
                assert_eq!(text, e.service_name(p, region), "{}", e.key);
            }
        }
    }
}
