//! The CloudFormation output's inventory, read with a YAML parser (serde_yaml keeps the `!Ref`,
//! `!GetAtt`, `!Sub` and `!Select` tags): resources, service names, inline and standalone
//! security-group rules and every policy document.

use super::normal::{self, Inventory, RuleKey};
use serde_json::{Map, Value as Json};
use serde_yaml::Value as Yaml;

pub struct Cfn {
    doc: Yaml,
    partition: String,
    region: String,
}

/// The `Description` of the rule that replaces EC2's default allow-all egress rule.
pub const NO_EGRESS: &str = "Matches no traffic: replaces the default allow-all egress rule";

fn text(v: &Yaml) -> String {
    match v {
        Yaml::String(s) => s.clone(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        other => panic!("not a scalar: {other:?}"),
    }
}

impl Cfn {
    pub fn parse(template: &str, partition: &str, region: &str) -> Cfn {
        Cfn {
            doc: serde_yaml::from_str(template).expect("template.yaml is YAML"),
            partition: partition.into(),
            region: region.into(),
        }
    }

    fn resources(&self) -> impl Iterator<Item = (&str, &str, &Yaml)> {
        self.doc["Resources"]
            .as_mapping()
            .expect("Resources")
            .iter()
            .map(|(k, v)| {
                let ty = v["Type"].as_str().expect("Type");
                (k.as_str().expect("logical id"), ty, &v["Properties"])
            })
    }

    fn resource(&self, logical: &str) -> (&str, &Yaml) {
        let r = &self.doc["Resources"][logical];
        let ty = r["Type"]
            .as_str()
            .unwrap_or_else(|| panic!("no resource {logical}"));
        (ty, &r["Properties"])
    }

    fn string(&self, v: &Yaml) -> String {
        match self.norm(v) {
            Json::String(s) => s,
            other => panic!("not a string: {other:?}"),
        }
    }

    fn identity(&self, logical: &str) -> (&'static str, String) {
        let (ty, p) = self.resource(logical);
        let (kind, key) = match ty {
            "AWS::S3::Bucket" => ("bucket", "BucketName"),
            "AWS::IAM::Role" => ("role", "RoleName"),
            "AWS::IAM::ManagedPolicy" => ("policy", "ManagedPolicyName"),
            "AWS::EC2::SecurityGroup" => ("sg", "GroupName"),
            "AWS::Logs::LogGroup" => ("log-group", "LogGroupName"),
            "AWS::KMS::Key" => ("key", "Description"),
            "AWS::EC2::VPCEndpoint" => ("endpoint", "ServiceName"),
            "AWS::EC2::VPC" | "AWS::EC2::Subnet" => ("network", "CidrBlock"),
            "AWS::SageMaker::Domain" => ("domain", "DomainName"),
            "AWS::SageMaker::UserProfile" => ("profile", "UserProfileName"),
            "AWS::SageMaker::NotebookInstance" => ("notebook", "NotebookInstanceName"),
            "AWS::EC2::RouteTable" => {
                let tags = p["Tags"].as_sequence().expect("tags");
                let name = tags.iter().find(|t| t["Key"] == "Name").expect("Name tag");
                return ("route-table", text(&name["Value"]));
            }
            other => panic!("no identity for {other}"),
        };
        (kind, self.string(&p[key]))
    }

    /// `!Ref X` or `!GetAtt X.Attr` (attr `None` for `Ref`) in normal form.
    fn reference(&self, name: &str, attr: Option<&str>) -> String {
        match name {
            "AWS::AccountId" => return normal::ACCOUNT.into(),
            "AWS::Partition" => return self.partition.clone(),
            "AWS::Region" => return self.region.clone(),
            _ => {}
        }
        if self.doc["Parameters"].get(name).is_some() {
            // The deliberate difference: a gateway endpoint's prefix list is a parameter.
            if let Some(ep) = name.strip_suffix("PrefixListId") {
                let (kind, id) = self.identity(&format!("{ep}Endpoint"));
                return normal::placeholder(kind, &id, "prefix_list_id");
            }
            return normal::input(name);
        }
        let (ty, _) = self.resource(name);
        let (kind, id) = self.identity(name);
        let a = match (ty, attr) {
            (_, Some("Arn" | "DomainArn" | "UserProfileArn")) => "arn",
            (_, Some("GroupId" | "DomainId" | "KeyId")) => "id",
            (_, Some(other)) => panic!("unexpected attribute {other}"),
            ("AWS::S3::Bucket" | "AWS::IAM::Role" | "AWS::Logs::LogGroup", None) => "name",
            ("AWS::IAM::ManagedPolicy" | "AWS::SageMaker::NotebookInstance", None) => "arn",
            (_, None) => "id",
        };
        normal::placeholder(kind, &id, a)
    }

    /// `${Name}` / `${Name.Attr}` / `${!Literal}` in a `!Sub` string.
    fn sub(&self, s: &str, vars: Option<&Yaml>) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let end = rest[i..].find('}').expect("closed ${") + i;
            let inner = &rest[i + 2..end];
            if let Some(lit) = inner.strip_prefix('!') {
                out.push_str(&format!("${{{lit}}}"));
            } else if let Some(v) = vars.and_then(|m| m.get(inner)) {
                out.push_str(&self.string(v));
            } else {
                match inner.split_once('.') {
                    Some((n, a)) => out.push_str(&self.reference(n, Some(a))),
                    None => out.push_str(&self.reference(inner, None)),
                }
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    pub fn norm(&self, v: &Yaml) -> Json {
        match v {
            Yaml::Null => Json::Null,
            Yaml::Bool(b) => Json::Bool(*b),
            Yaml::Number(n) => serde_json::to_value(n).expect("number"),
            Yaml::String(s) => Json::String(s.clone()),
            Yaml::Sequence(items) => Json::Array(items.iter().map(|i| self.norm(i)).collect()),
            Yaml::Mapping(m) => {
                let mut out = Map::new();
                for (k, v) in m {
                    out.insert(text(k), self.norm(v));
                }
                Json::Object(out)
            }
            Yaml::Tagged(t) => {
                let tag = t.tag.to_string();
                let s = match (tag.as_str(), &t.value) {
                    ("!Ref", Yaml::String(n)) => self.reference(n, None),
                    ("!GetAtt", Yaml::String(n)) => {
                        let (n, a) = n.split_once('.').expect("Logical.Attr");
                        self.reference(n, Some(a))
                    }
                    ("!Sub", Yaml::String(s)) => self.sub(s, None),
                    ("!Sub", Yaml::Sequence(parts)) => {
                        self.sub(parts[0].as_str().expect("string"), Some(&parts[1]))
                    }
                    ("!Select", Yaml::Sequence(parts)) => {
                        let i = parts[0].as_u64().expect("index");
                        let list = self.string(&parts[1]);
                        let name = list.trim_end_matches('>');
                        format!("{name}[{i}]>")
                    }
                    (tag, value) => panic!("unsupported {tag} {value:?}"),
                };
                Json::String(s)
            }
        }
    }

    pub fn inventory(&self) -> Inventory {
        let mut inv = Inventory::default();
        for (logical, ty, p) in self.resources() {
            *inv.types.entry(ty.to_string()).or_default() += 1;
            if let Some(m) = p.as_mapping() {
                for k in m.keys() {
                    let key = (ty.to_string(), text(k));
                    *inv.properties.entry(key).or_default() += 1;
                }
            }
            match ty {
                "AWS::EC2::VPCEndpoint" => {
                    let svc = self.string(&p["ServiceName"]);
                    inv.policies
                        .insert(format!("endpoint:{svc}"), self.norm(&p["PolicyDocument"]));
                    inv.service_names.insert(svc);
                }
                "AWS::IAM::Role" => {
                    let n = self.string(&p["RoleName"]);
                    let doc = self.norm(&p["AssumeRolePolicyDocument"]);
                    inv.policies.insert(format!("trust:{n}"), doc);
                }
                "AWS::IAM::ManagedPolicy" => {
                    let n = self.string(&p["ManagedPolicyName"]);
                    inv.policies
                        .insert(format!("policy:{n}"), self.norm(&p["PolicyDocument"]));
                    let roles = p["Roles"].as_sequence().map_or(0, Vec::len);
                    *inv.properties
                        .entry((ty.into(), "Roles[]".into()))
                        .or_default() += roles;
                }
                "AWS::S3::BucketPolicy" => {
                    let bucket = self.string(&p["Bucket"]);
                    inv.policies
                        .insert(format!("bucket:{bucket}"), self.norm(&p["PolicyDocument"]));
                }
                "AWS::KMS::Key" => {
                    inv.policies
                        .insert("key".into(), self.norm(&p["KeyPolicy"]));
                }
                "AWS::EC2::SecurityGroup" => {
                    let group = self.reference(logical, Some("GroupId"));
                    for (prop, dir) in [
                        ("SecurityGroupIngress", "ingress"),
                        ("SecurityGroupEgress", "egress"),
                    ] {
                        for r in p[prop].as_sequence().into_iter().flatten() {
                            if r["Description"] != NO_EGRESS {
                                inv.rules.insert(self.rule(&group, dir, r));
                            }
                        }
                    }
                }
                "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
                    let group = self.string(&p["GroupId"]);
                    let dir = if ty.ends_with("Ingress") {
                        "ingress"
                    } else {
                        "egress"
                    };
                    inv.rules.insert(self.rule(&group, dir, p));
                }
                _ => {}
            }
        }
        inv
    }

    fn rule(&self, group: &str, dir: &str, r: &Yaml) -> RuleKey {
        let port = |k: &str| r.get(k).map(|v| text(v).parse::<i64>().expect("port"));
        let peer = [
            "SourceSecurityGroupId",
            "DestinationSecurityGroupId",
            "CidrIp",
            "SourcePrefixListId",
            "DestinationPrefixListId",
        ]
        .iter()
        .find_map(|k| r.get(*k).map(|v| self.string(v)))
        .expect("a peer");
        (
            group.to_string(),
            dir.to_string(),
            text(&r["IpProtocol"]),
            port("FromPort"),
            port("ToPort"),
            peer,
            text(&r["Description"]),
        )
    }
}
