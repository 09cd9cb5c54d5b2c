//! Template parameters: what the user may change at deploy time, as in the Terraform variables
//! (an existing VPC's ids, an existing key's ARN), plus the S3 prefix list id. The account is
//! the stack's own (`AWS::AccountId`), so it is no parameter. Each parameter has a type, a
//! pattern (the same expressions as the Terraform validations) and a description, and appears in
//! the `AWS::CloudFormation::Interface` groups; `parameters.json` lists example values.

use super::intrinsics::prefix_list_param;
use crate::aws::endpoints::EndpointKind;
use crate::model::Model;
use crate::model::refs::{Attr, Kind, Ref};
use crate::model::security::Peer;
use crate::render::yaml;
use serde::Serialize;

pub struct Parameters {
    pub list: Vec<ParamView>,
    pub groups: Vec<ParamGroup>,
    /// `parameters.json`, in the format of `create-stack --parameters file://…` (also read by
    /// `deploy --parameter-overrides file://…`, AWS CLI v2).
    pub json: String,
    /// The prefix-list parameter and how to look its value up, for the README.
    pub s3_prefix_list: Option<PrefixListLookup>,
}

/// One parameter as the template writes it: YAML scalars, and the `_raw` texts for the README.
#[derive(Serialize)]
pub struct ParamView {
    name: String,
    label: String,
    label_raw: String,
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    description_raw: String,
    default: Option<String>,
    default_raw: Option<String>,
    pattern: String,
    constraint: String,
}

/// A group of `AWS::CloudFormation::Interface`: its label (a YAML scalar) and parameter names.
#[derive(Serialize)]
pub struct ParamGroup {
    label: String,
    params: Vec<String>,
}

/// The S3 prefix-list parameter, the gateway endpoint's service and the command that prints
/// the value (for the README).
#[derive(Serialize)]
pub struct PrefixListLookup {
    pub param: String,
    pub command: String,
    service: String,
}

impl ParamView {
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Param {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn has_default(&self) -> bool {
        self.default.is_some()
    }
}

/// A row of `parameters.json`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct FileParam<'a> {
    parameter_key: &'a str,
    parameter_value: String,
}

pub struct Param {
    name: String,
    group: &'static str,
    label: String,
    kind: &'static str,
    description: String,
    default: Option<String>,
    pattern: String,
    constraint: String,
    /// What parameters.json suggests when there is no default.
    example: Option<String>,
}

const ID: &str = "([0-9a-f]{8}|[0-9a-f]{17})";

/// An IPv4 block of a VPC or subnet: a dotted quad and a prefix of /16 to /28, the sizes EC2
/// accepts (Amazon VPC User Guide, vpc-cidr-blocks and subnet-sizing).
const CIDR: &str = "^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/(1[6-9]|2[0-8])$";

/// The group of the per-environment inputs in `AWS::CloudFormation::Interface`.
const ENVIRONMENT: &str = "Environment (set per environment in parameters/NAME.json)";

/// `ExpectedAccountId`: the account a deployment must run in, from the environment's
/// `project.account_id`. `optional` when some environment of the template names no account:
/// then an empty value (the default) checks nothing.
pub fn expected_account(optional: bool) -> Param {
    Param {
        name: "ExpectedAccountId".into(),
        group: ENVIRONMENT,
        label: "Expected account".into(),
        kind: "String",
        description: "The account this environment belongs to (project.account_id of the environment): the rule ExpectedAccount stops a deployment with credentials of any other account before anything is created.".into(),
        default: optional.then(String::new),
        pattern: if optional { "^([0-9]{12})?$" } else { "^[0-9]{12}$" }.into(),
        constraint: if optional {
            "must be a 12-digit account id, or empty to skip the check"
        } else {
            "must be a 12-digit account id"
        }
        .into(),
        example: None,
    }
}

/// An IPv4 block parameter (`VpcCidr`, `PrivateASubnetCidr`, …) with no default: each
/// environment's comes from its parameters file.
pub fn cidr(name: String, label: String, description: String) -> Param {
    Param {
        name,
        group: ENVIRONMENT,
        label,
        kind: "String",
        description,
        default: None,
        pattern: CIDR.into(),
        constraint: "must be an IPv4 block from /16 to /28, such as 10.0.0.0/16".into(),
        example: None,
    }
}

pub fn parameters(model: &Model) -> Parameters {
    with_inputs(model, vec![])
}

