//! The AWS CDK (TypeScript) renderer: the model becomes a CDK v2 app in the layout
//! `cdk init app --language typescript` makes, one construct per concern (`lib/encryption.ts`,
//! `network.ts`, `storage.ts`, `iam.ts`, `sagemaker.ts`), the same resources, names and tags as
//! the Terraform output. As there, the template context holds only pre-escaped fragments
//! (TypeScript literals built by [`typescript`], references to constructs by [`refs`]); IAM
//! documents are rendered from the model's typed statements, never written in templates.
//!
//! One file per construct's context, as in `render/cloudformation/`: [`network`], [`storage`]
//! (with encryption), [`iam`] (with the people's policies and the resource policies),
//! [`sagemaker`], [`outputs`], [`tests`] (the generated app's test) and [`readme`]; [`nag`]
//! holds the cdk-nag reasons for IAM wildcards. This file builds the whole context and checks
//! the creation order of the constructs.

mod audit;
mod context;
mod iam;
mod nag;
mod network;
mod outputs;
mod readme;
mod refs;
mod sagemaker;
mod storage;
mod tests;

use super::typescript::{self, comment, pascal, string as s};
use super::{FileSet, render_dir};
use crate::error::Result;
use crate::model::Model;
use crate::model::iam::PolicyDocument;
use crate::model::refs::Ref;
use crate::project::Format;
use crate::spec::NetworkMode;
use crate::view::environments::{Env, Environments};
use crate::view::waivers::{self, Waiver};
use crate::view::{Names, View};
use context::{Context, EnvInputs, GroupFacts, Multi, Nag, Tag};
use iam::{access, iam, resource_policies};
use network::network;
use outputs::outputs;
use readme::readme;
use refs::{Owner, Refs, Scope};
use sagemaker::sagemaker;
use std::collections::BTreeSet;
use storage::{encryption, storage};
use tests::test;

/// The model's tags as TypeScript strings.
fn tags(model: &Model) -> Vec<Tag> {
    model
        .tags
        .iter()
        .map(|(k, v)| Tag {
            key: s(k),
            value: s(v),
        })
        .collect()
}

/// The CDK templates rendered with `ctx`, TypeScript laid out.
fn render_ts(ctx: &tera::Context) -> Result<FileSet> {
    render_dir(super::Format::Cdk, ctx, |path, text| {
        if path.ends_with(".ts") {
            typescript::layout(&text)
        } else {
            text
        }
    })
}

pub fn render(view: &View) -> Result<FileSet> {
    let model = view.model;
    check_order(model)?;
    let ctx = tera::Context::from_serialize(context(view)).expect("context is a JSON object");
    let set = render_ts(&ctx)?;
    // `cdk init` names the entry point, the stack and its test after the app.
    let app = &model.name;
    let mut out = FileSet::default();
    for (path, text) in set.files {
        let path = match path.as_str() {
            "bin/app.ts" => format!("bin/{app}.ts"),
            "lib/app-stack.ts" => format!("lib/{app}-stack.ts"),
            "test/app.test.ts" => format!("test/{app}.test.ts"),
            _ => path,
        };
        out.insert(path, text);
    }
    Ok(out)
}

/// Each construct is built after the ones it takes as props (`lib/<app>-stack.ts`), so a
/// document rendered inside a construct may refer only to resources of that construct or of
/// earlier ones. Resource policies (key, endpoints, buckets) name resources of several
/// constructs, so the stack applies them after every construct (`lib/resource-policies.ts`).
fn check_order(m: &Model) -> Result<()> {
    use crate::model::refs::ResId;
    let rank = |o: Owner| {
        [
            Owner::Encryption,
            Owner::Network,
            Owner::Storage,
            Owner::Iam,
            Owner::SageMaker,
            Owner::Access,
            Owner::Audit,
        ]
        .iter()
        .position(|x| *x == o)
        .unwrap_or(usize::MAX)
    };
    let mut docs: Vec<(Owner, String, &PolicyDocument)> = vec![];
    for r in &m.roles {
        docs.push((
            Owner::Iam,
            format!("trust policy of role {}", r.name),
            &r.trust,
        ));
        for p in r.policies.iter().chain(&r.boundary) {
            docs.push((Owner::Iam, format!("policy {}", p.name), &p.document));
        }
    }
    for p in &m.access_policies {
        docs.push((Owner::Access, format!("policy {}", p.name), &p.document));
    }
    for (owner, what, doc) in docs {
        let value = doc.to_value();
        let mut leaves = vec![];
        value.leaves(&mut leaves);
        let mut ids: Vec<ResId> = vec![];
        leaves.iter().for_each(|r| r.resources(&mut ids));
        if let Some(late) = ids.iter().find(|id| rank(Owner::of(id.kind)) > rank(owner)) {
            return Err(crate::error::Error::Render {
                template: "cdk".into(),
                message: format!(
                    "the {what} (built in lib/{}.ts) refers to {:?} {}, which lib/{}.ts creates later",
                    owner.field(),
                    late.kind,
                    late.name,
                    Owner::of(late.kind).field()
                ),
            });
        }
    }
    Ok(())
}

