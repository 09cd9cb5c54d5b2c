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
use crate::view::waivers::{self, Waiver};
use crate::view::{Names, View};
use context::{Context, Nag, Tag};
use iam::{access, iam, resource_policies};
use network::network;
use outputs::outputs;
use readme::readme;
use refs::{Owner, Refs, Scope};
use sagemaker::sagemaker;
use std::collections::BTreeSet;
use storage::{encryption, storage};
use tests::test;

pub fn render(view: &View) -> Result<FileSet> {
    let model = view.model;
    check_order(model)?;
    let ctx = tera::Context::from_serialize(context(view)).expect("context is a JSON object");
    let set = render_dir(super::Format::Cdk, &ctx, |path, text| {
        if path.ends_with(".ts") {
            typescript::layout(&text)
        } else {
            text
        }
    })?;
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
        tags: model
            .tags
            .iter()
            .map(|(k, v)| Tag {
                key: s(k),
                value: s(v),
            })
            .collect(),
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
    }
}

/// The cdk layout of several environments (`[environments.NAME]`).
pub fn render_environments(envs: &crate::view::environments::Environments) -> Result<FileSet> {
    let _ = envs;
    Err(crate::error::Error::Render {
        template: "cdk".into(),
        message: "several environments are not rendered in this format yet".into(),
    })
}
