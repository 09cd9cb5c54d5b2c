//! The questions `smgen init` asks, one row per answer, keyed by the same dotted path as the
//! TOML key and `--set` (`network.nat`). The wizard applies each answer as `--set PATH=VALUE`
//! and validates it with [`super::load`], so defaults and rules have one home: the serde
//! defaults in [`super`] and the checks in `validate/`. This table only says what to ask,
//! when, and the trade-off in plain words.

use super::{AuthMode, KmsMode, NetworkMode, PresignedRestrict, Spec};

/// How an answer is asked and written back as a `--set` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text, written as a TOML string.
    Text,
    /// A whole number.
    Number,
    /// Yes or no.
    Bool,
    /// One of the values (TOML spelling, one-line label).
    Choice(&'static [(&'static str, &'static str)]),
    /// Comma-separated strings, written as a TOML array.
    List,
    /// The VPC endpoint multi-select, pre-filled by the solver.
    Endpoints,
    /// Free text that may be left empty: empty leaves the answer unset.
    Optional,
    /// A whole number that may be left empty: empty leaves the answer unset.
    OptionalNumber,
}

pub struct Question {
    pub path: &'static str,
    pub prompt: &'static str,
    /// One paragraph: what the choice does and what it costs or breaks.
    pub help: &'static str,
    pub kind: Kind,
    /// Asked only when this holds for the answers so far.
    pub when: fn(&Spec) -> bool,
}

fn always(_: &Spec) -> bool {
    true
}
fn vpc_only(s: &Spec) -> bool {
    s.network.mode == NetworkMode::VpcOnly
}
fn creates_vpc(s: &Spec) -> bool {
    s.network.vpc.create
}
fn reuses_vpc(s: &Spec) -> bool {
    !s.network.vpc.create
}
// smgen creates NAT gateways only in a VPC it creates (validate/network.rs, network.nat).
fn nat_applies(s: &Spec) -> bool {
    vpc_only(s) && creates_vpc(s)
}
// The answer applies only with NAT and solver-chosen endpoints (validate/network.rs).
fn nat_with_auto_endpoints(s: &Spec) -> bool {
    nat_applies(s)
        && s.network.nat != super::Nat::None
        && matches!(s.network.endpoints, super::EndpointChoice::Keyword(_))
}
fn studio(s: &Spec) -> bool {
    s.needs.studio
}
// Presigned-URL conditions work in IAM auth mode only, not with IAM Identity Center
// (archived dg `studio-interface-endpoint`; docs/sagemaker-facts.md § 2.6).
fn studio_iam(s: &Spec) -> bool {
    s.needs.studio && s.studio.auth_mode == AuthMode::Iam
}
fn source_ip(s: &Spec) -> bool {
    studio_iam(s) && s.studio.presigned_url.restrict == PresignedRestrict::SourceIp
}
fn notebooks(s: &Spec) -> bool {
    s.needs.notebook_instances
}
fn custom_images(s: &Spec) -> bool {
    s.needs.studio && s.needs.custom_images
}
fn notebook_script(s: &Spec) -> bool {
    s.needs.notebook_instances && s.lifecycle.notebook_instance.is_some()
}
fn any_script(s: &Spec) -> bool {
    let l = &s.lifecycle;
    l.jupyterlab.is_some() || l.code_editor.is_some() || l.notebook_instance.is_some()
}
fn existing_key(s: &Spec) -> bool {
    s.encryption.kms == KmsMode::Existing
}
fn creates_trail(s: &Spec) -> bool {
    s.audit.cloudtrail == super::CloudTrail::Create
}

