//! Model references as CloudFormation: logical ids, `!Ref`/`!GetAtt`/`!Select`, and `!Sub`
//! strings for joins, with `${AWS::Partition}`, `${AWS::Region}` and `${AWS::AccountId}` for the
//! pseudo-values. Every fragment is finished YAML (escaped by [`yaml`]).

use crate::model::iam::{PolicyDocument, Value};
use crate::model::refs::{Attr, Input, Kind, Ref, ResId};
use crate::render::yaml::{self, Node};
use heck::ToUpperCamelCase;

/// PascalCase of a snake_case model name (`studio_domain` → `StudioDomain`).
pub fn pascal(name: &str) -> String {
    name.to_upper_camel_case()
}

/// The logical id of a model resource: its name in PascalCase and its kind (`DataBucket`,
/// `StudioDomainSecurityGroup`); the one resource of a kind named `main` is the kind alone.
pub fn logical_id(id: &ResId) -> String {
    let kind = match id.kind {
        Kind::Vpc => "Vpc",
        Kind::Subnet => "Subnet",
        Kind::RouteTable => "RouteTable",
        Kind::SecurityGroup => "SecurityGroup",
        Kind::VpcEndpoint => "Endpoint",
        Kind::KmsKey => "KmsKey",
        Kind::Bucket => "Bucket",
        Kind::LogGroup => "LogGroup",
        Kind::Role => "Role",
        Kind::Domain => "StudioDomain",
        Kind::UserProfile => "Profile",
        Kind::NotebookInstance => "Instance",
        Kind::Trail => "Trail",
        Kind::StudioLifecycleConfig => "StudioLifecycleConfig",
        Kind::NotebookLifecycleConfig => "NotebookLifecycleConfig",
    };
    if id.name == "main" {
        kind.to_string()
    } else {
        format!("{}{kind}", pascal(&id.name))
    }
}

pub fn logical(kind: Kind, name: &str) -> String {
    logical_id(&ResId::new(kind, name))
}

/// The parameter a deploy-time input becomes; the account is the stack's own.
fn input_param(i: Input) -> Option<&'static str> {
    match i {
        Input::AccountId => None,
        Input::KmsKeyArn => Some("KmsKeyArn"),
        Input::VpcId => Some("VpcId"),
        Input::SubnetIds => Some("SubnetIds"),
        Input::RouteTableIds => Some("RouteTableIds"),
    }
}

/// The parameter that holds a gateway endpoint's prefix list: `AWS::EC2::VPCEndpoint` returns
/// no prefix-list id (CloudFormation User Guide, AWS::EC2::VPCEndpoint return values).
pub fn prefix_list_param(endpoint: &str) -> String {
    format!("{}PrefixListId", pascal(endpoint))
}

