//! IAM roles and their managed policies, the Studio domain and user profiles, notebook
//! instances, and the stack's outputs. IAM documents come from the model as they are
//! (`PolicyDocument::to_value`), so every statement the model adds appears here unchanged.

use super::context::{Domain, Jobs, Notebook, Output, Policy, Profile, Role as RoleCtx};
use super::intrinsics::{self as cfn, logical, pascal};
use super::{Tags, joined, skips};
use crate::model::refs::{Attr, Kind, Ref};
use crate::model::{ManagedPolicy, Model, Role};
use crate::render::yaml;
use crate::spec::AuthMode;
use crate::view::outputs::{self as text, noted};
use crate::view::waivers;

fn s(v: &str) -> String {
    yaml::scalar(v)
}

fn policy_logical(p: &ManagedPolicy) -> String {
    format!("{}Policy", pascal(&p.name))
}

fn managed(p: &ManagedPolicy) -> Policy {
    Policy {
        policy_logical: policy_logical(p),
        policy_name: s(&p.policy_name),
        description: s(&p.description),
        document: cfn::policy(&p.document),
    }
}

pub fn roles(model: &Model, tags: &Tags) -> Vec<RoleCtx> {
    model
        .roles
        .iter()
        .map(|r| RoleCtx {
            logical: logical(Kind::Role, &r.name),
            role_name: s(&r.role_name),
            path: s(&r.path),
            description: s(&r.description),
            trust: cfn::policy(&r.trust),
            boundary: r.boundary.as_ref().map(managed),
            policies: r.policies.iter().map(managed).collect(),
            tags: tags.plain(),
        })
        .collect()
}

/// Policies the stack creates for people to attach to their own identities.
pub fn access_policies(model: &Model) -> Vec<Policy> {
    model.access_policies.iter().map(managed).collect()
}

/// The managed policies of the role a workload runs as: the workload waits for them, or its
/// first apps and jobs start without permissions (Terraform: `depends_on` the attachments).
pub(super) fn role_policies(model: &Model, role: &Ref) -> Vec<String> {
    model
        .roles
        .iter()
        .filter(|r| Ref::attr(Kind::Role, &r.name, Attr::Arn) == *role)
        .flat_map(|r: &Role| r.policies.iter().map(policy_logical))
        .collect()
}

pub fn domain<'a>(model: &'a Model, tags: &Tags) -> Option<Domain<'a>> {
    let d = model.domain.as_ref()?;
    let profiles = d
        .profiles
        .iter()
        .map(|p| Profile {
            logical: logical(Kind::UserProfile, &p.name),
            profile_name: s(&p.profile_name),
            sg: cfn::value(&p.security_group),
            tags: tags.plain(),
        })
        .collect();
    Some(Domain {
        logical: logical(Kind::Domain, "main"),
        domain_name: s(&d.domain_name),
        auth_mode: match d.auth_mode {
            AuthMode::Iam => "IAM",
            AuthMode::Sso => "SSO",
        },
        sso: d.auth_mode == AuthMode::Sso,
        access: s(d.app_network_access_type),
        access_raw: d.app_network_access_type,
        vpc_only: d.app_network_access_type == "VpcOnly",
        key: d.kms_key.as_ref().map(cfn::value),
        role: cfn::value(&d.execution_role),
        default_sgs: cfn::list(&d.default_security_groups).block(),
        space_sgs: cfn::list(&d.space_security_groups).block(),
        depends: role_policies(model, &d.execution_role),
        skips: skips::node(&waivers::domain(d)),
        tags: tags.plain(),
        profiles,
        user_apps: super::lifecycle::app_settings(d, false),
        space_apps: super::lifecycle::app_settings(d, true),
    })
}

