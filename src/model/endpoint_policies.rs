//! VPC endpoint policies: what each endpoint carries for the declared needs, least privilege,
//! and only for principals of this account (`aws:PrincipalAccount`).
//!
//! Sources: PrivateLink `vpc-endpoints-access` and dg `interface-vpc-endpoint` /
//! `studio-interface-endpoint` / `notebook-interface-endpoint` (endpoint policies; the Studio
//! endpoint must allow CreateApp); S3 User Guide `example-bucket-policies-vpc-endpoint`.

use super::Model;
use super::iam::{Condition, PolicyDocument, Principal, Statement};
use super::policies::{bucket_arn, sagemaker_arn};
use super::refs::{Attr, Kind, Ref};
use crate::spec::Spec;

/// What each endpoint carries, least privilege: (actions, resources). Only principals of this
/// account may use any endpoint (`aws:PrincipalAccount`).
fn endpoint_grants(model: &Model, key: &str) -> Vec<(String, Vec<&'static str>, Vec<Ref>)> {
    let any = || vec![Ref::lit("*")];
    let in_account = |svc: &str, res: &str| vec![Ref::arn(svc, true, true, Ref::lit(res))];
    let g = |sid: &str, a: &[&'static str], r: Vec<Ref>| (sid.to_string(), a.to_vec(), r);
    match key {
        // The S3 gateway endpoint's statements are built by s3_gateway_statements.
        "s3" => vec![],
        // Listed in network.endpoints with no declared need calling through it: reads only.
        "sagemaker.api" | "sagemaker.api-fips" => vec![
            g(
                "SageMakerReadsInThisAccount",
                &["sagemaker:Describe*"],
                in_account("sagemaker", "*"),
            ),
            g(
                "SageMakerListing",
                &["sagemaker:List*", "sagemaker:Search"],
                any(),
            ),
        ],
        "sagemaker.runtime" | "sagemaker.runtime-fips" => vec![g(
            "InvokeEndpointsInThisAccount",
            &[
                "sagemaker:InvokeEndpoint",
                "sagemaker:InvokeEndpointAsync",
                "sagemaker:InvokeEndpointWithResponseStream",
            ],
            in_account("sagemaker", "endpoint/*"),
        )],
        "sagemaker.featurestore-runtime" => vec![g(
            "FeatureStoreRecords",
            &[
                "sagemaker:BatchGetRecord",
                "sagemaker:DeleteRecord",
                "sagemaker:GetRecord",
                "sagemaker:PutRecord",
            ],
            in_account("sagemaker", "feature-group/*"),
        )],
        "sagemaker.metrics" => vec![g(
            "ExperimentMetrics",
            &["sagemaker:BatchGetMetrics", "sagemaker:BatchPutMetrics"],
            any(),
        )],
        // The Studio endpoint carries app launches: CreateApp on this account's domains
        // (dg studio-interface-endpoint).
        // dg studio-interface-endpoint: the Studio endpoint must allow CreateApp on the domain.
        "studio" => {
            let apps = match &model.domain {
                Some(_) => Ref::join([
                    sagemaker_arn("app/"),
                    Ref::attr(Kind::Domain, "main", Attr::Id),
                    Ref::lit("/*"),
                ]),
                None => sagemaker_arn("app/*"),
            };
            vec![g(
                "StudioAppsOfThisDomain",
                &["sagemaker:CreateApp"],
                vec![apps],
            )]
        }
        "notebook" => vec![g(
            "NotebookPresignedUrls",
            &["sagemaker:CreatePresignedNotebookInstanceUrl"],
            vec![sagemaker_arn("notebook-instance/*")],
        )],
        "experiments" => vec![g(
            "MlflowTracking",
            &["sagemaker-mlflow:*"],
            in_account("sagemaker", "mlflow-tracking-server/*"),
        )],
        "partner-app" => vec![g(
            "PartnerApps",
            &["sagemaker:CallPartnerAppApi"],
            vec![sagemaker_arn("partner-app/*")],
        )],
        "sts" => vec![g("CallerIdentity", &["sts:GetCallerIdentity"], any())],
        "logs" => vec![g(
            "SageMakerLogs",
            &[
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:DescribeLogGroups",
                "logs:DescribeLogStreams",
                "logs:FilterLogEvents",
                "logs:GetLogEvents",
                "logs:PutLogEvents",
            ],
            in_account("logs", "log-group:*"),
        )],
        "monitoring" => vec![g(
            "CloudWatchMetrics",
            &[
                "cloudwatch:GetMetricData",
                "cloudwatch:ListMetrics",
                "cloudwatch:PutMetricData",
            ],
            any(),
        )],
        "ecr.api" | "ecr.dkr" => vec![
            g("EcrAuth", &["ecr:GetAuthorizationToken"], any()),
            g(
                "EcrReadOnly",
                &[
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:DescribeImages",
                    "ecr:DescribeRepositories",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:ListImages",
                ],
                in_account("ecr", "repository/*"),
            ),
        ],
        "codeartifact.api" | "codeartifact.repositories" => vec![
            g(
                "CodeArtifactToken",
                &["codeartifact:GetAuthorizationToken"],
                in_account("codeartifact", "domain/*"),
            ),
            g(
                "CodeArtifactReadOnly",
                &[
                    "codeartifact:GetRepositoryEndpoint",
                    "codeartifact:ReadFromRepository",
                ],
                in_account("codeartifact", "repository/*"),
            ),
        ],
        "servicecatalog" => vec![g(
            "ServiceCatalogProjects",
            &[
                "servicecatalog:DescribeProduct",
                "servicecatalog:DescribeProvisionedProduct",
                "servicecatalog:DescribeProvisioningParameters",
                "servicecatalog:DescribeRecord",
                "servicecatalog:ListLaunchPaths",
                "servicecatalog:ProvisionProduct",
                "servicecatalog:SearchProducts",
                "servicecatalog:TerminateProvisionedProduct",
                "servicecatalog:UpdateProvisionedProduct",
            ],
            any(),
        )],
        "kms" => vec![g(
            "EnvironmentKeyOnly",
            &[
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:Encrypt",
                "kms:GenerateDataKey*",
                "kms:ReEncrypt*",
            ],
            model
                .kms
                .key_arn
                .clone()
                .map_or_else(|| in_account("kms", "key/*"), |k| vec![k]),
        )],
        "ssm" => vec![g(
            "ParameterStoreRead",
            &[
                "ssm:GetParameter",
                "ssm:GetParameters",
                "ssm:GetParametersByPath",
            ],
            in_account("ssm", "parameter/*"),
        )],
        "git-codecommit" | "codecommit" => vec![g(
            "CodeCommitGit",
            &[
                "codecommit:GetBranch",
                "codecommit:GetRepository",
                "codecommit:GitPull",
                "codecommit:GitPush",
                "codecommit:ListBranches",
            ],
            in_account("codecommit", "*"),
        )],
        // Every catalog key has an arm (tested below); an unknown key gets no grant.
        _ => vec![],
    }
}

/// The S3 gateway endpoint reaches the environment's buckets, plus the AWS-owned buckets its
/// features need (docs/sagemaker-facts.md § 2.5): JumpStart artifacts (objects tagged SageMaker=true), ECR
/// image layers (`prod-REGION-starport-layer-bucket`) and the SDK's default bucket.
fn s3_gateway_statements(model: &Model, spec: &Spec) -> Vec<Statement> {
    // Not the trail's bucket: CloudTrail writes to it from outside the VPC, and nobody in the
    // environment needs to reach it.
    let mut buckets: Vec<Ref> = model
        .buckets
        .iter()
        .filter(|b| !b.is_trail)
        .map(|b| bucket_arn(&b.name))
        .collect();
    // Existing buckets of this account; those of other accounts get statements of their own
    // below, each pinned to its owner.
    for b in &spec.data.buckets {
        if let (Some(existing), None) = (&b.existing, &b.account) {
            buckets.push(super::cross_account::bucket_arn(existing));
        }
    }
    let mut out = vec![];
    bucket_grants(&mut out, "Environment", buckets, None);
    for (i, b) in model.cross_account.iter().enumerate() {
        bucket_grants(
            &mut out,
            &format!("OtherAccountBucket{}", i + 1),
            vec![super::cross_account::bucket_arn(&b.bucket)],
            Some(&b.account),
        );
    }
    if spec.needs.sdk_remote_jobs && super::sdk_location(spec) == super::SdkLocation::SdkDefault {
        // No writable environment bucket: the SDK's own bucket, sagemaker-<region>-<account>.
        let default = super::sdk_default_bucket_arn(&model.region);
        out.push(Statement::allow(
            "SdkDefaultBucket",
            &["s3:CreateBucket", "s3:GetBucketLocation", "s3:ListBucket"],
            vec![default.clone()],
        ));
        out.push(Statement::allow(
            "SdkDefaultBucketObjects",
            &[
                "s3:AbortMultipartUpload",
                "s3:DeleteObject",
                "s3:GetObject",
                "s3:PutObject",
            ],
            vec![Ref::join([default, Ref::lit("/*")])],
        ));
    }
    out
}

/// Listing and object access to `buckets` through the S3 gateway endpoint, as the statements
/// `<label>Buckets` and `<label>Objects`; with `owner`, only while that account owns them
/// (`s3:ResourceAccount`): a bucket of another account is admitted by name and owner, never by
/// opening the endpoint to every bucket.
fn bucket_grants(out: &mut Vec<Statement>, label: &str, buckets: Vec<Ref>, owner: Option<&str>) {
    let objects: Vec<Ref> = buckets
        .iter()
        .map(|b| Ref::join([b.clone(), Ref::lit("/*")]))
        .collect();
    let pin = |s: Statement| match owner {
        Some(account) => s.when(super::cross_account::owner_condition(account)),
        None => s,
    };
    out.push(pin(Statement::allow(
        &format!("{label}Buckets"),
        &["s3:GetBucketLocation", "s3:ListBucket"],
        buckets,
    )));
    out.push(pin(Statement::allow(
        &format!("{label}Objects"),
        &[
            "s3:AbortMultipartUpload",
            "s3:DeleteObject",
            "s3:GetObject",
            "s3:PutObject",
        ],
        objects,
    )));
}

/// The statements of an interface endpoint: exactly the grants of the needs table that the
/// declared needs route through it (data/needs.toml `via`), on the same resources, so the
/// endpoint is a data perimeter (this account's resources, or AWS-owned ones named in the
/// table) as well as an action filter. Grants with the same resources and conditions merge.
fn routed_statements(model: &Model, spec: &Spec, key: &str) -> Vec<Statement> {
    let routed = super::needs::routed(spec);
    let Some(grants) = routed.get(key) else {
        return vec![];
    };
    let mut st: Vec<Statement> = vec![];
    for g in grants {
        let Some(s) = super::needs::endpoint_statement(g, model) else {
            continue;
        };
        match st
            .iter_mut()
            .find(|c| c.resources == s.resources && c.conditions == s.conditions)
        {
            Some(c) => c.actions.extend(s.actions),
            None => st.push(s),
        }
    }
    for s in &mut st {
        s.actions.sort();
        s.actions.dedup();
    }
    st
}

/// The policy of one endpoint.
pub fn endpoint_policy(model: &Model, spec: &Spec, key: &str) -> PolicyDocument {
    let mut st: Vec<Statement> = if key == "s3" {
        s3_gateway_statements(model, spec)
    } else {
        routed_statements(model, spec, key)
    };
    if st.is_empty() {
        st = endpoint_grants(model, key)
            .into_iter()
            .map(|(sid, actions, resources)| Statement::allow(&sid, &actions, resources))
            .collect();
    }
    let mut st: Vec<Statement> = st
        .into_iter()
        .map(|s| {
            s.principal(Principal::Aws(vec![Ref::lit("*")]))
                .when(Condition::new(
                    "StringEquals",
                    "aws:PrincipalAccount",
                    [Ref::Account],
                ))
        })
        .collect();
    if key == "s3" && spec.needs.custom_images {
        // Image layers are fetched with URLs that ECR signs, so the principal is not one of
        // this account's: no aws:PrincipalAccount condition here (ECR User Guide,
        // vpc-endpoints, "Minimum Amazon S3 bucket permissions for Amazon ECR").
        st.push(
            Statement::allow(
                "EcrImageLayers",
                &["s3:GetObject"],
                vec![Ref::arn(
                    "s3",
                    false,
                    false,
                    Ref::lit(format!("prod-{}-starport-layer-bucket/*", model.region)),
                )],
            )
            .principal(Principal::Aws(vec![Ref::lit("*")])),
        );
    }
    if key == "s3" && spec.needs.jumpstart {
        // JumpStart's model artefacts and scripts are in AWS-owned buckets named per Region
        // (SageMaker Python SDK jumpstart/constants.py: contentBucket jumpstart-cache-prod-REGION,
        // gatedContentBucket jumpstart-private-cache-prod-REGION): a data-perimeter exception by
        // bucket name, from the needs table, rather than any bucket with a SageMaker tag.
        let table = super::needs::table();
        if let Some(g) = table.grant.iter().find(|g| g.sid == "JumpStartArtifacts")
            && let Some(s) = super::needs::endpoint_statement(g, model)
        {
            st.push(
                s.principal(Principal::Aws(vec![Ref::lit("*")]))
                    .when(Condition::new(
                        "StringEquals",
                        "aws:PrincipalAccount",
                        [Ref::Account],
                    )),
            );
        }
    }
    PolicyDocument::new(st)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::endpoints::CATALOG;

    #[test]
    fn every_endpoint_has_a_least_privilege_policy() {
        let spec =
            crate::spec::load(&crate::spec::SpecSource::Preset("regulated".into()), &[]).unwrap();
        let model = crate::model::resolve(&spec);
        for e in CATALOG {
            let doc = endpoint_policy(&model, &spec, e.key);
            assert!(!doc.statements.is_empty(), "{}", e.key);
            for s in &doc.statements {
                assert!(
                    !s.actions.iter().any(|a| a == "*" || a == "sagemaker:*"),
                    "{}: {:?}",
                    e.key,
                    s.actions
                );
                // The one exception: ECR-signed layer downloads, limited to the layer bucket.
                let ecr_layers = s.sid == "EcrImageLayers"
                    && format!("{:?}", s.resources).contains("starport-layer-bucket");
                assert!(
                    ecr_layers || s.conditions.iter().any(|c| c.key == "aws:PrincipalAccount"),
                    "{}: {}",
                    e.key,
                    s.sid
                );
            }
        }
    }
}
