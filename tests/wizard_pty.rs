//! `smgen init` through a real pseudo-terminal (80×24): the built binary, real keys (arrows,
//! space, enter, typed text), then the files on disk. The project must be the one
//! `smgen generate --config <its smgen.toml>` writes, byte for byte.

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession as Session;
use expectrl::{Eof, Expect};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const ENTER: &str = "\r";
const DOWN: &str = "\x1b[B";
const SPACE: &str = " ";
const CTRL_C: &str = "\x03";
const BACKSPACE: &str = "\x7f";

fn smgen() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_smgen"));
    // Deterministic output whatever the environment running the tests.
    cmd.env("NO_COLOR", "1").env("TERM", "xterm-256color");
    cmd
}

/// Spawns `smgen ARGS` in `dir` on a pseudo-terminal (ptyprocess sets 80 columns, 24 rows).
fn spawn(dir: &Path, args: &[&str]) -> Session {
    let mut cmd = smgen();
    cmd.current_dir(dir).args(args);
    let mut session = expectrl::Session::spawn(cmd).expect("spawn smgen on a pty");
    // Generous: the machine running the tests may be busy.
    session.set_expect_timeout(Some(Duration::from_secs(90)));
    session
}

/// Waits for the question at `path` to be drawn, then sends `keys` one at a time.
fn answer(session: &mut Session, path: &str, keys: &[&str]) {
    session
        .expect(format!("({path})"))
        .unwrap_or_else(|e| panic!("waiting for {path}: {e}"));
    for key in keys {
        // A short pause between keys: each key is read in its own raw-mode read.
        std::thread::sleep(Duration::from_millis(30));
        session.send(key).expect("send a key");
    }
}

fn type_text(text: &str) -> String {
    format!("{text}{ENTER}")
}

/// Reads to the end and returns the exit code.
fn finish(mut session: Session) -> i32 {
    session.expect(Eof).expect("smgen ends");
    match session.get_process().wait().expect("wait for smgen") {
        WaitStatus::Exited(_, code) => code,
        other => panic!("smgen did not exit normally: {other:?}"),
    }
}

/// Every file under `root`, by relative path.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// The wizard's project equals `generate --config <its smgen.toml>`, file for file.
fn assert_same_as_generate(dir: &Path, project: &str, format: &str) {
    let status = smgen()
        .current_dir(dir)
        .args(["generate", "--config"])
        .arg(format!("{project}/smgen.toml"))
        .args(["--format", format, "--out", "regenerated"])
        .status()
        .unwrap();
    assert!(status.success());
    let ours = tree(&dir.join(project));
    let theirs = tree(&dir.join("regenerated"));
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &ours {
        assert!(theirs[path] == *bytes, "{path} differs from generate's");
    }
}

fn answers(dir: &Path) -> smgen::spec::Valid {
    let text = std::fs::read_to_string(dir.join("smgen.toml")).unwrap();
    let source = smgen::spec::SpecSource::Config {
        origin: "smgen.toml".into(),
        text,
    };
    smgen::spec::load(&source, &[]).unwrap()
}