/// Every question, in the order asked.
// Help texts: network modes and NAT from dg `studio-updated-and-internet-access` (VpcOnly needs
// the API and runtime endpoints or a NAT gateway; Public only still uses the VPC for EFS);
// NAT and interface-endpoint charges from the Amazon VPC pricing page (per hour per AZ plus
// per GB); notebook internet from dg `appendix-notebook-and-internet-access`; network
// isolation from dg `mkt-algo-model-internet-free` (no outbound calls, no credentials in the
// container); the KMS key charge from the AWS KMS pricing page (1 USD a month per key, and 1
// USD more per rotated backing key; AWS managed keys are free).
pub static QUESTIONS: &[Question] = &[
    Question {
        path: "project.name",
        prompt: "Project name",
        help: "Prefix of every resource name (buckets, roles, the Studio domain). 2-24 \
               lower-case letters, digits and single hyphens, starting with a letter.",
        kind: Kind::Text,
        when: always,
    },
    Question {
        path: "project.region",
        prompt: "AWS Region",
        help: "Where the environment runs. Endpoint service names, Availability Zones and \
               the partition (aws, aws-cn, aws-us-gov) follow from it.",
        kind: Kind::Text,
        when: always,
    },
    Question {
        path: "network.mode",
        prompt: "Network mode",
        help: "VPC only: all Studio traffic goes through your VPC, so it can reach private \
               resources such as RDS, and nothing leaves it unless you allow it; it needs VPC \
               endpoints or a NAT gateway, which cost money per hour. Public only: the \
               fastest start, notebooks reach the internet through a VPC that SageMaker \
               manages, but they cannot reach private resources in your VPC and you cannot \
               filter their traffic.",
        kind: Kind::Choice(&[
            ("vpc-only", "VPC only: traffic stays in your VPC (secure)"),
            (
                "public-only",
                "Public only: internet through SageMaker's VPC",
            ),
        ]),
        when: always,
    },
    Question {
        path: "network.vpc.create",
        prompt: "Create a new VPC?",
        help: "Yes: smgen creates a VPC with private subnets in several Availability Zones. \
               No: reuse a VPC you own; you give its id, private subnets and their route \
               tables.",
        kind: Kind::Bool,
        when: always,
    },
    Question {
        path: "network.vpc.cidr",
        prompt: "VPC address range (CIDR)",
        help: "An IPv4 block from /16 to /24 that does not overlap networks you peer or \
               connect with. Studio apps and jobs each take addresses from the private \
               subnets, so smaller blocks fill up.",
        kind: Kind::Text,
        when: creates_vpc,
    },
    Question {
        path: "network.vpc.azs",
        prompt: "Number of Availability Zones",
        help: "More zones survive a zone outage and give training more capacity; with NAT \
               per zone, each zone adds a NAT gateway and its hourly charge.",
        kind: Kind::Number,
        when: creates_vpc,
    },
    Question {
        path: "network.vpc.vpc_id",
        prompt: "Existing VPC id",
        help: "The VPC to place Studio, notebooks and jobs in, such as vpc-0123456789abcdef0.",
        kind: Kind::Text,
        when: reuses_vpc,
    },
    Question {
        path: "network.vpc.subnet_ids",
        prompt: "Private subnet ids (comma-separated)",
        help: "Subnets without a route to an internet gateway, ideally one per Availability \
               Zone.",
        kind: Kind::List,
        when: reuses_vpc,
    },
    Question {
        path: "network.vpc.route_table_ids",
        prompt: "Route table ids (comma-separated)",
        help: "The S3 gateway endpoint is attached to these route tables.",
        kind: Kind::List,
        when: reuses_vpc,
    },
    Question {
        path: "network.vpc.s3_gateway_endpoint_id",
        prompt: "Reuse S3 gateway endpoint",
        help: "A route table sends S3 traffic through one gateway endpoint only, so if these \
               route tables already have one, name it (vpce-...) and smgen reuses it instead of \
               creating a second, which would fail. Its policy stays its owner's: smgen writes \
               the statements the environment needs to policies/endpoint-policy-s3.json for them \
               to merge. Empty: smgen creates the endpoint with a policy that admits only the \
               environment's buckets.",
        kind: Kind::Optional,
        when: reuses_vpc,
    },
    Question {
        path: "network.nat",
        prompt: "NAT gateway for internet egress",
        help: "None: no internet from the VPC at all; AWS services are reached through VPC \
               endpoints only (public pip and GitHub do not work). Single: one NAT gateway, \
               internet works, but one zone failing cuts egress for all. Per AZ: one per \
               zone, resilient, and each NAT gateway is charged per hour plus per GB.",
        kind: Kind::Choice(&[
            ("none", "None: no internet, endpoints only (secure)"),
            ("single", "Single: one NAT gateway"),
            ("per-az", "Per AZ: one NAT gateway per zone"),
        ]),
        when: nat_applies,
    },
    Question {
        path: "network.private_endpoints_with_nat",
        prompt: "Keep endpoints with NAT?",
        help: "No: with a NAT gateway only the free S3 endpoint is created, and calls to the \
               SageMaker API, STS, CloudWatch Logs and ECR leave through NAT to public \
               endpoints, where endpoint policies and aws:SourceVpce conditions do not apply. \
               Yes: those calls stay on interface endpoints; each costs 0.01 USD per hour per \
               zone in us-east-1 (about 7.30 USD a month per zone; the summary prices your \
               Region) plus 0.01 USD per GB.",
        kind: Kind::Bool,
        when: nat_with_auto_endpoints,
    },
    Question {
        path: "needs.studio",
        prompt: "Use SageMaker Studio?",
        help: "A Studio domain with one user profile per person, IDEs and notebooks in the \
               browser.",
        kind: Kind::Bool,
        when: always,
    },
    Question {
        path: "studio.auth_mode",
        prompt: "Studio sign-in",
        help: "IAM: users open Studio through presigned URLs, which smgen can restrict to your \
               network. IAM Identity Center (SSO): users sign in through the SSO portal; \
               presigned-URL restrictions do not apply there.",
        kind: Kind::Choice(&[
            ("iam", "IAM: presigned URLs (restrictable)"),
            ("sso", "IAM Identity Center (SSO)"),
        ]),
        when: studio,
    },
    Question {
        path: "studio.user_profiles",
        prompt: "Studio user profiles (comma-separated)",
        help: "One profile per person, each with its own security group.",
        kind: Kind::List,
        when: studio,
    },
    Question {
        path: "studio.presigned_url.restrict",
        prompt: "Restrict Studio URLs to",
        help: "None: anyone holding a URL can open it. Source IP: only from listed address \
               ranges (works from the console). Source VPC endpoint: only through this \
               environment's endpoints; the console stops working for Studio.",
        kind: Kind::Choice(&[
            ("none", "None"),
            ("source-ip", "Source IP ranges"),
            ("source-vpce", "Source VPC endpoint"),
        ]),
        when: studio_iam,
    },
    Question {
        path: "studio.presigned_url.source_ips",
        prompt: "Allowed source CIDRs",
        help: "Your corporate egress ranges, such as 203.0.113.0/24.",
        kind: Kind::List,
        when: source_ip,
    },
    Question {
        path: "needs.notebook_instances",
        prompt: "Create notebook instances?",
        help: "Classic notebook instances: one EC2-backed Jupyter server each, in a private \
               subnet.",
        kind: Kind::Bool,
        when: always,
    },
    Question {
        path: "notebook.names",
        prompt: "Notebook instance names (comma-separated)",
        help: "One notebook instance per name.",
        kind: Kind::List,
        when: notebooks,
    },
    Question {
        path: "notebook.instance_type",
        prompt: "Notebook instance type",
        help: "Such as ml.t3.medium; charged per hour while the instance runs.",
        kind: Kind::Text,
        when: notebooks,
    },
    Question {
        path: "notebook.volume_size_gb",
        prompt: "Notebook volume size (GB)",
        help: "The encrypted EBS volume for /home/ec2-user/SageMaker.",
        kind: Kind::Number,
        when: notebooks,
    },
    Question {
        path: "notebook.root_access",
        prompt: "Give notebook users root access?",
        help: "Root lets users install system packages, and also change the instance's \
               security settings. Off is the secure choice.",
        kind: Kind::Bool,
        when: notebooks,
    },
    Question {
        path: "notebook.direct_internet_access",
        prompt: "Direct internet from notebooks?",
        help: "Yes adds a second network interface with internet; S3 traffic then bypasses \
               your VPC. No keeps the notebook in your private subnet, reaching AWS through \
               endpoints or NAT.",
        kind: Kind::Bool,
        when: notebooks,
    },
    Question {
        path: "needs.sdk_remote_jobs",
        prompt: "Run SDK training or processing jobs?",
        help: "The SDK also needs STS and CloudWatch Logs; without internet that means two \
               more endpoints.",
        kind: Kind::Bool,
        when: always,
    },
    Question {
        path: "needs.custom_images",
        prompt: "Custom images or own containers (ECR)?",
        help: "Adds the ECR endpoints when there is no internet.",
        kind: Kind::Bool,
        when: always,
    },
    Question {
        path: "needs.pip",
        prompt: "Where do pip installs come from?",
        help: "None: no installs. CodeArtifact: a private repository reached through its \
               endpoints, works without internet. Public: pypi.org, which needs a NAT \
               gateway in VPC only mode.",
        kind: Kind::Choice(&[
            ("none", "None"),
            ("codeartifact", "CodeArtifact (private, no internet needed)"),
            ("public", "Public index (needs NAT in VPC only)"),
        ]),
        when: always,
    },
    Question {
        path: "needs.experiments",
        prompt: "Track experiments (metrics, managed MLflow)?",
        help: "Adds the metrics and MLflow endpoints when there is no internet.",
        kind: Kind::Bool,
        when: always,
    },
    Question {
        path: "needs.pipelines",
        prompt: "Run SageMaker Pipelines?",
        help: "Grants pipeline creation, runs, retries and callback steps, and the jobs, models \
               and registry calls their steps make; no extra endpoint (the SageMaker API).",
        kind: Kind::Bool,
        when: always,
    },
    Question {
        path: "needs.model_registry",
        prompt: "Version models in the model registry?",
        help: "Model package groups, versions and their approval status, and sharing a group \
               with another account through its resource policy.",
        kind: Kind::Bool,
        when: always,
    },
    Question {
        path: "needs.monitoring",
        prompt: "Monitor deployed models (Model Monitor)?",
        help: "Data and model quality job definitions and monitoring schedules; they run as \
               processing jobs under the same network, isolation and key guardrails.",
        kind: Kind::Bool,
        when: always,
    },
    Question {
        path: "needs.hosting",
        prompt: "Host models on real-time endpoints?",
        help: "Grants Model.deploy() and endpoint management, and creates an invoker role for \
               your application server: it may only call InvokeEndpoint on this environment's \
               endpoints (named with the project name as prefix), through the runtime endpoint \
               in VPC only mode. Nobody logs in to the inference instances.",
        kind: Kind::Bool,
        when: always,
    },
    // Lifecycle and idle answers: dg studio-lifecycle-configurations (scripts at app start,
    // 5-minute limit), dg remote-access (local IDE connections to spaces with IAM
    // credentials), API Reference IdleSettings (60-525600 minutes).
    Question {
        path: "lifecycle.jupyterlab",
        prompt: "JupyterLab start script (optional)",
        help: "A path such as lifecycle/jupyterlab.sh: smgen writes a commented script there \
               for you to edit (security agents, package mirrors, settings), and every \
               JupyterLab app runs it at start. Without internet it must download nothing. \
               Empty: none.",
        kind: Kind::Optional,
        when: studio,
    },
    Question {
        path: "lifecycle.code_editor",
        prompt: "Code Editor start script (optional)",
        help: "A path such as lifecycle/code-editor.sh, run by every Code Editor app at \
               start, as for JupyterLab. Empty: none.",
        kind: Kind::Optional,
        when: studio,
    },
    Question {
        path: "lifecycle.notebook_instance",
        prompt: "Notebook start script (optional)",
        help: "A path such as lifecycle/notebook-on-start.sh, run as root at every start of \
               a notebook instance (root access for users stays off). It also carries the \
               idle auto-stop. Empty: none.",
        kind: Kind::Optional,
        when: notebooks,
    },
    Question {
        path: "lifecycle.deny_other",
        prompt: "Deny all other start scripts?",
        help: "Yes: guardrails deny attaching any other lifecycle configuration to the \
               domain, profiles, spaces, apps or notebook instances, so nobody runs their own \
               code as the app starts (as root on notebook instances). No: yours are only \
               defaults.",
        kind: Kind::Bool,
        when: any_script,
    },
    Question {
        path: "studio.idle_shutdown_minutes",
        prompt: "Stop idle Studio apps after (min)",
        help: "SageMaker shuts down JupyterLab and Code Editor apps idle this long (60 to \
               525600); users may pick less for their spaces, not more. Idle apps are \
               billed by the hour. Empty: apps run until stopped.",
        kind: Kind::OptionalNumber,
        when: studio,
    },
    Question {
        path: "notebook.idle_stop_minutes",
        prompt: "Stop idle notebooks after (min)",
        help: "The start script stops the instance after this many minutes with no kernel \
               activity (60 to 525600), calling only the SageMaker API. Empty: never.",
        kind: Kind::OptionalNumber,
        when: notebook_script,
    },
    Question {
        path: "studio.deny_remote_access",
        prompt: "Deny remote IDE connections?",
        help: "Yes: no space may turn on remote access, so nobody connects VS Code, Kiro or \
               Cursor from their laptop to a space with IAM credentials, outside Studio and \
               its URL restrictions. No: users may.",
        kind: Kind::Bool,
        when: studio,
    },
    Question {
        path: "studio.approved_images",
        prompt: "Approved custom image names",
        help: "Names of the SageMaker images Studio may run, comma-separated; guardrails \
               deny any other custom image (SageMaker Distribution stays allowed). Empty: \
               any image in the account.",
        kind: Kind::List,
        when: custom_images,
    },
    Question {
        path: "network.endpoints",
        prompt: "VPC endpoints (space toggles, enter accepts)",
        help: "Pre-selected: what the answers above need, each with its reason. Each \
               interface endpoint is charged per hour per Availability Zone; the S3 gateway \
               endpoint is free. Leaving out a needed one breaks the feature it carries.",
        kind: Kind::Endpoints,
        when: vpc_only,
    },
    Question {
        path: "encryption.kms",
        prompt: "Encryption key",
        help: "Create: a customer managed KMS key for volumes, buckets and logs, with a key \
               policy you control (1 USD a month, more as it rotates). Existing: your own key. AWS \
               managed: no key to manage, but no key policy of yours and no cross-account \
               control.",
        kind: Kind::Choice(&[
            ("create", "Create a customer managed key (secure)"),
            ("existing", "Use an existing key"),
            ("aws-managed", "AWS managed keys"),
        ]),
        when: always,
    },
    Question {
        path: "encryption.key_arn",
        prompt: "Existing KMS key ARN",
        help: "arn:aws:kms:REGION:ACCOUNT:key/ID of a symmetric customer managed key.",
        kind: Kind::Text,
        when: existing_key,
    },
    Question {
        path: "jobs.network_isolation",
        prompt: "Isolate training and hosting containers?",
        help: "Isolated containers make no outbound calls at all, not even to AWS services, \
               and get no AWS credentials; SageMaker still moves the data. Breaks code that \
               calls boto3 inside the container, Debugger built-in actions and containers \
               that download at start.",
        kind: Kind::Bool,
        when: always,
    },
    // Asked last: none of them changes the design. The account id pins the files a user
    // copies (SCPs, sagemaker-config.yaml) and the Terraform provider's allowed_account_ids
    // to one account; the tags go on every taggable resource (AWS Tagging Best Practices
    // whitepaper: cost allocation and ownership tags, cost centre and owner among them).
    Question {
        path: "project.account_id",
        prompt: "AWS account id (optional)",
        help: "The 12-digit id of the account the environment is deployed into. With it, \
               the SCPs in policies/ and sagemaker-config.yaml name this account, and \
               Terraform refuses credentials of any other account. Leave it empty to fill \
               in the <account-id> placeholders later.",
        kind: Kind::Optional,
        when: always,
    },
    Question {
        path: "project.tags.CostCenter",
        prompt: "Cost centre tag (optional)",
        help: "A CostCenter tag on every resource, for cost allocation reports (activate it \
               as a cost allocation tag in the Billing console). Leave it empty for none.",
        kind: Kind::Optional,
        when: always,
    },
    Question {
        path: "project.tags.Owner",
        prompt: "Owner tag (optional)",
        help: "An Owner tag on every resource: the team or person to ask about it. Leave it \
               empty for none.",
        kind: Kind::Optional,
        when: always,
    },
    // Teardown: Terraform `force_destroy` (aws_s3_bucket), the domain's RetentionPolicy
    // (DeleteDomain API: HomeEfsFileSystem Retain | Delete); docs/sagemaker-facts.md § 2.12 (EFS, mount
    // targets and SageMaker's security groups block VPC deletion).
    Question {
        path: "teardown.mode",
        prompt: "On destroy, keep or delete data?",
        help: "Retain (production): destroy keeps the buckets and the Studio home EFS volume \
               with everyone's files; teardown.sh removes what is left when you are sure. \
               Delete (test and sandbox environments): destroy deletes the buckets with every \
               object version and the home EFS volume. Nothing can be recovered afterwards.",
        kind: Kind::Choice(&[
            ("retain", "Keep buckets and home directories (production)"),
            (
                "delete",
                "Delete them with the environment (non-production)",
            ),
        ]),
        when: always,
    },
    // Audit: CloudTrail User Guide cloudtrail-concepts (Event history keeps 90 days of
    // management events; trails, data events), creating-trail-organization (organization
    // trails), cloudtrail-log-file-validation-intro; CloudTrail pricing (the first copy of
    // management events is free, data events are billed per 100,000); CloudWatch Logs
    // PutRetentionPolicy (the accepted retention periods).
    Question {
        path: "audit.cloudtrail",
        prompt: "Record API activity with CloudTrail",
        help: "Create: a trail of this account in every Region with management events, log \
               file validation and the data events of the environment's buckets (and of \
               SageMaker endpoints, feature groups and experiments you use), encrypted with the \
               environment key, in a bucket nobody may delete log files from. Data events are \
               billed per 100,000; a second copy of management events too. Organization: the \
               account is in an AWS Organization whose management account runs an organization \
               trail; nothing is created. None: only the 90-day Event history.",
        kind: Kind::Choice(&[
            ("create", "Create a trail for this account (secure)"),
            ("organization", "Rely on the organization's trail"),
            ("none", "No trail: 90-day Event history only"),
        ]),
        when: always,
    },
    Question {
        path: "audit.cloudwatch_logs",
        prompt: "Also deliver the trail to CloudWatch?",
        help: "Yes: the trail's events also go to an encrypted CloudWatch Logs group, through a \
               role that may write only there, so metric filters and alarms can react as \
               things happen (root sign-in, policy changes). Billed per GB ingested and \
               stored. No: the log files are in S3 only.",
        kind: Kind::Bool,
        when: creates_trail,
    },
    Question {
        path: "audit.trail_retention_days",
        prompt: "Keep trail log files how many days?",
        help: "A lifecycle rule expires the log files after this many days; until then the \
               bucket policy denies deleting them to everyone (the account's root user can \
               remove the policy). Regulated workloads often keep a year or seven (2555). \
               Changing it later needs that deny lifted first.",
        kind: Kind::Number,
        when: creates_trail,
    },
    Question {
        path: "audit.log_retention_days",
        prompt: "Keep CloudWatch logs how many days?",
        help: "How long every log group keeps its events: VPC flow logs and the trail's \
               CloudWatch copy. One of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, \
               545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653. Under a year fails common \
               log-retention rules; longer costs storage per GB-month.",
        kind: Kind::Number,
        when: always,
    },
];

