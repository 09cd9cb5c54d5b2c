//! The wizard's question flow driven by a scripted prompter: which questions each answer
//! opens or closes, the errors shown at the prompt (the config path's own messages), the
//! endpoint selection, the summary and the confirm.

use smgen::error::Result;
use smgen::render::Format;
use smgen::spec::{self, EndpointChoice, Nat, NetworkMode, SpecSource, Valid};
use smgen::wizard::{self, Outcome, Prompter, Start};
use std::collections::{HashMap, VecDeque};

/// One scripted answer.
#[derive(Debug, Clone)]
enum A {
    /// Accept the default.
    Enter,
    Text(&'static str),
    Yes,
    No,
    /// The select item whose label contains this text.
    Pick(&'static str),
    /// Exactly these endpoint keys.
    Keys(&'static [&'static str]),
    /// The pre-filled endpoints less these keys.
    Without(&'static [&'static str]),
}

#[derive(Default)]
struct Script {
    answers: HashMap<&'static str, VecDeque<A>>,
    /// Every question key, in the order asked.
    asked: Vec<String>,
    /// Everything said between questions.
    said: String,
}

impl Script {
    fn new(answers: &[(&'static str, A)]) -> Script {
        let mut s = Script::default();
        for (key, a) in answers {
            s.answers.entry(key).or_default().push_back(a.clone());
        }
        s
    }

    fn next(&mut self, key: &str) -> Option<A> {
        self.asked.push(key.to_string());
        // A flow that keeps asking is a failure, not a hang.
        assert!(
            self.asked.len() < 300,
            "still asking: {:?}",
            &self.asked[..40]
        );
        match self.answers.get_mut(key).and_then(VecDeque::pop_front) {
            Some(A::Enter) => None,
            other => other,
        }
    }

    fn was_asked(&self, key: &str) -> bool {
        self.asked.iter().any(|k| k == key)
    }

    fn times_asked(&self, key: &str) -> usize {
        self.asked.iter().filter(|k| *k == key).count()
    }

    /// Fails when a scripted answer was never used: the question it was for was not asked.
    fn assert_used(&self) {
        for (key, left) in &self.answers {
            assert!(
                left.is_empty(),
                "{key} not asked: {left:?}; asked {:?}",
                self.asked
            );
        }
    }
}

impl Prompter for Script {
    fn say(&mut self, text: &str) {
        self.said.push_str(text);
        self.said.push('\n');
    }

    fn input(&mut self, key: &str, _prompt: &str, default: &str) -> Result<String> {
        Ok(match self.next(key) {
            None => default.to_string(),
            Some(A::Text(t)) => t.to_string(),
            Some(other) => panic!("{key}: {other:?} for a text prompt"),
        })
    }

    fn confirm(&mut self, key: &str, _prompt: &str, default: bool) -> Result<bool> {
        Ok(match self.next(key) {
            None => default,
            Some(A::Yes) => true,
            Some(A::No) => false,
            Some(other) => panic!("{key}: {other:?} for a confirm"),
        })
    }

    fn select(
        &mut self,
        key: &str,
        _prompt: &str,
        items: &[String],
        default: usize,
    ) -> Result<usize> {
        Ok(match self.next(key) {
            None => default,
            Some(A::Pick(text)) => items
                .iter()
                .position(|i| i.contains(text))
                .unwrap_or_else(|| panic!("{key}: no item {text:?} in {items:?}")),
            Some(other) => panic!("{key}: {other:?} for a select"),
        })
    }

    fn multi_select(
        &mut self,
        key: &str,
        _prompt: &str,
        items: &[String],
        checked: &[bool],
    ) -> Result<Vec<usize>> {
        let item_key = |i: usize| items[i].split_whitespace().next().unwrap_or("").to_string();
        Ok(match self.next(key) {
            None => (0..items.len()).filter(|&i| checked[i]).collect(),
            Some(A::Keys(keys)) => (0..items.len())
                .filter(|&i| keys.contains(&item_key(i).as_str()))
                .collect(),
            Some(A::Without(keys)) => (0..items.len())
                .filter(|&i| checked[i] && !keys.contains(&item_key(i).as_str()))
                .collect(),
            Some(other) => panic!("{key}: {other:?} for a multi-select"),
        })
    }

    // No wrapping, so that messages can be compared whole.
    fn width(&self) -> usize {
        10_000
    }
}

const SEED: &str = "[project]\nname = \"demo\"\nregion = \"us-east-1\"\n";

fn fresh() -> Start {
    Start {
        base: SEED.into(),
        preset: None,
        ask_all: false,
        format: Some(Format::Terraform),
    }
}

fn preset(name: &str, ask_all: bool) -> Start {
    let text = smgen::presets::find(name).unwrap().text;
    Start {
        base: text.into(),
        preset: Some(toml::from_str(text).unwrap()),
        ask_all,
        format: Some(Format::Terraform),
    }
}

fn run(start: &Start, answers: &[(&'static str, A)]) -> (Script, Outcome) {
    let mut script = Script::new(answers);
    let outcome = wizard::run(&mut script, start).unwrap();
    script.assert_used();
    (script, outcome)
}

fn written(outcome: Outcome) -> (Valid, Format) {
    match outcome {
        Outcome::Write { spec, format } => (*spec, format),
        Outcome::Quit => panic!("the wizard quit"),
    }
}

/// What `--set` says about a value, for comparing with what the prompt said.
fn set_error(set: &str) -> String {
    let src = SpecSource::Config {
        origin: "smgen.toml".into(),
        text: SEED.into(),
    };
    spec::load(&src, &[set.to_string()])
        .unwrap_err()
        .to_string()
}

#[test]
fn all_defaults_are_the_secure_spec_and_skip_the_conditional_questions() {
    let (s, outcome) = run(&fresh(), &[]);
    let (spec, format) = written(outcome);
    let expected = spec::load(
        &SpecSource::Config {
            origin: "x".into(),
            text: SEED.into(),
        },
        &[],
    )
    .unwrap();
    assert_eq!(spec, expected);
    assert_eq!(format, Format::Terraform);
    assert_eq!(spec.network.mode, NetworkMode::VpcOnly);
    assert_eq!(
        spec.network.endpoints,
        EndpointChoice::Keyword("auto".into())
    );
    for key in [
        "project.name",
        "network.mode",
        "network.vpc.cidr",
        "network.nat",
        "network.endpoints",
        "studio.presigned_url.restrict",
        "jobs.network_isolation",
        "confirm",
    ] {
        assert!(s.was_asked(key), "{key} not asked: {:?}", s.asked);
    }
    for key in [
        "format",
        "network.vpc.vpc_id",
        "network.vpc.subnet_ids",
        "notebook.names",
        "notebook.direct_internet_access",
        "studio.presigned_url.source_ips",
        "encryption.key_arn",
        "network.endpoints.keep",
    ] {
        assert!(!s.was_asked(key), "{key} asked: {:?}", s.asked);
    }
    // The summary: resources by kind, endpoints with reasons, no findings.
    assert!(
        s.said.contains("Summary: demo in us-east-1 (terraform)"),
        "{}",
        s.said
    );
    assert!(s.said.contains("Studio domain"), "{}", s.said);
    assert!(
        s.said
            .contains("sagemaker.api: VpcOnly Studio cannot start apps"),
        "{}",
        s.said
    );
    assert!(s.said.contains("Findings: none"), "{}", s.said);
    // The cost line is explain's: interface endpoints per AZ and the KMS key, priced in us-east-1.
    let cost = s
        .said
        .split("Monthly cost (list prices, see `smgen explain`):\n")
        .nth(1)
        .and_then(|rest| rest.split("\nFindings").next())
        .unwrap_or_else(|| panic!("no cost line: {}", s.said));
    assert!(cost.contains("monthly baseline ≈ $"), "{cost}");
    assert!(cost.contains("KMS key"), "{cost}");
    assert!(cost.contains("interface endpoint"), "{cost}");
}

#[test]
fn the_format_is_asked_when_not_given() {
    let start = Start {
        format: None,
        ..fresh()
    };
    let (s, outcome) = run(&start, &[("format", A::Pick("cloudformation"))]);
    assert_eq!(s.asked[0], "format");
    assert_eq!(written(outcome).1, Format::CloudFormation);
}

#[test]
fn public_only_asks_no_nat_and_no_endpoints() {
    let (s, outcome) = run(&fresh(), &[("network.mode", A::Pick("Public only"))]);
    assert!(!s.was_asked("network.nat"));
    assert!(!s.was_asked("network.endpoints"));
    assert!(s.was_asked("network.vpc.create"));
    assert_eq!(written(outcome).0.network.mode, NetworkMode::PublicOnly);
}

#[test]
fn reusing_a_vpc_asks_its_ids_and_checks_them_as_set_does() {
    let (s, outcome) = run(
        &fresh(),
        &[
            ("network.vpc.create", A::No),
            ("network.vpc.vpc_id", A::Text("vpc-0123456789abcdef0")),
            ("network.vpc.subnet_ids", A::Text("subnet-nope")),
            (
                "network.vpc.subnet_ids",
                A::Text("subnet-0123456789abcdef0, subnet-0fedcba9876543210"),
            ),
            (
                "network.vpc.route_table_ids",
                A::Text("rtb-0123456789abcdef0"),
            ),
        ],
    );
    for key in ["network.vpc.cidr", "network.vpc.azs", "network.nat"] {
        assert!(!s.was_asked(key), "{key}");
    }
    assert_eq!(s.times_asked("network.vpc.subnet_ids"), 2);
    let expected = spec::load(
        &SpecSource::Config {
            origin: "x".into(),
            text: SEED.into(),
        },
        &[
            "network.vpc.create=false".into(),
            "network.vpc.vpc_id=vpc-0123456789abcdef0".into(),
            "network.vpc.subnet_ids=[\"subnet-nope\"]".into(),
        ],
    )
    .unwrap_err()
    .to_string();
    assert!(
        expected.starts_with("network.vpc.subnet_ids:"),
        "{expected}"
    );
    assert!(s.said.contains(&format!("error: {expected}")), "{}", s.said);
    let spec = written(outcome).0;
    assert!(!spec.network.vpc.create);
    assert_eq!(spec.network.vpc.subnet_ids.len(), 2);
    assert_eq!(spec.network.vpc.route_table_ids, ["rtb-0123456789abcdef0"]);
}

#[test]
fn a_bad_cidr_or_number_is_asked_again_with_the_config_message() {
    let (s, outcome) = run(
        &fresh(),
        &[
            ("network.vpc.cidr", A::Text("10.0.0.1/16")),
            ("network.vpc.cidr", A::Text("10.0.0.0/16")),
            ("network.vpc.azs", A::Text("three")),
            ("network.vpc.azs", A::Text("9")),
            ("network.vpc.azs", A::Text("3")),
            ("project.region", A::Text("eu-west-9")),
            ("project.region", A::Text("eu-west-1")),
        ],
    );
    assert!(
        s.said.contains(&format!(
            "error: {}",
            set_error("network.vpc.cidr=10.0.0.1/16")
        )),
        "{}",
        s.said
    );
    assert!(
        s.said
            .contains(&format!("error: {}", set_error("network.vpc.azs=9"))),
        "{}",
        s.said
    );
    assert!(
        s.said
            .contains(&format!("error: {}", set_error("project.region=eu-west-9")))
    );
    // A type error: the --set message without its --set framing.
    let typed = set_error("network.vpc.azs=three");
    let message = typed.split_once(": ").unwrap().1;
    assert!(
        s.said
            .contains(&format!("error: network.vpc.azs: {message}")),
        "{}",
        s.said
    );
    let spec = written(outcome).0;
    assert_eq!(spec.network.vpc.cidr, "10.0.0.0/16");
    assert_eq!(spec.network.vpc.azs, 3);
    assert_eq!(spec.project.region, "eu-west-1");
}

#[test]
fn notebooks_open_their_questions_and_no_studio_closes_its_own() {
    let (s, outcome) = run(
        &fresh(),
        &[
            ("needs.studio", A::No),
            ("needs.notebook_instances", A::Yes),
            ("notebook.names", A::Text("lab, scratch")),
            ("notebook.volume_size_gb", A::Text("40")),
        ],
    );
    for key in [
        "studio.auth_mode",
        "studio.user_profiles",
        "studio.presigned_url.restrict",
    ] {
        assert!(!s.was_asked(key), "{key}");
    }
    for key in [
        "notebook.instance_type",
        "notebook.root_access",
        "notebook.direct_internet_access",
    ] {
        assert!(s.was_asked(key), "{key}");
    }
    let spec = written(outcome).0;
    assert!(!spec.needs.studio);
    assert_eq!(spec.notebook.names, ["lab", "scratch"]);
    assert_eq!(spec.notebook.volume_size_gb, 40);
}

#[test]
fn the_presigned_url_restriction_is_asked_in_iam_mode_only() {
    let (s, _) = run(&fresh(), &[("studio.auth_mode", A::Pick("SSO"))]);
    assert!(!s.was_asked("studio.presigned_url.restrict"));
    let (s, outcome) = run(
        &fresh(),
        &[
            ("studio.presigned_url.restrict", A::Pick("Source IP")),
            ("studio.presigned_url.source_ips", A::Text("203.0.113.0/24")),
        ],
    );
    assert!(s.was_asked("studio.presigned_url.source_ips"));
    assert_eq!(
        written(outcome).0.studio.presigned_url.source_ips,
        ["203.0.113.0/24"]
    );
}

#[test]
fn an_existing_key_asks_for_its_arn() {
    let arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let (s, outcome) = run(
        &fresh(),
        &[
            ("encryption.kms", A::Pick("existing")),
            ("encryption.key_arn", A::Text(arn)),
        ],
    );
    assert!(s.was_asked("encryption.key_arn"));
    assert_eq!(written(outcome).0.encryption.key_arn.as_deref(), Some(arn));
}

#[test]
fn removing_a_needed_endpoint_shows_its_finding_before_it_is_kept() {
    // First removal is taken back, the second kept; the error then blocks writing.
    let (s, outcome) = run(
        &fresh(),
        &[
            ("network.endpoints", A::Without(&["sagemaker.api"])),
            ("network.endpoints.keep", A::No),
            ("network.endpoints", A::Without(&["sagemaker.api"])),
            ("network.endpoints.keep", A::Yes),
            ("confirm", A::Pick("Quit")),
        ],
    );
    assert!(s.said.contains("This selection causes:"), "{}", s.said);
    assert!(
        s.said
            .contains("error: network.endpoints: 'sagemaker.api' is not listed"),
        "{}",
        s.said
    );
    assert!(s.said.contains("Errors block writing"), "{}", s.said);
    assert_eq!(outcome, Outcome::Quit);
}

#[test]
fn a_custom_endpoint_selection_is_written_as_a_list() {
    let (s, outcome) = run(
        &fresh(),
        &[
            ("network.nat", A::Pick("Single")),
            (
                "network.endpoints",
                A::Keys(&["s3", "sagemaker.api", "sts"]),
            ),
        ],
    );
    // With NAT only S3 is needed: adding endpoints causes no finding, so nothing to confirm.
    assert!(!s.was_asked("network.endpoints.keep"));
    let spec = written(outcome).0;
    assert_eq!(spec.network.nat, Nat::Single);
    assert_eq!(
        spec.network.endpoints,
        EndpointChoice::List(vec!["s3".into(), "sagemaker.api".into(), "sts".into()])
    );
}

#[test]
fn a_preset_asks_only_what_it_leaves_open() {
    let (s, outcome) = run(&preset("vpc-only-nat", false), &[]);
    for key in ["network.mode", "network.nat", "needs.pip"] {
        assert!(!s.was_asked(key), "{key}");
    }
    // A preset's name and Region are examples: asked anyway, the preset's as defaults.
    for key in [
        "project.name",
        "project.region",
        "network.endpoints",
        "needs.notebook_instances",
        "needs.experiments",
    ] {
        assert!(s.was_asked(key), "{key}");
    }
    let expected = spec::load(&SpecSource::Preset("vpc-only-nat".into()), &[]).unwrap();
    assert_eq!(written(outcome).0, expected);

    let (s, _) = run(&preset("vpc-only-nat", true), &[]);
    assert!(s.was_asked("project.name") && s.was_asked("network.nat"));
}

#[test]
fn changing_answers_drops_those_whose_question_no_longer_applies() {
    let (s, outcome) = run(
        &fresh(),
        &[
            ("network.mode", A::Enter),
            ("network.nat", A::Pick("Per AZ")),
            ("confirm", A::Pick("Change answers")),
            ("network.mode", A::Pick("Public only")),
        ],
    );
    assert_eq!(s.times_asked("network.nat"), 1);
    assert_eq!(s.times_asked("confirm"), 2);
    let spec = written(outcome).0;
    assert_eq!(spec.network.mode, NetworkMode::PublicOnly);
    assert_eq!(spec.network.nat, Nat::None);
}

#[test]
fn quitting_at_the_confirm_writes_nothing() {
    let (_, outcome) = run(&fresh(), &[("confirm", A::Pick("Quit"))]);
    assert_eq!(outcome, Outcome::Quit);
}

#[test]
fn a_question_mark_shows_the_help_again() {
    let (s, _) = run(&fresh(), &[("project.name", A::Text("?"))]);
    assert_eq!(s.times_asked("project.name"), 2);
    let help = "Prefix of every resource name";
    assert_eq!(s.said.matches(help).count(), 2, "{}", s.said);
}

#[test]
fn creating_the_vpc_from_the_existing_vpc_preset_drops_its_ids() {
    let (s, outcome) = run(
        &preset("existing-vpc", true),
        &[("network.vpc.create", A::Yes)],
    );
    assert!(s.was_asked("network.vpc.cidr") && !s.was_asked("network.vpc.vpc_id"));
    let vpc = written(outcome).0.into_spec().network.vpc;
    assert!(vpc.create);
    assert!(vpc.vpc_id.is_none() && vpc.subnet_ids.is_empty() && vpc.route_table_ids.is_empty());
}

#[test]
fn a_preset_still_asks_name_and_region() {
    let (s, outcome) = run(
        &preset("regulated", false),
        &[
            ("project.name", A::Text("fraud-ml")),
            ("project.region", A::Text("ap-northeast-1")),
        ],
    );
    assert!(s.was_asked("project.name") && s.was_asked("project.region"));
    let spec = written(outcome).0;
    assert_eq!(spec.project.name, "fraud-ml");
    assert_eq!(spec.project.region, "ap-northeast-1");
}

#[test]
fn the_account_id_and_tags_are_asked_and_may_stay_empty() {
    // Empty: no account id, no tags.
    let (s, outcome) = run(&fresh(), &[]);
    for key in [
        "project.account_id",
        "project.tags.CostCenter",
        "project.tags.Owner",
    ] {
        assert!(s.was_asked(key), "{key}");
    }
    let spec = written(outcome).0;
    assert_eq!(spec.project.account_id, None);
    assert!(spec.project.tags.is_empty(), "{:?}", spec.project.tags);
    // Given: recorded; a bad account id is asked again with the config's message.
    let (s, outcome) = run(
        &fresh(),
        &[
            ("project.account_id", A::Text("1234")),
            ("project.account_id", A::Text("123456789012")),
            ("project.tags.CostCenter", A::Text("ML-42")),
            ("project.tags.Owner", A::Text("ml-platform")),
        ],
    );
    assert!(
        s.said.contains(&format!(
            "error: {}",
            set_error("project.account_id=\"1234\"")
        )),
        "{}",
        s.said
    );
    let spec = written(outcome).0;
    assert_eq!(spec.project.account_id.as_deref(), Some("123456789012"));
    assert_eq!(spec.project.tags["CostCenter"], "ML-42");
    assert_eq!(spec.project.tags["Owner"], "ml-platform");
}

/// A prompter that records rejections and the prefill of each re-ask.
#[test]
fn a_rejected_answer_is_taken_back_and_offered_again_prefilled() {
    struct Rejects {
        inner: Script,
        rejected: Vec<(String, String)>,
        prefills: Vec<String>,
    }
    impl Prompter for Rejects {
        fn say(&mut self, text: &str) {
            self.inner.say(text)
        }
        fn input(&mut self, key: &str, prompt: &str, default: &str) -> Result<String> {
            self.inner.input(key, prompt, default)
        }
        fn confirm(&mut self, key: &str, prompt: &str, default: bool) -> Result<bool> {
            self.inner.confirm(key, prompt, default)
        }
        fn select(&mut self, k: &str, p: &str, items: &[String], d: usize) -> Result<usize> {
            self.inner.select(k, p, items, d)
        }
        fn multi_select(
            &mut self,
            k: &str,
            p: &str,
            items: &[String],
            c: &[bool],
        ) -> Result<Vec<usize>> {
            self.inner.multi_select(k, p, items, c)
        }
        fn reject(&mut self, key: &str, _prompt: &str, answer: &str, message: &str) {
            self.rejected.push((key.into(), answer.into()));
            self.inner.say(message);
        }
        fn input_again(
            &mut self,
            key: &str,
            prompt: &str,
            default: &str,
            rejected: &str,
        ) -> Result<String> {
            self.prefills.push(rejected.into());
            self.inner.input(key, prompt, default)
        }
    }
    let mut p = Rejects {
        inner: Script::new(&[
            ("network.vpc.cidr", A::Text("10.0.0.1/16")),
            ("network.vpc.cidr", A::Text("10.0.0.0/16")),
        ]),
        rejected: vec![],
        prefills: vec![],
    };
    let outcome = wizard::run(&mut p, &fresh()).unwrap();
    p.inner.assert_used();
    assert_eq!(
        p.rejected,
        vec![("network.vpc.cidr".to_string(), "10.0.0.1/16".to_string())]
    );
    assert_eq!(p.prefills, vec!["10.0.0.1/16".to_string()]);
    assert_eq!(written(outcome).0.network.vpc.cidr, "10.0.0.0/16");
}

#[test]
fn change_answers_after_an_error_goes_to_the_question_that_caused_it() {
    // Public pip without NAT in VPC only mode blocks writing (a finding on needs.pip).
    let (s, outcome) = run(
        &fresh(),
        &[
            ("needs.pip", A::Pick("Public index")),
            ("confirm", A::Pick("Change answers")),
            ("needs.pip", A::Pick("CodeArtifact")),
        ],
    );
    assert!(s.said.contains("Errors block writing"), "{}", s.said);
    assert_eq!(s.times_asked("needs.pip"), 2);
    // Straight there: nothing before it is asked again.
    for key in ["project.name", "network.mode", "network.nat"] {
        assert_eq!(s.times_asked(key), 1, "{key}");
    }
    assert_eq!(s.times_asked("confirm"), 2);
    assert_eq!(written(outcome).0.needs.pip, smgen::spec::Pip::Codeartifact);
}

#[test]
fn the_summary_counts_nat_gateways_not_zones() {
    let (s, outcome) = run(
        &fresh(),
        &[
            ("network.nat", A::Pick("Single")),
            ("network.vpc.azs", A::Text("3")),
        ],
    );
    let spec = written(outcome).0;
    assert_eq!(spec.network.nat, Nat::Single);
    assert!(s.said.contains("NAT gateways           1"), "{}", s.said);
}
