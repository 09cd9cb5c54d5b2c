//! The Terraform output's inventory, read with an HCL parser (hcl-rs): resource blocks, the
//! endpoints' service names, the security-group rule resources and every `jsonencode`d policy.

use super::normal::{self, Inventory, RuleKey};
use hcl::expr::{Expression, ObjectKey, TraversalOperator};
use hcl::template::{Element, Template};
use hcl::{Body, Structure};
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;

pub struct Tf {
    /// (type, name) → body.
    resources: BTreeMap<(String, String), Body>,
    partition: String,
    region: String,
}

fn attr<'a>(body: &'a Body, key: &str) -> Option<&'a Expression> {
    body.0.iter().find_map(|s| match s {
        Structure::Attribute(a) if a.key.as_str() == key => Some(&a.expr),
        _ => None,
    })
}

impl Tf {
    pub fn parse(files: &BTreeMap<String, String>, partition: &str, region: &str) -> Tf {
        let mut resources = BTreeMap::new();
        for (path, text) in files {
            if !path.ends_with(".tf") {
                continue;
            }
            let body = hcl::parse(text).unwrap_or_else(|e| panic!("{path}: {e}"));
            for s in body.0 {
                if let Structure::Block(b) = s
                    && b.identifier.as_str() == "resource"
                {
                    let ty = b.labels[0].as_str().to_string();
                    let name = b.labels[1].as_str().to_string();
                    resources.insert((ty, name), b.body);
                }
            }
        }
        Tf {
            resources,
            partition: partition.into(),
            region: region.into(),
        }
    }

    fn body(&self, ty: &str, name: &str) -> &Body {
        self.resources
            .get(&(ty.to_string(), name.to_string()))
            .unwrap_or_else(|| panic!("no resource {ty}.{name}"))
    }

    fn string(&self, body: &Body, key: &str) -> String {
        match attr(body, key).map(|e| self.norm(e)) {
            Some(Json::String(s)) => s,
            other => panic!("{key}: not a string: {other:?}"),
        }
    }

    /// A resource's identity: the attribute that names it.
    fn identity(&self, ty: &str, name: &str) -> (&'static str, String) {
        let b = self.body(ty, name);
        let (kind, key) = match ty {
            "aws_s3_bucket" => ("bucket", "bucket"),
            "aws_iam_role" => ("role", "name"),
            "aws_iam_policy" => ("policy", "name"),
            "aws_security_group" => ("sg", "name"),
            "aws_cloudwatch_log_group" => ("log-group", "name"),
            "aws_kms_key" => ("key", "description"),
            "aws_vpc_endpoint" => ("endpoint", "service_name"),
            "aws_vpc" | "aws_subnet" => ("network", "cidr_block"),
            "aws_sagemaker_domain" => ("domain", "domain_name"),
            "aws_sagemaker_user_profile" => ("profile", "user_profile_name"),
            "aws_sagemaker_notebook_instance" => ("notebook", "name"),
            "aws_route_table" => {
                let tags = attr(b, "tags").map(|e| self.norm(e));
                let n = tags.and_then(|t| t["Name"].as_str().map(String::from));
                return ("route-table", n.expect("route tables are named"));
            }
            other => panic!("no identity for {other}"),
        };
        (kind, self.string(b, key))
    }

    /// A traversal such as `aws_s3_bucket.data.arn` or `var.subnet_ids[1]`.
    fn reference(&self, root: &str, ops: &[TraversalOperator]) -> String {
        let names: Vec<String> = ops
            .iter()
            .map(|op| match op {
                TraversalOperator::GetAttr(id) => id.as_str().to_string(),
                TraversalOperator::Index(Expression::Number(n)) => format!("[{n}]"),
                other => panic!("unsupported traversal {other:?}"),
            })
            .collect();
        if root == "var" {
            let var = match names[0].as_str() {
                "account_id" => return normal::ACCOUNT.into(),
                "kms_key_arn" => "KmsKeyArn",
                "vpc_id" => "VpcId",
                "subnet_ids" => "SubnetIds",
                "route_table_ids" => "RouteTableIds",
                other => panic!("unknown variable {other}"),
            };
            return normal::input(&format!("{var}{}", names[1..].concat()));
        }
        let (ty, name, at) = (root, names[0].as_str(), names[1].as_str());
        let (kind, id) = self.identity(ty, name);
        let attr = match (ty, at) {
            ("aws_cloudwatch_log_group", "arn") => {
                return normal::log_group_arn(&self.partition, &self.region, &id);
            }
            ("aws_s3_bucket" | "aws_cloudwatch_log_group" | "aws_iam_role", "id") => "name",
            ("aws_s3_bucket", "bucket") => "name",
            ("aws_iam_policy", "id") => "arn",
            (_, a) => a,
        };
        normal::placeholder(kind, &id, attr)
    }

