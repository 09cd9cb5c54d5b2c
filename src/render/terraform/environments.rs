//! Terraform for several environments (`[environments.NAME]`): one module per structure group
//! (`modules/sagemaker-environment{suffix}/`, rendered from the group's first environment with
//! the per-environment inputs as variables) and one thin root per environment
//! (`environments/NAME/`: the module call with that environment's account and blocks, its
//! provider with `allowed_account_ids` and `default_tags`, a commented-out S3 backend, outputs
//! passed through, and a test that plans the root and checks the values arrive).
//!
//! Why modules and roots rather than workspaces or `.tfvars` files: each environment has its own
//! account, credentials and state; a directory per environment makes the target of a `terraform
//! apply` the directory it runs in, and a module per structure keeps what differs between
//! structures in reviewed HCL, not in conditionals on variables (see `view::environments`).

use super::context::{ModuleTest, Tag};
use super::{FileSet, context, render_selected, s};
use crate::error::Result;
use crate::model::Model;
use crate::view::View;
use crate::view::environments::{Env, Environments, Group};
use serde::Serialize;

/// The templates of the multi-environment layout, under `templates/terraform/`.
pub const TEMPLATES: &str = "multi/";
/// The module variables of the per-environment network inputs.
pub const VPC_CIDR: &str = "vpc_cidr";
pub const PRIVATE_SUBNETS: &str = "private_subnet_cidrs";
pub const PUBLIC_SUBNETS: &str = "public_subnet_cidrs";
/// From a module (`modules/NAME/`) to the project root, where the lifecycle scripts are.
///
/// The scripts are read in place rather than copied into each module: they are the user's
/// files (merged on upgrade), one per project, shared by every environment; a copy per module
/// would be a second place to edit that drifts from the first. A local module is used where it
/// is (Terraform copies nothing for a `../` source), so `path.module` is `modules/NAME` and the
/// relative path holds for `terraform test` in the module and for every environment root.
pub const LIFECYCLE_FROM_MODULE: &str = "../../";
/// The directory of the modules and the module's base name.
const MODULES_DIR: &str = "modules";
const MODULE: &str = "sagemaker-environment";
/// The main group's module, from the project root (what a one-environment root's files move
/// into when a project gains environments: `render::moved_from`).
pub const MAIN_MODULE: &str = "modules/sagemaker-environment";
/// The VPC block of a module's own tests: a private block no environment needs to use (its
/// tests must not carry an environment's values), carved as smgen carves the environments'.
const TEST_VPC: &str = "10.0.0.0/16";

/// The module's directory name of group `g`.
fn module_dir(g: &Group) -> String {
    format!("{MODULE}{}", g.suffix)
}

/// The test inputs of a module for a VPC smgen creates.
pub fn module_test(model: &Model) -> Option<ModuleTest> {
    let v = model.network.created.as_ref()?;
    let net: ipnet::Ipv4Net = TEST_VPC.parse().expect("a valid block");
    let (private, public) = crate::model::network::carve(net, v.zones.len());
    let list = |l: &[ipnet::Ipv4Net]| {
        let items: Vec<String> = l.iter().map(|n| s(&n.to_string())).collect();
        format!("[{}]", items.join(", "))
    };
    Some(ModuleTest {
        vpc_cidr: s(TEST_VPC),
        vpc_cidr_raw: TEST_VPC,
        private_subnet_cidrs: list(&private),
        public_subnet_cidrs: v.public_subnets.then(|| list(&public)),
    })
}

/// A module output, passed through by every root.
#[derive(Serialize, Clone)]
struct Output {
    name: String,
    /// HCL string.
    description: String,
    /// Raw text for Markdown.
    text: String,
}

/// The outputs of a rendered (laid out) `outputs.tf`: every `output "NAME" {` with the
/// `description` that follows it. Read from the module's own text so that a root passes exactly
/// the outputs its module has.
fn outputs_of(tf: &str) -> Vec<Output> {
    let mut out = vec![];
    let mut lines = tf.lines();
    while let Some(l) = lines.next() {
        let Some(name) = l
            .strip_prefix("output \"")
            .and_then(|r| r.strip_suffix("\" {"))
        else {
            continue;
        };
        let description = lines
            .next()
            .and_then(|d| d.trim().strip_prefix("description"))
            .map(|d| d.trim_start().trim_start_matches('=').trim().to_string())
            .unwrap_or_else(|| s(""));
        out.push(Output {
            name: name.to_string(),
            text: hcl_text(&description),
            description,
        });
    }
    out
}

/// The text of a simple HCL string (quotes removed, `\"` and `\\` unescaped), for Markdown.
fn hcl_text(q: &str) -> String {
    q.trim_matches('"')
        .replace("\\\"", "\"")
        .replace("\\\\", "\\")
}

/// A variable of a module, for its README.
#[derive(Serialize)]
struct Input {
    name: &'static str,
    text: &'static str,
}

