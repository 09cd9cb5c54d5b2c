//! The encryption and storage constructs (`lib/encryption.ts`, `lib/storage.ts`): the key, the
//! buckets and their logging, the log groups.

use super::context::{Bucket, Encryption, Expiration, LogGroup, Storage};
use super::{Ctx, Ids, nag_list};
use crate::render::typescript::comment;
use crate::render::typescript::string as s;
use crate::spec::KmsMode;
use crate::view::waivers;

pub(super) fn encryption(c: &Ctx) -> Encryption {
    let m = c.model;
    Encryption {
        create: m.kms.mode == KmsMode::Create,
        existing: m.kms.mode == KmsMode::Existing,
        has_key: m.kms.key_arn.is_some(),
        existing_arn: m.kms.existing_arn.as_deref().map(s),
        alias: s(&c.names.kms_alias),
        description: s(&c.names.kms_description),
    }
}

pub(super) fn storage(c: &Ctx) -> Storage {
    let m = c.model;
    let mut ids = Ids::default();
    let buckets = m
        .buckets
        .iter()
        .map(|b| Bucket {
            key: s(&b.name),
            id: ids.id(&b.name, "Bucket"),
            bucket_name: c.e(&b.bucket_name),
            what: comment(&format!("{}: {}.", b.name, b.purpose)),
            encryption: match (b.sse_kms, &b.kms_key) {
                (true, Some(_)) => "KMS",
                (true, None) => "KMS_MANAGED",
                (false, _) => "S3_MANAGED",
            },
            sse_kms: b.sse_kms,
            key_obj: c.key_obj(&b.kms_key),
            log_bucket: b.access_log_bucket.as_deref().map(s),
            log_prefix: s(&format!("{}/", b.name)),
            log_target: b.is_log_target,
            expiration: b.expiration.as_ref().map(|e| Expiration {
                id: s(e.id),
                days: e.days,
                noncurrent_days: e.noncurrent_days,
            }),
            nag: nag_list(&waivers::bucket(b)),
        })
        .collect();
    let log_groups = m
        .log_groups
        .iter()
        .map(|g| LogGroup {
            key: s(&g.name),
            id: ids.id(&g.name, "LogGroup"),
            log_group_name: s(&g.log_group_name),
            retention: g.retention_days,
            key_obj: c.key_obj(&g.kms_key),
        })
        .collect();
    Storage {
        buckets,
        log_groups,
    }
}
