//! TypeScript for the CDK renderer: string literals, comments, references to the constructs of
//! the generated app, policy objects, and a layout pass that indents by bracket depth (2 spaces,
//! as `cdk init` and prettier write it), so templates need not track indentation.
//!
//! Every spec value reaches TypeScript through [`string`] (inside code) or [`comment`] (inside a
//! `//` comment); templates only place the fragments built here.

use crate::model::iam::Value;
use crate::model::refs::{Attr, Input, Kind, Ref};

/// A single-quoted TypeScript string literal. Quotes and backslashes are escaped, and so is
/// every line terminator of ECMAScript (`\n`, `\r`, U+2028, U+2029) and every other control
/// character, so no value can end the literal or the line. `${` needs nothing: it interpolates
/// only in template literals, which the generated code never builds from values.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Text for a `//` line comment: line terminators become spaces (a newline would end the
/// comment and start code) and `*/` is broken up, so the text is also safe in a block comment.
pub fn comment(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| match c {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    flat.replace("*/", "* /")
}

/// PascalCase identifier from a name (`sm-regulated` → `SmRegulated`, `studio_domain` →
/// `StudioDomain`); characters other than ASCII letters and digits never reach the result.
pub fn pascal(s: &str) -> String {
    use heck::ToUpperCamelCase;
    let id: String = s
        .replace(['.', '-'], "_")
        .to_upper_camel_case()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if id.starts_with(|c: char| c.is_ascii_digit()) {
        format!("X{id}")
    } else {
        id
    }
}

/// The construct of the generated app that owns each kind of resource (`lib/<owner>.ts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Encryption,
    Network,
    Storage,
    Iam,
    SageMaker,
    /// Policies for people (`lib/access.ts`); owns no kind of the model's resources.
    Access,
}

impl Owner {
    /// The stack's field (and the props field) that holds the construct.
    pub fn field(self) -> &'static str {
        match self {
            Owner::Encryption => "encryption",
            Owner::Network => "network",
            Owner::Storage => "storage",
            Owner::Iam => "iam",
            Owner::SageMaker => "sagemaker",
            Owner::Access => "access",
        }
    }

    pub fn of(kind: Kind) -> Owner {
        match kind {
            Kind::Vpc | Kind::Subnet | Kind::RouteTable | Kind::SecurityGroup => Owner::Network,
            Kind::VpcEndpoint => Owner::Network,
            Kind::KmsKey => Owner::Encryption,
            Kind::Bucket | Kind::LogGroup => Owner::Storage,
            Kind::Role => Owner::Iam,
            Kind::Domain | Kind::UserProfile | Kind::NotebookInstance => Owner::SageMaker,
        }
    }
}

/// Where an expression is written: inside one construct's constructor (its own resources are
/// `this.…`, earlier constructs arrive as `props.…`), in the stack (`this.<construct>.…`), or in
/// the tests (`stack.<construct>.…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    In(Owner),
    Stack,
    Test,
}

/// Renders references. Partition and region are fixed when the project is generated (the stack
/// is pinned to the region: endpoint service names and zone ids depend on it); the account is
/// the deployment's (`AWS::AccountId`), so the app synthesizes without one.
pub struct Refs<'a> {
    pub scope: Scope,
    pub partition: &'a str,
    pub region: &'a str,
}