/// Renders expressions for one scope, plus the conversions L2 props need.
struct Ctx<'a> {
    refs: Refs<'a>,
    model: &'a Model,
    names: &'a Names,
}

impl<'a> Ctx<'a> {
    fn at(&self, scope: Scope) -> Ctx<'_> {
        Ctx {
            refs: self.refs.with(scope),
            model: self.model,
            names: self.names,
        }
    }
    fn e(&self, r: &Ref) -> String {
        self.refs.expr(r)
    }
    fn list(&self, r: &[Ref]) -> String {
        self.refs.list(r)
    }
    fn value(&self, v: &crate::model::iam::Value) -> String {
        self.refs.value(v)
    }
    fn policy(&self, doc: &PolicyDocument) -> String {
        self.value(&doc.to_value())
    }
    /// The environment key as a `kms.IKey` (L2 props take the key, not its ARN). The model has
    /// one key; any key reference is that key.
    fn key_obj(&self, key: &Option<Ref>) -> Option<String> {
        key.as_ref().map(|_| {
            let e = self.e(self.model.kms.key_arn.as_ref().expect("a key reference"));
            e.strip_suffix(".keyArn").unwrap_or(&e).to_string()
        })
    }
}

/// Unique construct ids among siblings: PascalCase of the logical name plus a suffix saying
/// what it is; a collision of two names that differ only in punctuation gets a number.
#[derive(Default)]
struct Ids(BTreeSet<String>);

impl Ids {
    fn id(&mut self, name: &str, what: &str) -> String {
        let base = format!("{}{what}", pascal(name));
        let mut id = base.clone();
        let mut n = 2;
        while !self.0.insert(id.clone()) {
            id = format!("{base}{n}");
            n += 1;
        }
        s(&id)
    }
}

/// The view's waivers under their cdk-nag ids, as `{id, reason}` literals.
fn nag_list(waived: &[Waiver]) -> Vec<Nag> {
    waivers::ids(waived, Format::Cdk)
        .into_iter()
        .map(|(id, reason)| Nag {
            id: s(id),
            reason: s(reason),
        })
        .collect()
}

fn context<'a>(view: &'a View) -> Context<'a> {
    let model = view.model;
    let root = Ctx {
        refs: Refs {
            scope: Scope::Test,
            partition: model.partition.arn(),
            region: &model.region,
        },
        model,
        names: &view.names,
    };
    let name = &model.name;
    let stack_class = format!("{}Stack", pascal(name));
    Context {
        app: name,
        stack_id: s(&stack_class),
        stack_class,
        region: s(&model.region),
        region_raw: &model.region,
        partition: model.partition.arn(),
        name_c: comment(name),
        description: s(&format!(
            "{name}: a secure Amazon SageMaker environment (generated by smgen)"
        )),
        tags: tags(model),
        vpc_only: model.mode == NetworkMode::VpcOnly,
        encryption: encryption(&root.at(Scope::In(Owner::Encryption))),
        network: network(&root.at(Scope::In(Owner::Network))),
        storage: storage(&root.at(Scope::In(Owner::Storage))),
        iam: iam(&root.at(Scope::In(Owner::Iam))),
        sagemaker: sagemaker(&root.at(Scope::In(Owner::SageMaker))),
        access: access(&root.at(Scope::In(Owner::Access))),
        audit: audit::audit(&root.at(Scope::In(Owner::Audit))),
        outputs: outputs(&root.at(Scope::Stack)),
        key_policy: model.kms.policy.as_ref().map(|p| root.policy(p)),
        resource_policies: resource_policies(&root),
        test: test(&root),
        readme: readme(model),
        deploy: super::standalone::readme_facts(model),
        teardown_delete: model.teardown_delete,
        multi: None,
    }
}

