//! Files every format gets: `policies/*.json` (each IAM document of the environment, pretty
//! JSON, one per file, with a README table) and `sagemaker-config.yaml` (SageMaker Python SDK
//! defaults). Values that exist only after deployment are `<placeholders>`; the stack outputs
//! (Terraform: `sagemaker_sdk_config`) give the filled-in versions.

use super::FileSet;
use crate::model::Model;
use crate::model::iam::{PolicyDocument, Value};
use crate::model::refs::{Attr, Input, Kind, Ref};
use serde::Serialize;
use serde_json::{Map, Value as Json};

/// What stands for the account id in files a user may copy while `project.account_id` is
/// unset.
pub const ACCOUNT_PLACEHOLDER: &str = "<account-id>";

struct Placeholders<'a> {
    model: &'a Model,
}

impl Placeholders<'_> {
    fn account(&self) -> String {
        // Until project.account_id is set, a marked placeholder like every other value that
        // exists only after deployment: never a plausible-looking account (AWS's documentation
        // example 111122223333 is one) that a copied SCP would silently target.
        self.model
            .account_id
            .clone()
            .unwrap_or_else(|| ACCOUNT_PLACEHOLDER.into())
    }

    fn text(&self, r: &Ref) -> String {
        let m = self.model;
        let p = m.partition.arn();
        match r {
            Ref::Lit(s) => s.clone(),
            Ref::Partition => p.into(),
            Ref::Region => m.region.clone(),
            Ref::Account => self.account(),
            Ref::Join(parts) => parts.iter().map(|x| self.text(x)).collect(),
            Ref::Input(Input::KmsKeyArn) => m.kms.existing_arn.clone().unwrap_or_default(),
            Ref::Input(Input::AccountId) => self.account(),
            Ref::Input(Input::VpcId) => m
                .network
                .existing
                .as_ref()
                .map(|e| e.vpc_id.clone())
                .unwrap_or_default(),
            Ref::Input(i) => format!("<{i:?}>"),
            Ref::InputItem(Input::SubnetIds, n) => self.existing(|e| e.subnet_ids.get(*n).cloned()),
            Ref::InputItem(Input::RouteTableIds, n) => {
                self.existing(|e| e.route_table_ids.get(*n).cloned())
            }
            Ref::InputItem(i, n) => format!("<{i:?}[{n}]>"),
            Ref::Attr(id, attr) => self.attr(id.kind, &id.name, *attr),
        }
    }

    fn existing(
        &self,
        f: impl Fn(&crate::model::network::ExistingVpc) -> Option<String>,
    ) -> String {
        self.model
            .network
            .existing
            .as_ref()
            .and_then(f)
            .unwrap_or_default()
    }

    /// Attributes known before deployment are spelled out; the rest become placeholders.
    fn attr(&self, kind: Kind, name: &str, attr: Attr) -> String {
        let m = self.model;
        let p = m.partition.arn();
        let acct = self.account();
        match (kind, attr) {
            (Kind::Role, Attr::Arn) => m
                .roles
                .iter()
                .find(|r| r.name == name)
                .map(|r| format!("arn:{p}:iam::{acct}:role{}{}", r.path, r.role_name))
                .unwrap_or_default(),
            (Kind::Bucket, Attr::Arn) => m
                .buckets
                .iter()
                .find(|b| b.name == name)
                .map(|b| format!("arn:{p}:s3:::{}", self.text(&b.bucket_name)))
                .unwrap_or_default(),
            (Kind::Bucket, Attr::Name) => m
                .buckets
                .iter()
                .find(|b| b.name == name)
                .map(|b| self.text(&b.bucket_name))
                .unwrap_or_default(),
            (Kind::LogGroup, Attr::Arn) => m
                .log_groups
                .iter()
                .find(|g| g.name == name)
                .map(|g| {
                    format!(
                        "arn:{p}:logs:{}:{acct}:log-group:{}",
                        m.region, g.log_group_name
                    )
                })
                .unwrap_or_default(),
            (Kind::KmsKey, Attr::Arn) => {
                format!("arn:{p}:kms:{}:{acct}:key/<kms-key-id>", m.region)
            }
            // No ':' inside a placeholder: it would split the ARN it stands in.
            (kind, attr) => format!(
                "<{}-{}-{}>",
                kind_word(kind),
                attr_word(attr),
                name.replace('_', "-")
            ),
        }
    }

    fn json(&self, v: &Value) -> Json {
        match v {
            Value::Leaf(r) => Json::String(self.text(r)),
            Value::Bool(b) => Json::Bool(*b),
            Value::Null => Json::Null,
            Value::Refs(refs) => {
                Json::Array(refs.iter().map(|r| Json::String(self.text(r))).collect())
            }
            Value::List(items) => Json::Array(items.iter().map(|i| self.json(i)).collect()),
            Value::Map(entries) => {
                let mut m = Map::new();
                for (k, v) in entries {
                    m.insert(k.clone(), self.json(v));
                }
                Json::Object(m)
            }
        }
    }

    /// Block-style YAML of a map's entries, two spaces per level; lists of references stay on
    /// one line (`[a, b]`); text is single-quoted, so no value can start a YAML construct.
    fn yaml(&self, entries: &[(String, Value)], indent: usize, out: &mut String) {
        let q = |s: String| format!("'{}'", s.replace('\'', "''"));
        for (k, v) in entries {
            out.push_str(&" ".repeat(indent));
            let text = match v {
                Value::Map(inner) => {
                    out.push_str(&format!("{k}:\n"));
                    self.yaml(inner, indent + 2, out);
                    continue;
                }
                Value::Leaf(r) => q(self.text(r)),
                Value::Bool(b) => b.to_string(),
                Value::Null => "null".to_string(),
                Value::Refs(refs) => {
                    let items: Vec<String> = refs.iter().map(|r| q(self.text(r))).collect();
                    format!("[{}]", items.join(", "))
                }
                // JSON is YAML's flow style.
                Value::List(_) => self.json(v).to_string(),
            };
            out.push_str(&format!("{k}: {text}\n"));
        }
    }

    fn document(&self, doc: &PolicyDocument) -> String {
        let mut text = serde_json::to_string_pretty(&self.json(&doc.to_value())).expect("json");
        text.push('\n');
        text
    }
}

