//! YAML for the CloudFormation renderer: scalars that read back as exactly the given string in
//! YAML 1.1 readers (CloudFormation, PyYAML in cfn-lint and checkov) and YAML 1.2 readers alike,
//! and a small block-style emitter for nested values (policy documents, tag lists).
//!
//! A value is written plain only when it cannot be read as anything else: it starts with a
//! letter or `/`, uses a small set of characters, and is not one of YAML 1.1's boolean or null
//! words (`yes`, `off`, `y`, `null`, …). Everything else is double-quoted with escapes, so a
//! value such as `"}\n!Ref x: #` stays one string and cannot start a tag, an anchor, an alias, a
//! comment, a flow collection or a new key. (YAML 1.2.2 §7.3.1 double-quoted scalars, §5.7
//! escapes; YAML 1.1 bool/null types.)

/// A scalar that reads back as exactly `s`: plain when that is unambiguous, double-quoted
/// otherwise.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// A double-quoted scalar. Backslash, double quote and every character outside YAML's printable
/// set (or that a reader may treat as a line break: NEL, LS, PS) are escaped.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if c < ' ' || ('\u{7f}'..='\u{9f}').contains(&c) => {
                out.push_str(&format!("\\x{:02X}", c as u32))
            }
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// YAML 1.1 resolves these plain words to booleans or null (case variants included).
const RESERVED: &[&str] = &[
    "y", "n", "yes", "no", "true", "false", "on", "off", "null", "none",
];

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    // A leading digit, sign or dot may read as a number, a date or `.inf`; `!&*-?|>%@` and
    // quotes start YAML syntax.
    if !(first.is_ascii_alphabetic() || first == '/') {
        return false;
    }
    if RESERVED.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        return false;
    }
    let b = s.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        let next = b.get(i + 1).copied();
        let ok = match c {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => true,
            b'_' | b'.' | b'/' | b'@' | b'+' | b'=' | b'*' | b'-' | b'(' | b')' | b';' => true,
            // `: ` and a trailing `:` would start a mapping.
            b':' => !matches!(next, None | Some(b' ')),
            // Single spaces inside only: leading/trailing space would be trimmed.
            b' ' => i > 0 && !matches!(next, None | Some(b' ')),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// A YAML value for block layout. `Scalar` holds a finished inline fragment: a scalar from
/// [`scalar`], or an intrinsic function such as `!GetAtt Key.Arn`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Scalar(String),
    Seq(Vec<Node>),
    /// Keys are plain strings; they are escaped when written.
    Map(Vec<(String, Node)>),
}

impl Node {
    /// Block-style YAML at column 0 with two-space indentation and no trailing newline; the
    /// templates indent it to its place (`| indent(prefix="    ", first=true)`).
    pub fn block(&self) -> String {
        let mut lines = vec![];
        self.emit(0, &mut lines);
        lines.join("\n")
    }