/// The module's README: what it is and who uses it.
#[derive(Serialize)]
struct ModuleDoc<'a> {
    dir: String,
    main: bool,
    members: Vec<&'a str>,
    differs: Vec<String>,
    inputs: Vec<Input>,
    outputs: Vec<Output>,
}

/// One environment root.
#[derive(Serialize)]
struct Root<'a> {
    name: &'a str,
    env: &'a str,
    stage: Option<String>,
    module_dir: String,
    region: String,
    region_raw: &'a str,
    /// HCL string of `project.account_id`; `None`: the root takes `var.account_id`.
    account: Option<String>,
    account_raw: Option<&'a str>,
    test_account: String,
    tags: Vec<Tag>,
    vpc: Option<RootVpc>,
    existing_vpc: Option<super::context::ExistingVpc>,
    existing_key_arn: Option<String>,
    /// Endpoints the existing VPC already has (the test overrides their data sources).
    existing_endpoints: Vec<ExistingEndpoint<'a>>,
    partition: &'a str,
    outputs: Vec<Output>,
    mocks: Mocks<'a>,
}

/// The mocked ARNs of a root's test (the same resources the module's test mocks).
#[derive(Serialize)]
struct Mocks<'a> {
    account: &'a str,
    domain: bool,
}

#[derive(Serialize)]
struct ExistingEndpoint<'a> {
    name: &'a str,
    key: &'a str,
    id: String,
    service_name: String,
}

/// The network inputs of one environment (HCL fragments).
#[derive(Serialize)]
struct RootVpc {
    cidr: String,
    private: String,
    public: Option<String>,
}

/// The project's README.
#[derive(Serialize)]
struct ProjectDoc<'a> {
    name: &'a str,
    envs: Vec<EnvRow<'a>>,
    groups: Vec<GroupRow<'a>>,
    lifecycle: Vec<&'a str>,
}

#[derive(Serialize)]
struct EnvRow<'a> {
    name: &'a str,
    stage: String,
    account: String,
    region: &'a str,
    vpc: String,
    module: String,
}

#[derive(Serialize)]
struct GroupRow<'a> {
    module: String,
    main: bool,
    members: Vec<&'a str>,
    differs: Vec<String>,
}

/// The Terraform layout of several environments.
pub fn render_environments(envs: &Environments) -> Result<FileSet> {
    let mut set = FileSet::default();
    let mut outputs = vec![];
    for (g, group) in envs.groups.iter().enumerate() {
        let first = envs.members(g).next().expect("a group has members");
        let (module, outs) = module(envs, g, group, first.model)?;
        for (path, text) in module.files {
            set.insert(format!("{MODULES_DIR}/{}/{path}", module_dir(group)), text);
        }
        outputs.push(outs);
    }
    for e in &envs.envs {
        let group = &envs.groups[e.group];
        for (path, text) in root(e, group, &outputs[e.group])?.files {
            set.insert(super::super::env_path(e.name, &path), text);
        }
    }
    let doc = ProjectDoc {
        name: &envs.envs[0].model.name,
        envs: envs
            .envs
            .iter()
            .map(|e| EnvRow {
                name: e.name,
                stage: e
                    .stage()
                    .map_or("-".into(), |st| format!("{st:?}").to_lowercase()),
                account: e
                    .account_id()
                    .map_or("set at plan time (`-var account_id=…`)".into(), |a| {
                        format!("`{a}`")
                    }),
                region: &e.model.region,
                vpc: e
                    .model
                    .network
                    .created
                    .as_ref()
                    .map_or("existing VPC".into(), |v| format!("`{}`", v.cidr)),
                module: format!("`{MODULES_DIR}/{}`", module_dir(&envs.groups[e.group])),
            })
            .collect(),
        groups: envs
            .groups
            .iter()
            .enumerate()
            .map(|(g, group)| GroupRow {
                module: module_dir(group),
                main: g == 0,
                members: envs.members(g).map(|e| e.name).collect(),
                differs: group.differs.clone(),
            })
            .collect(),
        lifecycle: {
            let mut l: Vec<&str> = envs
                .envs
                .iter()
                .flat_map(|e| e.model.lifecycle_configs.iter().map(|c| c.script.as_str()))
                .collect();
            l.sort();
            l.dedup();
            l
        },
    };
    let mut ctx = tera::Context::new();
    ctx.insert("project", &doc);
    let readme = render_selected(&ctx, |rel| {
        (rel == "multi/README.md").then(|| "README.md".to_string())
    })?;
    set.files.extend(readme.files);
    Ok(set)
}

