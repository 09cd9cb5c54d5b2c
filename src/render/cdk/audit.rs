//! The audit construct (`lib/audit.ts`): the CloudTrail trail as an L1 `CfnTrail`. The L2
//! `cloudtrail.Trail` would add its own statements to the bucket and key policies and its own
//! CloudWatch Logs role; here those are the model's (`model/audit.rs`), as everywhere else.

use super::context::{Audit, Field, Selector, Trail};
use super::{Ctx, nag_list};
use crate::model::audit::FieldOp;
use crate::model::refs::{Attr, Kind, Ref};
use crate::render::typescript::{comment, string as s};
use crate::view::waivers;

pub(super) fn audit(c: &Ctx) -> Audit {
    let Some(t) = &c.model.audit.trail else {
        return Audit { trail: None };
    };
    let policies: Vec<String> = t
        .cloudwatch
        .iter()
        .flat_map(|l| c.model.roles.iter().filter(move |r| r.name == l.role))
        .flat_map(|r| &r.policies)
        .map(|p| format!("props.iam.policies[{}]", s(&p.name)))
        .collect();
    let bucket = c.e(&Ref::attr(Kind::Bucket, &t.bucket, Attr::Name));
    Audit {
        trail: Some(Trail {
            trail_name: s(&t.trail_name),
            bucket: bucket
                .strip_suffix(".bucketName")
                .unwrap_or(&bucket)
                .to_string(),
            key: t.kms_key.as_ref().map(|k| c.e(k)),
            log_group_arn: t.cloudwatch.as_ref().map(|l| c.e(&l.log_group_arn)),
            role_arn: t
                .cloudwatch
                .as_ref()
                .map(|l| c.e(&Ref::attr(Kind::Role, &l.role, Attr::Arn))),
            selectors: t
                .selectors
                .iter()
                .map(|sel| Selector {
                    name: s(&sel.name),
                    what: comment(&sel.why),
                    fields: sel
                        .fields
                        .iter()
                        .map(|f| Field {
                            field: s(f.field),
                            op: match f.op {
                                FieldOp::Equals => "equalTo",
                                FieldOp::StartsWith => "startsWith",
                            },
                            values: c.list(&f.values),
                        })
                        .collect(),
                })
                .collect(),
            role_policies: format!("[{}]", policies.join(", ")),
            nag: nag_list(&waivers::trail(t)),
        }),
    }
}