pub fn find(path: &str) -> Option<&'static Question> {
    QUESTIONS.iter().find(|q| q.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_question_fits_an_80_column_terminal() {
        for q in QUESTIONS {
            // "? PROMPT (PATH) [y/n] " and room for a short default.
            let line = q.prompt.chars().count() + q.path.len() + 4 + 14;
            assert!(line <= 80, "{}: {line} columns", q.path);
        }
    }

    #[test]
    fn every_path_is_a_set_path_and_asked_once() {
        let source = crate::spec::SpecSource::Preset("existing-vpc".into());
        let spec = crate::spec::load(&source, &[]).unwrap();
        let value = toml::Value::try_from(&spec).unwrap();
        for (i, q) in QUESTIONS.iter().enumerate() {
            assert!(
                QUESTIONS[..i].iter().all(|o| o.path != q.path),
                "{} twice",
                q.path
            );
            let current = q.path.split('.').try_fold(&value, |v, key| v.get(key));
            match current {
                // Setting the current value again changes nothing.
                Some(v) => {
                    let set = format!("{}={v}", q.path);
                    let again = crate::spec::load(&source, &[set]);
                    assert_eq!(again.as_ref().ok(), Some(&spec), "{}: {again:?}", q.path);
                }
                // Unset optional answers: the key is known, whatever the value's fate.
                None => {
                    let err = crate::spec::load(&source, &[format!("{}=x", q.path)]);
                    let text = format!("{err:?}");
                    assert!(!text.contains("unknown field"), "{}: {text}", q.path);
                }
            }
        }
    }
}
