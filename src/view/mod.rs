//! The format-neutral view: what every renderer needs from the model beyond the model itself,
//! computed once so that the three formats cannot drift apart. A renderer is a dialect over it:
//! it decides quoting, expressions, lists and logical ids, never a physical name, a reason or a
//! value.
//!
//! - [`Names`]: the physical names (the `Name` tags and resource names AWS shows), the same in
//!   every format: `{name}-private-{az}`, `{name}-vpc`, the key's alias and description, ….
//! - [`waivers`]: the scanner checks the design leaves off, each with its one reason, mapped to
//!   checkov ids (Terraform comments, CloudFormation `Metadata`) and cdk-nag ids per format.
//! - [`outputs`]: what each output of the environment is, in the words every format uses.
//! - [`sdk`]: the job defaults and the SageMaker Python SDK defaults, as trees each format spells.
//!
//! Where this sits: `spec → model → view → render → reconcile` (`docs/architecture.md`).

pub mod environments;
pub mod outputs;
pub mod sdk;
pub mod waivers;

use crate::model::Model;

/// The view of one model.
#[derive(Debug)]
pub struct View<'m> {
    pub model: &'m Model,
    pub names: Names,
}

impl<'m> View<'m> {
    pub fn of(model: &'m Model) -> View<'m> {
        View {
            model,
            names: Names::of(model),
        }
    }
}

/// The physical names of the environment's resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// The project name every other name starts with.
    pub project: String,
    pub vpc: String,
    pub internet_gateway: String,
    /// The public route table (NAT only).
    pub public_route_table: String,
    /// One per zone of a created VPC, in the model's zone order.
    pub zones: Vec<ZoneNames>,
    pub flow_logs: String,
    pub kms_alias: String,
    pub kms_description: String,
}

/// The names of one Availability Zone's network resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneNames {
    pub private_subnet: String,
    pub private_route_table: String,
    pub public_subnet: String,
    pub nat_gateway: String,
}

impl Names {
    fn of(model: &Model) -> Names {
        let name = &model.name;
        let zones = model
            .network
            .created
            .iter()
            .flat_map(|v| &v.zones)
            .map(|z| ZoneNames {
                private_subnet: format!("{name}-private-{}", z.az_id),
                private_route_table: format!("{name}-private-{}", z.az_id),
                public_subnet: format!("{name}-public-{}", z.az_id),
                nat_gateway: format!("{name}-nat-{}", z.az_id),
            })
            .collect();
        Names {
            project: name.clone(),
            vpc: format!("{name}-vpc"),
            internet_gateway: format!("{name}-igw"),
            public_route_table: format!("{name}-public"),
            zones,
            flow_logs: format!("{name}-flow-logs"),
            kms_alias: format!("alias/{name}"),
            kms_description: format!("{name}: SageMaker environment data, volumes and logs"),
        }
    }

    /// The `Name` tag of the VPC endpoint with catalog key `key`.
    pub fn endpoint(&self, key: &str) -> String {
        format!("{}-{key}", self.project)
    }

    /// The name of the security group with logical name `group`.
    pub fn security_group(&self, group: &str) -> String {
        format!("{}-{}", self.project, group.replace('_', "-"))
    }
}
