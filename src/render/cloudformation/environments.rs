//! Several environments (`[environments.NAME]`) as CloudFormation: one template per structure
//! group (`template.yaml`, `template-NAME.yaml`), each environment's inputs in
//! `parameters/NAME.json`, and a README with every environment's deploy command.
//!
//! A group's template is the single-environment template of its first environment, rendered
//! with the three per-environment inputs of `view::environments` taken out of it:
//!
//! - **Account**: rendered as if `project.account_id` were unset (every ARN already names
//!   `${AWS::AccountId}`), so no literal account is left. The guard the single template has
//!   (`GeneratedForAccount`) becomes the rule `ExpectedAccount`, which compares
//!   `AWS::AccountId` with the parameter `ExpectedAccountId` set by the environment's
//!   parameters file: the file says which account the environment belongs to, the credentials
//!   say which account the stack goes into, and a mismatch (prod's parameters with dev's
//!   credentials) stops before anything is created (CloudFormation User Guide, template rules).
//! - **VPC block**: `VpcCidr` and one parameter per subnet (`PrivateASubnetCidr`, …) rather
//!   than a `CommaDelimitedList` and `!Select`: each has a label in the console, its own
//!   pattern, and a subnet's block reads as its name in the template. smgen carves the subnet
//!   blocks (templates cannot: `!Cidr` makes equal blocks from the start, smgen's layout is not
//!   that), so the parameters file holds them all.
//! - **Tags**: `project.tags` become stack tags (`--tags`), which CloudFormation propagates to
//!   the resources that support tags; the template keeps `Project`, `ManagedBy` and `Name`.

use super::context::ExpectedAccount;
use super::intrinsics::logical;
use super::{TEMPLATE_BODY_MAX, check_unique, params, s, tera_ctx};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::model::refs::Kind;
use crate::render::{FileSet, Format};
use crate::view::View;
use crate::view::environments::{Env, Environments};
use serde::Serialize;
use std::collections::BTreeMap;

/// The stack of environment `env`: one per environment, so two environments in one account
/// (with different project names) do not share a stack name either.
fn stack_name(model: &Model, env: &str) -> String {
    format!("{}-{env}", model.name)
}

/// The parameter of a subnet's block (`PrivateASubnetCidr`).
fn subnet_param(kind: &str, suffix: &str) -> String {
    format!("{}Cidr", logical(Kind::Subnet, &format!("{kind}_{suffix}")))
}

/// The model a group's template is rendered from: the first environment's, without its
/// per-environment inputs (no account; only the tags the template itself sets).
fn shared_model(model: &Model) -> Model {
    let mut m = model.clone();
    m.account_id = None;
    m.tags = ["Project", "ManagedBy"]
        .iter()
        .filter_map(|k| model.tags.get_key_value(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // `project.tags` may have replaced the template's own value of Project or ManagedBy: the
    // template keeps smgen's, the stack tag carries the user's.
    m.tags.insert("Project".into(), model.name.clone());
    m.tags.insert("ManagedBy".into(), "smgen".into());
    m
}

/// The per-environment input parameters of a group's template.
fn inputs(model: &Model, members: &[&Env]) -> Vec<params::Param> {
    let mut out = vec![];
    if members.iter().any(|e| e.account_id().is_some()) {
        out.push(params::expected_account(
            members.iter().any(|e| e.account_id().is_none()),
        ));
    }
    if let Some(v) = &model.network.created {
        out.push(params::cidr(
            "VpcCidr".into(),
            "VPC block".into(),
            "The VPC's IPv4 block (network.vpc.cidr of the environment).".into(),
        ));
        for (kind, public) in [("private", false), ("public", true)] {
            for z in &v.zones {
                if public && z.public_cidr.is_none() {
                    continue;
                }
                out.push(params::cidr(
                    subnet_param(kind, &z.suffix),
                    format!("{} subnet {} block", capitalised(kind), z.suffix.to_uppercase()),
                    format!(
                        "The block of the {kind} subnet in zone {}: inside VpcCidr, carved from network.vpc.cidr by smgen.",
                        z.az_id
                    ),
                ));
            }
        }
    }
    out
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// An environment's parameter values: what its parameters file and deploy command set.
fn values(e: &Env, account_param: bool) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let (true, Some(a)) = (account_param, e.account_id()) {
        out.insert("ExpectedAccountId".into(), a.to_string());
    }
    if let Some(v) = &e.model.network.created {
        out.insert("VpcCidr".into(), v.cidr.clone());
        for z in &v.zones {
            out.insert(subnet_param("private", &z.suffix), z.private_cidr.clone());
            if let Some(p) = &z.public_cidr {
                out.insert(subnet_param("public", &z.suffix), p.clone());
            }
        }
    }
    out
}

/// `parameters/NAME.json`: a template configuration file (CloudFormation User Guide,
/// continuous-delivery-codepipeline-cfn-artifacts), whose `Parameters` AWS CLI v2 `deploy
/// --parameter-overrides file://` also reads (aws-cli pull request 5443).
fn parameters_file(values: &BTreeMap<String, String>, tags: &BTreeMap<String, String>) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct File<'a> {
        parameters: &'a BTreeMap<String, String>,
        tags: &'a BTreeMap<String, String>,
    }
    serde_json::to_string_pretty(&File {
        parameters: values,
        tags,
    })
    .expect("json")
        + "\n"
}

