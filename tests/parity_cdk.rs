//! Parity of the CDK and CloudFormation outputs: each preset's CDK app is synthesized (offline,
//! with node and the pinned packages of `scripts/harness.py --cdk-modules`) and its template is
//! compared with the CloudFormation renderer's `template.yaml`: resource types and counts,
//! security-group rules (CDK writes every rule as its own resource, the CloudFormation renderer
//! writes the rules without a group peer inline) and VPC endpoint service names.
//!
//! Resources only the CDK output has (custom resources and their handlers) are the rows of
//! `CDK_ONLY`, each with its reason; everything else must match type for type, count for count.
//!
//! Needs node and npm; without them the tests are skipped with a message, except under
//! `CI=true`, where they fail.

use serde_json::Value as Json;
use smgen::model;
use smgen::render::{self, Format};
use smgen::spec::{self, SpecSource};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Resources only the CDK output has: (what identifies them, reason). A resource is CDK-only
/// when its type is one of the custom-resource types, or its logical id starts with the id of
/// CDK's custom-resource providers, or contains the AwsCustomResource's own policy id.
const CDK_ONLY: &[(&str, &str)] = &[
    (
        "Custom::VpcRestrictDefaultSG",
        "ec2.Vpc's restrictDefaultSecurityGroup empties the default security group (the \
         Terraform output's aws_default_security_group; CloudFormation has no resource for it)",
    ),
    (
        "CustomVpcRestrictDefaultSGCustomResourceProvider",
        "the handler of Custom::VpcRestrictDefaultSG: a Lambda function and its role",
    ),
    (
        "Custom::AWS",
        "reads the S3 managed prefix list id at deploy time for the security-group egress to \
         S3 (CloudFormation has no attribute for it; the CloudFormation renderer takes it as a \
         parameter)",
    ),
    (
        "AWS679f53fac002430cb0da5b7982bd2287",
        "the handler of every AwsCustomResource of the stack (AwsCustomResource.PROVIDER_FUNCTION_UUID): \
         a Lambda function, its role and its log group (feature flag \
         @aws-cdk/aws-lambda:useCdkManagedLogGroup)",
    ),
    (
        "CustomResourcePolicy",
        "the AwsCustomResource's policy for its handler (ec2:DescribeManagedPrefixLists)",
    ),
];

fn cdk_only(logical_id: &str, ty: &str) -> bool {
    CDK_ONLY.iter().any(|(key, _)| {
        if key.contains("::") {
            ty == *key
        } else if *key == "CustomResourcePolicy" {
            logical_id.contains(key)
        } else {
            logical_id.starts_with(key)
        }
    })
}

fn ci() -> bool {
    matches!(std::env::var("CI").as_deref(), Ok("true") | Ok("1"))
}