/// The module of group `g`, rendered from `model` (its first environment), and its outputs.
fn module(
    envs: &Environments,
    g: usize,
    group: &Group,
    model: &Model,
) -> Result<(FileSet, Vec<Output>)> {
    let view = View::of(model);
    let context = context(&view, true);
    let created = context.vpc.as_ref();
    let mut inputs = vec![Input {
        name: "account_id",
        text: "The 12-digit id of the AWS account the environment is deployed into.",
    }];
    if let Some(v) = created {
        inputs.push(Input {
            name: VPC_CIDR,
            text: "The VPC's IPv4 block (/16 to /24).",
        });
        inputs.push(Input {
            name: PRIVATE_SUBNETS,
            text: "The private subnets' blocks, one per Availability Zone.",
        });
        if v.public {
            inputs.push(Input {
                name: PUBLIC_SUBNETS,
                text: "The public (NAT only) subnets' blocks, one per Availability Zone.",
            });
        }
    }
    if context.existing_vpc.is_some() {
        inputs.push(Input {
            name: "vpc_id",
            text: "The existing VPC.",
        });
        inputs.push(Input {
            name: "subnet_ids",
            text: "Its private subnets, one per Availability Zone.",
        });
        inputs.push(Input {
            name: "route_table_ids",
            text: "Their route tables.",
        });
    }
    if context.kms.existing {
        inputs.push(Input {
            name: "kms_key_arn",
            text: "The existing customer managed KMS key.",
        });
    }
    let mut ctx = tera::Context::from_serialize(&context).expect("context is a JSON object");
    // A root's own files and the single-environment README are not part of a module.
    let mut set = render_selected(&ctx, |rel| {
        let own = matches!(rel, "providers.tf" | "versions.tf" | "README.md");
        (!own && !rel.starts_with(TEMPLATES)).then(|| rel.to_string())
    })?;
    let outputs = outputs_of(set.files.get("outputs.tf").map_or("", String::as_str));
    ctx.insert(
        "module_doc",
        &ModuleDoc {
            dir: module_dir(group),
            main: g == 0,
            members: envs.members(g).map(|e| e.name).collect(),
            differs: group.differs.clone(),
            inputs,
            outputs: outputs.clone(),
        },
    );
    let own = render_selected(&ctx, |rel| {
        rel.strip_prefix("multi/module/").map(str::to_string)
    })?;
    set.files.extend(own.files);
    Ok((set, outputs))
}

/// The root of environment `e`.
fn root(e: &Env, group: &Group, outputs: &[Output]) -> Result<FileSet> {
    let model = e.model;
    let list = |l: Vec<&str>| {
        let items: Vec<String> = l.into_iter().map(s).collect();
        format!("[{}]", items.join(", "))
    };
    let vpc = model.network.created.as_ref().map(|v| RootVpc {
        cidr: s(&v.cidr),
        private: list(v.zones.iter().map(|z| z.private_cidr.as_str()).collect()),
        public: v.public_subnets.then(|| {
            list(
                v.zones
                    .iter()
                    .filter_map(|z| z.public_cidr.as_deref())
                    .collect(),
            )
        }),
    });
    let hcl_list = |ids: &[String]| list(ids.iter().map(String::as_str).collect());
    let test_account = e.account_id().unwrap_or(super::TEST_ACCOUNT);
    let r = Root {
        name: &model.name,
        env: e.name,
        stage: e.stage().map(|st| format!("{st:?}").to_lowercase()),
        module_dir: module_dir(group),
        region: s(&model.region),
        region_raw: &model.region,
        account: e.account_id().map(s),
        account_raw: e.account_id(),
        test_account: s(test_account),
        tags: super::tags(e.tags()),
        vpc,
        existing_vpc: model
            .network
            .existing
            .as_ref()
            .map(|x| super::context::ExistingVpc {
                vpc_id: s(&x.vpc_id),
                subnet_ids: hcl_list(&x.subnet_ids),
                route_table_ids: hcl_list(&x.route_table_ids),
            }),
        existing_key_arn: model.kms.existing_arn.as_deref().map(s),
        existing_endpoints: model
            .endpoints
            .iter()
            .filter_map(|ep| {
                ep.existing_id.as_deref().map(|id| ExistingEndpoint {
                    name: &ep.name,
                    key: ep.key,
                    id: s(id),
                    service_name: s(&ep.service_name),
                })
            })
            .collect(),
        partition: model.partition.arn(),
        outputs: outputs.to_vec(),
        mocks: Mocks {
            account: test_account,
            domain: model.domain.is_some(),
        },
    };
    let mut ctx = tera::Context::new();
    ctx.insert("root", &r);
    let mut set = render_selected(&ctx, |rel| {
        rel.strip_prefix("multi/root/").map(str::to_string)
    })?;
    // The Terraform and provider pins of a single root, unchanged.
    let versions = render_selected(&ctx, |rel| (rel == "versions.tf").then(|| rel.to_string()))?;
    set.files.extend(versions.files);
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_module_is_where_the_modules_go() {
        assert_eq!(MAIN_MODULE, format!("{MODULES_DIR}/{MODULE}"));
    }
}
