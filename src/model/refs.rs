//! References between generated resources, held as typed values so that each renderer spells
//! them its own way (`aws_s3_bucket.data.arn`, `!GetAtt DataBucket.Arn`, `dataBucket.bucketArn`).

use serde::Serialize;

/// The kinds of resource the model creates. A kind plus a logical name identifies a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Kind {
    Vpc,
    Subnet,
    RouteTable,
    SecurityGroup,
    VpcEndpoint,
    KmsKey,
    Bucket,
    LogGroup,
    Role,
    Domain,
    UserProfile,
    NotebookInstance,
    /// The CloudTrail trail (`audit.cloudtrail = "create"`).
    Trail,
    StudioLifecycleConfig,
    NotebookLifecycleConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ResId {
    pub kind: Kind,
    /// snake_case logical name, unique within the kind.
    pub name: String,
}

impl ResId {
    pub fn new(kind: Kind, name: impl Into<String>) -> Self {
        ResId {
            kind,
            name: name.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Attr {
    Arn,
    Id,
    Name,
    /// The prefix list of a gateway endpoint.
    PrefixListId,
}

/// A deploy-time input of the generated project (Terraform variable, CloudFormation parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Input {
    AccountId,
    KmsKeyArn,
    VpcId,
    SubnetIds,
    RouteTableIds,
}

/// A value in the model: a literal, a pseudo-value of the deployment, a resource attribute,
/// or a concatenation of those.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Ref {
    Lit(String),
    /// The ARN partition (`aws`, `aws-cn`, `aws-us-gov`).
    Partition,
    Region,
    Account,
    Attr(ResId, Attr),
    Input(Input),
    /// An element of a list input (e.g. one of the existing subnet ids).
    InputItem(Input, usize),
    Join(Vec<Ref>),
}

impl Ref {
    pub fn lit(s: impl Into<String>) -> Self {
        Ref::Lit(s.into())
    }

    pub fn attr(kind: Kind, name: &str, attr: Attr) -> Self {
        Ref::Attr(ResId::new(kind, name), attr)
    }

    /// Concatenates parts, merging adjacent literals and flattening nested joins.
    pub fn join(parts: impl IntoIterator<Item = Ref>) -> Self {
        let mut out: Vec<Ref> = Vec::new();
        for p in parts {
            let items = match p {
                Ref::Join(inner) => inner,
                other => vec![other],
            };
            for item in items {
                match (out.last_mut(), item) {
                    (Some(Ref::Lit(prev)), Ref::Lit(s)) => prev.push_str(&s),
                    (_, Ref::Lit(s)) if s.is_empty() => {}
                    (_, item) => out.push(item),
                }
            }
        }
        match out.len() {
            0 => Ref::Lit(String::new()),
            1 => out.pop().expect("one element"),
            _ => Ref::Join(out),
        }
    }

    /// `arn:<partition>:<service>:<region>:<account>:<resource>`; `region`/`account` may be
    /// empty for global services (IAM, S3).
    pub fn arn(service: &str, regional: bool, account: bool, resource: Ref) -> Self {
        let mut parts = vec![
            Ref::lit("arn:"),
            Ref::Partition,
            Ref::lit(format!(":{service}:")),
        ];
        if regional {
            parts.push(Ref::Region);
        }
        parts.push(Ref::lit(":"));
        if account {
            parts.push(Ref::Account);
        }
        parts.push(Ref::lit(":"));
        parts.push(resource);
        Ref::join(parts)
    }

    /// Every resource this value points at.
    pub fn resources(&self, out: &mut Vec<ResId>) {
        match self {
            Ref::Attr(id, _) => out.push(id.clone()),
            Ref::Join(parts) => parts.iter().for_each(|p| p.resources(out)),
            _ => {}
        }
    }

    pub fn as_lit(&self) -> Option<&str> {
        match self {
            Ref::Lit(s) => Some(s),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_merges_literals_and_flattens() {
        let r = Ref::join([
            Ref::lit("a"),
            Ref::lit("b"),
            Ref::join([Ref::Region, Ref::lit("c")]),
            Ref::lit(""),
            Ref::lit("d"),
        ]);
        assert_eq!(
            r,
            Ref::Join(vec![Ref::lit("ab"), Ref::Region, Ref::lit("cd")])
        );
        assert_eq!(Ref::join([Ref::lit("x")]), Ref::lit("x"));
    }

    #[test]
    fn arn_shapes() {
        let r = Ref::arn("iam", false, true, Ref::lit("root"));
        assert_eq!(
            r,
            Ref::Join(vec![
                Ref::lit("arn:"),
                Ref::Partition,
                Ref::lit(":iam::"),
                Ref::Account,
                Ref::lit(":root")
            ])
        );
    }
}