#[test]
fn vpc_only_with_nat_and_a_custom_endpoint_selection() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = spawn(tmp.path(), &["init", "nat"]);
    s.expect("Output format").unwrap();
    s.send(DOWN).unwrap();
    std::thread::sleep(Duration::from_millis(30));
    s.send(ENTER).unwrap(); // cloudformation
    answer(&mut s, "project.name", &[&type_text("wizard-nat")]);
    answer(&mut s, "project.region", &[&type_text("eu-west-1")]);
    answer(&mut s, "network.mode", &[ENTER]); // VPC only
    answer(&mut s, "network.vpc.create", &[ENTER]); // yes
    answer(&mut s, "network.vpc.cidr", &[&type_text("10.30.0.0/16")]);
    answer(&mut s, "network.vpc.azs", &[&type_text("3")]);
    answer(&mut s, "network.nat", &[DOWN, ENTER]); // single
    answer(&mut s, "network.private_endpoints_with_nat", &[ENTER]); // no
    answer(&mut s, "needs.studio", &[ENTER]);
    answer(&mut s, "studio.auth_mode", &[ENTER]); // IAM
    answer(&mut s, "studio.user_profiles", &[&type_text("alice, bob")]);
    answer(&mut s, "studio.presigned_url.restrict", &[ENTER]);
    answer(&mut s, "needs.notebook_instances", &[ENTER]); // no
    answer(&mut s, "needs.sdk_remote_jobs", &[ENTER]); // yes
    answer(&mut s, "needs.custom_images", &["y"]);
    answer(&mut s, "needs.pip", &[DOWN, DOWN, ENTER]); // public
    answer(&mut s, "needs.experiments", &[ENTER]);
    for need in ["pipelines", "model_registry", "monitoring", "hosting"] {
        answer(&mut s, &format!("needs.{need}"), &[ENTER]);
    }
    answer(
        &mut s,
        "lifecycle.jupyterlab",
        &[&type_text("lifecycle/jupyterlab.sh")],
    );
    answer(&mut s, "lifecycle.code_editor", &[ENTER]); // none
    answer(&mut s, "lifecycle.deny_other", &["y"]);
    answer(&mut s, "studio.idle_shutdown_minutes", &[&type_text("120")]);
    answer(&mut s, "studio.deny_remote_access", &["y"]);
    answer(&mut s, "studio.approved_images", &[&type_text("team-base")]);
    // With NAT the solver pre-selects only S3; add the SageMaker API and STS.
    let mut keys = vec![DOWN, SPACE];
    keys.extend([DOWN; 10]);
    keys.extend([SPACE, ENTER]);
    answer(&mut s, "network.endpoints", &keys);
    answer(&mut s, "encryption.kms", &[ENTER]);
    answer(&mut s, "jobs.network_isolation", &[ENTER]);
    answer(&mut s, "project.account_id", &[&type_text("123456789012")]);
    answer(&mut s, "project.tags.CostCenter", &[&type_text("ML-42")]);
    answer(&mut s, "project.tags.Owner", &[ENTER]); // none
    answer(&mut s, "teardown.mode", &[ENTER]); // retain
    answer(&mut s, "audit.cloudtrail", &[ENTER]); // create
    answer(&mut s, "audit.cloudwatch_logs", &[ENTER]); // no
    answer(&mut s, "audit.trail_retention_days", &[ENTER]);
    answer(&mut s, "audit.log_retention_days", &[ENTER]);
    s.expect("Summary: wizard-nat in eu-west-1 (cloudformation)")
        .unwrap();
    // One gateway for the three zones (network.nat = single), not one per zone.
    s.expect("NAT gateways           1\r\n").unwrap();
    s.expect("Write the project?").unwrap();
    s.send(ENTER).unwrap();
    s.expect("wrote").unwrap();
    s.expect("next steps").unwrap();
    s.expect("cd nat").unwrap();
    s.expect("aws cloudformation deploy").unwrap();
    assert_eq!(finish(s), 0);

    let spec = answers(&tmp.path().join("nat"));
    assert_eq!(spec.project.name, "wizard-nat");
    assert_eq!(spec.network.vpc.cidr, "10.30.0.0/16");
    assert_eq!(spec.network.vpc.azs, 3);
    assert_eq!(spec.network.nat, smgen::spec::Nat::Single);
    assert_eq!(
        spec.network.endpoints,
        smgen::spec::EndpointChoice::List(vec!["s3".into(), "sagemaker.api".into(), "sts".into()])
    );
    assert_eq!(spec.needs.pip, smgen::spec::Pip::Public);
    assert!(spec.needs.custom_images);
    assert_eq!(
        spec.lifecycle.jupyterlab.as_deref(),
        Some("lifecycle/jupyterlab.sh")
    );
    assert!(spec.lifecycle.code_editor.is_none() && spec.lifecycle.deny_other);
    assert_eq!(spec.studio.idle_shutdown_minutes, Some(120));
    assert!(spec.studio.deny_remote_access);
    assert_eq!(spec.studio.approved_images, ["team-base"]);
    assert!(tmp.path().join("nat/lifecycle/jupyterlab.sh").is_file());
    assert_eq!(spec.studio.user_profiles, ["alice", "bob"]);
    assert_eq!(spec.project.account_id.as_deref(), Some("123456789012"));
    assert_eq!(
        spec.project.tags.get("CostCenter").map(String::as_str),
        Some("ML-42")
    );
    assert!(!spec.project.tags.contains_key("Owner"));
    let toml = std::fs::read_to_string(tmp.path().join("nat/smgen.toml")).unwrap();
    assert!(toml.contains("format: cloudformation"), "{toml}");
    assert_same_as_generate(tmp.path(), "nat", "cloudformation");
}