pub fn notebooks(model: &Model, tags: &Tags) -> Vec<Notebook> {
    let on_off = |b: bool| if b { "Enabled" } else { "Disabled" };
    model
        .notebooks
        .iter()
        .map(|n| Notebook {
            logical: logical(Kind::NotebookInstance, &n.name),
            instance_name: s(&n.instance_name),
            instance_type: s(&n.instance_type),
            volume: n.volume_size_gb,
            subnet: cfn::value(&n.subnet),
            sgs: cfn::list(&n.security_groups).block(),
            key: n.kms_key.as_ref().map(cfn::value),
            direct_internet: on_off(n.direct_internet_access),
            root_access: on_off(n.root_access),
            role: cfn::value(&n.role),
            depends: role_policies(model, &n.role),
            skips: skips::node(&waivers::notebook(n)),
            tags: tags.plain(),
            lifecycle_config: n.lifecycle_config.as_ref().map(cfn::value),
        })
        .collect()
}

pub fn jobs(model: &Model) -> Jobs {
    let j = &model.jobs;
    Jobs {
        network_isolation: j.network_isolation,
        icte: j.inter_container_encryption,
        key: j.kms_key.is_some(),
    }
}

/// The outputs, each exported as `<stack name>-<output>`.
pub fn outputs(model: &Model, vpc_id: &str) -> Vec<Output> {
    let mut out: Vec<(String, String, String)> = vec![];
    let mut add = |name: &str, description: &str, value: String| {
        out.push((name.to_string(), description.to_string(), value));
    };
    add("VpcId", text::VPC, vpc_id.into());
    if model.network.created.is_some() {
        add(
            "DefaultSecurityGroupId",
            "The VPC's default security group; CloudFormation cannot remove its rules (see the README).",
            format!(
                "!GetAtt {}.DefaultSecurityGroup",
                logical(Kind::Vpc, "main")
            ),
        );
    }
    add(
        "PrivateSubnetIds",
        &noted(text::PRIVATE_SUBNETS, "comma-separated"),
        joined(&model.network.private_subnets),
    );
    for g in &model.security_groups {
        add(
            &format!("{}SecurityGroupId", pascal(&g.name)),
            &format!("Security group {}.", g.name),
            cfn::value(&g.id_ref()),
        );
    }
    if model
        .roles
        .iter()
        .any(|r| r.name == crate::model::EXECUTION_ROLE)
    {
        add(
            "ExecutionRoleArn",
            text::EXECUTION_ROLE,
            cfn::value(&crate::model::execution_role_arn()),
        );
    }
    for p in &model.access_policies {
        add(
            &format!("{}PolicyArn", pascal(&p.name)),
            text::ACCESS_POLICY,
            format!("!Ref {}", policy_logical(p)),
        );
    }
    if let Some(k) = &model.kms.key_arn {
        add("KmsKeyArn", text::KMS_KEY, cfn::value(k));
    }
    for b in &model.buckets {
        add(
            &format!("{}BucketName", pascal(&b.name)),
            &format!("Bucket {}: {}.", b.name, b.purpose),
            cfn::value(&Ref::attr(Kind::Bucket, &b.name, Attr::Name)),
        );
    }
    for e in &model.endpoints {
        add(
            &format!("{}EndpointId", pascal(&e.name)),
            &format!("VPC endpoint {}.", e.key),
            cfn::value(&model.endpoint_id(e.key)),
        );
    }
    if model.domain.is_some() {
        let d = logical(Kind::Domain, "main");
        add(
            "StudioDomainId",
            text::STUDIO_DOMAIN,
            format!("!GetAtt {d}.DomainId"),
        );
        add(
            "StudioDomainUrl",
            text::STUDIO_DOMAIN_URL,
            format!("!GetAtt {d}.Url"),
        );
    }
    if !model.notebooks.is_empty() {
        let names: Vec<&str> = model
            .notebooks
            .iter()
            .map(|n| n.instance_name.as_str())
            .collect();
        add(
            "NotebookInstanceNames",
            &noted(text::NOTEBOOKS, "comma-separated"),
            s(&names.join(",")),
        );
    }
    add(
        "JobDefaults",
        &noted(text::JOB_DEFAULTS, "JSON"),
        cfn::json_string(&crate::view::sdk::job_defaults(model)),
    );
    out.into_iter()
        .map(|(name, description, value)| Output {
            export: format!(
                "!Sub {}",
                yaml::quoted(&format!("${{AWS::StackName}}-{name}"))
            ),
            name,
            description: s(&description),
            description_raw: description,
            value,
        })
        .collect()
}
