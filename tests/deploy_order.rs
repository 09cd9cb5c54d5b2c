//! Creation order on a first deploy, in every format: a resource that AWS checks against another
//! one when it is created must come after it, and the order must have no cycle.
//!
//! - S3 server access logging: S3 checks the target's permissions when logging is enabled
//!   (PutBucketLogging answers `InvalidTargetBucketForLogging` when the log-delivery grant is
//!   missing; S3 User Guide, `enable-server-access-logging`), so the source bucket's logging waits
//!   for the target's bucket policy. In CloudFormation the target's policy must therefore not name
//!   the source bucket through `GetAtt` (that would be a cycle).
//! - A versioned bucket's lifecycle configuration waits for its versioning (AWS provider docs,
//!   `aws_s3_bucket_lifecycle_configuration`: "Must have bucket versioning enabled first").
//! - VPC flow logs wait for their role's permissions, as the Studio domain and notebook instances
//!   wait for the execution role's.
//! - The CloudTrail trail waits for its bucket's policy and its CloudWatch Logs role's
//!   permissions (CreateTrail answers InsufficientS3BucketPolicyException /
//!   InvalidCloudWatchLogsRoleArnException otherwise; CloudTrail API Reference), and the trail
//!   bucket's policy, which denies changing the lifecycle, waits for the lifecycle configuration.
//!
//! The checks build each format's dependency graph from the rendered text (references and
//! explicit `depends_on`/`DependsOn`), so they fail on the order smgen rendered before.

use serde_yaml::Value as Yaml;
use smgen::render::{self, Format};
use smgen::spec::{self, SpecSource};
use smgen::{model, presets};
use std::collections::{BTreeMap, BTreeSet};

fn render_preset(name: &str, format: Format, sets: &[(&str, &str)]) -> BTreeMap<String, String> {
    let overrides: Vec<String> = sets.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let spec = spec::load(&SpecSource::Preset(name.into()), &overrides)
        .unwrap_or_else(|e| panic!("preset {name}: {e}"));
    let m = model::resolve(&spec);
    render::render(&m, &spec, format)
        .unwrap_or_else(|e| panic!("preset {name}: {e}"))
        .files
}

/// Every preset, every preset with access logging on (the presets that have data buckets get a
/// log target then), and every preset with a trail delivered to CloudWatch Logs.
fn cases() -> Vec<(String, Vec<(&'static str, &'static str)>)> {
    let mut out = vec![];
    for p in presets::all() {
        out.push((p.name.to_string(), vec![]));
        out.push((p.name.to_string(), vec![("data.access_logging", "true")]));
        out.push((
            p.name.to_string(),
            vec![
                ("audit.cloudtrail", "create"),
                ("audit.cloudwatch_logs", "true"),
            ],
        ));
    }
    out
}

type Graph = BTreeMap<String, BTreeSet<String>>;

fn reaches(g: &Graph, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_string()];
    while let Some(n) = stack.pop() {
        if n == to {
            return true;
        }
        if seen.insert(n.clone())
            && let Some(next) = g.get(&n)
        {
            stack.extend(next.iter().cloned());
        }
    }
    false
}

fn assert_acyclic(g: &Graph, what: &str) {
    for n in g.keys() {
        for d in &g[n] {
            assert!(
                !reaches(g, d, n),
                "{what}: {n} and {d} depend on each other (a cycle)"
            );
        }
    }
}

// ------------------------------------------------------------------------------- Terraform --

