//! Several environments through the binary (issue 17): a project with `[environments]` is
//! generated, checked in one process, limited with `--env`, explained per environment, and a
//! one-environment project with edits of its own becomes two environments without losing them.

mod common;

use common::{Smgen, read, smgen_in as smgen, tree};
use std::fs;
use std::path::Path;

/// The three-environment fixture of the harness (dev and prod share a structure, data differs).
const FIXTURE: &str = include_str!("fixtures/environments/smgen.toml");

fn generate(format: &str) -> common::Run {
    let run = Smgen::new()
        .file("input.toml", FIXTURE)
        .args(["generate", "--config", "input.toml", "--format", format])
        .out_dir()
        .run();
    run.assert_success();
    run
}

#[test]
fn every_format_renders_every_environment_and_checks_clean_in_one_process() {
    for format in ["terraform", "cloudformation", "cdk"] {
        let run = generate(format);
        let files = run.files();
        for env in ["data", "dev", "prod"] {
            for own in ["policies/README.md", "teardown.sh", "ARCHITECTURE.md"] {
                let path = format!("environments/{env}/{own}");
                assert!(files.contains(&path), "{format}: no {path}");
            }
        }
        // One run over every environment: nothing pending right after generating.
        let check = smgen(&run.out, &["diff"]);
        check.assert_exit(0);
        let check = Smgen::new()
            .args(["generate", "--config"])
            .arg(run.out.join("smgen.toml"))
            .args(["--format", format, "--out"])
            .arg(&run.out)
            .arg("--check")
            .run();
        check.assert_exit(0);
    }
}

#[test]
fn an_env_selection_leaves_the_other_environments_alone() {
    let run = generate("terraform");
    // Files the change below does not touch, each with an edit of its own.
    let prod_policy = "environments/prod/sagemaker-config.yaml";
    let dev_policy = "environments/dev/sagemaker-config.yaml";
    let edit = |path: &str, line: &str| {
        let text = format!("{}{line}\n", read(&run.out, path));
        fs::write(run.out.join(path), &text).unwrap();
        text
    };
    let prod_edited = edit(prod_policy, "# prod, edited");
    edit(dev_policy, "# dev, edited");
    // A change of prod, upgraded for dev only: prod's files are not touched.
    let up = smgen(
        &run.out,
        &[
            "upgrade",
            "--env",
            "dev",
            "--set",
            "environments.prod.network.flow_logs=false",
        ],
    );
    up.assert_success();
    assert_eq!(read(&run.out, prod_policy), prod_edited);
    assert!(!up.stdout.contains("environments/prod/"), "{}", up.stdout);
    // diff --env dev sees dev's edit only; prod still has the change pending.
    let d = smgen(&run.out, &["diff", "--env", "dev", "--stat"]);
    d.assert_exit(0);
    assert!(!d.stdout.contains("environments/prod/"), "{}", d.stdout);
    assert!(d.stdout.contains(dev_policy), "{}", d.stdout);
    let d = smgen(&run.out, &["diff", "--env", "prod", "--stat"]);
    d.assert_exit(1);
    assert!(d.stdout.contains("environments/prod/"), "{}", d.stdout);
    assert!(!d.stdout.contains(dev_policy), "{}", d.stdout);
    // Without --env the upgrade brings prod along and keeps both edits.
    smgen(&run.out, &["upgrade"]).assert_success();
    assert_eq!(read(&run.out, prod_policy), prod_edited);
    smgen(&run.out, &["diff"]).assert_exit(0);
    // An unknown name is an input error that lists the known ones.
    let bad = smgen(&run.out, &["diff", "--env", "stagin"]);
    bad.assert_exit(2);
    bad.assert_stderr_contains(
        "--env: no such environment (got 'stagin'); one of: data, dev, prod",
    );
    // --env without environments is refused, not ignored.
    let one = Smgen::new()
        .args(["generate", "--preset", "vpc-only-isolated", "--env", "dev"])
        .out_dir()
        .run();
    one.assert_exit(2);
    one.assert_stderr_contains("no [environments.NAME] tables");
    assert!(!one.out.exists(), "nothing written on an input error");
}

