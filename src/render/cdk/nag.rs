//! cdk-nag acknowledgements for the wildcards in the model's IAM policies (AwsSolutions-IAM5),
//! one reason per statement. (The AwsSolutions findings that follow from a choice in
//! `smgen.toml` are the view's waivers, [`crate::view::waivers`], under their cdk-nag ids.) The generated app turns the latter into finding-by-finding acknowledgements
//! (`lib/nag.ts`), so a wildcard without a reason here stays a finding.

use crate::model::iam::{Effect, PolicyDocument, Statement};
use crate::model::refs::Ref;

/// Verbs of actions that IAM authorizes on `"*"` only (Service Authorization Reference: the
/// describe/list/search actions and ECR's token action list no resource types).
fn resourceless(action: &str) -> bool {
    let verb = action.split(':').nth(1).unwrap_or("");
    ["Describe", "List", "Search"]
        .iter()
        .any(|p| verb.starts_with(p))
        || action == "ecr:GetAuthorizationToken"
        || action == "cloudwatch:PutMetricData"
}

/// The resource as a reader sees it: `${Account}`-style placeholders for what is resolved at
/// deploy time.
fn pattern(r: &Ref) -> String {
    match r {
        Ref::Lit(s) => s.clone(),
        Ref::Partition => "${Partition}".into(),
        Ref::Region => "${Region}".into(),
        Ref::Account => "${Account}".into(),
        Ref::Attr(id, attr) => format!("${{{}.{attr:?}}}", id.name),
        Ref::Input(i) => format!("${{{i:?}}}"),
        Ref::InputItem(i, n) => format!("${{{i:?}[{n}]}}"),
        Ref::Join(parts) => parts.iter().map(pattern).collect(),
    }
}

fn reason(st: &Statement) -> Option<String> {
    let star_actions: Vec<&str> = st
        .actions
        .iter()
        .filter(|a| a.contains('*'))
        .map(String::as_str)
        .collect();
    let star_resources: Vec<&Ref> = st
        .resources
        .iter()
        .filter(|r| pattern(r).contains('*'))
        .collect();
    if star_actions.is_empty() && star_resources.is_empty() {
        return None;
    }
    let conditions: Vec<&str> = st.conditions.iter().map(|c| c.key.as_str()).collect();
    let scoped = if conditions.is_empty() {
        String::new()
    } else {
        format!("; scoped by the condition on {}", conditions.join(", "))
    };
    let mut parts = vec![];
    if !star_actions.is_empty() {
        parts.push(format!(
            "the actions {} are granted as the model lists them",
            star_actions.join(", ")
        ));
    }
    if star_resources.iter().any(|r| **r == Ref::lit("*")) {
        if st.actions.iter().all(|a| resourceless(a)) {
            parts.push(format!(
                "no resource-level permissions exist for {}, so IAM requires Resource \"*\"",
                st.actions.join(", ")
            ));
        } else {
            parts.push(format!(
                "{} are granted on every resource (\"*\") as the model builds them",
                st.actions.join(", ")
            ));
        }
    }
    let patterns: Vec<String> = star_resources
        .iter()
        .filter(|r| ***r != Ref::lit("*"))
        .map(|r| pattern(r))
        .collect();
    if !patterns.is_empty() {
        parts.push(format!(
            "the wildcard stays inside {}: the names under it (jobs, apps, objects, log streams, \
             network interfaces) are created at run time and cannot be listed in advance",
            patterns.join(", ")
        ));
    }
    Some(format!("{}: {}{scoped}", st.sid, parts.join("; ")))
}

/// Sid → why its wildcards are acceptable, for every Allow statement that has one (IAM5
/// reports no Deny statement). A permissions boundary grants nothing: it is the ceiling of a
/// role whose own policies are narrower (IAM User Guide, access_policies_boundaries).
pub fn wildcard_reasons(doc: &PolicyDocument, boundary: bool) -> Vec<(String, String)> {
    doc.statements
        .iter()
        .filter(|st| st.effect == Effect::Allow)
        .filter_map(|st| {
            reason(st).map(|r| {
                let r = if boundary {
                    format!(
                        "permissions boundary: grants nothing by itself, it caps the execution \
                         role, whose own policies are narrower. {r}"
                    )
                } else {
                    r
                };
                (st.sid.clone(), r)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::iam::Condition;

    #[test]
    fn resourceless_actions_say_so() {
        let st = Statement::allow(
            "DescribeVpc",
            &["ec2:DescribeSubnets", "ec2:DescribeVpcs"],
            vec![Ref::lit("*")],
        );
        let r = reason(&st).unwrap();
        assert!(r.contains("no resource-level permissions exist"), "{r}");
    }

    #[test]
    fn other_actions_on_star_are_not_excused() {
        let st = Statement::allow("Put", &["s3:PutObject"], vec![Ref::lit("*")]);
        let r = reason(&st).unwrap();
        assert!(r.contains("granted on every resource"), "{r}");
        assert!(!r.contains("no resource-level"), "{r}");
    }

    #[test]
    fn patterns_and_conditions_are_named() {
        let st = Statement::allow(
            "Logs",
            &["logs:PutLogEvents"],
            vec![Ref::arn("logs", true, true, Ref::lit("log-group:/aws/x/*"))],
        )
        .when(Condition::new(
            "StringEquals",
            "aws:SourceAccount",
            [Ref::Account],
        ));
        let r = reason(&st).unwrap();
        assert!(
            r.contains("arn:${Partition}:logs:${Region}:${Account}:log-group:/aws/x/*"),
            "{r}"
        );
        assert!(r.contains("aws:SourceAccount"), "{r}");
        assert!(
            reason(&Statement::allow(
                "Exact",
                &["s3:GetObject"],
                vec![Ref::lit("arn:aws:s3:::b/k")]
            ))
            .is_none()
        );
    }

    #[test]
    fn deny_statements_need_no_reason() {
        let doc = PolicyDocument::new(vec![Statement::deny("D", &["s3:*"], vec![Ref::lit("*")])]);
        assert!(wildcard_reasons(&doc, false).is_empty());
    }
}
