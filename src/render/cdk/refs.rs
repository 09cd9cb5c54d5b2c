//! References to the constructs of the generated CDK app, written in TypeScript: which construct
//! owns each kind of resource ([`Owner`]), where an expression is written ([`Scope`]), and the
//! expressions themselves ([`Refs`]: a model [`Ref`] as `this.…`, `props.…` or `stack.…`, and
//! policy documents as object literals).

use crate::model::iam::Value;
use crate::model::refs::{Attr, Input, Kind, Ref};
use crate::render::typescript::{key, string};

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
    /// The audit trail (`lib/audit.ts`), created once the resource policies it waits for exist.
    Audit,
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
            Owner::Audit => "audit",
        }
    }

    pub fn of(kind: Kind) -> Owner {
        match kind {
            Kind::Vpc | Kind::Subnet | Kind::RouteTable | Kind::SecurityGroup => Owner::Network,
            Kind::VpcEndpoint => Owner::Network,
            Kind::KmsKey => Owner::Encryption,
            Kind::Bucket | Kind::LogGroup => Owner::Storage,
            Kind::Role => Owner::Iam,
            Kind::Domain
            | Kind::UserProfile
            | Kind::NotebookInstance
            | Kind::StudioLifecycleConfig
            | Kind::NotebookLifecycleConfig => Owner::SageMaker,
            Kind::Trail => Owner::Audit,
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
            (Kind::Trail, Attr::Arn) => format!("{b}.trail.attrArn"),
            (Kind::Trail, _) => format!("{b}.trail.ref"),
            (Kind::StudioLifecycleConfig, Attr::Arn) => {
                format!("{b}.lifecycleConfigs[{k}].attrStudioLifecycleConfigArn")
            }
            (Kind::StudioLifecycleConfig, _) => {
                format!("{b}.lifecycleConfigs[{k}].studioLifecycleConfigName")
            }
            (Kind::NotebookLifecycleConfig, Attr::Arn) => {
                format!("{b}.notebookLifecycleConfigs[{k}].attrNotebookInstanceLifecycleConfigArn")
            }
            (Kind::NotebookLifecycleConfig, _) => {
                format!("{b}.notebookLifecycleConfigs[{k}].attrNotebookInstanceLifecycleConfigName")
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
            Value::Bool(b) => b.to_string(),
            Value::Null => "null".into(),
            Value::Refs(refs) => self.list(refs),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::typescript::layout;

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
}
