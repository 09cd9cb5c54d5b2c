//! The SageMaker side of the model: the Studio domain and its user profiles, notebook instances,
//! and the defaults every job of the environment runs with (network, isolation, key, the SDK's
//! default bucket). Re-exported by [`super`].

use super::lifecycle;
use super::refs::Ref;
use crate::spec::{AuthMode, Spec, snake};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Domain {
    pub domain_name: String,
    pub auth_mode: AuthMode,
    /// `VpcOnly` or `PublicInternetOnly`.
    pub app_network_access_type: &'static str,
    pub kms_key: Option<Ref>,
    pub execution_role: Ref,
    pub default_security_groups: Vec<Ref>,
    pub space_security_groups: Vec<Ref>,
    pub profiles: Vec<UserProfile>,
    /// JupyterLab and Code Editor defaults (lifecycle configuration, idle shutdown) for
    /// users; the JupyterLab one also for shared spaces. Empty when nothing is set.
    pub apps: Vec<lifecycle::StudioApp>,
}

impl Domain {
    pub fn app(&self, app: lifecycle::LifecycleApp) -> Option<&lifecycle::StudioApp> {
        self.apps.iter().find(|a| a.app == app)
    }

    /// The app kinds of the domain's default settings: every kind for users; JupyterLab only
    /// for shared spaces (`DefaultSpaceSettings` has no Code Editor settings in CloudFormation
    /// or in the AWS provider's `default_space_settings`).
    pub fn default_apps(&self, spaces: bool) -> impl Iterator<Item = &lifecycle::StudioApp> {
        self.apps
            .iter()
            .filter(move |a| !spaces || a.app == lifecycle::LifecycleApp::JupyterLab)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UserProfile {
    pub name: String,
    pub profile_name: String,
    pub security_group: Ref,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotebookInstance {
    pub name: String,
    pub instance_name: String,
    pub instance_type: String,
    pub volume_size_gb: u16,
    pub subnet: Ref,
    pub security_groups: Vec<Ref>,
    pub kms_key: Option<Ref>,
    pub direct_internet_access: bool,
    pub root_access: bool,
    pub role: Ref,
    /// The on-start lifecycle configuration's name.
    pub lifecycle_config: Option<Ref>,
}

/// Defaults for training, processing and hosting, exported for the SDK and guardrails.
#[derive(Debug, Clone, Serialize)]
pub struct JobDefaults {
    pub network_isolation: bool,
    pub inter_container_encryption: bool,
    pub security_group: Ref,
    pub subnets: Vec<Ref>,
    pub kms_key: Option<Ref>,
    /// Where the SageMaker Python SDK uploads code and writes outputs
    /// (`PythonSDK.Modules.Session.DefaultS3Bucket` / `DefaultS3ObjectKeyPrefix`).
    pub sdk_bucket: Ref,
    pub sdk_prefix: Option<String>,
}

/// The SDK's S3 location: a prefix of the first created read-write data bucket, or else the
/// SDK's own default bucket `sagemaker-REGION-ACCOUNT`, which the SDK creates when missing
/// (SageMaker Python SDK, Session.default_bucket; "Configuring and using defaults with the
/// SageMaker Python SDK": DefaultS3Bucket, DefaultS3ObjectKeyPrefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdkLocation {
    /// Logical name of the created bucket; the prefix is [`SDK_PREFIX`].
    Environment(String),
    SdkDefault,
}

/// The key prefix the SDK writes under in an environment bucket.
pub const SDK_PREFIX: &str = "sagemaker/";

pub fn sdk_location(spec: &Spec) -> SdkLocation {
    spec.data
        .buckets
        .iter()
        .find(|b| b.name.is_some() && b.access == crate::spec::Access::ReadWrite)
        .and_then(|b| b.name.as_deref())
        .map_or(SdkLocation::SdkDefault, |n| {
            SdkLocation::Environment(snake(n))
        })
}

/// The SDK's default bucket ARN, `sagemaker-REGION-ACCOUNT`.
pub fn sdk_default_bucket_arn(region: &str) -> Ref {
    Ref::arn(
        "s3",
        false,
        false,
        Ref::join([Ref::lit(format!("sagemaker-{region}-")), Ref::Account]),
    )
}
