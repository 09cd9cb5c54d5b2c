//! The CDK template context, typed at the top: every top-level key the templates read is a field,
//! so a context built with a misspelt or missing key there does not compile. The construct
//! contexts (`network`, `storage`, …) are still `serde_json::Value`s built by their modules, the
//! next to type. Values are TypeScript fragments built by [`crate::render::typescript`] and
//! [`super::refs`] unless their field says they are raw text (`*_raw`, `app`).

use serde::Serialize;
use serde_json::Value as Json;

#[derive(Serialize)]
pub struct Context<'a> {
    /// The app's name: file names (`bin/<app>.ts`) and `package.json`'s name.
    pub app: &'a str,
    pub stack_class: String,
    pub stack_id: String,
    pub region: String,
    pub region_raw: &'a str,
    pub partition: &'a str,
    /// The name inside a `//` comment.
    pub name_c: String,
    pub description: String,
    pub tags: Vec<Tag>,
    pub vpc_only: bool,
    pub encryption: Json,
    pub network: Json,
    pub storage: Json,
    pub iam: Json,
    pub sagemaker: Json,
    pub access: Json,
    pub outputs: Vec<Json>,
    pub key_policy: Option<String>,
    pub resource_policies: Json,
    pub test: Json,
    pub readme: Json,
    /// The README facts every format shares (`render/standalone.rs`).
    pub deploy: Json,
    pub teardown_delete: bool,
}

#[derive(Serialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}
