//! Property tests: any value that validation accepts in a free-text field (tag keys and values,
//! S3 key prefixes, user profile names, IAM role ARNs with paths, existing bucket names) renders
//! into output that real parsers read — Terraform with `hcl-rs`, CloudFormation YAML with
//! `serde_yaml` (short-form intrinsics are kept as tagged values), the JSON policies with
//! `serde_json`, the CDK TypeScript by a string-literal reader that rejects malformed
//! literals — and the value reads back exactly. `PROPTEST_CASES` sets the number of cases
//! (default 48, to keep `cargo test` quick on two cores).
//!
//! Also here: a scan of the templates proving that every `{{ … }}` interpolation is an escaped
//! fragment, so no template can print spec text raw.

use proptest::prelude::*;
use smgen::render::{self, Format, hcl as hcl_out};
use smgen::spec::{self, SpecSource};
use std::collections::{BTreeMap, BTreeSet};

// ---------------------------------------------------------------------------------------------
// Generators: the values AWS's rules (and so smgen's validation) accept.
// ---------------------------------------------------------------------------------------------

const TAG_CHARS: &str = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]";

fn tag_key() -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("{TAG_CHARS}{{1,24}}"))
        .expect("regex")
        .prop_filter("reserved or smgen's own", |k| {
            !k.to_ascii_lowercase().starts_with("aws:")
                && !["Name", "Project", "ManagedBy"].contains(&k.as_str())
        })
}

/// 1 to 40 characters: SageMaker's CloudFormation resources refuse an empty tag value.
fn tag_value() -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("{TAG_CHARS}{{1,40}}"))
        .expect("regex")
        .prop_filter("reserved", |v| !v.to_ascii_lowercase().starts_with("aws:"))
}

/// Anything but control characters, IAM wildcards and variables, and S3's characters to avoid.
fn prefix() -> impl Strategy<Value = String> {
    let c = r#"[^\x00-\x1f\x7f-\x9f*?$\\{}^%`\]"><\[~#|]"#;
    proptest::string::string_regex(&format!("{}{c}{{0,24}}", c.replace("[^", "[^/")))
        .expect("regex")
}

fn profile() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9](-{0,2}[a-zA-Z0-9]){0,20}").expect("regex")
}

/// A role ARN whose path uses IAM's whole path alphabet (`!` through `~`, less `/` and `$`).
fn role_arn() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        r"arn:aws:iam::[0-9]{12}:role(/[!-#%-.0-~]{1,8}){0,2}/[a-zA-Z0-9+=,.@_*-]{1,20}",
    )
    .expect("regex")
}

fn existing_bucket() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-w][a-z0-9]{2,8}(-[a-z0-9]{1,6}|\\.[a-z][a-z0-9]{0,6}){0,3}")
        .expect("regex")
}

#[derive(Debug, Clone)]
struct Values {
    tags: BTreeMap<String, String>,
    prefix: String,
    profile: String,
    role: String,
    existing: String,
}

fn values() -> impl Strategy<Value = Values> {
    (
        proptest::collection::btree_map(tag_key(), tag_value(), 1..4),
        prefix(),
        profile(),
        role_arn(),
        existing_bucket(),
    )
        .prop_map(|(tags, prefix, profile, role, existing)| Values {
            tags,
            prefix,
            profile,
            role,
            existing,
        })
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.into()).to_string()
}

fn spec_text(v: &Values) -> String {
    let tags: Vec<String> = v
        .tags
        .iter()
        .map(|(k, val)| format!("{} = {}", toml_str(k), toml_str(val)))
        .collect();
    format!(
        "[project]\nname = \"prop\"\nregion = \"eu-west-1\"\ntags = {{ {} }}\n\
         [studio]\nuser_profiles = [{}]\n\
         [jobs]\nisolation_exceptions = [{}]\n\
         [[data.buckets]]\nname = \"data\"\nprefixes = [{}]\n\
         [[data.buckets]]\nexisting = {}\nprefixes = [{}]\naccess = \"read-only\"\n",
        tags.join(", "),
        toml_str(&v.profile),
        toml_str(&v.role),
        toml_str(&v.prefix),
        toml_str(&v.existing),
        toml_str(&v.prefix),
    )
}

// ---------------------------------------------------------------------------------------------
// Readers: what each format's parser sees as strings.
// ---------------------------------------------------------------------------------------------