/// How a resource attribute is read in CloudFormation.
enum Read {
    Ref(String),
    GetAtt(String, &'static str),
    /// Spelled out as a `Ref` join (see [`attr`]).
    Expanded(Ref),
}

/// The CloudFormation spelling of `(resource, attribute)`, from each type's documented return
/// values (`Ref` gives the id, name or ARN depending on the type).
fn attr(id: &ResId, a: Attr) -> Read {
    let l = logical_id(id);
    match (id.kind, a) {
        (Kind::SecurityGroup, _) => Read::GetAtt(l, "GroupId"),
        (Kind::VpcEndpoint, Attr::PrefixListId) => Read::Ref(prefix_list_param(&id.name)),
        // A log group's `Arn` attribute ends in `:*`; the model (and Terraform's `arn`) means
        // the group ARN without it (CloudFormation User Guide, AWS::Logs::LogGroup return values).
        (Kind::LogGroup, Attr::Arn) => Read::Expanded(Ref::arn(
            "logs",
            true,
            true,
            Ref::join([Ref::lit("log-group:"), Ref::Attr(id.clone(), Attr::Name)]),
        )),
        (Kind::Domain, Attr::Arn) => Read::GetAtt(l, "DomainArn"),
        (Kind::Domain, _) => Read::GetAtt(l, "DomainId"),
        (Kind::UserProfile, _) => Read::GetAtt(l, "UserProfileArn"),
        // A notebook instance's `Ref` is its ARN.
        (Kind::NotebookInstance, _) => Read::Ref(l),
        (Kind::KmsKey | Kind::Bucket | Kind::Role | Kind::Trail, Attr::Arn) => {
            Read::GetAtt(l, "Arn")
        }
        (Kind::StudioLifecycleConfig, Attr::Arn) => Read::GetAtt(l, "StudioLifecycleConfigArn"),
        // A notebook lifecycle configuration's `Ref` is its ARN.
        (Kind::NotebookLifecycleConfig, Attr::Name) => {
            Read::GetAtt(l, "NotebookInstanceLifecycleConfigName")
        }
        _ => Read::Ref(l),
    }
}

/// An inline YAML value for a reference.
pub fn value(r: &Ref) -> String {
    match r {
        Ref::Lit(s) => yaml::scalar(s),
        Ref::Partition => "!Ref AWS::Partition".into(),
        Ref::Region => "!Ref AWS::Region".into(),
        Ref::Account => "!Ref AWS::AccountId".into(),
        Ref::Attr(id, a) => match attr(id, *a) {
            Read::Ref(l) => format!("!Ref {l}"),
            Read::GetAtt(l, at) => format!("!GetAtt {l}.{at}"),
            Read::Expanded(e) => value(&e),
        },
        Ref::Input(i) => match input_param(*i) {
            Some(p) => format!("!Ref {p}"),
            None => "!Ref AWS::AccountId".into(),
        },
        Ref::InputItem(i, n) => select(*i, *n),
        Ref::Join(parts) => sub(parts),
    }
}

fn select(i: Input, n: usize) -> String {
    let p = input_param(i).expect("only list inputs have items");
    format!("!Select [{n}, !Ref {p}]")
}

/// One `!Sub` for a join. Literal text has `${` written as `${!` (CloudFormation User Guide,
/// Fn::Sub: "To write a dollar sign and curly braces (${}) literally, add an exclamation
/// point"); list items are bound in the variable map, since `${}` cannot index a list.
fn sub(parts: &[Ref]) -> String {
    let mut text = String::new();
    let mut vars: Vec<(String, String)> = vec![];
    push_sub(parts, &mut text, &mut vars);
    if vars.is_empty() {
        format!("!Sub {}", yaml::quoted(&text))
    } else {
        let map: Vec<String> = vars.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        format!("!Sub [{}, {{{}}}]", yaml::quoted(&text), map.join(", "))
    }
}

fn push_sub(parts: &[Ref], text: &mut String, vars: &mut Vec<(String, String)>) {
    for p in parts {
        match p {
            Ref::Lit(s) => text.push_str(&s.replace("${", "${!")),
            Ref::Partition => text.push_str("${AWS::Partition}"),
            Ref::Region => text.push_str("${AWS::Region}"),
            Ref::Account => text.push_str("${AWS::AccountId}"),
            Ref::Attr(id, a) => match attr(id, *a) {
                Read::Ref(l) => text.push_str(&format!("${{{l}}}")),
                Read::GetAtt(l, at) => text.push_str(&format!("${{{l}.{at}}}")),
                Read::Expanded(Ref::Join(inner)) => push_sub(&inner, text, vars),
                Read::Expanded(other) => push_sub(&[other], text, vars),
            },
            Ref::Input(i) => match input_param(*i) {
                Some(p) => text.push_str(&format!("${{{p}}}")),
                None => text.push_str("${AWS::AccountId}"),
            },
            Ref::InputItem(i, n) => {
                let name = format!("{}{n}", input_param(*i).expect("list input"));
                if !vars.iter().any(|(k, _)| *k == name) {
                    vars.push((name.clone(), select(*i, *n)));
                }
                text.push_str(&format!("${{{name}}}"));
            }
            Ref::Join(inner) => push_sub(inner, text, vars),
        }
    }
}

/// A list of references; a whole list input collapses to the parameter itself.
pub fn list(refs: &[Ref]) -> Node {
    if let Some(Ref::InputItem(input, 0)) = refs.first() {
        let whole = refs
            .iter()
            .enumerate()
            .all(|(i, r)| *r == Ref::InputItem(*input, i));
        if let (true, Some(p)) = (whole, input_param(*input)) {
            return Node::Scalar(format!("!Ref {p}"));
        }
    }
    Node::Seq(refs.iter().map(|r| Node::Scalar(value(r))).collect())
}

/// A JSON-like value as one JSON string (for outputs, which are strings): literal text joined
/// with the references' intrinsics (`!Sub`), laid out as `{"key": value, …}`.
pub fn json_string(v: &Value) -> String {
    let mut parts = vec![];
    json_parts(v, &mut parts);
    value(&Ref::join(parts))
}

fn json_parts(v: &Value, out: &mut Vec<Ref>) {
    let text = |t: String| Ref::Lit(t);
    match v {
        Value::Leaf(Ref::Lit(s)) => out.push(text(serde_json::Value::from(s.as_str()).to_string())),
        Value::Leaf(r) => out.extend([text("\"".into()), r.clone(), text("\"".into())]),
        Value::Bool(b) => out.push(text(b.to_string())),
        Value::Null => out.push(text("null".into())),
        Value::Refs(refs) => {
            let items: Vec<Value> = refs.iter().cloned().map(Value::Leaf).collect();
            json_parts(&Value::List(items), out)
        }
        Value::List(items) => {
            out.push(text("[".into()));
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(text(", ".into()));
                }
                json_parts(item, out);
            }
            out.push(text("]".into()));
        }
        Value::Map(entries) => {
            out.push(text("{".into()));
            for (i, (k, item)) in entries.iter().enumerate() {
                let sep = if i > 0 { ", " } else { "" };
                out.push(text(format!(
                    "{sep}{}: ",
                    serde_json::Value::from(k.as_str())
                )));
                json_parts(item, out);
            }
            out.push(text("}".into()));
        }
    }
}

