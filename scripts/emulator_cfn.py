"""CloudFormation through the local emulator, for scripts/deploy.sh (imported by scripts/emulator.py).

What is sent to moto is a copy the harness makes of a template (the generated template.yaml, or the
template `cdk synth` wrote); the generated project is never changed:

  - the resources of the gaps table's "cfn" rows with attributes "*" (the row's regular expression
    matches the logical id or the resource type) are left out;
  - every Ref, Fn::GetAtt and Fn::Sub reference to a left-out resource, in resources, conditions and
    outputs, becomes a stand-in value (STAND_IN below), and DependsOn entries naming it go;
  - properties a "cfn" row names are dropped (or, as NAME:json, sent as a JSON string);
  - parameters whose type makes moto read SSM (the CDK bootstrap version) become plain strings with
    a stand-in default (there is no CDK bootstrap stack in the emulator).

The order of the resources is the template's: moto creates a referenced resource when a reference
to it is resolved, as CloudFormation orders by references.

Then the stack is created, every resource the emulator can describe is described, the resources of
"DeleteStack" rows are deleted by the harness (moto's DeleteStack leaves them), the stack is deleted
and list calls prove that nothing but what the template retains (DeletionPolicy Retain) is left; the
retained KMS key is then scheduled for deletion and retained log groups deleted, as the generated
README tells a user to, and a last listing proves the account empty.
"""
import json
import re
import sys
import time

# Stand-in values of left-out resources: (type, attribute) -> value; "Ref" is the Ref value. Other
# attributes get "emulator-gap-<LogicalId>-<Attribute>".
STAND_IN = {
    ("AWS::SageMaker::Domain", "Ref"): "arn:aws:sagemaker:{region}:{account}:domain/d-emulatorgap0",
    ("AWS::SageMaker::Domain", "DomainArn"): "arn:aws:sagemaker:{region}:{account}:domain/d-emulatorgap0",
    ("AWS::SageMaker::Domain", "DomainId"): "d-emulatorgap0",
    ("AWS::SageMaker::Domain", "Url"): "https://d-emulatorgap0.studio.{region}.sagemaker.aws",
    ("AWS::SageMaker::Domain", "HomeEfsFileSystemId"): "fs-0emulatorgap0",
    ("AWS::SageMaker::Domain", "SecurityGroupIdForDomainBoundary"): "sg-0emulatorgap0",
    ("AWS::SageMaker::UserProfile", "Ref"): "arn:aws:sagemaker:{region}:{account}:user-profile/d-emulatorgap0/{logical}",
    ("AWS::SageMaker::UserProfile", "UserProfileArn"): "arn:aws:sagemaker:{region}:{account}:user-profile/d-emulatorgap0/{logical}",
}
BOOTSTRAP_STAND_IN = "21"  # a CDK bootstrap version new enough for any CheckBootstrapVersion rule


# ------------------------------------------------------------------------------------ loading --

