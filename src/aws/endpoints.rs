//! The VPC endpoint catalog: every endpoint smgen can create, its key, kind, purpose and
//! partition-correct service name. Which of them a spec needs, and why, is the solver in
//! `model::endpoints`.
//!
//! Sources: AWS PrivateLink Guide, "AWS services that integrate with AWS PrivateLink" (service
//! names; the `aws.sagemaker.REGION.*` names have no short name, which is why smgen never looks
//! them up with `aws_vpc_endpoint_service`: hashicorp/terraform-provider-aws#11806);
//! SageMaker dg `studio-updated-and-internet-access` (VpcOnly Studio needs the API, runtime and
//! Studio endpoints or a NAT gateway), dg `interface-vpc-endpoint`, awsdocs PR #259 (the Python
//! SDK also needs STS and CloudWatch Logs), CodeArtifact `create-vpc-endpoints`, ECR
//! `vpc-endpoints`. China prefixes: aws-cdk `getDefaultEndpointPrefix` (services served under
//! `cn.com.amazonaws` in cn-north-1/cn-northwest-1).

use super::region::Partition;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EndpointKind {
    Interface,
    Gateway,
}

#[derive(Debug, Clone, Copy)]
enum Naming {
    /// `<prefix>.<region>.<suffix>`; `cn` says whether China uses `cn.com.amazonaws`.
    Regional { suffix: &'static str, cn: bool },
    /// `aws.sagemaker.<region>.<suffix>` in every partition.
    SageMakerAws(&'static str),
}

/// One row of the catalog.
#[derive(Debug)]
pub struct CatalogEntry {
    /// The key users write in `network.endpoints` (also the resource's logical name).
    pub key: &'static str,
    naming: Naming,
    pub kind: EndpointKind,
    /// What the endpoint carries, in one line.
    pub purpose: &'static str,
}

const fn regional(key: &'static str, cn: bool, purpose: &'static str) -> CatalogEntry {
    CatalogEntry {
        key,
        naming: Naming::Regional { suffix: key, cn },
        kind: EndpointKind::Interface,
        purpose,
    }
}

const fn sagemaker_aws(
    key: &'static str,
    suffix: &'static str,
    purpose: &'static str,
) -> CatalogEntry {
    CatalogEntry {
        key,
        naming: Naming::SageMakerAws(suffix),
        kind: EndpointKind::Interface,
        purpose,
    }
}

pub static CATALOG: &[CatalogEntry] = &[
    CatalogEntry {
        key: "s3",
        // The S3 *gateway* endpoint keeps `com.amazonaws` in China (`aws ec2
        // describe-vpc-endpoint-services` in cn-north-1 lists `com.amazonaws.cn-north-1.s3`);
        // only some interface-endpoint services move to `cn.com.amazonaws`.
        naming: Naming::Regional {
            suffix: "s3",
            cn: false,
        },
        kind: EndpointKind::Gateway,
        purpose: "Amazon S3 through the route tables (gateway endpoint, no hourly charge)",
    },
    regional(
        "sagemaker.api",
        true,
        "SageMaker API: Studio launch, presigned URLs, SDK calls",
    ),
    regional(
        "sagemaker.runtime",
        true,
        "SageMaker Runtime: InvokeEndpoint",
    ),
    regional(
        "sagemaker.runtime-fips",
        true,
        "SageMaker Runtime, FIPS endpoint",
    ),
    regional("sagemaker.api-fips", true, "SageMaker API, FIPS endpoint"),
    regional(
        "sagemaker.featurestore-runtime",
        true,
        "Feature Store online store: GetRecord/PutRecord",
    ),
    regional(
        "sagemaker.metrics",
        true,
        "SageMaker Experiments and training metrics",
    ),
    sagemaker_aws("studio", "studio", "SageMaker Studio UI and apps"),
    sagemaker_aws(
        "notebook",
        "notebook",
        "SageMaker notebook instance Jupyter UI",
    ),
    sagemaker_aws(
        "experiments",
        "experiments",
        "SageMaker managed MLflow tracking servers",
    ),
    sagemaker_aws("partner-app", "partner-app", "SageMaker partner AI apps"),
    regional(
        "sts",
        true,
        "AWS STS: credentials and caller identity for the SageMaker Python SDK",
    ),
    regional(
        "logs",
        false,
        "CloudWatch Logs: job logs the SageMaker Python SDK streams",
    ),
    regional("monitoring", true, "CloudWatch metrics and alarms"),
    regional(
        "ecr.api",
        true,
        "Amazon ECR API: custom Studio images and bring-your-own containers",
    ),
    regional(
        "ecr.dkr",
        true,
        "Amazon ECR registry: image layer pulls and pushes",
    ),
    regional(
        "codeartifact.api",
        false,
        "CodeArtifact API: repository auth tokens",
    ),
    regional(
        "codeartifact.repositories",
        false,
        "CodeArtifact repositories: pip install",
    ),
    regional(
        "servicecatalog",
        true,
        "Service Catalog: SageMaker Projects templates",
    ),
    regional(
        "kms",
        false,
        "AWS KMS: direct KMS calls from code in the VPC",
    ),
    regional("ssm", false, "Systems Manager Parameter Store"),
    regional("git-codecommit", false, "CodeCommit Git over HTTPS"),
    regional("codecommit", false, "CodeCommit API"),
];

pub fn find(key: &str) -> Option<&'static CatalogEntry> {
    CATALOG.iter().find(|e| e.key == key)
}

pub fn keys() -> Vec<&'static str> {
    CATALOG.iter().map(|e| e.key).collect()
}

impl CatalogEntry {
    /// The partition-correct service name, e.g. `com.amazonaws.eu-west-1.sagemaker.api`.
    pub fn service_name(&self, partition: Partition, region: &str) -> String {
        match self.naming {
            Naming::Regional { suffix, cn } => {
                let prefix = if partition == Partition::AwsCn && cn {
                    "cn.com.amazonaws"
                } else {
                    "com.amazonaws"
                };
                format!("{prefix}.{region}.{suffix}")
            }
            Naming::SageMakerAws(suffix) => format!("aws.sagemaker.{region}.{suffix}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_are_partition_correct() {
        let api = find("sagemaker.api").unwrap();
        assert_eq!(
            api.service_name(Partition::Aws, "eu-west-1"),
            "com.amazonaws.eu-west-1.sagemaker.api"
        );
        assert_eq!(
            api.service_name(Partition::AwsCn, "cn-north-1"),
            "cn.com.amazonaws.cn-north-1.sagemaker.api"
        );
        let studio = find("studio").unwrap();
        assert_eq!(
            studio.service_name(Partition::AwsCn, "cn-north-1"),
            "aws.sagemaker.cn-north-1.studio"
        );
        assert_eq!(
            find("s3")
                .unwrap()
                .service_name(Partition::AwsCn, "cn-north-1"),
            "com.amazonaws.cn-north-1.s3"
        );
        let logs = find("logs").unwrap();
        assert_eq!(
            logs.service_name(Partition::AwsCn, "cn-north-1"),
            "com.amazonaws.cn-north-1.logs"
        );
        assert_eq!(
            logs.service_name(Partition::AwsUsGov, "us-gov-west-1"),
            "com.amazonaws.us-gov-west-1.logs"
        );
    }

    #[test]
    fn catalog_keys_are_unique() {
        let mut k = keys();
        k.sort();
        k.dedup();
        assert_eq!(k.len(), CATALOG.len());
    }
}
