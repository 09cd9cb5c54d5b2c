//! Buckets of other accounts (`data.buckets[].account`, optionally `key_arn`): what this
//! environment grants its role, and the statements the bucket's owner must add on their side.
//!
//! A request across accounts is allowed only when both accounts allow it: the caller's
//! identity policy (with its boundary and SCPs) and the bucket policy, and for an SSE-KMS
//! object also the key policy of the owner's key (the key policy is the only way to admit
//! another account's principal to a key; the owner's account-root statement does not).
//! Source: <https://repost.aws/knowledge-center/cross-account-access-denied-error-s3>
//! ("The bucket policy in Account A must grant access …", "The AWS KMS key policy in Account A
//! must grant access …", "The IAM policy in Account B must grant the user access to both the
//! bucket and the AWS KMS key"); KMS Developer Guide `key-policy-modifying-external-accounts`.
//!
//! Every layer of this environment on the path, and what it does with such a bucket:
//! - identity policy: the bucket by name, pinned to its owner (`s3:ResourceAccount`), the key
//!   by ARN and only through S3 (`kms:ViaService`);
//! - permissions boundary (`boundary.rs`): another account's resources keep their exact ARNs
//!   and conditions, so the ceiling admits that bucket and that key and no other foreign one;
//! - guardrails and SCP (`guardrails.rs`): SageMaker condition keys only, nothing on S3 or on
//!   KMS keys used through S3, so nothing to exempt;
//! - S3 gateway endpoint policy (`endpoint_policies.rs`): the bucket by name, pinned to its
//!   owner, for this account's principals; other buckets outside the environment stay out;
//! - KMS interface endpoint: not on the path, since S3 calls KMS for the role itself.

use super::iam::{Condition, PolicyDocument, Principal, Statement};
use super::refs::Ref;
use super::{Model, StandaloneDocument};
use crate::aws::region::Partition;
use crate::spec::{Access, Spec};
use serde::Serialize;

/// A bucket another account owns, and the files its owner gets.
#[derive(Debug, Clone, Serialize)]
pub struct CrossAccountBucket {
    /// The spec path of the entry, `data.buckets[1]`.
    pub choice: String,
    pub bucket: String,
    pub account: String,
    pub key_arn: Option<String>,
    pub access: Access,
    pub prefixes: Vec<String>,
    /// Under `policies/`: the statements for the owner's bucket policy.
    pub bucket_policy_file: String,
    /// Under `policies/`: the statements for the owner's key policy (with `key_arn`).
    pub key_policy_file: Option<String>,
}

/// The folder under `policies/` with what the owner of `account` must add.
pub fn owner_folder(account: &str) -> String {
    format!("for-account-{account}")
}

/// The declared buckets of other accounts, in the order of `data.buckets`.
pub fn declared(spec: &Spec) -> Vec<CrossAccountBucket> {
    spec.data
        .buckets
        .iter()
        .enumerate()
        .filter_map(|(i, b)| {
            let (bucket, account) = (b.existing.clone()?, b.account.clone()?);
            let folder = owner_folder(&account);
            Some(CrossAccountBucket {
                choice: format!("data.buckets[{i}]"),
                bucket_policy_file: format!("{folder}/bucket-policy-{bucket}.json"),
                key_policy_file: b
                    .key_arn
                    .as_ref()
                    .map(|_| format!("{folder}/key-policy-{bucket}.json")),
                bucket,
                account,
                key_arn: b.key_arn.clone(),
                access: b.access,
                prefixes: b.prefixes.clone(),
            })
        })
        .collect()
}

/// The ARN of a bucket given by its real name.
pub fn bucket_arn(name: &str) -> Ref {
    Ref::arn("s3", false, false, Ref::lit(name))
}

/// Only while `account` owns the bucket.
pub fn owner_condition(account: &str) -> Condition {
    Condition::new("StringEquals", "s3:ResourceAccount", [Ref::lit(account)])
}

/// What S3 asks KMS for on behalf of a reader (Decrypt) and a writer (GenerateDataKey)
/// (S3 User Guide, UsingKMSEncryption, "Permissions").
fn key_actions(access: Access) -> &'static [&'static str] {
    match access {
        Access::ReadOnly => &["kms:Decrypt"],
        Access::ReadWrite => &["kms:Decrypt", "kms:GenerateDataKey"],
    }
}

