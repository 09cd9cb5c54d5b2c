//! The settings every job of the environment should use, as two format-neutral trees that each
//! renderer only spells out (Terraform HCL, CDK TypeScript, CloudFormation JSON strings, the
//! YAML of `sagemaker-config.yaml`):
//!
//! - [`job_defaults`]: the `job_defaults` / `JobDefaults` output — isolation, inter-container
//!   encryption, subnets, security group and key — for tools other than the Python SDK;
//! - [`sdk_config`]: the SageMaker Python SDK's defaults file (`config.yaml`), so that every
//!   training, processing and transform job, model and endpoint config created with the SDK
//!   inherits the environment's VPC, key, isolation and encryption without passing them.
//!
//! Keys of the SDK file are the SDK's configuration schema ("Configuring and using defaults with
//! the SageMaker Python SDK",
//! <https://sagemaker.readthedocs.io/en/stable/overview.html#configuring-and-using-defaults-with-the-sagemaker-python-sdk>,
//! and `sagemaker/config/config_schema.py`): `SchemaVersion: '1.0'`, then under `SageMaker`
//! `PythonSDK.Modules.Session.DefaultS3Bucket` / `DefaultS3ObjectKeyPrefix`, `TrainingJob`,
//! `ProcessingJob`, `Model`, `EndpointConfig` (with `AsyncInferenceConfig.OutputConfig` and
//! `DataCaptureConfig`) and `TransformJob`, each with the API's own field names.

use crate::model::iam::Value;
use crate::model::refs::Ref;
use crate::model::{Model, execution_role_arn};

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn leaf(r: &Ref) -> Value {
    Value::Leaf(r.clone())
}

fn ref_list(refs: &[Ref]) -> Value {
    Value::Refs(refs.to_vec())
}

/// `{ KmsKeyId = key }` under `field`, when the environment has a key.
fn key_of(key: Option<&Ref>, field: &str) -> Option<Value> {
    key.map(|k| map(vec![(field, leaf(k))]))
}

/// The `job_defaults` output: the values a job needs to run in this environment, in snake case
/// (they are not an AWS schema but the names of the job arguments of most tools).
pub fn job_defaults(model: &Model) -> Value {
    let j = &model.jobs;
    map(vec![
        ("enable_network_isolation", Value::Bool(j.network_isolation)),
        (
            "enable_inter_container_traffic_encryption",
            Value::Bool(j.inter_container_encryption),
        ),
        ("subnets", ref_list(&j.subnets)),
        (
            "security_group_ids",
            ref_list(std::slice::from_ref(&j.security_group)),
        ),
        (
            "kms_key_arn",
            j.kms_key.as_ref().map(leaf).unwrap_or(Value::Null),
        ),
    ])
}