/// A policy document as a YAML block.
pub fn policy(doc: &PolicyDocument) -> String {
    tree(&doc.to_value()).block()
}

fn tree(v: &Value) -> Node {
    match v {
        Value::Leaf(r) => Node::Scalar(value(r)),
        Value::Bool(b) => Node::Scalar(b.to_string()),
        Value::Null => Node::Scalar("null".into()),
        Value::Refs(refs) => list(refs),
        Value::List(items) => Node::Seq(items.iter().map(tree).collect()),
        Value::Map(entries) => {
            Node::Map(entries.iter().map(|(k, v)| (k.clone(), tree(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_become_one_sub_with_escaped_literals() {
        let r = Ref::join([
            Ref::lit("arn:"),
            Ref::Partition,
            Ref::lit(":s3:::${literal}-"),
            Ref::Account,
            Ref::lit("/"),
            Ref::attr(Kind::Bucket, "data", Attr::Arn),
        ]);
        assert_eq!(
            value(&r),
            r#"!Sub "arn:${AWS::Partition}:s3:::${!literal}-${AWS::AccountId}/${DataBucket.Arn}""#
        );
    }

    #[test]
    fn list_items_are_bound_in_the_variable_map() {
        let r = Ref::join([Ref::lit("subnet/"), Ref::InputItem(Input::SubnetIds, 1)]);
        assert_eq!(
            value(&r),
            r#"!Sub ["subnet/${SubnetIds1}", {SubnetIds1: !Select [1, !Ref SubnetIds]}]"#
        );
        let whole = [
            Ref::InputItem(Input::SubnetIds, 0),
            Ref::InputItem(Input::SubnetIds, 1),
        ];
        assert_eq!(list(&whole), Node::Scalar("!Ref SubnetIds".into()));
    }

    #[test]
    fn attributes_follow_each_types_return_values() {
        let sg = Ref::attr(Kind::SecurityGroup, "studio_domain", Attr::Id);
        assert_eq!(value(&sg), "!GetAtt StudioDomainSecurityGroup.GroupId");
        let lg = Ref::attr(Kind::LogGroup, "flow_logs", Attr::Arn);
        assert_eq!(
            value(&lg),
            r#"!Sub "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${FlowLogsLogGroup}""#
        );
        let pl = Ref::attr(Kind::VpcEndpoint, "s3", Attr::PrefixListId);
        assert_eq!(value(&pl), "!Ref S3PrefixListId");
        assert_eq!(
            value(&Ref::attr(Kind::KmsKey, "main", Attr::Arn)),
            "!GetAtt KmsKey.Arn"
        );
        assert_eq!(value(&Ref::lit("${x}")), r#""${x}""#);
    }
}