/// The shared node_modules, or why there is none.
fn modules() -> &'static Result<PathBuf, String> {
    static M: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    M.get_or_init(|| {
        let has = |tool: &str| {
            Command::new(tool)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if !has("node") || !has("npm") {
            return Err("node and npm are not installed".into());
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = Command::new("python3")
            .arg(root.join("scripts/harness.py"))
            .args(["--cdk-modules", "--smgen", env!("CARGO_BIN_EXE_smgen")])
            .current_dir(root)
            .output()
            .map_err(|e| format!("running scripts/harness.py --cdk-modules: {e}"))?;
        let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !out.status.success() || path.is_empty() || !Path::new(&path).is_dir() {
            return Err(format!(
                "scripts/harness.py --cdk-modules failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(PathBuf::from(path))
    })
}

/// The preset's CDK app, synthesized; `None` when node is missing outside CI.
fn synth(preset: &str) -> Option<Json> {
    let modules = match modules() {
        Ok(m) => m,
        Err(why) if !ci() => {
            // Past libtest's output capture, so that the skip shows in a normal `cargo test`.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "parity_cdk: {preset} skipped ({why})");
            return None;
        }
        Err(why) => panic!("parity_cdk needs node under CI=true: {why}"),
    };
    let spec = spec::load(&SpecSource::Preset(preset.into()), &[]).expect("preset loads");
    let m = model::resolve(&spec);
    let set = render::render(&m, &spec, Format::Cdk).expect("cdk renders");
    let dir = tempfile::Builder::new()
        .prefix("smgen-parity-cdk-")
        .tempdir()
        .expect("temp dir");
    for (path, text) in &set.files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    std::os::unix::fs::symlink(modules, dir.path().join("node_modules")).unwrap();
    let cdk_json: Json = serde_json::from_str(&set.files["cdk.json"]).unwrap();
    let out = Command::new(dir.path().join("node_modules/.bin/tsx"))
        .arg(format!("bin/{}.ts", m.name))
        .current_dir(dir.path())
        // What `cdk synth` hands the app: the context of cdk.json and an output directory.
        .env("CDK_CONTEXT_JSON", cdk_json["context"].to_string())
        .env("CDK_OUTDIR", dir.path().join("cdk.out"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run the app");
    assert!(
        out.status.success(),
        "{preset}: synth failed\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let templates: Vec<PathBuf> = std::fs::read_dir(dir.path().join("cdk.out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".template.json"))
        .collect();
    assert_eq!(templates.len(), 1, "{preset}: one stack, one template");
    let text = std::fs::read_to_string(&templates[0]).expect("synthesized template");
    Some(serde_json::from_str(&text).unwrap())
}

fn cloudformation(preset: &str) -> serde_yaml::Value {
    let spec = spec::load(&SpecSource::Preset(preset.into()), &[]).expect("preset loads");
    let m = model::resolve(&spec);
    let set = render::render(&m, &spec, Format::CloudFormation).expect("cloudformation renders");
    serde_yaml::from_str(&set.files["template.yaml"]).expect("template.yaml is YAML")
}

/// Resource type → count, and the number of security-group rules (inline and standalone).
struct Inventory {
    types: BTreeMap<String, usize>,
    rules: usize,
    service_names: Vec<String>,
}

/// The rule both outputs put in a group without other egress rules (ICMP type 252 code 86 to
/// 255.255.255.255/32), which removes EC2's default allow-all egress: not compared, since the
/// CDK output needs it in more groups (its S3 prefix-list egress is a resource of its own, not an
/// inline rule; only inline rules remove the default).
fn no_traffic(protocol: Option<&str>, from: Option<i64>, to: Option<i64>) -> bool {
    protocol == Some("icmp") && from == Some(252) && to == Some(86)
}

fn inventory_cdk(t: &Json) -> Inventory {
    let mut types = BTreeMap::new();
    let mut service_names = vec![];
    let mut rules = 0;
    for (id, r) in t["Resources"].as_object().unwrap() {
        let ty = r["Type"].as_str().unwrap().to_string();
        if cdk_only(id, &ty) {
            continue;
        }
        match ty.as_str() {
            "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
                let p = &r["Properties"];
                if !no_traffic(
                    p["IpProtocol"].as_str(),
                    p["FromPort"].as_i64(),
                    p["ToPort"].as_i64(),
                ) {
                    rules += 1;
                }
            }
            "AWS::EC2::SecurityGroup" => {
                for k in ["SecurityGroupIngress", "SecurityGroupEgress"] {
                    for p in r["Properties"][k].as_array().into_iter().flatten() {
                        if !no_traffic(
                            p["IpProtocol"].as_str(),
                            p["FromPort"].as_i64(),
                            p["ToPort"].as_i64(),
                        ) {
                            rules += 1;
                        }
                    }
                }
            }
            "AWS::EC2::VPCEndpoint" => {
                service_names.push(r["Properties"]["ServiceName"].as_str().unwrap().to_string())
            }
            _ => {}
        }
        *types.entry(ty).or_default() += 1;
    }
    service_names.sort();
    Inventory {
        types,
        rules,
        service_names,
    }
}

fn inventory_cfn(t: &serde_yaml::Value, region: &str) -> Inventory {
    let mut types = BTreeMap::new();
    let mut service_names = vec![];
    let mut rules = 0;
    for (_, r) in t["Resources"].as_mapping().unwrap() {
        let ty = r["Type"].as_str().unwrap().to_string();
        match ty.as_str() {
            "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
                let p = &r["Properties"];
                if !no_traffic(
                    p["IpProtocol"].as_str(),
                    p["FromPort"].as_i64(),
                    p["ToPort"].as_i64(),
                ) {
                    rules += 1;
                }
            }
            "AWS::EC2::SecurityGroup" => {
                for k in ["SecurityGroupIngress", "SecurityGroupEgress"] {
                    for p in r["Properties"][k].as_sequence().into_iter().flatten() {
                        if !no_traffic(
                            p["IpProtocol"].as_str(),
                            p["FromPort"].as_i64(),
                            p["ToPort"].as_i64(),
                        ) {
                            rules += 1;
                        }
                    }
                }
            }
            "AWS::EC2::VPCEndpoint" => {
                let name = &r["Properties"]["ServiceName"];
                // `!Sub com.amazonaws.${AWS::Region}.x` or a plain string.
                let text = match name {
                    serde_yaml::Value::Tagged(t) => {
                        t.value.as_str().unwrap_or_default().to_string()
                    }
                    other => other.as_str().unwrap_or_default().to_string(),
                };
                service_names.push(text.replace("${AWS::Region}", region));
            }
            _ => {}
        }
        *types.entry(ty).or_default() += 1;
    }
    service_names.sort();
    Inventory {
        types,
        rules,
        service_names,
    }
}

fn check(preset: &str) {
    let Some(synthesized) = synth(preset) else {
        return;
    };
    let spec = spec::load(&SpecSource::Preset(preset.into()), &[]).unwrap();
    let region = model::resolve(&spec).region;
    let cdk = inventory_cdk(&synthesized);
    let cfn = inventory_cfn(&cloudformation(preset), &region);

    let rule_types = [
        "AWS::EC2::SecurityGroupIngress",
        "AWS::EC2::SecurityGroupEgress",
    ];
    let strip = |m: &BTreeMap<String, usize>| -> BTreeMap<String, usize> {
        m.iter()
            .filter(|(k, _)| !rule_types.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    };
    assert_eq!(
        strip(&cdk.types),
        strip(&cfn.types),
        "{preset}: resource types and counts (CDK left, CloudFormation right; CDK_ONLY counted out)"
    );
    assert_eq!(cdk.rules, cfn.rules, "{preset}: security-group rules");
    assert_eq!(
        cdk.service_names, cfn.service_names,
        "{preset}: endpoint service names"
    );
}

macro_rules! parity {
    ($($test:ident => $preset:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                check($preset);
            }
        )*
    };
}

parity! {
    parity_cdk_existing_vpc => "existing-vpc",
    parity_cdk_notebook_private => "notebook-private",
    parity_cdk_public_only => "public-only",
    parity_cdk_regulated => "regulated",
    parity_cdk_vpc_only_isolated => "vpc-only-isolated",
    parity_cdk_vpc_only_nat => "vpc-only-nat",
}