    fn emit(&self, indent: usize, out: &mut Vec<String>) {
        let pad = " ".repeat(indent);
        match self {
            Node::Scalar(s) => out.push(format!("{pad}{s}")),
            Node::Map(entries) if entries.is_empty() => out.push(format!("{pad}{{}}")),
            Node::Seq(items) if items.is_empty() => out.push(format!("{pad}[]")),
            Node::Map(entries) => {
                for (k, v) in entries {
                    let key = scalar(k);
                    match v {
                        Node::Scalar(s) => out.push(format!("{pad}{key}: {s}")),
                        Node::Map(e) if e.is_empty() => out.push(format!("{pad}{key}: {{}}")),
                        Node::Seq(e) if e.is_empty() => out.push(format!("{pad}{key}: []")),
                        nested => {
                            out.push(format!("{pad}{key}:"));
                            nested.emit(indent + 2, out);
                        }
                    }
                }
            }
            Node::Seq(items) => {
                for item in items {
                    // The item is laid out two columns in; its first line then takes the dash.
                    let start = out.len();
                    item.emit(indent + 2, out);
                    let first = &out[start];
                    out[start] = format!("{pad}- {}", &first[indent + 2..]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `key: <scalar>` back with a YAML parser.
    fn read_back(fragment: &str) -> String {
        let doc: serde_yaml::Value =
            serde_yaml::from_str(&format!("key: {fragment}\n")).expect("valid YAML");
        match &doc["key"] {
            serde_yaml::Value::String(s) => s.clone(),
            other => panic!("{fragment} read back as {other:?}"),
        }
    }

    const HOSTILE: &[&str] = &[
        "",
        " ",
        "plain",
        "a \"quoted\" value",
        "it's",
        "key: value",
        "trailing:",
        "a # comment",
        "#comment",
        "line\nbreak",
        "}\n!Ref x: #",
        "\"}\nResources:\n  Evil:\n    Type: AWS::IAM::User",
        "{{resolve:ssm:/org/cost-center}}",
        "{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:111122223333:secret:x}}",
        "!Ref AWS::AccountId",
        "&anchor",
        "*alias",
        "${x}",
        "${AWS::Region}",
        "- item",
        "[a, b]",
        "{a: b}",
        "| literal",
        "> folded",
        "%TAG",
        "@at",
        "`tick`",
        "? key",
        "yes",
        "No",
        "ON",
        "y",
        "null",
        "~",
        "=",
        "<<",
        "0x1F",
        "1e3",
        "012",
        "1:30",
        "2012-10-17",
        ".inf",
        "-.5",
        "+1",
        "tab\there",
        "back\\slash",
        "nul\0byte",
        "bell\u{7}",
        "del\u{7f}",
        "nel\u{85}",
        "ls\u{2028}ps\u{2029}",
        "bom\u{feff}",
        "ünïcödé ✓ 日本",
        "emoji 🚀",
        "  leading",
        "trailing  ",
        "two  spaces",
        "a,b",
    ];

    #[test]
    fn hostile_strings_read_back_unchanged() {
        for s in HOSTILE {
            let y = scalar(s);
            assert!(!y.contains('\n'), "{s:?} -> {y} spans lines");
            assert_eq!(&read_back(&y), s, "scalar({s:?}) = {y}");
            assert_eq!(&read_back(&quoted(s)), s, "quoted({s:?})");
        }
    }

    #[test]
    fn yaml_1_1_words_and_numbers_are_quoted() {
        for s in [
            "yes",
            "Yes",
            "NO",
            "on",
            "Off",
            "y",
            "N",
            "true",
            "False",
            "null",
            "Null",
            "~",
            "1",
            "0.5",
            "012",
            "1:30",
            "2012-10-17",
            ".nan",
        ] {
            assert!(scalar(s).starts_with('"'), "{s} must be quoted");
        }
    }

    #[test]
    fn ordinary_values_stay_plain() {
        for s in [
            "AWS::EC2::VPC",
            "arn:aws:s3:::bucket/*",
            "sm-regulated-data",
            "SageMaker Studio apps of user profile alice only",
            "aws:SourceAccount",
            "kms:EncryptionContext:aws:logs:arn",
            "/aws/vpc/flow-logs/x",
            "s3:*",
        ] {
            assert_eq!(scalar(s), s);
        }
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("x #y"), "\"x #y\"");
        assert_eq!(scalar("!Ref X"), "\"!Ref X\"");
    }

    #[test]
    fn blocks_nest_maps_and_sequences() {
        let n = Node::Map(vec![
            ("Version".into(), Node::Scalar(scalar("2012-10-17"))),
            (
                "Statement".into(),
                Node::Seq(vec![Node::Map(vec![
                    ("Effect".into(), Node::Scalar("Allow".into())),
                    (
                        "Action".into(),
                        Node::Seq(vec![Node::Scalar("s3:GetObject".into())]),
                    ),
                    ("Resource".into(), Node::Scalar("!GetAtt Data.Arn".into())),
                    ("Condition".into(), Node::Map(vec![])),
                ])]),
            ),
        ]);
        let want = "Version: \"2012-10-17\"\nStatement:\n  - Effect: Allow\n    Action:\n      - s3:GetObject\n    Resource: !GetAtt Data.Arn\n    Condition: {}";
        assert_eq!(n.block(), want);
    }

    #[test]
    fn hostile_keys_and_values_survive_a_block() {
        let entries: Vec<(String, Node)> = HOSTILE
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("{s}{i}"), Node::Scalar(scalar(s))))
            .collect();
        let text = Node::Seq(vec![Node::Map(entries)]).block();
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("valid YAML");
        let map = doc[0].as_mapping().expect("a mapping");
        assert_eq!(map.len(), HOSTILE.len());
        for (i, s) in HOSTILE.iter().enumerate() {
            let key = serde_yaml::Value::String(format!("{s}{i}"));
            assert_eq!(map[&key].as_str(), Some(*s), "{s:?}");
        }
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        /// Any string at all: one line, and it reads back exactly, plain or quoted.
        #[test]
        fn any_string_reads_back(s in proptest::collection::vec(proptest::prelude::any::<char>(), 0..48).prop_map(String::from_iter)) {
            let y = scalar(&s);
            proptest::prop_assert!(!y.contains('\n'), "{y}");
            proptest::prop_assert_eq!(read_back(&y), s.clone());
            proptest::prop_assert_eq!(read_back(&quoted(&s)), s);
        }
    }
}