fn kind_word(k: Kind) -> &'static str {
    match k {
        Kind::Vpc => "vpc",
        Kind::Subnet => "subnet",
        Kind::RouteTable => "route-table",
        Kind::SecurityGroup => "security-group",
        Kind::VpcEndpoint => "vpc-endpoint",
        Kind::KmsKey => "kms-key",
        Kind::Bucket => "bucket",
        Kind::LogGroup => "log-group",
        Kind::Role => "role",
        Kind::Domain => "domain",
        Kind::UserProfile => "user-profile",
        Kind::NotebookInstance => "notebook-instance",
        Kind::Trail => "trail",
        Kind::StudioLifecycleConfig => "studio-lifecycle-config",
        Kind::NotebookLifecycleConfig => "notebook-instance-lifecycle-config",
    }
}

fn attr_word(a: Attr) -> &'static str {
    match a {
        Attr::Arn => "arn",
        Attr::Id => "id",
        Attr::Name => "name",
        Attr::PrefixListId => "prefix-list-id",
    }
}

/// Every IAM document of the model: (file name, what it is, where it is used, document).
fn documents(model: &Model) -> Vec<(String, String, &PolicyDocument)> {
    let mut out = vec![];
    for r in &model.roles {
        let role = r.name.replace('_', "-");
        out.push((
            format!("{role}-role-trust.json"),
            format!("trust policy of the {} role", r.role_name),
            &r.trust,
        ));
        for p in &r.policies {
            out.push((
                Model::policy_file(p),
                format!("{} (attached to {})", p.description, r.role_name),
                &p.document,
            ));
        }
        if let Some(b) = &r.boundary {
            out.push((
                "permissions-boundary.json".into(),
                format!("{} (the boundary of {})", b.description, r.role_name),
                &b.document,
            ));
        }
    }
    for p in &model.access_policies {
        out.push((Model::policy_file(p), p.description.clone(), &p.document));
    }
    for d in &model.documents {
        out.push((d.file.clone(), d.purpose.clone(), &d.document));
    }
    if let Some(k) = &model.kms.policy {
        out.push((
            "kms-key-policy.json".into(),
            "key policy of the environment's customer managed key".into(),
            k,
        ));
    }
    for b in &model.buckets {
        out.push((
            format!("bucket-policy-{}.json", b.name.replace('_', "-")),
            format!("bucket policy of the {} bucket", b.name),
            &b.policy,
        ));
    }
    for e in &model.endpoints {
        out.push((
            Model::endpoint_policy_file(e.key),
            format!("VPC endpoint policy of {}", e.key),
            &e.policy,
        ));
    }
    out
}

