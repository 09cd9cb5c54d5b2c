//! smgen: generates secure Amazon SageMaker environments as Terraform (and, later,
//! CloudFormation and CDK) projects.
//!
//! Data flows one way: answers → [`spec::Spec`] → [`model::Model`] → [`render::FileSet`] →
//! [`reconcile`] → disk.

pub mod cli;
pub mod error;
pub mod explain;
pub mod model;
pub mod output;
pub mod presets;
pub mod reconcile;
pub mod render;
pub mod spec;
pub mod wizard;