/// The parameters of a template shared by several environments: the per-environment inputs
/// (`inputs`, first: they are what a deployment of one environment sets) and then the others.
pub fn with_inputs(model: &Model, inputs: Vec<Param>) -> Parameters {
    let mut ps: Vec<Param> = inputs;
    let partition = model.partition.arn();
    if let Some(x) = &model.network.existing {
        ps.push(Param {
            name: "VpcId".into(),
            group: "Existing network",
            label: "VPC".into(),
            kind: "String",
            description: "The existing VPC the environment is deployed into.".into(),
            default: Some(x.vpc_id.clone()),
            pattern: format!("^vpc-{ID}$"),
            constraint: "must look like vpc-0123456789abcdef0".into(),
            example: None,
        });
        ps.push(Param {
            name: "SubnetIds".into(),
            group: "Existing network",
            label: "Private subnets".into(),
            kind: "CommaDelimitedList",
            description: format!(
                "Exactly {} private subnets of the existing VPC (one per Availability Zone), comma-separated, for the domain, notebooks, jobs and interface endpoints.",
                x.subnet_ids.len()
            ),
            default: Some(x.subnet_ids.join(",")),
            pattern: format!("^subnet-{ID}$"),
            constraint: "each must look like subnet-0123456789abcdef0".into(),
            example: None,
        });
        // Gateway endpoints smgen creates are attached to the route tables (a reused one is
        // already).
        if model
            .endpoints
            .iter()
            .any(|e| e.kind == EndpointKind::Gateway && e.existing_id.is_none())
        {
            ps.push(Param {
                name: "RouteTableIds".into(),
                group: "Existing network",
                label: "Private route tables".into(),
                kind: "CommaDelimitedList",
                description: "Route tables of the private subnets, comma-separated; the S3 gateway endpoint is attached to them.".into(),
                default: Some(x.route_table_ids.join(",")),
                pattern: format!("^rtb-{ID}$"),
                constraint: "each must look like rtb-0123456789abcdef0".into(),
                example: None,
            });
        }
    }
    let prefix_lists = prefix_list_endpoints(model);
    let mut lookup = None;
    for ep in &prefix_lists {
        let service = model
            .endpoints
            .iter()
            .find(|e| e.name == *ep)
            .map_or_else(String::new, |e| e.service_name.clone());
        let command = format!(
            "aws ec2 describe-prefix-lists --region {} --filters Name=prefix-list-name,Values={service} --query 'PrefixLists[0].PrefixListId' --output text",
            model.region
        );
        let name = prefix_list_param(ep);
        lookup.get_or_insert_with(|| PrefixListLookup {
            param: name.clone(),
            command: command.clone(),
            service: service.clone(),
        });
        ps.push(Param {
            name,
            group: "Amazon S3 gateway endpoint",
            label: "S3 prefix list id".into(),
            kind: "String",
            description: format!(
                "The id of the AWS-managed prefix list {service}, which the security groups' HTTPS egress to Amazon S3 names (CloudFormation cannot read it from the gateway endpoint). Look it up with: {command}"
            ),
            default: None,
            pattern: format!("^pl-{ID}$"),
            constraint: "must look like pl-6da54004 (see the parameter description for the lookup command)".into(),
            example: Some(format!("REPLACE with the output of: {command}")),
        });
    }
    if let Some(Ref::Input(_)) = &model.kms.key_arn {
        ps.push(Param {
            name: "KmsKeyArn".into(),
            group: "Encryption",
            label: "KMS key ARN".into(),
            kind: "String",
            description: "ARN of the existing customer managed KMS key that encrypts the environment.".into(),
            default: model.kms.existing_arn.clone(),
            pattern: format!("^arn:{partition}:kms:[a-z0-9-]+:[0-9]{{12}}:key/[a-zA-Z0-9-]+$"),
            constraint: format!("must be a KMS key ARN (arn:{partition}:kms:REGION:ACCOUNT:key/ID)"),
            example: None,
        });
    }

    let mut groups: Vec<ParamGroup> = vec![];
    for p in &ps {
        let label = yaml::scalar(p.group);
        match groups.iter_mut().find(|g| g.label == label) {
            Some(g) => g.params.push(p.name.clone()),
            None => groups.push(ParamGroup {
                label,
                params: vec![p.name.clone()],
            }),
        }
    }
    let file: Vec<FileParam> = ps
        .iter()
        .map(|p| FileParam {
            parameter_key: &p.name,
            parameter_value: p
                .default
                .clone()
                .or_else(|| p.example.clone())
                .unwrap_or_default(),
        })
        .collect();
    let list = ps
        .iter()
        .map(|p| ParamView {
            name: p.name.clone(),
            label: yaml::scalar(&p.label),
            label_raw: p.label.clone(),
            kind: p.kind,
            description: yaml::scalar(&p.description),
            description_raw: p.description.clone(),
            default: p.default.as_deref().map(yaml::scalar),
            default_raw: p.default.clone(),
            pattern: yaml::scalar(&p.pattern),
            constraint: yaml::scalar(&p.constraint),
        })
        .collect();
    Parameters {
        list,
        groups,
        json: serde_json::to_string_pretty(&file).expect("json") + "\n",
        s3_prefix_list: lookup,
    }
}

/// Gateway endpoints whose prefix list a security-group rule names.
fn prefix_list_endpoints(model: &Model) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for r in model.security_groups.iter().flat_map(|g| &g.rules) {
        if let Peer::PrefixList(Ref::Attr(id, Attr::PrefixListId)) = &r.peer
            && id.kind == Kind::VpcEndpoint
            && !out.contains(&id.name)
        {
            out.push(id.name.clone());
        }
    }
    out
}