/// Every string an output holds, and every (key, value) pair of strings in its maps.
#[derive(Default, Debug)]
struct Strings {
    all: BTreeSet<String>,
    pairs: BTreeSet<(String, String)>,
}

impl Strings {
    fn has(&self, s: &str) -> bool {
        self.all.contains(s)
    }
}

fn hcl_expr(e: &hcl::Expression, out: &mut Strings) {
    use hcl::{Expression as E, ObjectKey};
    match e {
        E::String(s) => {
            out.all.insert(s.clone());
        }
        E::TemplateExpr(t) => {
            let tpl = hcl::Template::from_expr(t).expect("template parses");
            let mut whole = String::new();
            let mut literal_only = true;
            for el in tpl.elements() {
                match el {
                    hcl::template::Element::Literal(l) => {
                        whole.push_str(l);
                        out.all.insert(l.clone());
                    }
                    _ => literal_only = false,
                }
            }
            if literal_only {
                out.all.insert(whole);
            }
        }
        E::Array(items) => items.iter().for_each(|i| hcl_expr(i, out)),
        E::Object(obj) => {
            for (k, v) in obj {
                let key = match k {
                    ObjectKey::Identifier(id) => Some(id.to_string()),
                    ObjectKey::Expression(E::String(s)) => Some(s.clone()),
                    ObjectKey::Expression(other) => {
                        hcl_expr(other, out);
                        None
                    }
                    _ => None,
                };
                if let (Some(key), E::String(val)) = (&key, v) {
                    out.pairs.insert((key.clone(), val.clone()));
                }
                if let Some(key) = key {
                    out.all.insert(key);
                }
                hcl_expr(v, out);
            }
        }
        E::FuncCall(f) => f.args.iter().for_each(|a| hcl_expr(a, out)),
        E::Parenthesis(p) => hcl_expr(p, out),
        _ => {}
    }
}

fn hcl_body(b: &hcl::Body, out: &mut Strings) {
    for s in b.iter() {
        match s {
            hcl::Structure::Attribute(a) => hcl_expr(&a.expr, out),
            hcl::Structure::Block(bl) => {
                for l in &bl.labels {
                    out.all.insert(l.as_str().to_string());
                }
                hcl_body(&bl.body, out);
            }
        }
    }
}

fn yaml_value(v: &serde_yaml::Value, out: &mut Strings) {
    use serde_yaml::Value as Y;
    match v {
        Y::String(s) => {
            out.all.insert(s.clone());
        }
        Y::Sequence(items) => items.iter().for_each(|i| yaml_value(i, out)),
        Y::Mapping(m) => {
            if let (Some(Y::String(k)), Some(Y::String(val))) = (m.get("Key"), m.get("Value")) {
                out.pairs.insert((k.clone(), val.clone()));
            }
            for (k, val) in m {
                yaml_value(k, out);
                yaml_value(val, out);
            }
        }
        Y::Tagged(t) => yaml_value(&t.value, out),
        _ => {}
    }
}

fn json_value(v: &serde_json::Value, out: &mut Strings) {
    use serde_json::Value as J;
    match v {
        J::String(s) => {
            out.all.insert(s.clone());
        }
        J::Array(items) => items.iter().for_each(|i| json_value(i, out)),
        J::Object(m) => {
            for (k, val) in m {
                out.all.insert(k.clone());
                json_value(val, out);
            }
        }
        _ => {}
    }
}

/// The string literals of a TypeScript source, unescaped; an error names the first malformed
/// one (a raw line break, a bad escape, or no closing quote). Comments, template literals and
/// regular-expression literals are skipped.
fn ts_literals(src: &str) -> Result<Vec<String>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    let mut prev_sig = ' ';
    while i < chars.len() {
        let c = chars[i];
        match c {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
                continue;
            }
            '/' if "(,=:[!&|?{};".contains(prev_sig) => {
                // A regular-expression literal.
                i += 1;
                let mut class = false;
                while i < chars.len() && (class || chars[i] != '/') {
                    match chars[i] {
                        '\\' => i += 1,
                        '[' => class = true,
                        ']' => class = false,
                        _ => {}
                    }
                    i += 1;
                }
            }
            '`' => {
                i += 1;
                while i < chars.len() && chars[i] != '`' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            '\'' | '"' => {
                let (lit, next) = ts_literal(&chars, i)?;
                out.push(lit);
                i = next;
                prev_sig = 'x';
                continue;
            }
            _ => {}
        }
        if !c.is_whitespace() {
            prev_sig = c;
        }
        i += 1;
    }
    Ok(out)
}