impl Refs<'_> {
    pub fn with(&self, scope: Scope) -> Refs<'_> {
        Refs {
            scope,
            partition: self.partition,
            region: self.region,
        }
    }

    fn base(&self, owner: Owner) -> String {
        match self.scope {
            Scope::In(o) if o == owner => "this".into(),
            Scope::In(_) => format!("props.{}", owner.field()),
            Scope::Stack => format!("this.{}", owner.field()),
            Scope::Test => format!("stack.{}", owner.field()),
        }
    }

    /// A TypeScript expression (a string, or a token that resolves to one) for a reference.
    pub fn expr(&self, r: &Ref) -> String {
        match r {
            Ref::Lit(s) => string(s),
            Ref::Partition => string(self.partition),
            Ref::Region => string(self.region),
            Ref::Account | Ref::Input(Input::AccountId) => "cdk.Aws.ACCOUNT_ID".into(),
            Ref::Attr(id, attr) => self.attr(id.kind, &id.name, *attr),
            Ref::Input(i) => self.input(*i, None),
            Ref::InputItem(i, n) => self.input(*i, Some(*n)),
            Ref::Join(parts) => self.join(parts),
        }
    }

    /// `'a' + token + 'b'`: literals (and the fixed partition and region) merge into one string.
    fn join(&self, parts: &[Ref]) -> String {
        let mut out: Vec<String> = vec![];
        let mut lit: Option<String> = None;
        for p in parts {
            let text = match p {
                Ref::Lit(s) => Some(s.as_str()),
                Ref::Partition => Some(self.partition),
                Ref::Region => Some(self.region),
                _ => None,
            };
            match text {
                Some(t) => lit.get_or_insert_with(String::new).push_str(t),
                None => {
                    if let Some(l) = lit.take() {
                        out.push(string(&l));
                    }
                    out.push(self.expr(p));
                }
            }
        }
        if let Some(l) = lit {
            out.push(string(&l));
        }
        out.join(" + ")
    }

    fn attr(&self, kind: Kind, name: &str, attr: Attr) -> String {
        let b = self.base(Owner::of(kind));
        let k = string(name);
        match (kind, attr) {
            (Kind::Vpc, Attr::Arn) => format!("{b}.vpc.vpcArn"),
            (Kind::Vpc, _) => format!("{b}.vpc.vpcId"),
            (Kind::Subnet, _) => format!("{b}.subnets[{k}].subnetId"),
            (Kind::RouteTable, _) => format!("{b}.routeTables[{k}].ref"),
            (Kind::SecurityGroup, _) => format!("{b}.securityGroups[{k}].securityGroupId"),
            (Kind::VpcEndpoint, Attr::PrefixListId) => format!("{b}.prefixListIds[{k}]"),
            (Kind::VpcEndpoint, _) => format!("{b}.endpointIds[{k}]"),
            (Kind::KmsKey, Attr::Arn) => format!("{b}.key.keyArn"),
            (Kind::KmsKey, _) => format!("{b}.key.keyId"),
            (Kind::Bucket, Attr::Arn) => format!("{b}.buckets[{k}].bucketArn"),
            (Kind::Bucket, _) => format!("{b}.buckets[{k}].bucketName"),
            // CloudFormation's Arn attribute of a log group ends in `:*`; policies need the
            // group's own ARN (what Terraform's `arn` is), so it is built from the name.
            (Kind::LogGroup, Attr::Arn) => format!("logGroupArn({b}.logGroups[{k}])"),
            (Kind::LogGroup, _) => format!("{b}.logGroups[{k}].logGroupName"),
            (Kind::Role, Attr::Arn) => format!("{b}.roles[{k}].roleArn"),
            (Kind::Role, _) => format!("{b}.roles[{k}].roleName"),
            (Kind::Domain, Attr::Arn) => format!("{b}.domain.attrDomainArn"),
            (Kind::Domain, _) => format!("{b}.domain.attrDomainId"),
            (Kind::UserProfile, Attr::Arn) => format!("{b}.userProfiles[{k}].attrUserProfileArn"),
            (Kind::UserProfile, _) => format!("{b}.userProfiles[{k}].userProfileName"),
            (Kind::NotebookInstance, Attr::Arn) => format!("{b}.notebooks[{k}].ref"),
            (Kind::NotebookInstance, _) => {
                format!("{b}.notebooks[{k}].attrNotebookInstanceName")
            }
        }
    }

    /// Inputs of the Terraform output are settings of the generated app: the existing VPC's
    /// ids live in `lib/network.ts`, an existing key's ARN in `lib/encryption.ts`.
    fn input(&self, i: Input, item: Option<usize>) -> String {
        let net = self.base(Owner::Network);
        match (i, item) {
            (Input::AccountId, _) => "cdk.Aws.ACCOUNT_ID".into(),
            (Input::KmsKeyArn, _) => format!("{}.key.keyArn", self.base(Owner::Encryption)),
            (Input::VpcId, _) => format!("{net}.vpc.vpcId"),
            (Input::SubnetIds, Some(n)) => format!("{net}.privateSubnets[{n}].subnetId"),
            (Input::SubnetIds, None) => format!("{net}.privateSubnets.map((s) => s.subnetId)"),
            (Input::RouteTableIds, Some(n)) => format!("{net}.privateRouteTableIds[{n}]"),
            (Input::RouteTableIds, None) => format!("{net}.privateRouteTableIds"),
        }
    }

    /// A TypeScript array of references; a whole list input collapses to the setting itself.
    pub fn list(&self, refs: &[Ref]) -> String {
        if let Some(Ref::InputItem(input, 0)) = refs.first() {
            let whole = refs
                .iter()
                .enumerate()
                .all(|(i, r)| *r == Ref::InputItem(*input, i));
            if whole {
                return self.input(*input, None);
            }
        }
        let items: Vec<String> = refs.iter().map(|r| self.expr(r)).collect();
        format!("[{}]", items.join(", "))
    }

    /// A JSON-like value as a TypeScript object literal: maps and lists of maps span lines
    /// ([`layout`] indents them), short lists of scalars stay on one line.
    pub fn value(&self, v: &Value) -> String {
        match v {
            Value::Leaf(r) => self.expr(r),
            Value::List(items) => {
                let scalars = items.iter().all(|i| matches!(i, Value::Leaf(_)));
                let parts: Vec<String> = items.iter().map(|i| self.value(i)).collect();
                let inline = format!("[{}]", parts.join(", "));
                if scalars && inline.len() <= 72 {
                    inline
                } else {
                    let mut out = String::from("[\n");
                    for p in parts {
                        out.push_str(&p);
                        out.push_str(",\n");
                    }
                    out.push(']');
                    out
                }
            }
            Value::Map(entries) => {
                let mut out = String::from("{\n");
                for (k, v) in entries {
                    out.push_str(&key(k));
                    out.push_str(": ");
                    out.push_str(&self.value(v));
                    out.push_str(",\n");
                }
                out.push('}');
                out
            }
        }
    }
}

