//! checkov suppressions of the CloudFormation output, written as
//! `Metadata: checkov: skip: [{id, comment}]` on the resource: the view's waivers
//! ([`crate::view::waivers`]) under their checkov ids for CloudFormation, with their reasons.

use crate::project::Format;
use crate::render::yaml::{self, Node};
use crate::view::waivers::{self, Waiver};

/// The `skip:` list, or `None` when there is nothing to suppress.
pub fn node(waived: &[Waiver]) -> Option<String> {
    let skips = waivers::ids(waived, Format::CloudFormation);
    if skips.is_empty() {
        return None;
    }
    let items = skips
        .iter()
        .map(|(id, why)| {
            Node::Map(vec![
                ("id".into(), Node::Scalar(yaml::scalar(id))),
                ("comment".into(), Node::Scalar(yaml::scalar(why))),
            ])
        })
        .collect();
    Some(Node::Seq(items).block())
}
