//! HCL for the Terraform renderer: string literals, references, policy objects, and a layout
//! pass that indents and aligns like `terraform fmt` (hclwrite's `formatIndent` and
//! `formatCells`), so templates need not hand-align `=` signs.

use crate::model::iam::Value;
use crate::model::refs::{Attr, Input, Kind, Ref};

/// A quoted HCL string literal. `${` and `%{` are escaped so that no value can start an
/// interpolation or directive; control characters use HCL escapes.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    push_template_text(&mut out, s);
    out.push('"');
    out
}

/// `"${path.module}/<rel>"`: a file of the project, for `file*()` functions.
pub fn module_file(rel: &str) -> String {
    let mut out = String::from("\"${path.module}/");
    push_template_text(&mut out, rel);
    out.push('"');
    out
}

/// `"<prefix>-${substr(filesha256("${path.module}/<rel>"), 0, 8)}"`: a name that changes with
/// the file's content.
pub fn hashed_name(prefix: &str, rel: &str) -> String {
    let mut out = String::from("\"");
    push_template_text(&mut out, prefix);
    out.push_str("-${substr(filesha256(");
    out.push_str(&module_file(rel));
    out.push_str("), 0, 8)}\"");
    out
}

fn push_template_text(out: &mut String, s: &str) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
}

/// Terraform resource type of a model kind.
pub fn tf_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Vpc => "aws_vpc",
        Kind::Subnet => "aws_subnet",
        Kind::RouteTable => "aws_route_table",
        Kind::SecurityGroup => "aws_security_group",
        Kind::VpcEndpoint => "aws_vpc_endpoint",
        Kind::KmsKey => "aws_kms_key",
        Kind::Bucket => "aws_s3_bucket",
        Kind::LogGroup => "aws_cloudwatch_log_group",
        Kind::Role => "aws_iam_role",
        Kind::Domain => "aws_sagemaker_domain",
        Kind::UserProfile => "aws_sagemaker_user_profile",
        Kind::NotebookInstance => "aws_sagemaker_notebook_instance",
        Kind::Trail => "aws_cloudtrail",
        Kind::StudioLifecycleConfig => "aws_sagemaker_studio_lifecycle_config",
        Kind::NotebookLifecycleConfig => "aws_sagemaker_notebook_instance_lifecycle_configuration",
    }
}

fn input_var(i: Input) -> &'static str {
    match i {
        Input::AccountId => "var.account_id",
        Input::KmsKeyArn => "var.kms_key_arn",
        Input::VpcId => "var.vpc_id",
        Input::SubnetIds => "var.subnet_ids",
        Input::RouteTableIds => "var.route_table_ids",
    }
}

/// Renders references; partition and region are fixed at generation time (endpoint service
/// names and AZ ids depend on them), the account is an input.
pub struct Refs<'a> {
    pub partition: &'a str,
    pub region: &'a str,
    /// Endpoints (logical names) the existing VPC already has: read through a data source.
    pub existing_endpoints: Vec<&'a str>,
}

impl Refs<'_> {
    /// An HCL expression for a reference.
    pub fn expr(&self, r: &Ref) -> String {
        match r {
            Ref::Lit(s) => string(s),
            Ref::Partition => string(self.partition),
            Ref::Region => string(self.region),
            Ref::Account => input_var(Input::AccountId).to_string(),
            Ref::Attr(id, attr) => format!(
                "{}{}.{}.{}",
                if id.kind == Kind::VpcEndpoint
                    && self.existing_endpoints.contains(&id.name.as_str())
                {
                    "data."
                } else {
                    ""
                },
                tf_type(id.kind),
                id.name,
                attr_name(id.kind, *attr)
            ),
            Ref::Input(i) => input_var(*i).to_string(),
            Ref::InputItem(i, n) => format!("{}[{n}]", input_var(*i)),
            Ref::Join(parts) => {
                let mut out = String::from("\"");
                for p in parts {
                    match p {
                        Ref::Lit(s) => push_template_text(&mut out, s),
                        Ref::Partition => push_template_text(&mut out, self.partition),
                        Ref::Region => push_template_text(&mut out, self.region),
                        other => {
                            out.push_str("${");
                            out.push_str(&self.expr(other));
                            out.push('}');
                        }
                    }
                }
                out.push('"');
                out
            }
        }
    }

    /// An HCL list of references; a full list input collapses to the variable itself.
    pub fn list(&self, refs: &[Ref]) -> String {
        if let Some(Ref::InputItem(input, 0)) = refs.first() {
            let whole = refs
                .iter()
                .enumerate()
                .all(|(i, r)| *r == Ref::InputItem(*input, i));
            if whole {
                return input_var(*input).to_string();
            }
        }
        let items: Vec<String> = refs.iter().map(|r| self.expr(r)).collect();
        format!("[{}]", items.join(", "))
    }

    /// A JSON-like value as an HCL expression (objects and lists of objects span lines;
    /// `layout` indents them).
    pub fn value(&self, v: &Value) -> String {
        match v {
            Value::Leaf(r) => self.expr(r),
            Value::Bool(b) => b.to_string(),
            Value::Null => "null".into(),
            Value::Refs(refs) => self.list(refs),
            Value::List(items) => {
                if items.iter().all(|i| matches!(i, Value::Leaf(_))) {
                    let parts: Vec<String> = items.iter().map(|i| self.value(i)).collect();
                    format!("[{}]", parts.join(", "))
                } else {
                    let mut out = String::from("[\n");
                    for i in items {
                        out.push_str(&self.value(i));
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
                    out.push_str(" = ");
                    out.push_str(&self.value(v));
                    out.push('\n');
                }
                out.push('}');
                out
            }
        }
    }
}

