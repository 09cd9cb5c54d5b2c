//! The model: everything that will exist, resolved from a spec. It is format-agnostic and the
//! single source of truth for every renderer, for findings and for tests.

mod access;
pub mod audit;
mod boundary;
pub mod cross_account;
mod endpoint_policies;
pub mod endpoints;
pub mod findings;
pub mod guardrails;
pub mod iam;
pub mod lifecycle;
pub mod needs;
pub mod network;
mod policies;
pub mod quotas;
pub mod refs;
mod resource_policies;
mod sagemaker;
pub mod security;
mod studio_guardrails;

pub use findings::{Finding, Severity};
pub use sagemaker::{
    Domain, JobDefaults, NotebookInstance, SDK_PREFIX, SdkLocation, UserProfile,
    sdk_default_bucket_arn, sdk_location,
};

use crate::aws::endpoints::EndpointKind;
use crate::aws::region::Partition;
use crate::spec::{KmsMode, Nat, NetworkMode, Spec, Valid};
use iam::PolicyDocument;
use network::Network;
use refs::{Attr, Input, Kind, Ref};
use security::{Egress, SecurityGroup};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct Model {
    pub name: String,
    pub region: String,
    pub partition: Partition,
    pub account_id: Option<String>,
    /// Tags on every taggable resource (provider default tags in Terraform).
    pub tags: BTreeMap<String, String>,
    pub mode: NetworkMode,
    pub network: Network,
    pub endpoints: Vec<Endpoint>,
    pub security_groups: Vec<SecurityGroup>,
    pub kms: Kms,
    pub buckets: Vec<Bucket>,
    /// Existing buckets of other accounts (`data.buckets[].account`), whose owners must add
    /// the statements smgen writes for them.
    pub cross_account: Vec<cross_account::CrossAccountBucket>,
    pub log_groups: Vec<LogGroup>,
    pub roles: Vec<Role>,
    pub domain: Option<Domain>,
    pub notebooks: Vec<NotebookInstance>,
    pub jobs: JobDefaults,
    /// Documents for `policies/` that no generated resource deploys (SCPs).
    pub documents: Vec<StandaloneDocument>,
    /// Customer managed policies created for people to attach (not attached by the stack).
    pub access_policies: Vec<ManagedPolicy>,
    /// Actions of AWS's Role Manager activities that the declared needs call for but smgen
    /// does not grant: (activity, actions, why), from data/needs.toml.
    pub left_out: Vec<(String, Vec<String>, String)>,
    /// The needs this environment declares (names of data/needs.toml, `always` included).
    pub needs: Vec<&'static str>,
    pub findings: Vec<Finding>,
    /// `teardown.mode = "delete"`: buckets are force-destroyable and the domain deletes its
    /// home EFS volume (non-production environments).
    pub teardown_delete: bool,
    /// The audit trail and the log retention (`[audit]`).
    pub audit: audit::Audit,
    /// Lifecycle configurations created from the project's `lifecycle/*.sh` scripts.
    pub lifecycle_configs: Vec<lifecycle::LifecycleConfig>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Endpoint {
    /// Catalog key, e.g. `sagemaker.api`.
    pub key: &'static str,
    /// snake_case logical name.
    pub name: String,
    pub service_name: String,
    pub kind: EndpointKind,
    pub purpose: &'static str,
    /// Why the solver chose it, or "listed in network.endpoints".
    pub reason: String,
    pub source: &'static str,
    pub policy: PolicyDocument,
    /// An endpoint the existing VPC already has (`network.vpc.s3_gateway_endpoint_id`): the
    /// generated code looks it up instead of creating it, and leaves its policy to its owner
    /// (`policy` is what the environment needs, written to `policies/` for them).
    pub existing_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Kms {
    pub mode: KmsMode,
    /// The customer managed key's ARN; `None` means AWS managed keys.
    pub key_arn: Option<Ref>,
    /// The key policy, when smgen creates the key.
    pub policy: Option<PolicyDocument>,
    /// The ARN given with `kms = "existing"` (default of the generated input).
    pub existing_arn: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bucket {
    pub name: String,
    pub bucket_name: Ref,
    pub purpose: String,
    /// SSE-KMS key; `None` with `sse_kms` means the AWS managed `aws/s3` key.
    pub kms_key: Option<Ref>,
    pub sse_kms: bool,
    /// Logical name of the bucket receiving this bucket's server access logs.
    pub access_log_bucket: Option<String>,
    pub policy: PolicyDocument,
    /// This bucket is the server access log target.
    pub is_log_target: bool,
    /// This bucket holds the CloudTrail trail's log files.
    pub is_trail: bool,
    /// A lifecycle rule that expires the objects (log buckets).
    pub expiration: Option<Expiration>,
    /// The bucket policy denies changing the lifecycle configuration, so the lifecycle
    /// configuration (and the versioning it needs) is set before the policy.
    pub policy_after_lifecycle: bool,
}

/// A lifecycle rule: current versions expire after `days`, the noncurrent versions that
/// expiration leaves are removed `noncurrent_days` later.
#[derive(Debug, Clone, Serialize)]
pub struct Expiration {
    pub id: &'static str,
    pub days: u32,
    pub noncurrent_days: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogGroup {
    pub name: String,
    pub log_group_name: String,
    pub retention_days: u32,
    pub kms_key: Option<Ref>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Role {
    pub name: String,
    pub role_name: String,
    pub path: String,
    pub description: String,
    pub trust: PolicyDocument,
    /// Customer managed policies attached to the role.
    pub policies: Vec<ManagedPolicy>,
    /// The permissions boundary, a customer managed policy of its own.
    pub boundary: Option<ManagedPolicy>,
}

/// A policy document written to `policies/` for use outside the generated stack (an SCP, or
/// a copy of a deployed document for review).
#[derive(Debug, Clone, Serialize)]
pub struct StandaloneDocument {
    /// File name under `policies/`, e.g. `scp-sagemaker-guardrails.json`.
    pub file: String,
    pub purpose: String,
    pub document: PolicyDocument,
}

#[derive(Debug, Clone, Serialize)]
pub struct ManagedPolicy {
    pub name: String,
    pub policy_name: String,
    pub description: String,
    pub document: PolicyDocument,
}

pub use crate::spec::{LOG_BUCKET, TRAIL_BUCKET, snake};

/// The logical name of the SageMaker execution role: the role Studio, notebook instances and
/// jobs run as, which every format names and the SDK defaults pass.
pub const EXECUTION_ROLE: &str = "execution";

/// The execution role's ARN.
pub fn execution_role_arn() -> Ref {
    Ref::attr(Kind::Role, EXECUTION_ROLE, Attr::Arn)
}

/// Resolves a validated spec into the model.
pub fn resolve(spec: &Valid) -> Model {
    let info = spec.region();
    let az_ids: Vec<String> = if spec.network.vpc.az_ids.is_empty() {
        info.az_ids
            .iter()
            .take(spec.network.vpc.azs.into())
            .map(|s| s.to_string())
            .collect()
    } else {
        spec.network.vpc.az_ids.clone()
    };
    let name = spec.project.name.clone();
    let network = network::plan(spec, &az_ids);

    let kms = Kms {
        mode: spec.encryption.kms,
        key_arn: match spec.encryption.kms {
            KmsMode::Create => Some(Ref::attr(Kind::KmsKey, "main", Attr::Arn)),
            KmsMode::Existing => Some(Ref::Input(Input::KmsKeyArn)),
            KmsMode::AwsManaged => None,
        },
        policy: None,
        existing_arn: spec.encryption.key_arn.clone(),
    };

    let needs = endpoints::required(spec);
    let chosen = endpoints::chosen(spec, &needs);
    let has_interface = chosen.iter().any(|e| e.kind == EndpointKind::Interface);
    let has_s3_gateway = chosen.iter().any(|e| e.key == "s3");
    let s3_prefix_list =
        has_s3_gateway.then(|| Ref::attr(Kind::VpcEndpoint, "s3", Attr::PrefixListId));
    let internet = network.created.as_ref().is_some_and(|c| c.nat != Nat::None);

    let sgs = security::groups(
        spec,
        &Egress {
            endpoints: has_interface,
            s3_prefix_list,
            internet,
        },
        has_interface,
    );
    let studio = spec.needs.studio;
    let notebooks_on = spec.needs.notebook_instances;

    let mut model = Model {
        name: name.clone(),
        region: spec.project.region.clone(),
        partition: info.partition,
        account_id: spec.project.account_id.clone(),
        tags: tags(spec),
        mode: spec.network.mode,
        network,
        endpoints: vec![],
        security_groups: sgs,
        kms,
        buckets: vec![],
        cross_account: cross_account::declared(spec),
        log_groups: vec![],
        roles: vec![],
        domain: None,
        notebooks: vec![],
        jobs: JobDefaults {
            network_isolation: spec.jobs.network_isolation,
            inter_container_encryption: spec.jobs.inter_container_encryption,
            security_group: Ref::attr(Kind::SecurityGroup, "jobs", Attr::Id),
            subnets: vec![],
            kms_key: None,
            sdk_bucket: match sdk_location(spec) {
                SdkLocation::Environment(b) => Ref::attr(Kind::Bucket, &b, Attr::Name),
                SdkLocation::SdkDefault => Ref::join([
                    Ref::lit(format!("sagemaker-{}-", spec.project.region)),
                    Ref::Account,
                ]),
            },
            sdk_prefix: match sdk_location(spec) {
                SdkLocation::Environment(_) => Some(SDK_PREFIX.trim_end_matches('/').into()),
                SdkLocation::SdkDefault => None,
            },
        },
        documents: vec![],
        access_policies: vec![],
        left_out: vec![],
        needs: needs::declared(spec)
            .into_iter()
            .filter_map(|(n, on)| on.then_some(n))
            .collect(),
        findings: vec![],
        teardown_delete: spec.teardown.mode == crate::spec::TeardownMode::Delete,
        audit: audit::Audit {
            cloudtrail: spec.audit.cloudtrail,
            trail: None,
            log_retention_days: spec.audit.log_retention_days,
        },
        lifecycle_configs: lifecycle::configs(spec),
    };
    model.jobs.subnets = model.network.private_subnets.clone();
    model.jobs.kms_key = model.kms.key_arn.clone();

    if model.network.flow_logs {
        model.log_groups.push(LogGroup {
            name: "flow_logs".into(),
            log_group_name: format!("/aws/vpc/flow-logs/{name}"),
            retention_days: spec.audit.log_retention_days,
            kms_key: model.kms.key_arn.clone(),
        });
    }

    model.endpoints = chosen
        .iter()
        .map(|e| {
            let need = needs.iter().find(|n| n.key == e.key);
            Endpoint {
                key: e.key,
                name: snake(e.key),
                service_name: e.service_name(model.partition, &model.region),
                kind: e.kind,
                purpose: e.purpose,
                reason: need.map_or_else(
                    || "listed in network.endpoints".to_string(),
                    |n| n.reason.clone(),
                ),
                source: need.map_or("network.endpoints", |n| n.source),
                // Filled in below, once the workloads the policies name exist.
                policy: PolicyDocument::new(vec![]),
                existing_id: (e.key == "s3")
                    .then(|| spec.network.vpc.s3_gateway_endpoint_id.clone())
                    .flatten(),
            }
        })
        .collect();
    // After the endpoints: a bucket that admits only the S3 gateway endpoint names its id.
    resource_policies::add_buckets(&mut model, spec);
    // After the buckets: the trail's data-event selectors name them.
    model.audit = audit::resolve(spec, &model);
    if model
        .audit
        .trail
        .as_ref()
        .is_some_and(|t| t.cloudwatch.is_some())
    {
        model.log_groups.push(LogGroup {
            name: audit::TRAIL_LOGS.into(),
            log_group_name: audit::log_group_name(&model),
            retention_days: spec.audit.log_retention_days,
            kms_key: model.kms.key_arn.clone(),
        });
    }

    let exec_role = execution_role_arn();
    if studio {
        let profiles = spec
            .studio
            .user_profiles
            .iter()
            .map(|p| UserProfile {
                name: format!("user_{}", snake(p)),
                profile_name: p.clone(),
                security_group: Ref::attr(
                    Kind::SecurityGroup,
                    &format!("user_{}", snake(p)),
                    Attr::Id,
                ),
            })
            .collect();
        model.domain = Some(Domain {
            domain_name: name.clone(),
            auth_mode: spec.studio.auth_mode,
            app_network_access_type: match spec.network.mode {
                NetworkMode::VpcOnly => "VpcOnly",
                NetworkMode::PublicOnly => "PublicInternetOnly",
            },
            kms_key: model.kms.key_arn.clone(),
            execution_role: exec_role.clone(),
            default_security_groups: vec![Ref::attr(
                Kind::SecurityGroup,
                "studio_domain",
                Attr::Id,
            )],
            space_security_groups: vec![Ref::attr(Kind::SecurityGroup, "studio_spaces", Attr::Id)],
            profiles,
            apps: studio_apps(spec, &model.lifecycle_configs),
        });
    }
    if notebooks_on {
        model.notebooks = spec
            .notebook
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| NotebookInstance {
                name: format!("notebook_{}", snake(n)),
                instance_name: format!("{name}-{n}"),
                instance_type: spec.notebook.instance_type.clone(),
                volume_size_gb: spec.notebook.volume_size_gb,
                subnet: model.network.private_subnets[i % model.network.private_subnets.len()]
                    .clone(),
                security_groups: vec![Ref::attr(Kind::SecurityGroup, "notebook", Attr::Id)],
                kms_key: model.kms.key_arn.clone(),
                direct_internet_access: spec.notebook.direct_internet_access,
                root_access: spec.notebook.root_access,
                role: exec_role.clone(),
                lifecycle_config: model
                    .lifecycle_configs
                    .iter()
                    .find(|c| c.app == lifecycle::LifecycleApp::NotebookInstance)
                    .map(|c| Ref::attr(c.app.kind(), c.name, Attr::Name)),
            })
            .collect();
    }
    // Roles after the endpoints and workloads: the invoker role names the runtime endpoint.
    policies::add_roles(&mut model, spec);
    audit::add_role(&mut model);
    if spec.encryption.kms == KmsMode::Create {
        model.kms.policy = Some(resource_policies::key_policy(&model));
    }
    let endpoint_policies: Vec<PolicyDocument> = model
        .endpoints
        .iter()
        .map(|e| endpoint_policies::endpoint_policy(&model, spec, e.key))
        .collect();
    for (e, p) in model.endpoints.iter_mut().zip(endpoint_policies) {
        e.policy = p;
    }
    model.access_policies = access::studio_access(spec, &model).into_iter().collect();
    if spec.encryption.kms == KmsMode::Existing {
        // The key's owner must let the environment use it: the statements of the key policy
        // smgen writes for a key it creates, less the owner's own administration.
        let statements = resource_policies::key_policy(&model)
            .statements
            .into_iter()
            .filter(|s| s.sid != "EnableIamPolicies")
            .collect();
        model.documents.push(StandaloneDocument {
            file: "for-key-owner/key-policy-statements.json".into(),
            purpose: format!(
                "statements the owner of the existing KMS key adds to its key policy: the \
                 execution role through S3, SageMaker, EC2 and EFS, grants for AWS resources, \
                 and CloudWatch Logs for this environment's log groups{}",
                if model.audit.trail.is_some() {
                    ", and CloudTrail for the trail's log files"
                } else {
                    ""
                }
            ),
            document: PolicyDocument::new(statements),
        });
    }
    cross_account::add_documents(&mut model);
    model.left_out = needs::left_out(spec)
        .into_iter()
        .map(|l| (l.activity.clone(), l.actions.clone(), l.why.clone()))
        .collect();
    model.findings = findings::check(spec, &model, &needs);
    model
}

/// The domain's JupyterLab and Code Editor defaults: the lifecycle configuration of each, and
/// idle shutdown after `studio.idle_shutdown_minutes`, which users may shorten down to
/// SageMaker's minimum but not lengthen (`MaxIdleTimeoutInMinutes`).
fn studio_apps(spec: &Spec, configs: &[lifecycle::LifecycleConfig]) -> Vec<lifecycle::StudioApp> {
    use lifecycle::{Idle, LifecycleApp, StudioApp};
    let idle = spec.studio.idle_shutdown_minutes.map(|m| Idle {
        timeout: m,
        min: *crate::spec::IDLE_MINUTES.start(),
        max: m,
    });
    [LifecycleApp::JupyterLab, LifecycleApp::CodeEditor]
        .into_iter()
        .filter_map(|app| {
            let lifecycle_config = configs.iter().find(|c| c.app == app).map(|c| c.arn());
            (lifecycle_config.is_some() || idle.is_some()).then_some(StudioApp {
                app,
                lifecycle_config,
                idle,
            })
        })
        .collect()
}

fn tags(spec: &Spec) -> BTreeMap<String, String> {
    let mut t = BTreeMap::new();
    t.insert("Project".to_string(), spec.project.name.clone());
    t.insert("ManagedBy".to_string(), "smgen".to_string());
    t.extend(spec.project.tags.clone());
    t
}

impl Model {
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    /// The file under `policies/` that holds an endpoint's policy.
    pub fn endpoint_policy_file(key: &str) -> String {
        format!("endpoint-policy-{}.json", key.replace('.', "-"))
    }

    /// The file under `policies/` that holds a managed policy.
    pub fn policy_file(p: &ManagedPolicy) -> String {
        format!("{}.json", p.name.replace('_', "-"))
    }

    pub fn endpoint(&self, key: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.key == key)
    }

    /// The id of the endpoint with catalog key `key`: the created endpoint's, or the one the
    /// answers name (`network.vpc.s3_gateway_endpoint_id`) as a literal.
    pub fn endpoint_id(&self, key: &str) -> Ref {
        match self.endpoint(key) {
            Some(Endpoint {
                existing_id: Some(id),
                ..
            }) => Ref::lit(id.clone()),
            Some(e) => Ref::attr(Kind::VpcEndpoint, &e.name, Attr::Id),
            None => Ref::attr(Kind::VpcEndpoint, &snake(key), Attr::Id),
        }
    }
}