#[test]
fn notebook_private_from_its_preset_with_every_question() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = spawn(
        tmp.path(),
        &[
            "init",
            "nb",
            "--preset",
            "notebook-private",
            "--ask-all",
            "--format",
            "terraform",
        ],
    );
    answer(&mut s, "project.name", &[&type_text("nb-lab")]);
    answer(&mut s, "project.region", &[ENTER]);
    answer(&mut s, "network.mode", &[ENTER]);
    answer(&mut s, "network.vpc.create", &[ENTER]);
    answer(&mut s, "network.vpc.cidr", &[ENTER]);
    answer(&mut s, "network.vpc.azs", &[ENTER]);
    answer(&mut s, "network.nat", &[ENTER]);
    answer(&mut s, "needs.studio", &[ENTER]); // the preset's no: Studio questions skipped
    answer(&mut s, "needs.notebook_instances", &[ENTER]);
    answer(&mut s, "notebook.names", &[&type_text("lab, scratch")]);
    answer(&mut s, "notebook.instance_type", &[ENTER]);
    answer(&mut s, "notebook.volume_size_gb", &[&type_text("30")]);
    answer(&mut s, "notebook.root_access", &[ENTER]);
    answer(&mut s, "notebook.direct_internet_access", &["n"]);
    answer(&mut s, "needs.sdk_remote_jobs", &[ENTER]);
    answer(&mut s, "needs.custom_images", &[ENTER]);
    answer(&mut s, "needs.pip", &[ENTER]);
    answer(&mut s, "needs.experiments", &[ENTER]);
    for need in ["pipelines", "model_registry", "monitoring", "hosting"] {
        answer(&mut s, &format!("needs.{need}"), &[ENTER]);
    }
    answer(
        &mut s,
        "lifecycle.notebook_instance",
        &[&type_text("lifecycle/nb.sh")],
    );
    answer(&mut s, "lifecycle.deny_other", &[ENTER]); // no
    answer(&mut s, "notebook.idle_stop_minutes", &[&type_text("90")]);
    answer(&mut s, "network.endpoints", &[ENTER]); // the solver's selection
    answer(&mut s, "encryption.kms", &[ENTER]);
    answer(&mut s, "jobs.network_isolation", &[ENTER]);
    answer(&mut s, "project.account_id", &[ENTER]);
    answer(&mut s, "project.tags.CostCenter", &[ENTER]);
    answer(&mut s, "project.tags.Owner", &[ENTER]);
    answer(&mut s, "teardown.mode", &[ENTER]); // retain
    answer(&mut s, "audit.cloudtrail", &[ENTER]); // create
    answer(&mut s, "audit.cloudwatch_logs", &[ENTER]); // no
    answer(&mut s, "audit.trail_retention_days", &[ENTER]);
    answer(&mut s, "audit.log_retention_days", &[ENTER]);
    s.expect("Notebook instances").unwrap();
    s.expect("notebook: private access").unwrap();
    s.expect("Write the project?").unwrap();
    s.send(ENTER).unwrap();
    assert_eq!(finish(s), 0);

    let spec = answers(&tmp.path().join("nb"));
    assert_eq!(spec.project.name, "nb-lab");
    assert!(!spec.needs.studio && spec.needs.notebook_instances);
    assert_eq!(spec.notebook.names, ["lab", "scratch"]);
    assert_eq!(spec.notebook.volume_size_gb, 30);
    assert_eq!(
        spec.lifecycle.notebook_instance.as_deref(),
        Some("lifecycle/nb.sh")
    );
    assert_eq!(spec.notebook.idle_stop_minutes, Some(90));
    assert!(!spec.notebook.direct_internet_access && !spec.notebook.root_access);
    assert_eq!(spec.network.vpc.cidr, "10.50.0.0/20");
    assert_eq!(
        spec.network.endpoints,
        smgen::spec::EndpointChoice::Keyword("auto".into())
    );
    assert!(tmp.path().join("nb/sagemaker.tf").is_file());
    assert_same_as_generate(tmp.path(), "nb", "terraform");
}

#[test]
fn ctrl_c_midway_writes_nothing_and_exits_130() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = spawn(tmp.path(), &["init", "half", "--format", "terraform"]);
    answer(&mut s, "project.name", &[&type_text("half-done")]);
    answer(&mut s, "project.region", &[ENTER]);
    answer(&mut s, "network.mode", &[DOWN, CTRL_C]);
    s.expect("interrupted: nothing written").unwrap();
    assert_eq!(finish(s), 130);
    assert!(!tmp.path().join("half").exists());
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn ctrl_c_restores_the_cursor_a_list_hid() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = spawn(tmp.path(), &["init", "x", "--format", "terraform"]);
    answer(&mut s, "project.name", &[ENTER]);
    answer(&mut s, "project.region", &[ENTER]);
    // The network mode list hides the cursor; Ctrl-C shows it again before exiting.
    s.expect("\x1b[?25l").unwrap();
    answer(&mut s, "network.mode", &[CTRL_C]);
    s.expect("\x1b[?25h").unwrap();
    assert_eq!(finish(s), 130);
}