fn attr_name(kind: Kind, attr: Attr) -> &'static str {
    match (kind, attr) {
        (_, Attr::Arn) => "arn",
        (_, Attr::Id) => "id",
        (Kind::Bucket, Attr::Name) => "bucket",
        (_, Attr::Name) => "name",
        (_, Attr::PrefixListId) => "prefix_list_id",
    }
}

/// An object key: bare when it is an identifier, quoted otherwise (`"aws:SourceAccount"`).
fn key(k: &str) -> String {
    let ident = k.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ident { k.to_string() } else { string(k) }
}

/// What one line contributes: bracket change, and the byte offset of an alignable `=`.
struct Scan {
    net: i32,
    assign: Option<usize>,
}

/// Scans a trimmed line as hclwrite's tokenizer sees it: brackets outside string literals
/// (template interpolations open and close inside strings, net zero), and the first lone `=`
/// after the first token. That `=` is alignable only when the rest of the line is a whole
/// expression (its brackets balance), as in hclwrite's `linesForFormat`.
fn scan(line: &str) -> Scan {
    let b = line.as_bytes();
    let mut net = 0i32;
    let mut first_eq: Option<(usize, i32)> = None;
    // Stack of contexts: true = inside a quoted string, false = inside an interpolation.
    let mut nesting: Vec<bool> = vec![];
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if nesting.last() == Some(&true) {
            match c {
                b'\\' => i += 1,
                b'"' => {
                    nesting.pop();
                }
                // `$${` and `%%{` are escapes, not interpolations.
                b'$' | b'%' if b.get(i + 1) == Some(&b'{') && (i == 0 || b[i - 1] != c) => {
                    nesting.push(false);
                    i += 1;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'#' => break,
            b'/' if b.get(i + 1) == Some(&b'/') => break,
            b'"' => nesting.push(true),
            b'}' if nesting.last() == Some(&false) => {
                nesting.pop();
            }
            b'{' | b'[' | b'(' => net += 1,
            b'}' | b']' | b')' => net -= 1,
            b'=' if i > 0 && first_eq.is_none() => {
                let prev = b[i - 1];
                let next = b.get(i + 1).copied().unwrap_or(b' ');
                if !matches!(prev, b'=' | b'!' | b'<' | b'>') && !matches!(next, b'=' | b'>') {
                    first_eq = Some((i, net));
                }
            }
            _ => {}
        }
        i += 1;
    }
    let assign = first_eq
        .filter(|&(_, before)| net - before == 0)
        .map(|(at, _)| at);
    Scan { net, assign }
}

/// Columns as hclwrite counts them when it aligns `=`: grapheme clusters, not bytes or chars
/// (`"ü"` written as `u` + U+0308 is one column, `"日本"` two), as `terraform fmt` shows.
fn columns(s: &str) -> usize {
    use unicode_segmentation::UnicodeSegmentation;
    s.graphemes(true).count()
}

/// Re-indents and aligns rendered HCL the way `terraform fmt` does; collapses runs of blank
/// lines and trims trailing space, so the output is `terraform fmt -check` clean.
pub fn layout(src: &str) -> String {
    struct Line {
        text: String,
        indent: usize,
        assign: Option<usize>,
    }
    let mut lines: Vec<Line> = vec![];
    let mut indents: Vec<i32> = vec![];
    let mut prev_blank = true;
    for raw in src.lines() {
        let text = raw.trim();
        if text.is_empty() {
            if !prev_blank {
                lines.push(Line {
                    text: String::new(),
                    indent: 0,
                    assign: None,
                });
            }
            prev_blank = true;
            continue;
        }
        prev_blank = false;
        let sc = scan(text);
        let indent;
        if sc.net > 0 {
            indent = indents.len();
            indents.push(sc.net);
        } else if sc.net < 0 {
            let mut closed = -sc.net;
            while closed > 0 {
                let Some(top) = indents.last_mut() else { break };
                if closed > *top {
                    closed -= *top;
                    indents.pop();
                } else if closed < *top {
                    *top -= closed;
                    closed = 0;
                } else {
                    indents.pop();
                    closed = 0;
                }
            }
            indent = indents.len();
        } else {
            indent = indents.len();
        }
        lines.push(Line {
            text: text.to_string(),
            indent,
            assign: sc.assign,
        });
    }
    while lines.last().is_some_and(|l| l.text.is_empty()) {
        lines.pop();
    }
    // Align `=` across runs of consecutive single-line assignments.
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < lines.len() {
        if lines[i].assign.is_none() {
            let l = &lines[i];
            if !l.text.is_empty() {
                out.push_str(&"  ".repeat(l.indent));
                out.push_str(&l.text);
            }
            out.push('\n');
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && lines[i].assign.is_some() {
            i += 1;
        }
        let width = lines[start..i]
            .iter()
            .map(|l| 2 * l.indent + columns(l.text[..l.assign.unwrap()].trim_end()))
            .max()
            .unwrap_or(0);
        for l in &lines[start..i] {
            let eq = l.assign.unwrap();
            let lead = l.text[..eq].trim_end();
            let rest = l.text[eq + 1..].trim_start();
            let pad = width - 2 * l.indent - columns(lead);
            out.push_str(&"  ".repeat(l.indent));
            out.push_str(lead);
            out.push_str(&" ".repeat(pad + 1));
            out.push('=');
            if !rest.is_empty() {
                out.push(' ');
                out.push_str(rest);
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_cannot_break_out() {
        assert_eq!(string("a\"b"), r#""a\"b""#);
        assert_eq!(string("${x}"), r#""$${x}""#);
        assert_eq!(string("%{if}"), r#""%%{if}""#);
        assert_eq!(string("}\nresource \"x\" {"), r#""}\nresource \"x\" {""#);
        assert_eq!(string("back\\slash"), r#""back\\slash""#);
    }

    #[test]
    fn layout_aligns_and_indents_like_terraform_fmt() {
        let src = "resource \"aws_vpc\" \"main\" {\ncidr_block = \"10.0.0.0/16\"\nenable_dns_support = true\ntags = {\nName = \"x\"\n}\n}\n\n\n";
        let want = "resource \"aws_vpc\" \"main\" {\n  cidr_block         = \"10.0.0.0/16\"\n  enable_dns_support = true\n  tags = {\n    Name = \"x\"\n  }\n}\n";
        assert_eq!(layout(src), want);
    }

    #[test]
    fn layout_handles_nested_openers_and_interpolation() {
        let src = "policy = jsonencode({\nVersion = \"2012-10-17\"\nStatement = [\n{\nSid = \"a\"\nResource = \"${aws_s3_bucket.x.arn}/*\"\n},\n]\n})\nname = \"a=b\"\n";
        let want = "policy = jsonencode({\n  Version = \"2012-10-17\"\n  Statement = [\n    {\n      Sid      = \"a\"\n      Resource = \"${aws_s3_bucket.x.arn}/*\"\n    },\n  ]\n})\nname = \"a=b\"\n";
        assert_eq!(layout(src), want);
    }

    #[test]
    fn alignment_counts_grapheme_clusters() {
        let src = "t = {\n\"u\u{308}x\" = \"1\"\n\"abcdefgh\" = \"2\"\n\"日本\" = \"3\"\n}\n";
        // What `terraform fmt` (hclwrite) writes for the same input.
        let want = "t = {\n  \"u\u{308}x\"       = \"1\"\n  \"abcdefgh\" = \"2\"\n  \"日本\"       = \"3\"\n}\n";
        assert_eq!(layout(src), want);
    }

    #[test]
    fn comparison_operators_are_not_assignments() {
        let src = "condition = var.x >= 1\nerror_message = \"y\"\n";
        let out = layout(src);
        assert!(out.contains("condition     = var.x >= 1"), "{out}");
    }
}