fn ts_literal(chars: &[char], start: usize) -> Result<(String, usize), String> {
    let quote = chars[start];
    let context = || {
        chars[start..chars.len().min(start + 60)]
            .iter()
            .collect::<String>()
    };
    let mut s = String::new();
    let mut i = start + 1;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(format!("unterminated literal: {}", context()));
        };
        match c {
            c if c == quote => return Ok((s, i + 1)),
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => {
                return Err(format!("raw line terminator in literal: {:?}", context()));
            }
            '\\' => {
                let e = *chars.get(i + 1).ok_or("escape at end of input")?;
                i += 2;
                let hex = |from: usize, n: usize| -> Result<u32, String> {
                    let h: String = chars
                        .get(from..from + n)
                        .ok_or("short escape")?
                        .iter()
                        .collect();
                    u32::from_str_radix(&h, 16).map_err(|_| format!("bad hex escape {h:?}"))
                };
                let ch = match e {
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'v' => '\u{b}',
                    '0' if !chars.get(i).is_some_and(|d| d.is_ascii_digit()) => '\0',
                    '\'' | '"' | '\\' => e,
                    'x' => {
                        let v = hex(i, 2)?;
                        i += 2;
                        char::from_u32(v).ok_or("bad \\x")?
                    }
                    'u' => {
                        let v = hex(i, 4)?;
                        i += 4;
                        char::from_u32(v).ok_or("\\u escape of a surrogate")?
                    }
                    other => return Err(format!("unknown escape \\{other}: {:?}", context())),
                };
                s.push(ch);
                continue;
            }
            c => s.push(c),
        }
        i += 1;
    }
}

/// Renders `text` in every format and reads each output back with its format's parser.
fn read_all(text: &str) -> BTreeMap<&'static str, Strings> {
    let spec = spec::load(
        &SpecSource::Config {
            origin: "prop.toml".into(),
            text: text.into(),
        },
        &[],
    )
    .unwrap_or_else(|e| panic!("validation refused a value AWS accepts: {e}\n{text}"));
    let model = smgen::model::resolve(&spec);
    let mut out = BTreeMap::new();
    for format in Format::ALL {
        let name = format.name();
        let set = render::render(&model, &spec, format).expect("renders");
        let mut strings = Strings::default();
        let mut json = Strings::default();
        for (path, contents) in &set.files {
            if path.ends_with(".tf") || path.ends_with(".tftest.hcl") {
                let body = hcl::parse(contents)
                    .unwrap_or_else(|e| panic!("{path} is not HCL: {e}\n{text}"));
                hcl_body(&body, &mut strings);
            } else if path.ends_with(".yaml") {
                let doc: serde_yaml::Value = serde_yaml::from_str(contents)
                    .unwrap_or_else(|e| panic!("{path} is not YAML: {e}\n{text}"));
                yaml_value(&doc, &mut strings);
            } else if path.ends_with(".json") {
                let doc: serde_json::Value = serde_json::from_str(contents)
                    .unwrap_or_else(|e| panic!("{path} is not JSON: {e}\n{text}"));
                json_value(&doc, &mut json);
            } else if path.ends_with(".ts") {
                let lits = ts_literals(contents).unwrap_or_else(|e| panic!("{path}: {e}\n{text}"));
                for pair in lits.windows(2) {
                    strings.pairs.insert((pair[0].clone(), pair[1].clone()));
                }
                strings.all.extend(lits);
            }
        }
        out.insert(name, strings);
        out.insert(
            match format {
                Format::Terraform => "terraform json",
                Format::CloudFormation => "cloudformation json",
                Format::Cdk => "cdk json",
            },
            json,
        );
    }
    out
}

