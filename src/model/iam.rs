//! IAM policy documents as typed data. Statements are built in Rust (policies.rs) from the
//! model, never written in templates; renderers turn a document into a [`Value`] tree and spell
//! it in their own syntax.

use super::refs::Ref;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Principal {
    Aws(Vec<Ref>),
    Service(Vec<Ref>),
}

/// One condition entry: `{ op: { key: values } }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    pub op: String,
    pub key: String,
    pub values: Vec<Ref>,
}

impl Condition {
    pub fn new(op: &str, key: &str, values: impl IntoIterator<Item = Ref>) -> Self {
        Condition {
            op: op.into(),
            key: key.into(),
            values: values.into_iter().collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub sid: String,
    pub effect: Effect,
    pub principal: Option<Principal>,
    pub actions: Vec<String>,
    pub resources: Vec<Ref>,
    pub conditions: Vec<Condition>,
}

impl Statement {
    pub fn allow(sid: &str, actions: &[&str], resources: Vec<Ref>) -> Self {
        Statement {
            sid: sid.into(),
            effect: Effect::Allow,
            principal: None,
            actions: actions.iter().map(|a| a.to_string()).collect(),
            resources,
            conditions: vec![],
        }
    }

    pub fn deny(sid: &str, actions: &[&str], resources: Vec<Ref>) -> Self {
        Statement {
            effect: Effect::Deny,
            ..Statement::allow(sid, actions, resources)
        }
    }

    pub fn principal(mut self, p: Principal) -> Self {
        self.principal = Some(p);
        self
    }

    pub fn when(mut self, c: Condition) -> Self {
        self.conditions.push(c);
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyDocument {
    pub statements: Vec<Statement>,
}

/// A JSON-like tree whose leaves are [`Ref`]s. Maps keep insertion order, which is the order
/// IAM documents are conventionally written in (Version, Statement; Sid, Effect, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Value {
    Leaf(Ref),
    /// A JSON boolean (settings trees such as the SDK defaults; policies have none).
    Bool(bool),
    /// JSON `null`: a setting with no value in this environment (no key, say).
    Null,
    /// A list of references that a dialect writes as its list of references, where a whole
    /// list input collapses to the input itself (`var.subnet_ids`): settings trees such as the
    /// job defaults. Policies keep `List` of `Leaf`s, one value per entry.
    Refs(Vec<Ref>),
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
}

impl Value {
    fn str(s: &str) -> Value {
        Value::Leaf(Ref::lit(s))
    }

    /// One value as a scalar, several as a list (both are valid IAM).
    fn refs(values: &[Ref]) -> Value {
        match values {
            [one] => Value::Leaf(one.clone()),
            many => Value::List(many.iter().cloned().map(Value::Leaf).collect()),
        }
    }

    /// Every reference in the tree, in order.
    pub fn leaves<'a>(&'a self, out: &mut Vec<&'a Ref>) {
        match self {
            Value::Leaf(r) => out.push(r),
            Value::Bool(_) | Value::Null => {}
            Value::Refs(refs) => out.extend(refs),
            Value::List(items) => items.iter().for_each(|v| v.leaves(out)),
            Value::Map(items) => items.iter().for_each(|(_, v)| v.leaves(out)),
        }
    }
}

impl PolicyDocument {
    pub fn new(statements: Vec<Statement>) -> Self {
        PolicyDocument { statements }
    }

    pub fn to_value(&self) -> Value {
        let statements = self.statements.iter().map(statement_value).collect();
        Value::Map(vec![
            ("Version".into(), Value::str("2012-10-17")),
            ("Statement".into(), Value::List(statements)),
        ])
    }
}

fn statement_value(s: &Statement) -> Value {
    let mut m = vec![
        ("Sid".to_string(), Value::str(&s.sid)),
        (
            "Effect".to_string(),
            Value::str(match s.effect {
                Effect::Allow => "Allow",
                Effect::Deny => "Deny",
            }),
        ),
    ];
    if let Some(p) = &s.principal {
        let (key, values) = match p {
            Principal::Aws(v) => ("AWS", v),
            Principal::Service(v) => ("Service", v),
        };
        m.push((
            "Principal".into(),
            Value::Map(vec![(key.into(), Value::refs(values))]),
        ));
    }
    let actions: Vec<Ref> = s.actions.iter().map(Ref::lit).collect();
    m.push(("Action".into(), Value::refs(&actions)));
    if !s.resources.is_empty() {
        m.push(("Resource".into(), Value::refs(&s.resources)));
    }
    if !s.conditions.is_empty() {
        let mut by_op: BTreeMap<&str, Vec<(String, Value)>> = BTreeMap::new();
        for c in &s.conditions {
            by_op
                .entry(&c.op)
                .or_default()
                .push((c.key.clone(), Value::refs(&c.values)));
        }
        let ops = by_op
            .into_iter()
            .map(|(op, keys)| (op.to_string(), Value::Map(keys)))
            .collect();
        m.push(("Condition".into(), Value::Map(ops)));
    }
    Value::Map(m)
}

/// IAM's size limits, counted without white space (IAM and STS quotas; Organizations quotas).
pub const MANAGED_POLICY_MAX: usize = 6144;
pub const SCP_MAX: usize = 5120;

impl Ref {
    /// An upper bound of the rendered length: references count as the longest value they can
    /// take (an ARN in the longest partition and region, a 12-digit account).
    pub fn max_len(&self) -> usize {
        use super::refs::Attr;
        match self {
            Ref::Lit(s) => s.len() + s.chars().filter(|c| matches!(c, '"' | '\\')).count(),
            Ref::Partition => "aws-us-gov".len(),
            Ref::Region => "ap-southeast-7".len(),
            Ref::Account => 12,
            Ref::Attr(_, Attr::Arn) | Ref::Input(_) => 160,
            Ref::Attr(_, Attr::Name) => 64,
            Ref::Attr(_, _) | Ref::InputItem(..) => 32,
            Ref::Join(parts) => parts.iter().map(Ref::max_len).sum(),
        }
    }
}

impl Value {
    /// Length of the minified JSON, with references at their longest.
    pub fn max_len(&self) -> usize {
        match self {
            Value::Leaf(r) => r.max_len() + 2,
            Value::Bool(b) => b.to_string().len(),
            Value::Null => 4,
            Value::Refs(refs) => 2 + refs.iter().map(|r| r.max_len() + 3).sum::<usize>(),
            Value::List(items) => 2 + items.iter().map(|v| v.max_len() + 1).sum::<usize>(),
            Value::Map(entries) => {
                2 + entries
                    .iter()
                    .map(|(k, v)| k.len() + 4 + v.max_len())
                    .sum::<usize>()
            }
        }
    }
}

impl PolicyDocument {
    pub fn max_len(&self) -> usize {
        self.to_value().max_len()
    }

    /// Splits the statements, in order, into documents that each stay within `limit`.
    pub fn split(self, limit: usize) -> Vec<PolicyDocument> {
        // A document's length is its envelope plus, per statement, the statement and a
        // comma (see `Value::max_len`), so it is kept as a running sum: measuring the whole
        // document after every push made splitting quadratic in the number of statements.
        let envelope = PolicyDocument::new(vec![]).max_len();
        let mut parts: Vec<PolicyDocument> = vec![];
        let mut current = PolicyDocument::new(vec![]);
        let mut len = envelope;
        for s in self.statements {
            let cost = statement_value(&s).max_len() + 1;
            if !current.statements.is_empty() && len + cost > limit {
                parts.push(std::mem::replace(&mut current, PolicyDocument::new(vec![])));
                len = envelope;
            }
            current.statements.push(s);
            len += cost;
        }
        if !current.statements.is_empty() {
            parts.push(current);
        }
        parts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_order_and_fills_each_part_up_to_the_limit() {
        let statements: Vec<Statement> = (0..40)
            .map(|i| {
                let actions = ["s3:GetObject"; 8][..1 + i % 7].to_vec();
                Statement::allow(&format!("S{i}"), &actions, vec![Ref::Lit("*".into())])
            })
            .collect();
        let limit = 600;
        let parts = PolicyDocument::new(statements.clone()).split(limit);
        assert!(parts.len() > 2, "the limit forces several parts");
        let joined: Vec<Statement> = parts.iter().flat_map(|p| p.statements.clone()).collect();
        assert_eq!(joined, statements);
        for (i, p) in parts.iter().enumerate() {
            assert!(p.max_len() <= limit, "part {i} is {} long", p.max_len());
            if let Some(next) = parts.get(i + 1) {
                let mut grown = p.clone();
                grown.statements.push(next.statements[0].clone());
                assert!(
                    grown.max_len() > limit,
                    "part {i} could have taken one more"
                );
            }
        }
    }
}