/// The role's grant on the owner's key: exactly that key, only when S3 uses it for the role.
pub fn key_statement(sid: &str, key_arn: &str, access: Access, partition: Partition) -> Statement {
    Statement::allow(sid, key_actions(access), vec![Ref::lit(key_arn)]).when(Condition::new(
        "StringEquals",
        "kms:ViaService",
        [super::resource_policies::via_service("s3", partition)],
    ))
}

/// Sids the owner can tell apart from their own statements: the project's name in them.
fn label(model: &Model) -> String {
    format!("{}ExecutionRole", super::policies::heck_pascal(&model.name))
}

/// The statements for the owner's bucket policy: the environment's execution role (the only
/// role with data-bucket grants), on exactly what its identity policy grants there.
///
/// No `aws:SourceVpce` condition: the owner's policy is theirs to keep, and the endpoint's id
/// exists only after this environment is deployed (a placeholder the owner would have to
/// edit), Studio in Public only mode reaches S3 without it, and the owner's bucket may serve
/// readers in other VPCs. The path through this VPC is enforced on this side, by the gateway
/// endpoint's policy and the route tables; an owner who wants it on their side too can add
/// `aws:SourceVpce` once the endpoint id is known (S3 User Guide,
/// example-bucket-policies-vpc-endpoint).
pub fn bucket_policy(model: &Model, b: &CrossAccountBucket) -> PolicyDocument {
    let role = super::execution_role_arn();
    let statements = super::policies::bucket_statements(
        &bucket_arn(&b.bucket),
        &label(model),
        &b.prefixes,
        b.access,
        false,
    )
    .into_iter()
    .map(|s| s.principal(Principal::Aws(vec![role.clone()])))
    .collect();
    PolicyDocument::new(statements)
}

/// The statements for the owner's key policy: Decrypt (and GenerateDataKey for read-write) for
/// the execution role, only through S3 in this Region. A key policy's `Resource` is the key
/// itself, written `*` (KMS Developer Guide, key-policy-overview).
pub fn key_policy(model: &Model, b: &CrossAccountBucket) -> PolicyDocument {
    let role = super::execution_role_arn();
    PolicyDocument::new(vec![
        Statement::allow(
            &format!("S3Key{}", label(model)),
            key_actions(b.access),
            vec![Ref::lit("*")],
        )
        .principal(Principal::Aws(vec![role]))
        .when(Condition::new(
            "StringEquals",
            "kms:ViaService",
            [super::resource_policies::via_service("s3", model.partition)],
        )),
    ])
}

/// The owner's files, as documents under `policies/`.
pub fn add_documents(model: &mut Model) {
    let mut docs = vec![];
    for b in &model.cross_account {
        let access = match b.access {
            Access::ReadOnly => "read",
            Access::ReadWrite => "read and write",
        };
        docs.push(StandaloneDocument {
            file: b.bucket_policy_file.clone(),
            purpose: format!(
                "statements the owner of account {} adds to the bucket policy of {}: the \
                 execution role may {access} there{}",
                b.account,
                b.bucket,
                if b.prefixes.is_empty() {
                    String::new()
                } else {
                    format!(" under {}", b.prefixes.join(", "))
                }
            ),
            document: bucket_policy(model, b),
        });
        if let Some(file) = &b.key_policy_file {
            docs.push(StandaloneDocument {
                file: file.clone(),
                purpose: format!(
                    "statements the owner of account {} adds to the key policy of the key of {}: \
                     the execution role uses it through S3 only",
                    b.account, b.bucket
                ),
                document: key_policy(model, b),
            });
        }
    }
    model.documents.extend(docs);
}