/// The CDK app of several environments (`[environments.NAME]`): one `cdk.Stage` per environment
/// (`bin/APP.ts` wires them from `bin/environments.ts`, the only place that holds the
/// per-environment inputs) and one stack class per structure group. The main group's classes are
/// where a single environment's are (`lib/APP-stack.ts` and its constructs); another group's
/// are under `lib/NAME/` (`NAME`: the group's first environment), sharing `lib/policy.ts`,
/// `lib/nag.ts` and the Stage class `lib/APP-stage.ts`. Each group's class is rendered from its
/// first environment's model with the inputs turned into props: the VPC and subnet blocks
/// (`VpcBlocks`); the tags go on the Stage, the account into the Stage's `env`.
pub fn render_environments(envs: &Environments) -> Result<FileSet> {
    let main = envs.members(0).next().expect("a group has members").model;
    let app = main.name.as_str();
    let dir = |g: usize| envs.groups[g].suffix.trim_start_matches('-').to_string();
    let class = |g: usize| {
        format!(
            "{}Stack",
            pascal(&format!("{app}{}", envs.groups[g].suffix))
        )
    };
    let stack_file = |g: usize| {
        if g == 0 {
            format!("lib/{app}-stack.ts")
        } else {
            format!("lib/{}/{app}{}-stack.ts", dir(g), envs.groups[g].suffix)
        }
    };
    let test_file = |g: usize| format!("test/{app}{}.test.ts", envs.groups[g].suffix);
    let groups: Vec<GroupFacts> = envs
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| GroupFacts {
            stack_class: class(g),
            import: s(&format!("../{}", stack_file(g).trim_end_matches(".ts"))),
            file_raw: stack_file(g),
            members_raw: envs.members(g).map(|e| e.name.to_string()).collect(),
            differs_raw: group.differs.clone(),
        })
        .collect();
    let inputs: Vec<EnvInputs> = envs
        .envs
        .iter()
        .map(|e| env_inputs(e, &class(e.group)))
        .collect();
    let test_files = (0..envs.groups.len())
        .map(test_file)
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = FileSet::default();
    for g in 0..envs.groups.len() {
        let model = envs.members(g).next().expect("a group has members").model;
        check_order(model)?;
        let view = View::of(model);
        let mut ctx = context(&view);
        ctx.stack_class = class(g);
        ctx.stack_id = s(&ctx.stack_class);
        // The tags are an input: each Stage applies its environment's.
        ctx.tags = vec![];
        if let Some(v) = &mut ctx.network.vpc {
            v.cidr = "props.blocks.vpc".into();
            for z in &mut v.zones {
                z.private_cidr = format!("props.blocks.subnets[{}]", z.key);
                z.public_cidr = z
                    .public_cidr
                    .as_ref()
                    .map(|_| format!("props.blocks.subnets[{}]", z.public_key));
            }
        }
        let up = if g == 0 { "./" } else { "../" };
        ctx.multi = Some(Multi {
            stage_import: s(&format!("{up}{app}-stage")),
            stack_module: s(&format!(
                "./{}",
                stack_file(g)
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches(".ts")
            )),
            lib_root: if g == 0 { "'..'" } else { "'..', '..'" }.into(),
            stack_import: s(&format!("../{}", stack_file(g).trim_end_matches(".ts"))),
            main_class: class(0),
            test_files: test_files.clone(),
            envs: inputs.clone(),
            groups: groups.clone(),
        });
        let tctx = tera::Context::from_serialize(&ctx).expect("context is a JSON object");
        let set = render_ts(&tctx)?;
        for (path, text) in set.files {
            let once = g == 0;
            let path = match path.as_str() {
                "lib/app-stack.ts" => stack_file(g),
                "test/app.test.ts" => test_file(g),
                "lib/app-stage.ts" if once => format!("lib/{app}-stage.ts"),
                "bin/app.ts" if once => format!("bin/{app}.ts"),
                "README-environments.md" if once => "README.md".into(),
                // The single environment's README: the environments' README replaces it.
                "README.md" => continue,
                "lib/policy.ts" | "lib/nag.ts" if once => path,
                "lib/policy.ts" | "lib/nag.ts" | "lib/app-stage.ts" => continue,
                p if p.starts_with("lib/") && !once => format!("lib/{}/{}", dir(g), &p[4..]),
                _ if !once => continue,
                _ => path,
            };
            let text = if g == 0 {
                text
            } else {
                // One copy of the helpers for every group.
                text.replace("from './policy'", "from '../policy'")
                    .replace("from './nag'", "from '../nag'")
            };
            out.insert(path, text);
        }
    }
    Ok(out)
}

/// One environment's stage: its account and Region, its tags, and its VPC blocks.
fn env_inputs(e: &Env, stack_class: &str) -> EnvInputs {
    let m = e.model;
    let stack_name = format!("{}-{}", m.name, e.name);
    let blocks = m.network.created.as_ref().map(|v| {
        let mut subnets = vec![];
        for z in &v.zones {
            subnets.push(format!(
                "{}: {}",
                s(&format!("private_{}", z.suffix)),
                s(&z.private_cidr)
            ));
            if let Some(p) = &z.public_cidr {
                subnets.push(format!("{}: {}", s(&format!("public_{}", z.suffix)), s(p)));
            }
        }
        format!(
            "{{ vpc: {}, subnets: {{ {} }} }}",
            s(&v.cidr),
            subnets.join(", ")
        )
    });
    EnvInputs {
        name: s(e.name),
        name_raw: e.name.to_string(),
        stage_raw: e.stage().map(|st| st.name().to_string()),
        stack_name: s(&stack_name),
        stack_name_raw: stack_name,
        stack_class: stack_class.to_string(),
        account: e.account_id().map(s),
        account_raw: e.account_id().map(str::to_string),
        region: s(&m.region),
        region_raw: m.region.clone(),
        tags: tags(m),
        cidr_raw: m.network.created.as_ref().map(|v| v.cidr.clone()),
        blocks,
    }
}