/// The SageMaker Python SDK's defaults file for this environment.
pub fn sdk_config(model: &Model) -> Value {
    let j = &model.jobs;
    let key = j.kms_key.as_ref();
    let role = leaf(&execution_role_arn());
    let iso = Value::Bool(j.network_isolation);
    let icte = Value::Bool(j.inter_container_encryption);
    let vpc = map(vec![
        (
            "SecurityGroupIds",
            ref_list(std::slice::from_ref(&j.security_group)),
        ),
        ("Subnets", ref_list(&j.subnets)),
    ]);

    let mut session = vec![("DefaultS3Bucket", leaf(&j.sdk_bucket))];
    if let Some(p) = &j.sdk_prefix {
        session.push(("DefaultS3ObjectKeyPrefix", leaf(&Ref::lit(p))));
    }
    let python_sdk = map(vec![("Modules", map(vec![("Session", map(session))]))]);

    let mut training = vec![
        ("EnableNetworkIsolation", iso.clone()),
        ("EnableInterContainerTrafficEncryption", icte.clone()),
        ("RoleArn", role.clone()),
        ("VpcConfig", vpc.clone()),
    ];
    training.extend(key_of(key, "KmsKeyId").map(|v| ("OutputDataConfig", v)));
    training.extend(key_of(key, "VolumeKmsKeyId").map(|v| ("ResourceConfig", v)));

    let mut processing = vec![
        (
            "NetworkConfig",
            map(vec![
                ("EnableNetworkIsolation", iso.clone()),
                ("EnableInterContainerTrafficEncryption", icte),
                ("VpcConfig", vpc.clone()),
            ]),
        ),
        ("RoleArn", role.clone()),
    ];
    processing.extend(key_of(key, "KmsKeyId").map(|v| ("ProcessingOutputConfig", v)));
    processing.extend(
        key_of(key, "VolumeKmsKeyId")
            .map(|v| ("ProcessingResources", map(vec![("ClusterConfig", v)]))),
    );

    let mut sagemaker = vec![
        ("PythonSDK", python_sdk),
        ("TrainingJob", map(training)),
        ("ProcessingJob", map(processing)),
        (
            "Model",
            map(vec![
                ("EnableNetworkIsolation", iso),
                ("ExecutionRoleArn", role),
                ("VpcConfig", vpc),
            ]),
        ),
    ];
    // Endpoint configs and transform jobs have no network settings of their own (the model's
    // apply); what they write (async inference results, captured data, transform output and the
    // instance volumes) is encrypted with the environment key.
    if let Some(k) = key {
        let kms = || map(vec![("KmsKeyId", leaf(k))]);
        sagemaker.push((
            "EndpointConfig",
            map(vec![
                ("KmsKeyId", leaf(k)),
                ("AsyncInferenceConfig", map(vec![("OutputConfig", kms())])),
                ("DataCaptureConfig", kms()),
            ]),
        ));
        sagemaker.push((
            "TransformJob",
            map(vec![
                ("DataCaptureConfig", kms()),
                ("TransformOutput", kms()),
                ("TransformResources", map(vec![("VolumeKmsKeyId", leaf(k))])),
            ]),
        ));
    }
    map(vec![
        ("SchemaVersion", leaf(&Ref::lit("1.0"))),
        ("SageMaker", map(sagemaker)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::refs::Ref;

    fn model(preset: &str, sets: &[&str]) -> Model {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        let source = crate::spec::SpecSource::Preset(preset.into());
        let spec = crate::spec::load(&source, &sets).unwrap();
        crate::model::resolve(&spec)
    }

    fn keys(v: &Value, path: &str, out: &mut Vec<String>) {
        if let Value::Map(entries) = v {
            for (k, v) in entries {
                let p = format!("{path}.{k}");
                out.push(p.clone());
                keys(v, &p, out);
            }
        }
    }

    #[test]
    fn every_job_kind_inherits_the_key_when_there_is_one() {
        let with_key = model("regulated", &[]);
        let mut k = vec![];
        keys(&sdk_config(&with_key), "", &mut k);
        for path in [
            ".SageMaker.TrainingJob.OutputDataConfig.KmsKeyId",
            ".SageMaker.TrainingJob.ResourceConfig.VolumeKmsKeyId",
            ".SageMaker.ProcessingJob.ProcessingOutputConfig.KmsKeyId",
            ".SageMaker.ProcessingJob.ProcessingResources.ClusterConfig.VolumeKmsKeyId",
            ".SageMaker.EndpointConfig.KmsKeyId",
            ".SageMaker.EndpointConfig.AsyncInferenceConfig.OutputConfig.KmsKeyId",
            ".SageMaker.EndpointConfig.DataCaptureConfig.KmsKeyId",
            ".SageMaker.TransformJob.TransformOutput.KmsKeyId",
            ".SageMaker.TransformJob.TransformResources.VolumeKmsKeyId",
        ] {
            assert!(k.iter().any(|p| p == path), "{path} missing from {k:?}");
        }
        let tree = sdk_config(&with_key);
        let mut leaves = vec![];
        tree.leaves(&mut leaves);
        let key = with_key.jobs.kms_key.clone().unwrap();
        // Training 2, processing 2, endpoint config 3, transform 3.
        assert_eq!(leaves.iter().filter(|r| ***r == key).count(), 10);
    }

    #[test]
    fn without_a_key_nothing_names_one() {
        let m = model("public-only", &["encryption.kms=aws-managed"]);
        assert!(m.jobs.kms_key.is_none());
        let mut k = vec![];
        keys(&sdk_config(&m), "", &mut k);
        assert!(!k.iter().any(|p| p.contains("Kms")), "{k:?}");
        let Value::Map(entries) = job_defaults(&m) else {
            panic!("a map")
        };
        assert_eq!(
            entries.last().unwrap(),
            &("kms_key_arn".into(), Value::Null)
        );
    }

    #[test]
    fn jobs_run_in_the_environment_network() {
        let m = model("vpc-only-isolated", &[]);
        let tree = sdk_config(&m);
        let mut leaves = vec![];
        tree.leaves(&mut leaves);
        for s in &m.jobs.subnets {
            // TrainingJob, ProcessingJob and Model each name every subnet.
            assert_eq!(leaves.iter().filter(|r| **r == s).count(), 3, "{s:?}");
        }
        assert!(leaves.contains(&&Ref::lit("1.0")));
    }
}