/// A warning per bucket of another account: access works only once its owner has added the
/// statements smgen wrote for them.
pub fn findings(model: &Model) -> Vec<super::Finding> {
    model
        .cross_account
        .iter()
        .map(|b| {
            let mut files = format!("policies/{}", b.bucket_policy_file);
            if let Some(k) = &b.key_policy_file {
                files.push_str(&format!(" and policies/{k}"));
            }
            let mut message = format!(
                "access to {} depends on account {}: its owner must add the statements of {files} to the bucket's {}policy; until then the execution role is denied there",
                b.bucket,
                b.account,
                if b.key_policy_file.is_some() {
                    "and the key's "
                } else {
                    ""
                }
            );
            if b.access == Access::ReadWrite && model.kms.key_arn.is_some() {
                message.push_str(
                    "; jobs write their outputs with this environment's key (the guardrails require it), which the owner can read only if this key's policy admits them",
                );
            }
            super::Finding::new(
                super::Severity::Warning,
                &format!("{}.account", b.choice),
                message,
                "https://repost.aws/knowledge-center/cross-account-access-denied-error-s3",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::model::iam::Effect;
    use crate::model::refs::Ref;

    const KEY: &str = "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn model(access: &str) -> crate::model::Model {
        let sets = [
            "project.account_id=\"111122223333\"".to_string(),
            format!(
                "data.buckets=[{{ name = \"data\" }}, {{ existing = \"partner-data\", account = \"444455556666\", key_arn = \"{KEY}\", prefixes = [\"shared/\"], access = \"{access}\" }}]"
            ),
        ];
        let spec = crate::spec::load(
            &crate::spec::SpecSource::Preset("vpc-only-isolated".into()),
            &sets,
        )
        .unwrap();
        crate::model::resolve(&spec)
    }

    fn text(doc: &crate::model::iam::PolicyDocument) -> String {
        format!("{:?}", doc.statements)
    }

    #[test]
    fn the_role_reads_the_bucket_of_its_owner_and_its_key_through_s3_only() {
        let m = model("read-only");
        let role = &m.roles[0];
        let allows = &role.policies[0].document;
        let s3: Vec<_> = allows
            .statements
            .iter()
            .filter(|s| format!("{:?}", s.resources).contains("partner-data"))
            .collect();
        assert_eq!(s3.len(), 3, "location, list, objects");
        for s in &s3 {
            assert!(
                s.conditions.iter().any(
                    |c| c.key == "s3:ResourceAccount" && c.values == [Ref::lit("444455556666")]
                ),
                "{}",
                s.sid
            );
        }
        let objects = s3.iter().find(|s| s.sid.starts_with("S3Objects")).unwrap();
        assert_eq!(objects.actions, ["s3:GetObject"]);
        let key = allows
            .statements
            .iter()
            .find(|s| s.resources == [Ref::lit(KEY)])
            .expect("a statement on the bucket's key");
        assert_eq!(key.actions, ["kms:Decrypt"]);
        assert!(key.conditions.iter().any(|c| c.key == "kms:ViaService"));
        // The boundary keeps the foreign bucket and key exact, with their conditions.
        let boundary = &role.boundary.as_ref().unwrap().document;
        assert!(boundary.statements.iter().any(|s| s.effect == Effect::Allow
            && s.resources == [Ref::lit(KEY)]
            && s.conditions == key.conditions));
        assert!(text(boundary).contains("partner-data"));
    }

    #[test]
    fn the_owner_gets_bucket_and_key_statements_for_the_execution_role() {
        let m = model("read-write");
        assert_eq!(m.cross_account.len(), 1);
        let b = &m.cross_account[0];
        assert_eq!(
            b.bucket_policy_file,
            "for-account-444455556666/bucket-policy-partner-data.json"
        );
        let doc = |f: &str| {
            &m.documents
                .iter()
                .find(|d| d.file == f)
                .unwrap_or_else(|| panic!("{f}"))
                .document
        };
        let bucket = doc(&b.bucket_policy_file);
        assert_eq!(bucket.statements.len(), 3);
        for s in &bucket.statements {
            assert_eq!(
                s.principal,
                Some(crate::model::iam::Principal::Aws(vec![
                    crate::model::execution_role_arn()
                ]))
            );
        }
        assert!(text(bucket).contains("shared/*"));
        let key = doc(b.key_policy_file.as_deref().unwrap());
        assert_eq!(
            key.statements[0].actions,
            ["kms:Decrypt", "kms:GenerateDataKey"]
        );
        assert!(
            key.statements[0]
                .conditions
                .iter()
                .any(|c| c.key == "kms:ViaService")
        );
    }

    #[test]
    fn no_cross_account_bucket_no_owner_files() {
        let spec = crate::spec::load(
            &crate::spec::SpecSource::Preset("vpc-only-isolated".into()),
            &[],
        )
        .unwrap();
        let m = crate::model::resolve(&spec);
        assert!(m.cross_account.is_empty());
        assert!(
            !m.documents
                .iter()
                .any(|d| d.file.starts_with("for-account-"))
        );
    }
}