pub fn add(set: &mut FileSet, model: &Model) {
    let ph = Placeholders { model };
    let mut readme = String::from(
        "# IAM documents of this environment\n\nEvery policy the generated code deploys, one per file, for review and for use outside\n\
         the stack (the SCP is not deployed by it). Values that exist only after deployment are\n\
         `<placeholders>`.\n\n| file | what it is |\n|---|---|\n",
    );
    for (file, purpose, doc) in documents(model) {
        readme.push_str(&format!("| `{file}` | {purpose} |\n"));
        set.insert(format!("policies/{file}"), ph.document(doc));
    }
    if !model.left_out.is_empty() {
        readme.push_str(
            "\n## Left out of AWS's Role Manager activities\n\nAWS's SageMaker Role Manager \
             publishes least-privilege activity templates. Every action of the activities that \
             this environment's needs call for is granted to the execution role, except:\n\n\
             | activity | actions | why |\n|---|---|---|\n",
        );
        for (activity, actions, why) in &model.left_out {
            let actions: Vec<String> = actions.iter().map(|a| format!("`{a}`")).collect();
            readme.push_str(&format!(
                "| {activity} | {} | {why} |\n",
                actions.join(", ")
            ));
        }
    }
    set.insert("policies/README.md", readme);
    set.insert("sagemaker-config.yaml", sdk_config(model, &ph));
}

/// The SageMaker Python SDK defaults file ([`crate::view::sdk::sdk_config`]) as YAML, with
/// placeholders for the values that exist after deployment.
fn sdk_config(model: &Model, ph: &Placeholders) -> String {
    let mut y = String::from(
        "# SageMaker Python SDK defaults for this environment. Copy to ~/.config/sagemaker/config.yaml\n\
         # (or /etc/xdg/sagemaker/config.yaml). Values in <…> exist after deployment; the\n\
         # stack outputs have them.\n",
    );
    if let Value::Map(entries) = crate::view::sdk::sdk_config(model) {
        ph.yaml(&entries, 0, &mut y);
    }
    y
}

/// Facts the generated README of every format states the same way in its "Before you deploy",
/// "Sign in" and "Monthly cost" sections (each renderer passes this object to its README
/// template as `deploy`): the account id when known, how people sign in, and the monthly
/// baseline from `smgen explain`. Conditions read the plain fields; what is printed is
/// Markdown prose under a `text` key (`{{ deploy.cost.text }}`), already joined, since template
/// interpolations print only escaped fragments or prose (tests/properties.rs).
pub fn readme_facts(model: &Model) -> ReadmeFacts {
    use crate::spec::AuthMode;
    let domain = model.domain.as_ref();
    let profiles: Vec<String> = domain
        .map(|d| d.profiles.iter().map(|p| p.profile_name.clone()).collect())
        .unwrap_or_default();
    let notebooks: Vec<String> = model
        .notebooks
        .iter()
        .map(|n| n.instance_name.clone())
        .collect();
    ReadmeFacts {
        account_id: model.account_id.is_some(),
        account: Prose::of(
            model
                .account_id
                .clone()
                .unwrap_or_else(|| ACCOUNT_PLACEHOLDER.into()),
        ),
        region: Prose::of(model.region.clone()),
        domain: domain.is_some(),
        iam_auth: domain.is_some_and(|d| d.auth_mode == AuthMode::Iam),
        profiles: Prose::of(profiles.join(", ")),
        first_profile: Prose::of(profiles.first().cloned().unwrap_or_default()),
        notebooks: !notebooks.is_empty(),
        notebook_names: Prose::of(notebooks.join(", ")),
        has_access_policy: !model.access_policies.is_empty(),
        access_policy: Prose::of(
            model
                .access_policies
                .first()
                .map(|p| p.policy_name.clone())
                .unwrap_or_default(),
        ),
        cost: Prose::of(crate::explain::cost::estimate(model, None).summary()),
        existing_vpc_checks: existing_vpc_checks(model).map(Prose::of),
        cross_account: cross_account(model).map(Prose::of),
        checked: Prose::of(CHECKED.into()),
    }
}