    /// An expression in normal form: JSON with references as placeholders.
    pub fn norm(&self, e: &Expression) -> Json {
        match e {
            Expression::Null => Json::Null,
            Expression::Bool(b) => Json::Bool(*b),
            Expression::Number(n) => serde_json::to_value(n).expect("number"),
            Expression::String(s) => Json::String(s.clone()),
            Expression::Array(items) => Json::Array(items.iter().map(|i| self.norm(i)).collect()),
            Expression::Object(o) => {
                let mut m = Map::new();
                for (k, v) in o {
                    let key = match k {
                        ObjectKey::Identifier(i) => i.as_str().to_string(),
                        ObjectKey::Expression(e) => match self.norm(e) {
                            Json::String(s) => s,
                            other => panic!("object key {other:?}"),
                        },
                        other => panic!("object key {other:?}"),
                    };
                    m.insert(key, self.norm(v));
                }
                Json::Object(m)
            }
            Expression::TemplateExpr(t) => {
                let tpl = Template::from_expr(t).expect("template");
                let mut out = String::new();
                for el in tpl.elements() {
                    match el {
                        Element::Literal(s) => out.push_str(s),
                        Element::Interpolation(i) => match self.norm(&i.expr) {
                            Json::String(s) => out.push_str(&s),
                            other => out.push_str(&other.to_string()),
                        },
                        Element::Directive(_) => panic!("template directive in output"),
                    }
                }
                Json::String(out)
            }
            Expression::Traversal(t) => match &t.expr {
                Expression::Variable(v) => Json::String(self.reference(v.as_str(), &t.operators)),
                other => panic!("traversal of {other:?}"),
            },
            Expression::FuncCall(f) if f.name.name.as_str() == "jsonencode" => {
                self.norm(&f.args[0])
            }
            other => panic!("unsupported expression {other:?}"),
        }
    }

    pub fn inventory(&self) -> Inventory {
        let mut inv = Inventory::default();
        for ((ty, name), b) in &self.resources {
            *inv.types.entry(ty.clone()).or_default() += 1;
            let doc = |key: &str| self.norm(attr(b, key).expect("policy"));
            match ty.as_str() {
                "aws_vpc_endpoint" => {
                    let svc = self.string(b, "service_name");
                    inv.policies
                        .insert(format!("endpoint:{svc}"), doc("policy"));
                    inv.service_names.insert(svc);
                }
                "aws_iam_role" => {
                    let n = self.string(b, "name");
                    inv.policies
                        .insert(format!("trust:{n}"), doc("assume_role_policy"));
                }
                "aws_iam_policy" => {
                    let n = self.string(b, "name");
                    inv.policies.insert(format!("policy:{n}"), doc("policy"));
                }
                "aws_s3_bucket_policy" => {
                    let bucket = self.string(b, "bucket");
                    inv.policies
                        .insert(format!("bucket:{bucket}"), doc("policy"));
                }
                "aws_kms_key" => {
                    inv.policies.insert("key".into(), doc("policy"));
                }
                "aws_vpc_security_group_ingress_rule" | "aws_vpc_security_group_egress_rule" => {
                    inv.rules.insert(self.rule(ty, name, b));
                }
                _ => {}
            }
        }
        inv
    }

    fn rule(&self, ty: &str, name: &str, b: &Body) -> RuleKey {
        let group = self.string(b, "security_group_id");
        let port = |k: &str| attr(b, k).map(|e| self.norm(e).as_i64().expect("port"));
        let peer = [
            "referenced_security_group_id",
            "cidr_ipv4",
            "prefix_list_id",
        ]
        .iter()
        .find_map(|k| attr(b, k).map(|e| self.norm(e)))
        .unwrap_or_else(|| panic!("{ty}.{name}: no peer"));
        (
            group,
            if ty.contains("ingress") {
                "ingress"
            } else {
                "egress"
            }
            .into(),
            self.string(b, "ip_protocol"),
            port("from_port"),
            port("to_port"),
            peer.as_str().expect("peer").to_string(),
            self.string(b, "description"),
        )
    }
}