#[test]
fn explain_shows_each_environment_or_the_one_asked_for() {
    let all = Smgen::new()
        .file("input.toml", FIXTURE)
        .args(["explain", "--config", "input.toml", "--text"])
        .run();
    all.assert_success();
    for env in ["data", "dev", "prod"] {
        assert!(
            all.stdout
                .contains(&format!("fraud-ml (environment {env})")),
            "{}",
            all.stdout
        );
    }
    let one = Smgen::new()
        .file("input.toml", FIXTURE)
        .args([
            "explain",
            "--config",
            "input.toml",
            "--json",
            "--env",
            "prod",
        ])
        .run();
    one.assert_success();
    let doc = one.json();
    assert_eq!(doc["schema"], "smgen-explain-environments/1");
    let envs = doc["environments"].as_array().unwrap();
    assert_eq!(envs.len(), 1);
    assert_eq!(envs[0]["name"], "prod");
}

#[test]
fn errors_name_the_environment_and_write_nothing() {
    let bad = FIXTURE.replace("cidr = \"10.30.0.0/16\"", "cidr = \"10.30.0.0/33\"");
    let run = Smgen::new()
        .file("input.toml", &bad)
        .args(["generate", "--config", "input.toml"])
        .out_dir()
        .run();
    run.assert_exit(2);
    run.assert_stderr_contains("environments.prod: network.vpc.cidr");
    assert!(!run.out.exists());
    // Two environments that would create the same resources.
    let twice = FIXTURE.replace("222222222222", "111111111111").replace(
        "cidr = \"10.30.0.0/16\"",
        "cidr = \"10.30.0.0/16\"\n[environments.prod.network]\nnat = \"none\"",
    );
    let run = Smgen::new()
        .file("input.toml", &twice)
        .args(["generate", "--config", "input.toml"])
        .out_dir()
        .run();
    run.assert_exit(2);
    run.assert_stderr_contains("the same account, Region and project name as environment 'dev'");
}

/// Replaces the first line of `text` that contains `needle` with itself plus ` # mine`.
fn mark_line(dir: &Path, path: &str, needle: &str) -> String {
    let text = read(dir, path);
    let line = text
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{path}: no line with {needle:?}"))
        .to_string();
    let mine = format!("{line} # mine");
    fs::write(dir.join(path), text.replacen(&line, &mine, 1)).unwrap();
    mine
}