fn check(v: &Values) -> Result<(), TestCaseError> {
    let text = spec_text(v);
    let outputs = read_all(&text);
    let object_prefix = format!("{}*", v.prefix);
    for (name, s) in &outputs {
        // The JSON files are the standalone policies: prefixes and role ARNs, no tags or profiles.
        let policies_only = name.ends_with("json");
        prop_assert!(
            s.has(&object_prefix),
            "{name}: prefix {:?} did not read back",
            v.prefix
        );
        prop_assert!(
            s.has(&v.role),
            "{name}: role ARN {:?} did not read back",
            v.role
        );
        // The existing bucket with its prefix, as an object ARN (a `!Sub` string in CloudFormation).
        let partition = if *name == "cloudformation" {
            "${AWS::Partition}"
        } else {
            "aws"
        };
        let objects = format!("arn:{partition}:s3:::{}/{}*", v.existing, v.prefix);
        prop_assert!(s.has(&objects), "{name}: {objects:?} did not read back");
        if policies_only {
            continue;
        }
        prop_assert!(s.has(&v.profile), "{name}: profile {:?}", v.profile);
        for (k, val) in &v.tags {
            prop_assert!(
                s.pairs.contains(&(k.clone(), val.clone())),
                "{name}: tag {k:?} = {val:?} did not read back as a pair"
            );
        }
    }
    Ok(())
}