/// An object key: bare when it is an identifier, quoted otherwise (`'aws:SourceAccount'`).
fn key(k: &str) -> String {
    let ident = k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident { k.to_string() } else { string(k) }
}

/// Bracket depth change of one line, outside string literals and comments; `leading` counts the
/// closers the line starts with (they belong to the outer level). `in_block` carries an open
/// `/* … */` comment across lines.
fn scan(line: &str, in_block: &mut bool) -> (i32, i32) {
    let b = line.as_bytes();
    let (mut net, mut leading, mut seen_code) = (0i32, 0i32, false);
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if *in_block {
            if c == b'*' && b.get(i + 1) == Some(&b'/') {
                *in_block = false;
                i += 1;
            }
        } else if let Some(q) = quote {
            if c == b'\\' {
                i += 1;
            } else if c == q {
                quote = None;
            }
        } else {
            match c {
                b'/' if b.get(i + 1) == Some(&b'/') => break,
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    *in_block = true;
                    i += 1;
                }
                b'\'' | b'"' | b'`' => quote = Some(c),
                b'{' | b'[' | b'(' => net += 1,
                b'}' | b']' | b')' => {
                    net -= 1;
                    if !seen_code {
                        leading += 1;
                    }
                }
                _ => {}
            }
            if !matches!(c, b'}' | b']' | b')' | b' ') {
                seen_code = true;
            }
        }
        i += 1;
    }
    (net, leading)
}

/// Closes `n` brackets on the stack of open lines (each entry: brackets its line left open).
fn close(open: &mut Vec<i32>, mut n: i32) {
    while n > 0 {
        let Some(top) = open.last_mut() else { return };
        if n >= *top {
            n -= *top;
            open.pop();
        } else {
            *top -= n;
            n = 0;
        }
    }
}