#[test]
fn a_project_with_edits_becomes_two_environments_and_keeps_them() {
    let p = Smgen::new()
        .args([
            "generate",
            "--preset",
            "vpc-only-isolated",
            "--format",
            "terraform",
        ])
        .out_dir()
        .run();
    p.assert_success();
    let dir = &p.out;
    // The user's edits: a line of a resource file, and the answers file's comment.
    let edit = mark_line(dir, "network.tf", "enable_dns_hostnames");
    let answers = read(dir, "smgen.toml");
    fs::write(
        dir.join("smgen.toml"),
        format!("# owned by the ML platform team\n{answers}"),
    )
    .unwrap();

    // Two environments, as `smgen init --add-env` writes them.
    let up = smgen(
        dir,
        &[
            "upgrade",
            "--set",
            "environments.dev={}",
            "--set",
            "environments.prod.project.account_id=\"222222222222\"",
            "--set",
            "environments.prod.network.vpc.cidr=10.30.0.0/16",
        ],
    );
    up.assert_success();
    let module = "modules/sagemaker-environment/network.tf";
    assert!(
        up.stdout.contains(module) && up.stdout.contains("moved from network.tf"),
        "{}",
        up.stdout
    );
    // The edit moved into the module, the root file is gone, both roots exist.
    assert!(read(dir, module).contains(&edit), "{}", read(dir, module));
    assert!(!dir.join("network.tf").exists());
    for env in ["dev", "prod"] {
        assert!(dir.join(format!("environments/{env}/main.tf")).is_file());
    }
    let answers = read(dir, "smgen.toml");
    assert!(
        answers.starts_with("# owned by the ML platform team\n"),
        "{answers}"
    );
    // Afterwards the project is clean but for the edit, which is the user's.
    let d = smgen(dir, &["diff", "--stat"]);
    d.assert_exit(0);
    assert_eq!(
        d.stdout.trim(),
        format!("yours    modified  {module}  +1 -1")
    );
    // Nothing left over from the one-environment layout.
    let leftovers: Vec<String> = tree(dir)
        .into_keys()
        .filter(|p| p.ends_with(".tf") && !p.contains('/'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn the_json_report_lists_each_environment_with_its_endpoints() {
    let run = Smgen::new()
        .file("input.toml", FIXTURE)
        .args(["generate", "--config", "input.toml", "--json", "--dry-run"])
        .out_dir()
        .run();
    run.assert_success();
    let doc = run.json();
    assert_eq!(doc["endpoints"].as_array().unwrap().len(), 0);
    let envs = doc["environments"].as_array().unwrap();
    let names: Vec<&str> = envs.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["data", "dev", "prod"]);
    assert_eq!(envs[2]["stage"], "production");
    assert_eq!(envs[2]["account_id"], "222222222222");
    // The data account runs no Studio: fewer endpoints than development.
    let count = |i: usize| envs[i]["endpoints"].as_array().unwrap().len();
    assert!(count(0) < count(1), "{doc}");
    // A finding of one environment is named by it.
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["choice"].as_str().unwrap().starts_with("environments.")),
        "{doc}"
    );
}

#[test]
fn init_add_env_without_a_terminal_says_the_upgrade_that_does_it() {
    let p = Smgen::new()
        .args(["generate", "--preset", "vpc-only-isolated"])
        .out_dir()
        .run();
    p.assert_success();
    let before = tree(&p.out);
    let run = smgen(&p.out, &["init", "--add-env", "prod"]);
    run.assert_exit(3);
    run.assert_stderr_contains(
        "--set 'environments.dev={}' --set 'environments.prod.project.account_id=",
    );
    assert_eq!(tree(&p.out), before, "nothing written");
    // Not a project: refused.
    let empty = Smgen::new()
        .dir("empty")
        .args(["init", "empty", "--add-env", "prod"])
        .run();
    empty.assert_exit(2);
    empty.assert_stderr_contains("is not an smgen project");
}

#[test]
fn an_upgrade_says_what_changes_in_each_environment_and_which_one_leaves() {
    let run = generate("terraform");
    let up = smgen(
        &run.out,
        &[
            "upgrade",
            "--dry-run",
            "--set",
            "environments.prod.network.nat=single",
        ],
    );
    up.assert_success();
    assert!(
        up.stdout.contains("environment changes (prod):"),
        "{}",
        up.stdout
    );
    assert!(up.stdout.contains("NAT gateways: 0 → 1"), "{}", up.stdout);
    assert!(
        !up.stdout.contains("environment changes (dev)"),
        "{}",
        up.stdout
    );
    // Removing an environment from the answers: said before anything is removed.
    let mut answers: toml::Table = toml::from_str(&read(&run.out, "smgen.toml")).unwrap();
    answers["environments"]
        .as_table_mut()
        .unwrap()
        .remove("data")
        .expect("data's tables");
    fs::write(
        run.out.join("smgen.toml"),
        toml::to_string(&answers).unwrap(),
    )
    .unwrap();
    let up = smgen(&run.out, &["upgrade", "--dry-run"]);
    up.assert_success();
    assert!(
        up.stdout
            .contains("environment data: no longer in the answers"),
        "{}",
        up.stdout
    );
    assert!(
        up.stdout.contains("environments/data/teardown.sh"),
        "{}",
        up.stdout
    );
}