/// The command that stops when the credentials are not for the environment's account.
fn account_check(e: &Env) -> Option<String> {
    e.account_id().map(|a| {
        format!(
            "test \"$(aws sts get-caller-identity --query Account --output text)\" = {a} \\\n  || echo \"stop: these credentials are not for account {a} (environment {})\"",
            e.name
        )
    })
}

struct Template {
    file: String,
    needs_s3_upload: bool,
    params: Vec<params::ParamView>,
    lookup: Option<params::PrefixListLookup>,
}

#[derive(Serialize)]
struct EnvRow {
    name: String,
    stage: String,
    account: String,
    region: String,
    vpc: String,
    template: String,
    stack: String,
    deploy: String,
    teardown: String,
}

#[derive(Serialize)]
struct TemplateRow<'a> {
    file: &'a str,
    members: Vec<&'a str>,
    differs: &'a [String],
    params: &'a [params::ParamView],
}

#[derive(Serialize)]
struct Readme<'a> {
    environments: bool,
    name: &'a str,
    main_template: &'a str,
    envs: Vec<EnvRow>,
    templates: Vec<TemplateRow<'a>>,
    lookup: Option<&'a params::PrefixListLookup>,
    needs_s3_upload: bool,
}

fn render_template(name: &str, ctx: &tera::Context) -> Result<String> {
    super::super::tera(Format::CloudFormation)
        .render(name, ctx)
        .map_err(|e| Error::Render {
            template: name.into(),
            message: super::super::error_chain(&e),
        })
}