#[test]
fn without_a_terminal_nothing_is_asked_and_the_exit_is_3() {
    let tmp = tempfile::tempdir().unwrap();
    let out = smgen()
        .current_dir(tmp.path())
        .args(["init", "p"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("smgen generate --preset"), "{err}");
    assert!(err.contains("project.name, project.region"), "{err}");
    assert!(!tmp.path().join("p").exists());

    let out = smgen()
        .current_dir(tmp.path())
        .args(["init", "p", "--preset", "vpc-only-nat"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("smgen generate --preset vpc-only-nat --format terraform --out p"),
        "{err}"
    );
    assert!(err.contains("network.endpoints"), "{err}");
    assert!(!tmp.path().join("p").exists());
}

#[test]
fn init_only_writes_into_a_new_or_empty_directory() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("busy")).unwrap();
    std::fs::write(tmp.path().join("busy/notes.txt"), "mine").unwrap();
    let out = smgen()
        .current_dir(tmp.path())
        .args(["init", "busy"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("busy: is not empty"), "{err}");
    assert!(!err.contains("--force"), "{err}");
    assert_eq!(tree(&tmp.path().join("busy")).len(), 1);
}

/// What smgen draws for its first question (then Ctrl-C), with the NO_COLOR variable and the
/// flags given and no other color setting.
fn first_screen(env_no_color: bool, flags: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_smgen"));
    cmd.current_dir(tmp.path())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("TERM", "xterm-256color")
        .args(["init", "p"]);
    if env_no_color {
        cmd.env("NO_COLOR", "1");
    }
    cmd.args(flags);
    let mut s = expectrl::Session::spawn(cmd).unwrap();
    s.set_expect_timeout(Some(Duration::from_secs(90)));
    let mut text = String::new();
    let before = s.expect("Output format").unwrap();
    text.push_str(&String::from_utf8_lossy(before.before()));
    // The list items follow the prompt.
    let rest = s.expect("cdk").unwrap();
    text.push_str(&String::from_utf8_lossy(rest.before()));
    s.send(CTRL_C).unwrap();
    assert_eq!(finish(s), 130);
    text
}

/// An SGR sequence (`ESC [ … m`): a color or a text style.
fn has_style(text: &str) -> bool {
    text.split('\x1b').skip(1).any(|seq| {
        let Some(body) = seq.strip_prefix('[') else {
            return false;
        };
        let end = body.find(|c: char| !(c.is_ascii_digit() || c == ';'));
        end.is_some_and(|i| body[i..].starts_with('m'))
    })
}

#[test]
fn colors_follow_no_color_and_the_flag() {
    assert!(
        has_style(&first_screen(false, &[])),
        "the colorful theme has no color"
    );
    assert!(
        !has_style(&first_screen(true, &[])),
        "NO_COLOR still colors"
    );
    assert!(
        !has_style(&first_screen(false, &["--no-color"])),
        "--no-color still colors"
    );
    assert!(
        !has_style(&first_screen(false, &["--color", "never"])),
        "--color never still colors"
    );
}

/// A preset still asks the project's name and Region; a rejected answer is crossed out (no
/// success mark kept for it) and asked again with the rejected text prefilled; after writing,
/// the next steps for the format.
#[test]
fn a_preset_asks_name_and_region_and_a_rejected_answer_is_offered_again() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = smgen();
    // The colorful theme: the one that draws success marks.
    cmd.env_remove("NO_COLOR").current_dir(tmp.path()).args([
        "init",
        "reg",
        "--preset",
        "regulated",
        "--format",
        "terraform",
    ]);
    let mut s = expectrl::Session::spawn(cmd).expect("spawn smgen on a pty");
    s.set_expect_timeout(Some(Duration::from_secs(90)));
    answer(&mut s, "project.name", &[&type_text("risk-ml")]);
    answer(&mut s, "project.region", &[&type_text("eu-west-9")]);
    s.expect("✘").unwrap();
    s.expect(" AWS Region (project.region) · eu-west-9")
        .unwrap();
    s.expect("error: project.region").unwrap();
    // Asked again, the rejected text in the input: fix its last character.
    s.expect("(project.region)").unwrap();
    s.expect("eu-west-9").unwrap();
    std::thread::sleep(Duration::from_millis(30));
    s.send(BACKSPACE).unwrap();
    std::thread::sleep(Duration::from_millis(30));
    s.send(type_text("1")).unwrap();
    // The rest of the preset's open questions: their defaults.
    loop {
        let found = s
            .expect(expectrl::Regex(
                "\\([a-z_]+\\.[A-Za-z_.]+\\)[^\\n·]*›|Write the project\\?",
            ))
            .unwrap();
        let text = String::from_utf8_lossy(found.get(0).unwrap()).to_string();
        std::thread::sleep(Duration::from_millis(30));
        s.send(ENTER).unwrap();
        if text.contains("Write the project") {
            break;
        }
    }
    s.expect("next steps").unwrap();
    s.expect("terraform init").unwrap();
    assert_eq!(finish(s), 0);
    let spec = answers(&tmp.path().join("reg"));
    assert_eq!(spec.project.name, "risk-ml");
    assert_eq!(spec.project.region, "eu-west-1");
}
