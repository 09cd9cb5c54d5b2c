//! smgen: generates secure Amazon SageMaker environments — VPC, endpoints, security groups,
//! KMS, buckets, IAM roles with guardrails, the Studio domain, notebook instances and job
//! defaults — as a Terraform, CloudFormation or AWS CDK (TypeScript) project. The three formats
//! render the same model, so they create the same resources, names, tags and policies.
//!
//! Data flows one way: answers (the `smgen init` wizard, a preset, `--set`, `smgen.toml`) →
//! [`spec::Valid`] → [`model::Model`] → [`view::View`] → [`render::FileSet`] → [`reconcile`] →
//! disk, with the AWS facts ([`aws`]) below them all and the project's layout in [`project`]
//! (`docs/architecture.md`; `cargo test --test architecture` checks that imports go that way). The model
//! is the single source of truth: besides the renderers it feeds [`explain`] (what can reach
//! what, the monthly cost from the price table in `data/prices/`, a diagram) and the findings
//! (errors that block generation, warnings and notes, including the AWS quotas a design would
//! exceed). [`reconcile`] re-renders a generated project from its recorded answers (`smgen
//! diff`, `smgen upgrade`) with a three-way merge that keeps the user's own edits.

pub mod aws;
pub mod cli;
pub mod error;
pub mod explain;
pub mod model;
pub mod output;
pub mod presets;
pub mod project;
pub mod reconcile;
pub mod render;
pub mod spec;
pub mod view;
pub mod wizard;