/// Re-indents rendered TypeScript by bracket nesting, one level (2 spaces) per line that leaves
/// brackets open, as prettier does (`new X(this, 'Id', {` opens one level, `});` closes it);
/// indents the inner lines of block comments by one more space, drops blank lines after an
/// opening or before a closing line, collapses runs of blank lines and trims trailing space.
pub fn layout(src: &str) -> String {
    let mut out: Vec<String> = vec![];
    let mut open: Vec<i32> = vec![];
    let mut in_block = false;
    for raw in src.lines() {
        let text = raw.trim();
        if text.is_empty() {
            let after_open = out
                .last()
                .is_none_or(|l| l.is_empty() || l.ends_with(['{', '[', '(']));
            if !after_open {
                out.push(String::new());
            }
            continue;
        }
        let was_block = in_block;
        let (net, leading) = scan(text, &mut in_block);
        if leading > 0 && out.last().is_some_and(|l| l.is_empty()) {
            out.pop();
        }
        close(&mut open, leading);
        let extra = if was_block && text.starts_with('*') {
            " "
        } else {
            ""
        };
        out.push(format!("{}{extra}{text}", "  ".repeat(open.len())));
        let rest = net + leading;
        if rest > 0 {
            open.push(rest);
        } else {
            close(&mut open, -rest);
        }
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_cannot_break_out() {
        assert_eq!(string("it's"), r"'it\'s'");
        assert_eq!(string("back\\slash"), r"'back\\slash'");
        assert_eq!(string("a\nb\rc\td"), r"'a\nb\rc\td'");
        assert_eq!(string("\u{2028}\u{2029}"), r"'\u2028\u2029'");
        assert_eq!(string("nul\u{0}bell\u{7}"), r"'nul\u0000bell\u0007'");
        // Inert inside a single-quoted literal: no template literal, no comment.
        assert_eq!(string("${process.exit(1)}"), "'${process.exit(1)}'");
        assert_eq!(string("*/ x /*"), "'*/ x /*'");
        assert_eq!(string("\"double\""), "'\"double\"'");
        assert_eq!(string("ünïcödé ✓"), "'ünïcödé ✓'");
    }

    #[test]
    fn hostile_strings_round_trip_as_json() {
        // A single-quoted TS literal with `\'` is JSON once the quotes are swapped: check the
        // decoded value equals the input for every hostile string.
        for s in [
            "'; process.exit(1); '",
            "\\'",
            "a\\\nb",
            "}\n}); new Evil(",
            "${x}`${y}`",
            "*/ /* // <!-- -->",
            "\u{2028}line\u{2029}para",
            "tab\there\u{1b}[31m",
        ] {
            let lit = string(s);
            assert!(lit.starts_with('\'') && lit.ends_with('\''));
            let body = &lit[1..lit.len() - 1];
            assert!(
                !body.contains(['\n', '\r', '\u{2028}', '\u{2029}']),
                "{lit}"
            );
            // Every quote in the body is escaped.
            let mut prev_backslashes = 0;
            for c in body.chars() {
                if c == '\'' {
                    assert_eq!(prev_backslashes % 2, 1, "unescaped quote in {lit}");
                }
                prev_backslashes = if c == '\\' { prev_backslashes + 1 } else { 0 };
            }
            let json = format!("\"{}\"", body.replace("\\'", "'").replace('"', "\\\""));
            let back: String = serde_json::from_str(&json).expect("valid JSON string");
            assert_eq!(back, s);
        }
    }

    #[test]
    fn comments_stay_on_one_line_and_closed() {
        assert_eq!(comment("a\nb\u{2028}c"), "a b c");
        assert_eq!(comment("x */ evil() /*"), "x * / evil() /*");
        assert!(!comment("*/\r\n*/").contains("*/"));
    }

    #[test]
    fn pascal_identifiers() {
        assert_eq!(pascal("sm-regulated"), "SmRegulated");
        assert_eq!(pascal("studio_domain"), "StudioDomain");
        assert_eq!(pascal("sagemaker.api"), "SagemakerApi");
        assert_eq!(pascal("1x'; y"), "X1xY");
    }

    fn refs(scope: Scope) -> Refs<'static> {
        Refs {
            scope,
            partition: "aws-cn",
            region: "cn-north-1",
        }
    }

    #[test]
    fn references_by_scope() {
        let bucket = Ref::attr(Kind::Bucket, "data", Attr::Arn);
        assert_eq!(
            refs(Scope::In(Owner::Storage)).expr(&bucket),
            "this.buckets['data'].bucketArn"
        );
        assert_eq!(
            refs(Scope::In(Owner::Iam)).expr(&bucket),
            "props.storage.buckets['data'].bucketArn"
        );
        assert_eq!(
            refs(Scope::Test).expr(&bucket),
            "stack.storage.buckets['data'].bucketArn"
        );
        let arn = Ref::arn("s3", false, false, Ref::join([bucket, Ref::lit("/*")]));
        assert_eq!(
            refs(Scope::In(Owner::Iam)).expr(&arn),
            "'arn:aws-cn:s3:::' + props.storage.buckets['data'].bucketArn + '/*'"
        );
        let role = Ref::arn("iam", false, true, Ref::lit("root"));
        assert_eq!(
            refs(Scope::Test).expr(&role),
            "'arn:aws-cn:iam::' + cdk.Aws.ACCOUNT_ID + ':root'"
        );
    }

    #[test]
    fn whole_list_inputs_collapse() {
        let r = refs(Scope::In(Owner::SageMaker));
        let items = [
            Ref::InputItem(Input::SubnetIds, 0),
            Ref::InputItem(Input::SubnetIds, 1),
        ];
        assert_eq!(
            r.list(&items),
            "props.network.privateSubnets.map((s) => s.subnetId)"
        );
        assert_eq!(
            r.list(&items[1..]),
            "[props.network.privateSubnets[1].subnetId]"
        );
    }

    #[test]
    fn values_become_object_literals() {
        let v = Value::Map(vec![
            ("Version".into(), Value::Leaf(Ref::lit("2012-10-17"))),
            (
                "aws:SourceAccount".into(),
                Value::List(vec![Value::Leaf(Ref::Account)]),
            ),
        ]);
        let out = layout(&refs(Scope::Test).value(&v));
        assert_eq!(
            out,
            "{\n  Version: '2012-10-17',\n  'aws:SourceAccount': [cdk.Aws.ACCOUNT_ID],\n}\n"
        );
    }

    #[test]
    fn layout_indents_by_brackets_outside_strings_and_comments() {
        let src = "export class A {\n\nconstructor() {\n// a { comment\nconst x = '{ not a bracket';\n/**\n* Doc ( comment\n*/\nf({\na: [1,\n2],\n});\n\n\n}\n\n}\n";
        let want = "export class A {\n  constructor() {\n    // a { comment\n    const x = '{ not a bracket';\n    /**\n     * Doc ( comment\n     */\n    f({\n      a: [1,\n        2],\n    });\n  }\n}\n";
        assert_eq!(layout(src), want);
    }

    #[test]
    fn layout_handles_escaped_quotes() {
        let src = "f('it\\'s (', {\na: 1,\n});\n";
        assert_eq!(layout(src), "f('it\\'s (', {\n  a: 1,\n});\n");
    }

    /// Reads a single-quoted literal the way ECMAScript does (the escapes `string` writes, and
    /// the other single-character ones); `None` when it is malformed: no closing quote, a raw
    /// line terminator, an unknown escape, or text after the closing quote.
    fn read_literal(lit: &str) -> Option<String> {
        let mut chars = lit.strip_prefix('\'')?.chars();
        let mut out = String::new();
        loop {
            match chars.next()? {
                '\'' => return chars.next().is_none().then_some(out),
                '\n' | '\r' | '\u{2028}' | '\u{2029}' => return None,
                '\\' => match chars.next()? {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    c @ ('\'' | '"' | '\\') => out.push(c),
                    'u' => {
                        let hex: String = chars.by_ref().take(4).collect();
                        out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                    }
                    _ => return None,
                },
                c => out.push(c),
            }
        }
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        /// Any string at all is one well-formed literal that reads back exactly, and any
        /// comment text stays on one line.
        #[test]
        fn any_string_is_one_literal(s in proptest::collection::vec(proptest::prelude::any::<char>(), 0..48).prop_map(String::from_iter)) {
            let lit = string(&s);
            proptest::prop_assert_eq!(read_literal(&lit), Some(s.clone()), "{}", lit);
            let c = comment(&s);
            let one_line = !c.contains(['\n', '\r', '\u{2028}', '\u{2029}']);
            proptest::prop_assert!(one_line, "comment {:?}", c);
            proptest::prop_assert!(!c.contains("*/"));
        }
    }
}