def load_template(path):
    """A template file (JSON, or YAML with CloudFormation's short-form tags) as plain data."""
    text = open(path).read()
    if text.lstrip().startswith("{"):
        return json.loads(text)
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def short(tag):
        name = "Ref" if tag == "Ref" else "Fn::" + tag

        def construct(loader, node):
            if isinstance(node, yaml.ScalarNode):
                value = loader.construct_scalar(node)
                if tag == "GetAtt":
                    value = value.split(".", 1)
            elif isinstance(node, yaml.SequenceNode):
                value = loader.construct_sequence(node, deep=True)
            else:
                value = loader.construct_mapping(node, deep=True)
            return {"Condition" if tag == "Condition" else name: value}

        return construct

    for tag in ("Ref", "GetAtt", "Sub", "Join", "Select", "Split", "If", "Equals", "Not", "And", "Or",
                "FindInMap", "Base64", "Cidr", "ImportValue", "GetAZs", "Condition", "ToJsonString"):
        Loader.add_constructor("!" + tag, short(tag))
    # Dates stay strings ("2010-09-09").
    Loader.yaml_implicit_resolvers = {
        k: [(t, r) for t, r in v if t != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return yaml.load(text, Loader=Loader)


# ------------------------------------------------------------------------- the emulator's copy --

SUB_VAR = re.compile(r"\$\{([A-Za-z0-9:]+)(?:\.([A-Za-z0-9.]+))?\}")


def replace_refs(node, stand_in):
    """NODE with every reference to a key of STAND_IN (logical id -> function(attribute or "Ref")) replaced."""
    if isinstance(node, dict):
        if len(node) == 1:
            (k, v), = node.items()
            if k == "Ref" and v in stand_in:
                return stand_in[v]("Ref")
            if k == "Fn::GetAtt":
                target, attr = (v[0], v[1]) if isinstance(v, list) else str(v).split(".", 1)
                if target in stand_in:
                    return stand_in[target](attr)
            if k == "Fn::Sub":
                text, local = (v[0], v[1]) if isinstance(v, list) else (v, None)

                def sub(m):
                    if (local and m.group(1) in local) or m.group(1) not in stand_in:
                        return m.group(0)
                    return stand_in[m.group(1)](m.group(2) or "Ref")

                text = SUB_VAR.sub(sub, text)
                return {"Fn::Sub": [text, replace_refs(local, stand_in)] if local is not None else text}
        return {k: replace_refs(v, stand_in) for k, v in node.items()}
    if isinstance(node, list):
        return [replace_refs(v, stand_in) for v in node]
    return node


def gap_rows(gaps_file):
    """The gaps table's "cfn" rows: (regular expression, attributes): "*" leaves the resource out,
    "DeleteStack" has the harness delete it before DeleteStack, other names are properties dropped
    ("NAME:json": sent as a JSON string)."""
    out = []
    for line in open(gaps_file):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.rstrip("\n").split("\t")
        if cols[0] == "cfn":
            out.append((re.compile(cols[1]), cols[2]))
    return out


def matching(rows, rid, body, attrs):
    rtype = body.get("Type", "")
    return [a for rx, a in rows if (rx.search(rid) or rx.search(rtype)) and attrs(a)]


def emulator_copy(template, rows, account, region, stand_ins=None):
    """(copy, notes, pre_delete): the template as the emulator gets it, what was changed (one line
    each), and the logical ids the harness deletes before DeleteStack."""
    t = json.loads(json.dumps(template))
    resources = t.get("Resources", {})
    notes = []
    left = {
        rid: body["Type"]
        for rid, body in resources.items()
        if matching(rows, rid, body, lambda a: a == "*")
    }
    pre_delete = [
        rid for rid, body in resources.items()
        if rid not in left and matching(rows, rid, body, lambda a: a == "DeleteStack")
    ]
    for rid, body in resources.items():
        for attrs in matching(rows, rid, body, lambda a: a not in ("*", "DeleteStack")):
            for prop in attrs.split(","):
                prop, _, how = prop.partition(":")
                props = body.get("Properties", {})
                if prop not in props:
                    continue
                if how == "json":
                    # Serialized by moto itself (it resolves Fn::ToJsonString, intrinsics inside).
                    props[prop] = {"Fn::ToJsonString": props[prop]}
                    notes.append("%s (%s): property %s sent as a JSON string" % (rid, body["Type"], prop))
                else:
                    del props[prop]
                    notes.append("%s (%s): property %s dropped" % (rid, body["Type"], prop))
    stand_in, used = {}, {}

    def maker(rid, rtype):
        def value(attr):
            v = (stand_ins or {}).get(attr) or STAND_IN.get((rtype, attr), "emulator-gap-%s-%s" % (rid, attr))
            v = v.format(region=region, account=account, logical=rid)
            used.setdefault(rid, {})[attr] = v
            return v

        return value

    for rid, rtype in left.items():
        del resources[rid]
        stand_in[rid] = maker(rid, rtype)
    for rid, body in resources.items():
        if "DependsOn" in body:
            deps = body["DependsOn"]
            deps = [deps] if isinstance(deps, str) else deps
            kept = [d for d in deps if d not in left]
            if kept:
                body["DependsOn"] = kept
            else:
                del body["DependsOn"]
    for section in ("Resources", "Conditions", "Outputs"):
        if section in t:
            t[section] = replace_refs(t[section], stand_in)
    resources = t.get("Resources", {})
    for rid, rtype in left.items():
        reads = ", ".join("%s=%s" % kv for kv in sorted(used.get(rid, {}).items()))
        notes.append("left out %s (%s)%s" % (rid, rtype, "; references read stand-ins " + reads if reads else ""))
    # Parameters moto would resolve from SSM (the CDK bootstrap version): plain strings.
    for name, p in t.get("Parameters", {}).items():
        if str(p.get("Type", "")).startswith("AWS::SSM::Parameter::"):
            notes.append("parameter %s (%s, default %s): a String with the stand-in %s" % (name, p["Type"], p.get("Default"), BOOTSTRAP_STAND_IN))
            p["Type"], p["Default"] = "String", BOOTSTRAP_STAND_IN
    if pre_delete:
        notes.append("deleted by the harness before DeleteStack: %s" % ", ".join(pre_delete))
    return t, notes, pre_delete


# ----------------------------------------------------------------------------- verification --

def describe(clients, rtype, pid, props):
    """True if the emulator describes the resource of TYPE with physical id PID; None if this
    harness has no describe call for the type."""
    ec2, iam, s3, kms, logs, sm = (clients[k] for k in ("ec2", "iam", "s3", "kms", "logs", "sagemaker"))
    if rtype == "AWS::EC2::VPC":
        return bool(ec2.describe_vpcs(VpcIds=[pid])["Vpcs"])
    if rtype == "AWS::EC2::Subnet":
        return bool(ec2.describe_subnets(SubnetIds=[pid])["Subnets"])
    if rtype == "AWS::EC2::RouteTable":
        return bool(ec2.describe_route_tables(RouteTableIds=[pid])["RouteTables"])
    if rtype == "AWS::EC2::SecurityGroup":
        return bool(ec2.describe_security_groups(GroupIds=[pid])["SecurityGroups"])
    if rtype == "AWS::EC2::VPCEndpoint":
        return bool(ec2.describe_vpc_endpoints(VpcEndpointIds=[pid])["VpcEndpoints"])
    if rtype == "AWS::EC2::FlowLog":
        return bool(ec2.describe_flow_logs(FlowLogIds=[pid])["FlowLogs"])
    if rtype == "AWS::EC2::InternetGateway":
        return bool(ec2.describe_internet_gateways(InternetGatewayIds=[pid])["InternetGateways"])
    if rtype == "AWS::EC2::NatGateway":
        return bool(ec2.describe_nat_gateways(NatGatewayIds=[pid])["NatGateways"])
    if rtype == "AWS::EC2::EIP":
        return any(pid in (a.get("PublicIp"), a.get("AllocationId")) for a in ec2.describe_addresses()["Addresses"])
    if rtype == "AWS::EC2::Route":
        table = ec2.describe_route_tables(RouteTableIds=[props["RouteTableId"]])["RouteTables"][0]
        return any(r.get("DestinationCidrBlock") == props.get("DestinationCidrBlock") for r in table["Routes"])
    if rtype == "AWS::EC2::VPCGatewayAttachment":
        gw = ec2.describe_internet_gateways(InternetGatewayIds=[props["InternetGatewayId"]])["InternetGateways"][0]
        return any(a["VpcId"] == props["VpcId"] for a in gw.get("Attachments", []))
    if rtype == "AWS::EC2::SecurityGroupIngress":
        # No physical id in moto: the rule among its group's permissions.
        group = ec2.describe_security_groups(GroupIds=[props["GroupId"]])["SecurityGroups"][0]
        return any(
            str(p.get("IpProtocol")) == str(props.get("IpProtocol"))
            and p.get("FromPort", -1) == int(props.get("FromPort", -1))
            and (not props.get("SourceSecurityGroupId") or any(g["GroupId"] == props["SourceSecurityGroupId"] for g in p.get("UserIdGroupPairs", [])))
            and (not props.get("CidrIp") or any(r["CidrIp"] == props["CidrIp"] for r in p.get("IpRanges", [])))
            for p in group["IpPermissions"]
        )
    if rtype == "AWS::IAM::Role":
        return bool(iam.get_role(RoleName=pid)["Role"])
    if rtype == "AWS::IAM::ManagedPolicy":
        return bool(iam.get_policy(PolicyArn=pid)["Policy"])
    if rtype == "AWS::IAM::Policy":
        return all(iam.get_role_policy(RoleName=r, PolicyName=props["PolicyName"])["PolicyDocument"] for r in props.get("Roles", []))
    if rtype == "AWS::KMS::Key":
        return kms.describe_key(KeyId=pid)["KeyMetadata"]["KeyState"] == "Enabled"
    if rtype == "AWS::KMS::Alias":
        return any(a["AliasName"] == pid for a in kms.list_aliases()["Aliases"])
    if rtype == "AWS::Logs::LogGroup":
        return any(g["logGroupName"] == pid for g in logs.describe_log_groups(logGroupNamePrefix=pid)["logGroups"])
    if rtype == "AWS::S3::Bucket":
        s3.head_bucket(Bucket=pid)
        return True
    if rtype == "AWS::S3::BucketPolicy":
        return bool(s3.get_bucket_policy(Bucket=props.get("Bucket", pid))["Policy"])
    if rtype == "AWS::SageMaker::NotebookInstance":
        # moto's physical id is the instance's ARN.
        return bool(sm.describe_notebook_instance(NotebookInstanceName=pid.rsplit("/", 1)[-1])["NotebookInstanceName"])
    return None


HARNESS_DELETE_ORDER = ["AWS::IAM::ManagedPolicy", "AWS::EC2::FlowLog", "AWS::EC2::VPCEndpoint", "AWS::EC2::NatGateway",
                        "AWS::EC2::EIP", "AWS::EC2::InternetGateway", "AWS::EC2::RouteTable"]


def harness_delete(clients, rtype, pid):
    """Delete a resource moto's DeleteStack leaves behind (a "DeleteStack" row of the gaps table)."""
    if rtype == "AWS::IAM::ManagedPolicy":
        iam = clients["iam"]
        ents = iam.list_entities_for_policy(PolicyArn=pid)
        for r in ents["PolicyRoles"]:
            iam.detach_role_policy(RoleName=r["RoleName"], PolicyArn=pid)
        for u in ents["PolicyUsers"]:
            iam.detach_user_policy(UserName=u["UserName"], PolicyArn=pid)
        for g in ents["PolicyGroups"]:
            iam.detach_group_policy(GroupName=g["GroupName"], PolicyArn=pid)
        for v in iam.list_policy_versions(PolicyArn=pid)["Versions"]:
            if not v["IsDefaultVersion"]:
                iam.delete_policy_version(PolicyArn=pid, VersionId=v["VersionId"])
        iam.delete_policy(PolicyArn=pid)
    elif rtype == "AWS::EC2::VPCEndpoint":
        clients["ec2"].delete_vpc_endpoints(VpcEndpointIds=[pid])
    elif rtype == "AWS::EC2::FlowLog":
        clients["ec2"].delete_flow_logs(FlowLogIds=[pid])
    elif rtype == "AWS::EC2::NatGateway":
        clients["ec2"].delete_nat_gateway(NatGatewayId=pid)
    elif rtype == "AWS::EC2::EIP":
        for a in clients["ec2"].describe_addresses()["Addresses"]:
            if pid in (a.get("PublicIp"), a.get("AllocationId")):
                clients["ec2"].release_address(AllocationId=a["AllocationId"])
    elif rtype == "AWS::EC2::InternetGateway":
        ec2 = clients["ec2"]
        for g in ec2.describe_internet_gateways(InternetGatewayIds=[pid])["InternetGateways"]:
            for a in g.get("Attachments", []):
                ec2.detach_internet_gateway(InternetGatewayId=pid, VpcId=a["VpcId"])
        ec2.delete_internet_gateway(InternetGatewayId=pid)
    elif rtype == "AWS::EC2::RouteTable":
        clients["ec2"].delete_route_table(RouteTableId=pid)
    else:
        sys.exit("emulator_cfn: no harness deletion for %s" % rtype)


def wait(cfn, stack, busy, limit=300):
    deadline = time.time() + limit
    while time.time() < deadline:
        try:
            stacks = cfn.describe_stacks(StackName=stack)["Stacks"]
        except Exception as e:  # a deleted stack may be gone from the listing
            if "does not exist" in str(e):
                return "DELETE_COMPLETE"
            raise
        status = stacks[0]["StackStatus"] if stacks else "DELETE_COMPLETE"
        if status != busy:
            return status
        time.sleep(1)
    return "TIMEOUT"


def run(account, region, template_path, stack, gaps_file, params, copy_path, leftovers, session,
        stand_ins=None, cleanup=None):
    """Create, describe, delete and list; prints one line a step, the last one the result.
    STAND_INS: attribute -> value for references to left-out resources (e.g. the prefix-list id a
    CDK custom resource would look up); CLEANUP: run after DeleteStack, before the last listing (what
    the harness itself created for the case). Returns the process exit code."""
    clients = {s: session(s) for s in ("cloudformation", "ec2", "iam", "s3", "kms", "logs", "sagemaker")}
    cfn = clients["cloudformation"]
    template = load_template(template_path)
    body, notes, pre_delete = emulator_copy(template, gap_rows(gaps_file), account, region, stand_ins or {})
    for n in notes:
        print("copy: " + n)
    with open(copy_path, "w") as f:
        json.dump(body, f, indent=1)
    # What the account holds before the stack (the existing-vpc preset's VPC): not the stack's.
    before = set(leftovers())
    declared = set(body.get("Parameters", {}))
    params = [p for p in params if p["ParameterKey"] in declared]
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(body), Parameters=params,
                     Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"])
    status = wait(cfn, stack, "CREATE_IN_PROGRESS")
    resources = cfn.describe_stack_resources(StackName=stack)["StackResources"]
    done = [r for r in resources if r["ResourceStatus"] == "CREATE_COMPLETE"]
    expected = len(body["Resources"])
    print("create: %s, %d of %d resources CREATE_COMPLETE (%d in the copy)" % (status, len(done), len(resources), expected))
    bad = [r for r in resources if r["ResourceStatus"] != "CREATE_COMPLETE"]
    missing = sorted(set(body["Resources"]) - {r["LogicalResourceId"] for r in resources})
    for r in bad:
        print("  not created: %s %s %s" % (r["LogicalResourceId"], r["ResourceType"], r["ResourceStatus"]))
    if missing:
        print("  not in the stack (moto skipped the type): %s" % ", ".join(missing))
    if status != "CREATE_COMPLETE" or bad or missing:
        print("error: the stack was not created completely")
        return 1
    checked, unchecked, absent = 0, set(), []
    for r in resources:
        props = resolve(body["Resources"][r["LogicalResourceId"]].get("Properties", {}), resources)
        try:
            ok = describe(clients, r["ResourceType"], r.get("PhysicalResourceId"), props)
        except Exception as e:
            ok = False
            print("  describe %s %s: %s" % (r["LogicalResourceId"], r.get("PhysicalResourceId"), e))
        if ok is None:
            unchecked.add(r["ResourceType"])
        elif ok:
            checked += 1
        else:
            absent.append(r["LogicalResourceId"])
    print("describe: %d of %d resources found by describe/list calls%s" % (
        checked, len(resources), "; status only: " + ", ".join(sorted(unchecked)) if unchecked else ""))
    if absent:
        print("error: the stack reports resources the emulator does not describe: %s" % ", ".join(absent))
        return 1
    retained = {
        r.get("PhysicalResourceId"): r["ResourceType"]
        for r in resources
        if body["Resources"][r["LogicalResourceId"]].get("DeletionPolicy") == "Retain"
    }
    # Users before what they use: policies before roles, endpoints before route tables.
    order = lambda r: HARNESS_DELETE_ORDER.index(r["ResourceType"]) if r["ResourceType"] in HARNESS_DELETE_ORDER else 0
    for r in sorted(resources, key=order):
        if r["LogicalResourceId"] in pre_delete:
            harness_delete(clients, r["ResourceType"], r.get("PhysicalResourceId"))
    cfn.delete_stack(StackName=stack)
    status = wait(cfn, stack, "DELETE_IN_PROGRESS")
    print("delete: %s" % status)
    if status != "DELETE_COMPLETE":
        events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
        for e in events[:5]:
            print("  %s %s %s" % (e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason", "")))
        print("error: delete-stack ended in %s" % status)
        return 1
    left = [l for l in leftovers() if l not in before]
    kept = [l for l in left if any(pid in l for pid in retained)]
    other = [l for l in left if l not in kept]
    if other:
        print("error: left after delete-stack: %s" % "; ".join(other))
        return 1
    # What the template retains is left, as in AWS; removed here as its README tells a user to.
    for pid, rtype in retained.items():
        if rtype == "AWS::KMS::Key":
            clients["kms"].schedule_key_deletion(KeyId=pid, PendingWindowInDays=7)
        elif rtype == "AWS::Logs::LogGroup":
            clients["logs"].delete_log_group(logGroupName=pid)
    if cleanup:
        cleanup()
    left = leftovers()
    if left:
        print("error: left after removing the retained resources: %s" % "; ".join(left))
        return 1
    print("ok: %d of %d resources created, described and deleted; nothing left%s" % (
        len(resources), len(template.get("Resources", {})),
        " (retained as the template says, then removed: %s)" % ", ".join(sorted(set(retained.values()))) if retained else ""))
    return 0


def resolve(node, resources):
    """NODE with Ref and Fn::GetAtt of the stack's resources replaced by their physical ids (what
    moto answers for the ids of the types describe() reads)."""
    ids = {r["LogicalResourceId"]: r.get("PhysicalResourceId") for r in resources}
    if isinstance(node, dict):
        if len(node) == 1:
            (k, v), = node.items()
            if k == "Ref" and v in ids:
                return ids[v]
            if k == "Fn::GetAtt" and isinstance(v, list) and v[0] in ids and v[1] in ("GroupId",):
                return ids[v[0]]
        return {k: resolve(v, resources) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v, resources) for v in node]
    return node