/// The facts of [`readme_facts`]: flags for conditions, and prose under `text`.
#[derive(Debug, Serialize)]
pub struct ReadmeFacts {
    account_id: bool,
    account: Prose,
    region: Prose,
    domain: bool,
    iam_auth: bool,
    profiles: Prose,
    first_profile: Prose,
    notebooks: bool,
    notebook_names: Prose,
    has_access_policy: bool,
    access_policy: Prose,
    cost: Prose,
    existing_vpc_checks: Option<Prose>,
    cross_account: Option<Prose>,
    checked: Prose,
}

/// Markdown prose, printed as `{{ deploy.NAME.text }}` (tests/properties.rs allows `text` keys
/// only in Markdown).
#[derive(Debug, Serialize)]
pub struct Prose {
    text: String,
}

impl Prose {
    fn of(text: String) -> Prose {
        Prose { text }
    }
}

/// What smgen's own validation proves about a design like this one, and what it cannot: the
/// same paragraph in every format's README.
const CHECKED: &str = "smgen's validation renders every preset and a matrix of answers in all \
    three formats and runs `terraform validate` and `terraform test`, cfn-lint, checkov, \
    `cdk synth` with cdk-nag, parliament and policy_sentry over the IAM documents, and a workload \
    simulation that evaluates every declared need's calls through the SCP, identity policies, \
    permissions boundary, endpoint, bucket and key policies. Its deploy stage runs against a \
    local AWS emulator (moto): the Terraform is applied, planned again (no changes), upgraded \
    with one changed answer and destroyed; the CloudFormation template and the CDK-synthesized \
    template are created, described and deleted; list calls then show nothing left. That proves \
    the creation order, a clean re-plan and a complete teardown. It cannot prove what the \
    emulator does not implement: SageMaker Studio domains and user profiles are left out there, \
    policies are stored but not enforced (the simulation covers them), and a real account's \
    quotas, service-linked roles and organization policies are not there. A first deployment \
    into a sandbox account is the real test.";

/// The files to hand to the owners of buckets of other accounts (`data.buckets[].account`), as
/// a Markdown list, the same in every format's README. A bucket or key policy can name the
/// execution role only once it exists ("Invalid principal in policy" otherwise: IAM User Guide,
/// reference_policies_elements_principal, "IAM role principals"), hence after the first deployment.
fn cross_account(model: &Model) -> Option<String> {
    if model.cross_account.is_empty() {
        return None;
    }
    let mut s = String::from(
        "After the first deployment (a bucket or key policy can name the execution role only once \
         it exists), hand these files to the owners of the buckets of other accounts; each file \
         holds statements to add to their policy, and until they are added the role is denied \
         there (access across accounts needs an Allow from both accounts):\n\n",
    );
    for b in &model.cross_account {
        s.push_str(&format!(
            "- account {}, bucket `{}`: `policies/{}` (bucket policy)",
            b.account, b.bucket, b.bucket_policy_file
        ));
        if let Some(k) = &b.key_policy_file {
            s.push_str(&format!(
                " and `policies/{k}` (policy of the bucket's KMS key)"
            ));
        }
        s.push('\n');
    }
    Some(s)
}

