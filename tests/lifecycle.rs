//! Lifecycle scripts are the user's: written once as a commented start, kept on `smgen upgrade`,
//! and embedded in a CloudFormation template as they are on disk (issue 16). Each scenario is a
//! real run of the binary on a project in a temporary directory.

mod common;

use common::{Run, Smgen, read, smgen_in as smgen};
use std::fs;

const SETS: &[&str] = &[
    "--set",
    "lifecycle.jupyterlab=lifecycle/jupyterlab.sh",
    "--set",
    "lifecycle.deny_other=true",
    "--set",
    "studio.idle_shutdown_minutes=90",
];

fn generate(format: &str) -> Run {
    let run = Smgen::new()
        .args([
            "generate",
            "--preset",
            "vpc-only-isolated",
            "--format",
            format,
        ])
        .args(SETS)
        .out_dir()
        .run();
    run.assert_success();
    run
}

/// The base64 CloudFormation embeds, decoded.
fn embedded_script(template: &str) -> String {
    let line = template
        .lines()
        .find(|l| l.trim_start().starts_with("StudioLifecycleConfigContent: "))
        .expect("the template embeds the script");
    let b64 = line.split_once(": ").unwrap().1.trim();
    let out = data_encoding::BASE64
        .decode(b64.as_bytes())
        .expect("base64");
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn an_edited_script_survives_upgrade_and_cloudformation_embeds_it() {
    let run = generate("cloudformation");
    let dir = &run.out;
    let starter = read(dir, "lifecycle/jupyterlab.sh");
    assert!(starter.starts_with("#!/bin/bash\n"), "{starter}");
    assert!(starter.contains("no internet egress"), "{starter}");
    assert_eq!(embedded_script(&read(dir, "template.yaml")), starter);

    let edited = format!("{starter}echo 'install the security agent'\n");
    fs::write(dir.join("lifecycle/jupyterlab.sh"), &edited).unwrap();
    // The template is behind the script: the CI gate says so.
    let check = Smgen::new()
        .args(["generate", "--config"])
        .arg(dir.join("smgen.toml"))
        .args(["--format", "cloudformation", "--check", "--out"])
        .arg(dir)
        .run();
    assert_eq!(check.code(), Some(1), "{}", check.stderr);

    smgen(dir, &["upgrade"]).assert_success();
    assert_eq!(read(dir, "lifecycle/jupyterlab.sh"), edited);
    let template = read(dir, "template.yaml");
    assert_eq!(embedded_script(&template), edited);
    // The name carries the script's hash, so the edit is a new configuration.
    let hash = &sha256(&edited)[..8];
    assert!(
        template.contains(&format!("-jupyterlab-{hash}")),
        "{template}"
    );
    smgen(dir, &["diff"]).assert_success();
}

#[test]
fn terraform_and_cdk_read_the_script_where_it_is() {
    let tf = generate("terraform");
    let lc = read(&tf.out, "lifecycle.tf");
    assert!(
        lc.contains("filebase64(\"${path.module}/lifecycle/jupyterlab.sh\")"),
        "{lc}"
    );
    assert!(lc.contains("create_before_destroy = true"), "{lc}");
    let cdk = generate("cdk");
    let ts = read(&cdk.out, "lib/sagemaker.ts");
    assert!(
        ts.contains("lifecycleScript('lifecycle/jupyterlab.sh'"),
        "{ts}"
    );
    assert!(cdk.out.join("lifecycle/jupyterlab.sh").is_file());
}

#[test]
fn a_script_too_long_for_sagemaker_is_refused_with_its_field() {
    let run = generate("cloudformation");
    let dir = &run.out;
    fs::write(dir.join("lifecycle/jupyterlab.sh"), "#".repeat(13_000)).unwrap();
    let up = smgen(dir, &["upgrade"]);
    assert_eq!(up.code(), Some(2), "{}", up.stderr);
    assert!(up.stderr.contains("lifecycle.jupyterlab"), "{}", up.stderr);
    assert!(up.stderr.contains("16384"), "{}", up.stderr);
}

fn sha256(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
