//! The execution role's permissions boundary, computed from its policies: the allow statements
//! widened to the service's resources of this account and Region, then the guardrail denies, in
//! priority order, while the document fits one managed policy (IAM User Guide
//! `access_policies_boundaries`; the size limit in `model/quotas.rs`).

use super::iam::{Effect, MANAGED_POLICY_MAX, PolicyDocument, Statement};
use super::refs::Ref;

/// The permissions boundary: a ceiling of what the execution role's allow statements grant,
/// widened from single resources to the service's resources in this account and region (so
/// roles of the same kind fit under it), then the guardrail denies in priority order while the
/// boundary stays within one managed policy. Guardrails that do not fit remain enforced by the
/// attached guardrail policy and the SCP.
pub(super) fn boundary(
    allows: &PolicyDocument,
    guards: &PolicyDocument,
    own_arn: &Ref,
) -> PolicyDocument {
    let mut st: Vec<Statement> = vec![];
    for s in allows
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
    {
        let resources = widen(s, own_arn);
        match st
            .iter_mut()
            .find(|c| c.resources == resources && c.conditions == s.conditions)
        {
            Some(c) => c.actions.extend(s.actions.iter().cloned()),
            None => st.push(Statement {
                sid: format!("Ceiling{}", st.len() + 1),
                resources,
                ..s.clone()
            }),
        }
    }
    for s in &mut st {
        s.actions.sort();
        s.actions.dedup();
    }
    let mut doc = PolicyDocument::new(st);
    if doc.max_len() > MANAGED_POLICY_MAX {
        // Too many actions for one managed policy: the ceiling names them by verb instead
        // (`sagemaker:Describe*`), still only the verbs and resources the needs grant; the
        // attached policies keep every action exact.
        // Not on `*`: a verb would take in actions that have resources (checkov CKV_AWS_355).
        for s in doc
            .statements
            .iter_mut()
            .filter(|s| s.resources.iter().all(|r| r.as_lit() != Some("*")))
        {
            s.actions = by_verb(&s.actions);
        }
    }
    for g in &guards.statements {
        doc.statements.push(g.clone());
        if doc.max_len() > MANAGED_POLICY_MAX {
            doc.statements.pop();
        }
    }
    doc
}

/// Actions of one service and verb (the name's first word: `Create`, `Describe`, …) become one
/// `service:Verb*` pattern when there are two or more of them.
fn by_verb(actions: &[String]) -> Vec<String> {
    use std::collections::BTreeMap;
    let mut groups: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for a in actions {
        let (svc, name) = a.split_once(':').unwrap_or(("", a));
        let verb_end = name
            .char_indices()
            .skip(1)
            .find(|(_, c)| c.is_ascii_uppercase())
            .map_or(name.len(), |(i, _)| i);
        groups
            .entry(format!("{svc}:{}", &name[..verb_end]))
            .or_default()
            .push(a);
    }
    let mut out: Vec<String> = groups
        .into_iter()
        .flat_map(|(prefix, members)| {
            if members.len() > 1 && !prefix.ends_with('*') {
                vec![format!("{prefix}*")]
            } else {
                members.into_iter().cloned().collect()
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The service-wide resource pattern (this account and region) for a statement's resources.
fn widen(s: &Statement, own_arn: &Ref) -> Vec<Ref> {
    if s.resources.iter().any(|r| r.as_lit() == Some("*")) {
        return s.resources.clone();
    }
    let service = s.actions[0].split(':').next().unwrap_or_default();
    // Resources owned by AWS (the JumpStart hub) or another account stay as they are.
    fn ours(r: &Ref) -> bool {
        match r {
            Ref::Account | Ref::Attr(..) | Ref::Input(_) | Ref::InputItem(..) => true,
            Ref::Join(parts) => parts.iter().any(ours),
            Ref::Lit(l) => l == "*",
            _ => false,
        }
    }
    let foreign = |r: &Ref| !ours(r);
    if s.resources.iter().any(foreign) {
        return s.resources.clone();
    }
    match service {
        "s3" => vec![Ref::arn("s3", false, false, Ref::lit("*"))],
        // The key itself, never every key of this account: an existing key may live in
        // another account, and a role may do only what its policy and boundary both allow.
        // A created key's policy names the role, so the boundary cannot name the key back:
        // this account's keys then.
        "kms" if s.resources.iter().any(|r| matches!(r, Ref::Attr(..))) => {
            vec![Ref::arn("kms", true, true, Ref::lit("key/*"))]
        }
        "kms" => s.resources.clone(),
        "ecr" => vec![Ref::arn("ecr", true, true, Ref::lit("repository/*"))],
        "sagemaker" | "logs" | "ec2" => vec![Ref::arn(service, true, true, Ref::lit("*"))],
        "iam" => vec![own_arn.clone()],
        _ => s.resources.clone(),
    }
}