/// What an existing VPC must offer before the first deployment, with the AWS CLI commands that
/// show it (the same list in every format's README; Terraform also checks items 1 and 3 at
/// plan time). Sources: PrivateLink Guide, "DNS attributes" of interface endpoints (private DNS
/// needs enableDnsSupport and enableDnsHostnames; a second endpoint with private DNS for the
/// same service conflicts); vpc-endpoints-s3 (a route table routes S3 through one gateway
/// endpoint).
fn existing_vpc_checks(model: &Model) -> Option<String> {
    let x = model.network.existing.as_ref()?;
    let vpc = &x.vpc_id;
    let region = &model.region;
    let interface: Vec<&str> = model
        .endpoints
        .iter()
        .filter(|e| e.kind == crate::aws::endpoints::EndpointKind::Interface)
        .map(|e| e.service_name.as_str())
        .collect();
    let mut s = format!(
        "1. **DNS support and DNS hostnames** are on (the interface endpoints' private DNS needs \
         both); each command prints `True`:\n\n   ```sh\n   aws ec2 describe-vpc-attribute \
         --region {region} --vpc-id {vpc} --attribute enableDnsSupport --query \
         'EnableDnsSupport.Value'\n   aws ec2 describe-vpc-attribute --region {region} --vpc-id \
         {vpc} --attribute enableDnsHostnames --query 'EnableDnsHostnames.Value'\n   ```\n"
    );
    if !interface.is_empty() {
        s.push_str(&format!(
            "2. **No interface endpoint of the VPC serves the same services** with private DNS (a \
             second one fails: its private DNS name conflicts); this prints nothing:\n\n   \
             ```sh\n   aws ec2 describe-vpc-endpoints --region {region} --filters \
             Name=vpc-id,Values={vpc} Name=vpc-endpoint-type,Values=Interface \
             Name=service-name,Values={} --query 'VpcEndpoints[].[VpcEndpointId,ServiceName]' \
             --output text\n   ```\n\n   If it lists one, take that service out of \
             `network.endpoints` (and check that the existing endpoint's policy admits this \
             environment) or remove the other endpoint.\n",
            interface.join(",")
        ));
    }
    let s3 = model.endpoint("s3");
    let s3_service = s3.map_or(String::new(), |e| e.service_name.clone());
    match s3.and_then(|e| e.existing_id.as_deref()) {
        Some(id) => s.push_str(&format!(
            "3. **The reused S3 gateway endpoint `{id}`** is in this VPC and attached to every \
             route table of `network.vpc.route_table_ids` ({}):\n\n   ```sh\n   aws ec2 \
             describe-vpc-endpoints --region {region} --vpc-endpoint-ids {id} --query \
             'VpcEndpoints[].[VpcId,ServiceName,RouteTableIds]'\n   ```\n\n   Its policy stays \
             its owner's: give them `policies/endpoint-policy-s3.json`, the statements this \
             environment needs.\n",
            x.route_table_ids.join(", ")
        )),
        None if s3.is_some() => s.push_str(&format!(
            "3. **No S3 gateway endpoint is attached to the route tables** \
             ({}): a route table routes S3 through one gateway endpoint, so creating a second \
             fails. This prints nothing; if it prints an endpoint, set \
             `network.vpc.s3_gateway_endpoint_id` to its id and smgen reuses it:\n\n   \
             ```sh\n   aws ec2 describe-vpc-endpoints --region {region} --filters \
             Name=vpc-id,Values={vpc} Name=service-name,Values={s3_service} --query \
             'VpcEndpoints[].[VpcEndpointId,RouteTableIds]' --output text\n   ```\n",
            x.route_table_ids.join(", ")
        )),
        None => {}
    }
    s.push_str(&format!(
        "4. **The subnets are private**: their route tables have no route to an internet gateway \
         (this prints nothing):\n\n   ```sh\n   aws ec2 describe-route-tables --region {region} \
         --route-table-ids {} --query \
         'RouteTables[].Routes[?starts_with(GatewayId || `-`, `igw-`)].[DestinationCidrBlock,GatewayId]' \
         --output text\n   ```\n",
        x.route_table_ids.join(" ")
    ));
    Some(s)
}