/// Counts every quota of `smgen::model::quotas::QUOTAS` on its own (not with the checker's
/// code where a count is simple) and requires either the count within the default or a
/// finding naming the quota.
fn quotas_hold(
    users: usize,
    azs: u8,
    nat: &str,
    notebooks: bool,
    keep_endpoints: bool,
) -> Result<(), TestCaseError> {
    use smgen::aws::endpoints::EndpointKind;
    use smgen::model;
    use smgen::model::quotas::{self, QUOTAS};
    use smgen::model::security::Direction;

    let names: Vec<String> = (0..users).map(|i| format!("\"u{i}\"")).collect();
    let mut sets = vec![
        format!("studio.user_profiles=[{}]", names.join(",")),
        format!("network.vpc.azs={azs}"),
        format!("network.nat={nat}"),
        format!("needs.notebook_instances={notebooks}"),
    ];
    if keep_endpoints && nat != "none" {
        sets.push("network.private_endpoints_with_nat=true".into());
    }
    let text =
        "[project]\nname = \"qq\"\nregion = \"eu-west-1\"\n[network.vpc]\ncidr = \"10.0.0.0/16\"\n";
    let spec = match spec::load(
        &SpecSource::Config {
            origin: "t".into(),
            text: text.into(),
        },
        &sets,
    ) {
        Ok(spec) => spec,
        // Validation refused it (too many users for the subnets): not an accepted number.
        Err(e) if e.to_string().contains("usable addresses") => return Ok(()),
        Err(e) => return Err(TestCaseError::fail(format!("{users} users: {e}"))),
    };
    let m = model::resolve(&spec);
    let named = |key: &str| {
        let q = QUOTAS.iter().find(|q| q.key == key).expect("a quota");
        m.findings
            .iter()
            .any(|f| f.message.contains(&format!("quota '{}'", q.name)))
    };
    let within = |key: &str, count: usize| -> Result<(), TestCaseError> {
        let q = QUOTAS.iter().find(|q| q.key == key).expect("a quota");
        prop_assert!(
            count <= q.default || named(key),
            "{users} users: {} = {count} > {} and no finding",
            q.name,
            q.default
        );
        Ok(())
    };
    for g in &m.security_groups {
        let n = |d| g.rules.iter().filter(|r| r.direction == d).count();
        within("sg-inbound-rules", n(Direction::Ingress))?;
        within("sg-outbound-rules", n(Direction::Egress))?;
    }
    for (_, n) in quotas::groups_per_interface(&m) {
        within("sgs-per-interface", n)?;
    }
    within("sgs-per-region", m.security_groups.len())?;
    let interface = m
        .endpoints
        .iter()
        .filter(|e| e.kind == EndpointKind::Interface)
        .count();
    within("interface-endpoints-per-vpc", interface)?;
    within(
        "gateway-endpoints-per-region",
        m.endpoints.len() - interface,
    )?;
    for e in &m.endpoints {
        within("endpoint-policy-chars", e.policy.max_len())?;
    }
    for r in &m.roles {
        within("managed-policies-per-role", r.policies.len())?;
        within("trust-policy-chars", r.trust.max_len())?;
        for p in r.policies.iter().chain(&r.boundary) {
            within("managed-policy-chars", p.document.max_len())?;
        }
    }
    for p in &m.access_policies {
        within("managed-policy-chars", p.document.max_len())?;
    }
    for b in &m.buckets {
        within("bucket-policy-bytes", b.policy.max_len())?;
    }
    if let Some(p) = &m.kms.policy {
        within("key-policy-bytes", p.max_len())?;
    }
    within("tags-per-resource", m.tags.len() + 1)?;
    // The endpoints' group never grows with the users (one rule per kind of workload).
    if let Some(ep) = m.security_groups.iter().find(|g| g.name == "endpoints") {
        prop_assert!(ep.rules.len() <= 4, "{users} users: {:?}", ep.rules);
    }
    // Nothing blocking: the project renders (what `generate` would write).
    if m.errors().next().is_none() && users <= 400 {
        render::render(&m, &spec, Format::Terraform)
            .map_err(|e| TestCaseError::fail(format!("{users} users: {e}")))?;
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(48)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn accepted_values_render_parse_and_read_back(v in values()) {
        check(&v)?;
    }

    /// Any number of user profiles validation accepts, up to past the 2,500 security groups a
    /// Region holds by default (the first quota one group per user reaches; SageMaker documents
    /// no user-profile quota per domain), renders within every AWS default quota the model can
    /// count, or carries the finding that names that quota.
    #[test]
    fn any_number_of_users_stays_within_every_quota_or_says_which(
        users in prop_oneof![0usize..=120, 121usize..=400, 2_400usize..=2_600],
        azs in 1u8..=3,
        nat in prop_oneof![Just("none"), Just("single"), Just("per-az")],
        notebooks in any::<bool>(),
        keep_endpoints in any::<bool>(),
    ) {
        quotas_hold(users, azs, nat, notebooks, keep_endpoints)?;
    }

    /// Below validation: any string at all stays one HCL string with exactly its value.
    #[test]
    fn any_string_is_one_hcl_string(s in proptest::collection::vec(any::<char>(), 0..48).prop_map(String::from_iter)) {
        let body = hcl::parse(&format!("x = {}\n", hcl_out::string(&s)))
            .map_err(|e| TestCaseError::fail(format!("{s:?}: {e}")))?;
        let mut out = Strings::default();
        hcl_body(&body, &mut out);
        prop_assert!(out.has(&s), "{s:?} read back as {:?}", out.all);
    }
}

#[test]
fn the_literal_reader_rejects_malformed_literals() {
    assert_eq!(ts_literals("f('a\\'b', \"c\")").unwrap(), ["a'b", "c"]);
    assert_eq!(ts_literals("x.replace(/'/g, '')").unwrap(), [""]);
    assert!(ts_literals("f('a\nb')").is_err());
    assert!(ts_literals("f('a\u{2028}b')").is_err());
    assert!(ts_literals("f('a\\qb')").is_err());
    assert!(ts_literals("f('abc").is_err());
}

// ---------------------------------------------------------------------------------------------
// Templates: every interpolation is an escaped fragment.
// ---------------------------------------------------------------------------------------------

/// Context keys that hold finished fragments, by how the renderers (src/render/terraform/,
/// cloudformation/, cdk/, standalone.rs) fill them: quoted literals built by `hcl::string`,
/// `yaml::scalar`, `typescript::string` or `serde_json`; expressions built by each format's
/// `Refs` (references, policy documents, tag blocks); logical names and identifiers (`snake`,
/// `pascal`: ASCII letters, digits, `_`); numbers and booleans; words from smgen's own tables
/// (partition, region, endpoint keys). A key in no list fails the scan: escape the value in the
/// renderer, then list the key.
const FRAGMENT_KEYS: &[&str] = &[
    // Terraform of several environments: the module's test inputs and each root's module call
    // are HCL strings and lists built by `hcl::string`/`list` in render/terraform/environments.rs;
    // `env` and `module_dir` are an environment's name (validated: lower-case letters, digits,
    // hyphens) and the module directory made from it.
    "vpc_cidr",
    "private_subnet_cidrs",
    "public_subnet_cidrs",
    "private",
    "public",
    "env",
    "module_dir",
    // The audit trail: names, ARNs and lists built by hcl::/yaml::/typescript:: and the
    // references renderers; `op` is the selector operator's property name (`equals`,
    // `startsWith`), `ty` a loop over TypeScript strings; day counts are numbers.
    "trail_name",
    "log_group_arn",
    "role_arn",
    "field",
    "op",
    "values",
    "role_policies",
    "ty",
    "prefixes",
    "retention_days",
    "days",
    "noncurrent_days",
    "depends_on",
    "selectors",
    // Lifecycle configurations and Studio app settings: settings block names and condition
    // scopes are fixed identifiers from Rust (`jupyter_lab_app_settings`, `DefaultUserSettings`),
    // idle minutes are numbers, the rest are escaped strings and references of each format; a
    // template's own macro (`self::app`) prints only such fragments, checked in its body.
    "block",
    "scope",
    "lifecycle_config",
    "timeout",
    "min",
    "max",
    "prefix",
    "app_type",
    "config_name",
    "file",
    "script",
    "construct",
    "content",
    "self::app(a=a)",
    // Creation-order references: typescript::string keys and HCL/TypeScript lists of
    // resource addresses built from logical names.
    "target",
    // A reused endpoint's id (hcl::string / typescript::string) and its HCL address.
    "existing_id",
    // The CloudFormation account rule: the account id and its message, yaml-escaped.
    "account_rule_id",
    "account_rule_message",
    "address",
    "flow_log_attachments",
    "flow_log_policies",
    "flow_log_policies_in_stack",
    "log_policy",
    // The job and SDK defaults: HCL objects of view::sdk's trees (hcl::Refs::value).
    "defaults",
    "sdk_config",
    "access",
    "account_default",
    "az_id",
    "domain_name",
    "path",
    "alias",
    "app",
    "assoc",
    "auth_mode",
    "boundary",
    "bucket",
    "bucket_name",
    "cidr",
    "command",
    "constraint",
    "d",
    "default",
    "default_sgs",
    "description",
    "destination",
    "direct_internet",
    "document",
    "egress",
    "eip",
    "encryption",
    "exec_attachments",
    "exec_policies",
    "execution_role",
    "existing_arn",
    "existing_key_arn",
    "export",
    "fields",
    "from_port",
    "gateway",
    "group",
    "group_name",
    "icte",
    "id",
    "igw_name",
    "igw_tags",
    "index",
    "ingress",
    "instance_name",
    "instance_type",
    "k",
    "key",
    "key_arn",
    "key_obj",
    "key_policy",
    "kms_key",
    "label",
    "length",
    "line",
    "log_bucket",
    "log_group_name",
    "log_prefix",
    "logical",
    "lookup_id",
    "method",
    "n",
    "name",
    "name_c",
    "name_q",
    "nat",
    "nat_key",
    "nat_name",
    "nat_tags",
    "network_isolation",
    "p",
    "param",
    "parameters_json",
    "partition",
    "pattern",
    "peer",
    "peer_attr",
    "policy",
    "policy_logical",
    "policy_name",
    "port",
    "private_cidr",
    "private_name",
    "private_route_tables",
    "private_subnets",
    "private_tags",
    "profile_name",
    "protocol",
    "public_assoc",
    "public_cidr",
    "public_name",
    "public_rt_name",
    "public_rt_tags",
    "public_subnet",
    "public_tags",
    "region",
    "region_assert",
    "region_raw",
    "retention",
    "role",
    "role_name",
    "root_access",
    "route",
    "route_table_ids",
    "route_tables",
    "rt",
    "rt_name",
    "rt_tags",
    "sg",
    "service_name",
    "sgs",
    "sid",
    "skips",
    "space_sgs",
    "sse",
    "stack_class",
    "stack_id",
    "stack_name",
    "subnet",
    "subnet_ids",
    "subnets",
    "suffix",
    "tag_name",
    "tags",
    "test_account",
    "test_account_raw",
    "to_port",
    "trust",
    "type",
    "up",
    "value",
    "volume",
    "vpc_id",
    "what",
    "why",
    "zones",
    // The CDK app of several environments: module paths and literals built by
    // render/cdk/mod.rs (`typescript::string`), class names, the test files' paths.
    "account",
    "blocks",
    "import",
    "lib_root",
    "main_class",
    "stack_import",
    "stack_module",
    "stage_import",
    "test_files",
];

/// Prose, not escaped for any format: may be printed only in comments and in Markdown.
const TEXT_KEYS: &[&str] = &[
    // The Terraform environments' and module's READMEs (Markdown): module directories,
    // environment names, lifecycle script paths, the test's example block.
    "module",
    "m",
    "l",
    "dir",
    "vpc_cidr_raw",
    "purpose",
    "reason",
    "source",
    "text",
    "message",
    "choice",
    "severity",
    "access_raw",
    "description_raw",
    "default_raw",
    "rules",
    // A lifecycle script's path (validated: `lifecycle/<letters, digits, . _ ->.sh`) and the
    // hex SHA-256 of its content, in a comment.
    "script_raw",
    "sha256_raw",
    // The environments' README (Markdown): names, stages, accounts, blocks, paths.
    "name_raw",
    "stage_raw",
    "account_raw",
    "cidr_raw",
    "stack_name_raw",
    "file_raw",
    "member_raw",
    "path_raw",
    // The README of a CloudFormation project with [environments]: table cells and the deploy
    // and teardown commands (shell-quoted in Rust), in Markdown.
    "stage",
    "account",
    "vpc",
    "template",
    "stack",
    "member",
    "main_template",
    "deploy",
    "teardown",
];

/// A prose key that one format's renderer does escape: (template directory, key, renderer).
const ESCAPED_TEXT: &[(&str, &str, &str)] = &[
    (
        "cdk/lib",
        "reason",
        "cdk/: nag acknowledgements, typescript::string",
    ),
    (
        "terraform/tests",
        "message",
        "terraform/: guardrail messages, hcl::string",
    ),
];

/// Filters that keep a fragment a fragment: `indent` only re-indents lines, `length` counts.
const SAFE_FILTERS: &[&str] = &["indent", "length"];

/// The problems of one template's interpolations.
fn scan_template(rel: &str, text: &str) -> (usize, Vec<String>) {
    let markdown = rel.ends_with(".md.tera");
    let mut problems = vec![];
    let mut seen = 0;
    for line in text.lines() {
        let comment = {
            // Leading `{% … %}` tags print nothing.
            let mut t = line.trim_start();
            while let Some(rest) = t.strip_prefix("{%") {
                t = rest.split_once("%}").map_or("", |(_, r)| r).trim_start();
            }
            t.starts_with('#') || t.starts_with("//") || t.starts_with('*')
        };
        let mut rest = line;
        while let Some(at) = rest.find("{{") {
            let after = &rest[at + 2..];
            let Some(end) = after.find("}}") else { break };
            let expr = after[..end].trim().trim_matches('-').trim();
            rest = &after[end + 2..];
            seen += 1;
            let mut parts = expr.split('|').map(str::trim);
            let base = parts.next().unwrap_or("");
            let key = base.rsplit('.').next().unwrap_or(base).trim();
            for f in parts {
                let name = f.split('(').next().unwrap_or(f).trim();
                if !SAFE_FILTERS.contains(&name) {
                    problems.push(format!("{rel}: `{expr}` uses filter `{name}`"));
                }
            }
            let escaped_here = ESCAPED_TEXT
                .iter()
                .any(|(dir, k, _)| rel.starts_with(dir) && *k == key);
            let ok = FRAGMENT_KEYS.contains(&key)
                || (TEXT_KEYS.contains(&key) && (markdown || comment || escaped_here));
            if !ok {
                problems.push(format!(
                    "{rel}: `{expr}` prints `{key}` raw in: {}",
                    line.trim()
                ));
            }
        }
    }
    (seen, problems)
}

#[test]
fn every_template_interpolation_is_an_escaped_fragment() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut problems = vec![];
    let mut seen = 0;
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("templates dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "tera") {
                let text = std::fs::read_to_string(&path).expect("template text");
                let rel = path.strip_prefix(&root).unwrap().display().to_string();
                let (n, p) = scan_template(&rel, &text);
                seen += n;
                problems.extend(p);
            }
        }
    }
    assert!(
        seen > 500,
        "only {seen} interpolations found: is the scan broken?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_scan_catches_raw_text_and_unknown_keys() {
    let (_, p) = scan_template(
        "terraform/x.tf.tera",
        "# {{ b.purpose }}\nname = {{ b.purpose }}\n",
    );
    assert_eq!(p.len(), 1, "{p:?}");
    let (_, p) = scan_template(
        "terraform/x.tf.tera",
        "name = \"{{ spec.project.tags.x }}\"\n",
    );
    assert_eq!(p.len(), 1, "{p:?}");
    let (_, p) = scan_template("terraform/x.tf.tera", "name = {{ x.name | upper }}\n");
    assert_eq!(p.len(), 1, "{p:?}");
    let (_, p) = scan_template("terraform/README.md.tera", "{{ f.message }}\n");
    assert!(p.is_empty(), "{p:?}");
}
