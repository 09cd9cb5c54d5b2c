//! A bucket of another account (`data.buckets[].account`, `key_arn`): every format writes the
//! statements its owner must add, naming the execution role's ARN, and the S3 gateway endpoint
//! admits exactly that bucket (by name and owner), not every bucket.

mod common;

use common::Smgen;
use serde_json::Value;

const OWN: &str = "111122223333";
const OWNER: &str = "444455556666";
const KEY: &str = "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ROLE: &str = "arn:aws:iam::111122223333:role/sm-isolated-sagemaker-execution";

fn sets() -> Vec<String> {
    vec![
        format!("project.account_id=\"{OWN}\""),
        format!(
            "data.buckets=[{{ name = \"data\" }}, {{ existing = \"partner-data\", account = \"{OWNER}\", key_arn = \"{KEY}\", prefixes = [\"shared/\"], access = \"read-only\" }}]"
        ),
    ]
}

fn generate(format: &str) -> common::Run {
    let mut s = Smgen::new().args([
        "generate",
        "--preset",
        "vpc-only-isolated",
        "--format",
        format,
    ]);
    for a in sets() {
        s = s.arg("--set").arg(a);
    }
    let run = s.out_dir().run();
    run.assert_success();
    run
}

fn json(run: &common::Run, path: &str) -> Value {
    serde_json::from_str(&run.file(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn list(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
        Value::String(s) => vec![s.clone()],
        _ => vec![],
    }
}

#[test]
fn the_owner_gets_statements_for_the_execution_role_in_every_format() {
    let folder = format!("policies/for-account-{OWNER}");
    let mut seen = vec![];
    for format in ["terraform", "cloudformation", "cdk"] {
        let run = generate(format);
        let bucket = json(&run, &format!("{folder}/bucket-policy-partner-data.json"));
        let statements = bucket["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 3, "{format}");
        for s in statements {
            assert_eq!(list(&s["Principal"]["AWS"]), [ROLE], "{format}");
            for r in list(&s["Resource"]) {
                assert!(
                    r == "arn:aws:s3:::partner-data" || r == "arn:aws:s3:::partner-data/shared/*",
                    "{format}: {r}"
                );
            }
            assert!(
                !list(&s["Action"]).iter().any(|a| a == "s3:PutObject"),
                "read-only: {format}"
            );
        }
        let key = json(&run, &format!("{folder}/key-policy-partner-data.json"));
        let k = &key["Statement"][0];
        assert_eq!(list(&k["Principal"]["AWS"]), [ROLE]);
        assert_eq!(list(&k["Action"]), ["kms:Decrypt"]);
        assert_eq!(
            k["Condition"]["StringEquals"]["kms:ViaService"],
            "s3.eu-west-1.amazonaws.com"
        );
        // The role's own policy: the key by ARN, only through S3.
        let exec = json(&run, "policies/execution.json");
        let grant = exec["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| list(&s["Resource"]) == [KEY])
            .expect("the role may use the owner's key");
        assert_eq!(
            grant["Condition"]["StringEquals"]["kms:ViaService"],
            "s3.eu-west-1.amazonaws.com"
        );
        // The README says which files go to the owner.
        let readme = run.file("README.md");
        assert!(
            readme.contains(&format!("`{folder}/bucket-policy-partner-data.json`"))
                && readme.contains(&format!("`{folder}/key-policy-partner-data.json`")),
            "{format} README"
        );
        seen.push((bucket, key));
    }
    // Format-neutral: the same files in every format.
    assert!(seen.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn the_s3_gateway_endpoint_admits_exactly_that_bucket_of_the_other_account() {
    let run = generate("terraform");
    let policy = json(&run, "policies/endpoint-policy-s3.json");
    let statements = policy["Statement"].as_array().unwrap();
    let mut foreign = vec![];
    for s in statements {
        for r in list(&s["Resource"]) {
            assert!(r != "*" && r != "arn:aws:s3:::*", "{r}");
            if r.contains("partner-data") {
                foreign.push((s["Sid"].as_str().unwrap().to_string(), r));
                assert_eq!(s["Condition"]["StringEquals"]["s3:ResourceAccount"], OWNER);
            }
        }
    }
    assert_eq!(
        foreign,
        [
            (
                "OtherAccountBucket1Buckets".to_string(),
                "arn:aws:s3:::partner-data".to_string()
            ),
            (
                "OtherAccountBucket1Objects".to_string(),
                "arn:aws:s3:::partner-data/*".to_string()
            ),
        ]
    );
}

#[test]
fn explain_shows_the_path_through_both_accounts() {
    let mut s = Smgen::new().args(["explain", "--preset", "vpc-only-isolated", "--json"]);
    for a in sets() {
        s = s.arg("--set").arg(a);
    }
    let run = s.run();
    run.assert_success();
    let j = run.json();
    let path = &j["cross_account"][0];
    assert_eq!(path["bucket"], "partner-data");
    assert_eq!(path["account"], OWNER);
    let steps: Vec<String> = path["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{}: {}", s["at"], s["decided_by"]))
        .collect();
    assert_eq!(steps.len(), 4, "{steps:#?}");
    assert!(steps[1].contains("S3 gateway endpoint") && steps[1].contains("OtherAccountBucket1"));
    assert!(steps[2].contains(&format!(
        "policies/for-account-{OWNER}/bucket-policy-partner-data.json"
    )));
    assert!(steps[3].contains(KEY) && steps[3].contains("key-policy-partner-data.json"));
    assert!(
        j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["choice"] == "data.buckets[1].account" && f["severity"] == "warning")
    );
    // The ARCHITECTURE.md of a project holds the same section.
    let project = generate("terraform");
    assert!(
        project
            .file("ARCHITECTURE.md")
            .contains("## Buckets of other accounts")
    );
}