/// `type.name` → the resource's body (comments dropped), from `terraform fmt`-formatted HCL.
fn tf_blocks(files: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (path, text) in files {
        if !path.ends_with(".tf") {
            continue;
        }
        let mut current: Option<(String, String)> = None;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("resource \"") {
                let mut parts = rest.split('"');
                let ty = parts.next().unwrap();
                let name = parts.nth(1).unwrap();
                current = Some((format!("{ty}.{name}"), String::new()));
                continue;
            }
            if line == "}" {
                if let Some((id, body)) = current.take() {
                    out.insert(id, body);
                }
                continue;
            }
            if let Some((_, body)) = current.as_mut()
                && !line.trim_start().starts_with('#')
            {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    out
}

fn tf_graph(blocks: &BTreeMap<String, String>) -> Graph {
    blocks
        .iter()
        .map(|(id, body)| {
            let deps = blocks
                .keys()
                .filter(|other| *other != id && refers(body, other))
                .cloned()
                .collect();
            (id.clone(), deps)
        })
        .collect()
}

/// `body` names `id` (`aws_x.name` followed by `.`, `,`, `]` or the end of a word).
fn refers(body: &str, id: &str) -> bool {
    body.match_indices(id).any(|(i, _)| {
        let before = body[..i].chars().last();
        let after = body[i + id.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

fn tf_attr<'a>(body: &'a str, key: &str) -> Option<&'a str> {
    body.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == key).then(|| v.trim())
    })
}

#[test]
fn terraform_bucket_logging_waits_for_the_target_policy() {
    let mut seen = 0;
    let mut trails = 0;
    for (preset, sets) in cases() {
        let blocks = tf_blocks(&render_preset(&preset, Format::Terraform, &sets));
        let g = tf_graph(&blocks);
        assert_acyclic(&g, &preset);
        for (id, body) in blocks
            .iter()
            .filter(|(id, _)| id.starts_with("aws_s3_bucket_logging."))
        {
            let target = tf_attr(body, "target_bucket").expect("target_bucket");
            let target = target
                .strip_prefix("aws_s3_bucket.")
                .and_then(|t| t.strip_suffix(".id"))
                .expect("a created target bucket");
            for needed in [
                format!("aws_s3_bucket_policy.{target}"),
                format!("aws_s3_bucket_ownership_controls.{target}"),
            ] {
                assert!(
                    reaches(&g, id, &needed),
                    "{preset} {sets:?}: {id} is created without waiting for {needed}"
                );
            }
            seen += 1;
        }
        for (id, _) in blocks
            .iter()
            .filter(|(id, _)| id.starts_with("aws_s3_bucket_lifecycle_configuration."))
        {
            let bucket = id.split_once('.').unwrap().1;
            let versioning = format!("aws_s3_bucket_versioning.{bucket}");
            assert!(
                reaches(&g, id, &versioning),
                "{preset}: {id} is created without waiting for {versioning}"
            );
        }
        if blocks.contains_key("aws_cloudtrail.main") {
            trails += 1;
            let mut needed = vec![
                "aws_s3_bucket_policy.trail".to_string(),
                "aws_kms_key.main".to_string(),
            ];
            needed.retain(|n| blocks.contains_key(n));
            needed.extend(
                blocks
                    .keys()
                    .filter(|k| k.starts_with("aws_iam_role_policy_attachment."))
                    .filter(|k| {
                        tf_attr(&blocks[*k], "role") == Some("aws_iam_role.cloudtrail.name")
                    })
                    .cloned(),
            );
            for n in &needed {
                assert!(
                    reaches(&g, "aws_cloudtrail.main", n),
                    "{preset} {sets:?}: the trail is created without waiting for {n}"
                );
            }
            if tf_attr(&blocks["aws_s3_bucket_policy.trail"], "policy")
                .is_some_and(|p| p.contains("DenyTrailLogDeletion"))
                || blocks["aws_s3_bucket_policy.trail"].contains("DenyTrailLogDeletion")
            {
                assert!(
                    reaches(
                        &g,
                        "aws_s3_bucket_policy.trail",
                        "aws_s3_bucket_lifecycle_configuration.trail"
                    ),
                    "{preset}: the trail bucket's policy denies changing the lifecycle before it is set"
                );
            }
        }
        if let Some(_flow) = blocks.get("aws_flow_log.main") {
            for att in blocks
                .keys()
                .filter(|k| k.starts_with("aws_iam_role_policy_attachment."))
                .filter(|k| tf_attr(&blocks[*k], "role") == Some("aws_iam_role.flow_logs.name"))
            {
                assert!(
                    reaches(&g, "aws_flow_log.main", att),
                    "{preset}: the flow log is created without waiting for {att}"
                );
            }
        }
    }
    assert!(seen > 0, "no case has server access logging");
    assert!(trails > 0, "no case has a trail");
}

// -------------------------------------------------------------------------- CloudFormation --

/// Logical ids a value refers to: `!Ref`, `!GetAtt`, `${X}` in `!Sub`, nested in any value.
fn cfn_refs(v: &Yaml, ids: &BTreeSet<String>, out: &mut BTreeSet<String>) {
    match v {
        Yaml::Tagged(t) => {
            let tag = t.tag.to_string();
            match (tag.as_str(), &t.value) {
                ("!Ref", Yaml::String(s)) => {
                    out.insert(s.clone());
                }
                ("!GetAtt", Yaml::String(s)) => {
                    out.insert(s.split('.').next().unwrap().to_string());
                }
                ("!Sub", Yaml::String(s)) => {
                    for part in s.split("${").skip(1) {
                        let name = part.split(['}', '.']).next().unwrap();
                        if ids.contains(name) {
                            out.insert(name.to_string());
                        }
                    }
                }
                _ => cfn_refs(&t.value, ids, out),
            }
        }
        Yaml::Sequence(items) => items.iter().for_each(|i| cfn_refs(i, ids, out)),
        Yaml::Mapping(m) => m.values().for_each(|i| cfn_refs(i, ids, out)),
        _ => {}
    }
}

fn cfn_graph(doc: &Yaml) -> Graph {
    let res = doc["Resources"].as_mapping().expect("Resources");
    let ids: BTreeSet<String> = res
        .keys()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    res.iter()
        .map(|(k, r)| {
            let mut deps = BTreeSet::new();
            cfn_refs(&r["Properties"], &ids, &mut deps);
            match &r["DependsOn"] {
                Yaml::String(s) => {
                    deps.insert(s.clone());
                }
                Yaml::Sequence(items) => {
                    deps.extend(items.iter().map(|i| i.as_str().unwrap().to_string()))
                }
                _ => {}
            }
            deps.retain(|d| ids.contains(d));
            (k.as_str().unwrap().to_string(), deps)
        })
        .collect()
}

#[test]
fn cloudformation_bucket_logging_waits_for_the_target_policy() {
    let mut seen = 0;
    let mut trails = 0;
    for (preset, sets) in cases() {
        let files = render_preset(&preset, Format::CloudFormation, &sets);
        let doc: Yaml = serde_yaml::from_str(&files["template.yaml"]).expect("YAML");
        let g = cfn_graph(&doc);
        assert_acyclic(&g, &preset);
        let res = doc["Resources"].as_mapping().unwrap();
        for (id, r) in res {
            let id = id.as_str().unwrap();
            let target = &r["Properties"]["LoggingConfiguration"]["DestinationBucketName"];
            if r["Type"] != "AWS::S3::Bucket" || target.is_null() {
                continue;
            }
            let mut t = BTreeSet::new();
            cfn_refs(target, &g.keys().cloned().collect(), &mut t);
            let target = t.into_iter().next().expect("a created target bucket");
            let policy = res
                .iter()
                .find(|(_, p)| {
                    let mut b = BTreeSet::new();
                    cfn_refs(
                        &p["Properties"]["Bucket"],
                        &g.keys().cloned().collect(),
                        &mut b,
                    );
                    p["Type"] == "AWS::S3::BucketPolicy" && b.contains(&target)
                })
                .map(|(k, _)| k.as_str().unwrap().to_string())
                .expect("the log target has a bucket policy");
            assert!(
                reaches(&g, id, &policy),
                "{preset} {sets:?}: {id} enables logging before {policy} grants log delivery"
            );
            seen += 1;
        }
        if res.contains_key("Trail") {
            trails += 1;
            let mut needed = vec!["TrailBucketPolicy".to_string()];
            if res.contains_key("KmsKey") {
                needed.push("KmsKey".into());
            }
            for (pid, p) in res {
                if p["Type"] == "AWS::IAM::ManagedPolicy"
                    && p["Properties"]["Roles"].as_sequence().is_some_and(|r| {
                        r.iter()
                            .any(|r| serde_yaml::to_string(r).unwrap().contains("CloudtrailRole"))
                    })
                {
                    needed.push(pid.as_str().unwrap().to_string());
                }
            }
            for n in &needed {
                assert!(
                    reaches(&g, "Trail", n),
                    "{preset} {sets:?}: the trail is created without waiting for {n}"
                );
            }
        }
        if res.contains_key("FlowLog") {
            for (pid, p) in res {
                if p["Type"] == "AWS::IAM::ManagedPolicy"
                    && p["Properties"]["Roles"].as_sequence().is_some_and(|r| {
                        r.iter()
                            .any(|r| serde_yaml::to_string(r).unwrap().contains("FlowLogsRole"))
                    })
                {
                    let pid = pid.as_str().unwrap();
                    assert!(
                        reaches(&g, "FlowLog", pid),
                        "{preset}: the flow log is created without waiting for {pid}"
                    );
                }
            }
        }
    }
    assert!(trails > 0, "no case has a trail");
    assert!(seen > 0, "no case has server access logging");
}

// ------------------------------------------------------------------------------------- CDK --

/// The CDK app cannot be synthesized here (the harness's cdk stage does, and the generated
/// test `server access logging waits for the target bucket policy` checks the synthesized
/// order); this checks that the app asks for it.
#[test]
fn cdk_bucket_logging_and_flow_logs_wait() {
    for (preset, sets) in cases() {
        let files = render_preset(&preset, Format::Cdk, &sets);
        let storage = &files["lib/storage.ts"];
        let policies = &files["lib/resource-policies.ts"];
        let logged = storage.matches("loggingConfiguration = {").count();
        assert_eq!(
            policies
                .matches("  logsAfterTargetPolicy(stack.storage.buckets[")
                .count(),
            logged,
            "{preset} {sets:?}: every bucket with server access logging waits for the target's policy"
        );
        if logged > 0 {
            let test = files
                .iter()
                .find(|(p, _)| p.starts_with("test/") && p.ends_with(".test.ts"))
                .map(|(_, t)| t)
                .unwrap();
            assert!(test.contains("waits for the target bucket policy"));
        }
        let stack = files
            .iter()
            .find(|(p, _)| p.starts_with("lib/") && p.ends_with("-stack.ts"))
            .map(|(_, t)| t)
            .unwrap();
        if let Some(audit) = files.get("lib/audit.ts") {
            assert!(
                stack.find("applyResourcePolicies(this);") < stack.find("new Audit("),
                "{preset} {sets:?}: the trail is created before the resource policies"
            );
            assert!(audit.contains("this.trail.addDependency(policy);"));
            if sets.contains(&("audit.cloudwatch_logs", "true")) {
                assert!(
                    audit.contains("[props.iam.policies['cloudtrail']].forEach((p) => this.trail.node.addDependency(p));"),
                    "{preset} {sets:?}: the trail waits for its delivery role's policy"
                );
            }
        }
        if stack.contains("addFlowLogs(") {
            assert!(
                stack.contains("[this.iam.policies['flow_logs']].forEach((p) => flowLog.node.addDependency(p));"),
                "{preset}: the flow log waits for its role's policy"
            );
        }
    }
}