pub fn render(envs: &Environments) -> Result<FileSet> {
    let mut set = FileSet::default();
    let mut templates: Vec<Template> = vec![];
    for (g, group) in envs.groups.iter().enumerate() {
        let members: Vec<&Env> = envs.members(g).collect();
        let model = shared_model(members[0].model);
        let view = View::of(&model);
        let mut ctx = super::context(&view);
        let names: Vec<&str> = members.iter().map(|e| e.name).collect();
        ctx.description = s(&format!(
            "smgen: secure Amazon SageMaker environment {} ({}), the template of environments {}; generated from smgen.toml, regenerate rather than edit",
            model.name,
            model.region,
            names.join(", ")
        ));
        let inputs = inputs(&model, &members);
        if let Some(p) = inputs.iter().find(|p| p.name() == "ExpectedAccountId") {
            ctx.expected_account = Some(ExpectedAccount {
                optional: p.has_default(),
                description: s(
                    "These credentials are not for the account of the environment being deployed (parameter ExpectedAccountId, from project.account_id): use that account's credentials, or the parameters file of the environment they belong to.",
                ),
            });
        }
        if let Some(vpc) = ctx.vpc.as_mut() {
            vpc.cidr = "!Ref VpcCidr".into();
            for z in &mut vpc.zones {
                z.private_cidr = format!("!Ref {}Cidr", z.subnet);
                if z.public_cidr.is_some() {
                    z.public_cidr = Some(format!("!Ref {}Cidr", z.public_subnet));
                }
            }
        }
        let p = params::with_inputs(&model, inputs);
        ctx.params = p.list;
        ctx.param_groups = p.groups;
        check_unique(&serde_json::to_value(&ctx).expect("the context serializes"))?;
        let text = render_template("cloudformation/template.yaml.tera", &tera_ctx(&ctx))?;
        let file = format!("template{}.yaml", group.suffix);
        templates.push(Template {
            file: file.clone(),
            needs_s3_upload: text.len() > TEMPLATE_BODY_MAX,
            params: std::mem::take(&mut ctx.params),
            lookup: p.s3_prefix_list,
        });
        set.insert(file, text);
    }

    let mut rows = vec![];
    for e in &envs.envs {
        let t = &templates[e.group];
        let account_param = t.params.iter().any(|p| p.name() == "ExpectedAccountId");
        let values = values(e, account_param);
        set.insert(
            format!("parameters/{}.json", e.name),
            parameters_file(&values, e.tags()),
        );
        let stack = stack_name(e.model, e.name);
        let region = &e.model.region;
        let mut deploy = account_check(e).map(|c| c + "\n").unwrap_or_default();
        deploy.push_str(&format!(
            "aws cloudformation deploy \\\n  --region {region} \\\n  --stack-name {stack} \\\n  --template-file {} \\\n",
            t.file
        ));
        if t.needs_s3_upload {
            let whose = e
                .account_id()
                .map_or_else(String::new, |a| format!(" in account {a}"));
            deploy.push_str(&format!(
                "  --s3-bucket <a bucket of yours{whose} for the template upload> \\\n"
            ));
        }
        deploy.push_str("  --capabilities CAPABILITY_NAMED_IAM");
        match &t.lookup {
            // The file is all the parameters: the CLI reads it (version 2) as the only value.
            None if !values.is_empty() => deploy.push_str(&format!(
                " \\\n  --parameter-overrides file://parameters/{}.json",
                e.name
            )),
            None => {}
            Some(l) => {
                deploy.push_str(" \\\n  --parameter-overrides");
                for (k, v) in &values {
                    deploy.push_str(&format!(
                        " \\\n    {}",
                        crate::render::shell_word(&format!("{k}={v}"))
                    ));
                }
                deploy.push_str(&format!(" \\\n    {}=\"$({})\"", l.param, l.command));
            }
        }
        if !e.tags().is_empty() {
            deploy.push_str(" \\\n  --tags");
            for (k, v) in e.tags() {
                deploy.push_str(&format!(
                    " {}",
                    crate::render::shell_word(&format!("{k}={v}"))
                ));
            }
        }
        let mut teardown = account_check(e).map(|c| c + "\n").unwrap_or_default();
        teardown.push_str(&format!(
            "environments/{0}/teardown.sh --dry-run   # then --yes\naws cloudformation delete-stack --region {region} --stack-name {stack}\naws cloudformation wait stack-delete-complete --region {region} --stack-name {stack}",
            e.name
        ));
        rows.push(EnvRow {
            name: e.name.to_string(),
            stage: e.stage().map_or("-", |s| s.name()).to_string(),
            account: e
                .account_id()
                .map_or_else(|| "(not set)".into(), |a| format!("`{a}`")),
            region: region.clone(),
            vpc: e
                .model
                .network
                .created
                .as_ref()
                .map_or_else(|| "existing VPC".into(), |v| format!("`{}`", v.cidr)),
            template: t.file.clone(),
            stack,
            deploy,
            teardown,
        });
    }

    let readme = Readme {
        environments: true,
        name: &envs.envs[0].model.name,
        main_template: &templates[0].file,
        envs: rows,
        templates: envs
            .groups
            .iter()
            .zip(&templates)
            .enumerate()
            .map(|(g, (group, t))| TemplateRow {
                file: &t.file,
                members: envs.members(g).map(|e| e.name).collect(),
                differs: &group.differs,
                params: &t.params,
            })
            .collect(),
        lookup: templates.iter().find_map(|t| t.lookup.as_ref()),
        needs_s3_upload: templates.iter().any(|t| t.needs_s3_upload),
    };
    let ctx = tera::Context::from_serialize(&readme).expect("context is a JSON object");
    set.insert(
        "README.md",
        render_template("cloudformation/README.environments.md.tera", &ctx)?,
    );
    Ok(set)
}
