#!/usr/bin/env python3
"""Helpers of scripts/deploy.sh, run with the emulator's virtual environment (boto3 comes with moto).

  creds ENDPOINT ACCOUNT REGION        print `export AWS_...` lines: credentials of ACCOUNT in the
                                       emulator (an assumed role; moto maps them to that account)
  copy SRC DST GAPS ACCOUNT REGION ENDPOINT
                                       copy a generated Terraform root to DST for the emulator: the
                                       resources the gaps table lists (kind "apply") are left out and
                                       references to them point at stand-in values; the provider
                                       override zz_emulator_override.tf is written there (never into
                                       the generated project)
  changes PLAN_JSON GAPS [OWNED_REGEX] the addresses `terraform show -json PLAN` would change, one a
                                       line as "ACTIONS ADDRESS (ATTRIBUTES)", except the moto read-back
                                       the gaps table accepts (kind "replan"); with OWNED_REGEX only
                                       those outside it
  existing-vpc ENDPOINT ACCOUNT REGION a VPC, subnets and route tables to reuse; prints --set values
  drop-existing-vpc ENDPOINT ACCOUNT REGION VPC_ID
                                       delete that VPC again
  leftovers ENDPOINT ACCOUNT REGION    what is left in ACCOUNT after a destroy, one resource a line
  cfn ENDPOINT ACCOUNT REGION TEMPLATE STACK COPY [EXISTING_VPC]
                                       a generated CloudFormation template through the emulator's
                                       CloudFormation (scripts/emulator_cfn.py): the emulator's copy
                                       (written to COPY), create, describe, delete, nothing left;
                                       EXISTING_VPC is deleted after the stack
  cdk ENDPOINT ACCOUNT REGION CDK_OUT STACK COPY [EXISTING_VPC]
                                       the same for the template `cdk synth` wrote to CDK_OUT
"""
import json
import os
import re
import shutil
import sys
import time

GAP_STAND_IN = {
    # Attributes other resources and outputs read from a left-out resource.
    "id": "d-emulatorgap0",
    "arn": "arn:aws:sagemaker:{region}:{account}:domain/d-emulatorgap0",
    "url": "https://d-emulatorgap0.studio.{region}.sagemaker.aws",
}


def client(service, endpoint, region, creds=None):
    import boto3

    kw = {}
    if creds:
        kw = {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }
    return boto3.client(service, endpoint_url=endpoint, region_name=region, **kw)


def assume(endpoint, account, region):
    sts = client("sts", endpoint, region)
    return sts.assume_role(
        RoleArn="arn:aws:iam::%s:role/smgen-deploy" % account, RoleSessionName="smgen-deploy"
    )["Credentials"]


def cmd_creds(endpoint, account, region):
    c = assume(endpoint, account, region)
    print("export AWS_ACCESS_KEY_ID=%s" % c["AccessKeyId"])
    print("export AWS_SECRET_ACCESS_KEY=%s" % c["SecretAccessKey"])
    print("export AWS_SESSION_TOKEN=%s" % c["SessionToken"])


def gap_rows(path, kind):
    """(address regex, attributes or None for the whole resource) of the table's rows of KIND."""
    out = []
    for line in open(path):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.rstrip("\n").split("\t")
        if len(cols) != 6:
            sys.exit("%s: want 6 tab-separated columns: %s" % (path, line))
        if cols[0] == kind:
            attrs = None if cols[2] == "*" else set(cols[2].split(","))
            out.append((re.compile(cols[1]), attrs))
    return out


def gaps(path, kind):
    return [rx for rx, _ in gap_rows(path, kind)]


BLOCK = re.compile(r'^resource "([a-z0-9_]+)" "([A-Za-z0-9_-]+)" \{$')


def cmd_copy(src, dst, gaps_file, account, region, endpoint):
    patterns = gaps(gaps_file, "apply")
    os.makedirs(dst, exist_ok=True)
    for old in os.listdir(dst):
        if old.endswith(".tf") or old == "smgen.toml":
            os.remove(os.path.join(dst, old))
    left_out = []
    texts = {}
    for name in sorted(os.listdir(src)):
        if not name.endswith(".tf"):
            continue
        kept, skipping = [], False
        for line in open(os.path.join(src, name)).read().split("\n"):
            m = BLOCK.match(line)
            if m and any(p.search("%s.%s" % m.groups()) for p in patterns):
                left_out.append("%s.%s" % m.groups())
                skipping = True
                continue
            if skipping:
                skipping = line != "}"
                continue
            kept.append(line)
        texts[name] = "\n".join(kept)
    stand_ins = []
    for addr in left_out:
        local = "emulator_gap_" + addr.replace(".", "_")
        ref = re.escape(addr)
        read = 0
        for name, text in texts.items():
            # `depends_on` entries go; attribute reads get the stand-in values.
            text = re.sub(r"\b%s\b(?!\.)\s*,?\s*" % ref, "", text)
            text, n = re.subn(r"\b%s\." % ref, "local.%s." % local, text)
            read += n
            texts[name] = text
        if not read:
            continue
        values = "".join(
            '    %s = "%s"\n' % (k, v.format(region=region, account=account))
            for k, v in GAP_STAND_IN.items()
        )
        stand_ins.append("  # %s is an emulator gap (scripts/emulator-gaps.tsv)\n  %s = {\n%s  }\n" % (addr, local, values))
    for name, text in texts.items():
        open(os.path.join(dst, name), "w").write(text)
    # The files the root reads with file*() functions: the lifecycle scripts (lifecycle.tf).
    if os.path.isdir(os.path.join(src, "lifecycle")):
        shutil.rmtree(os.path.join(dst, "lifecycle"), ignore_errors=True)
        shutil.copytree(os.path.join(src, "lifecycle"), os.path.join(dst, "lifecycle"))
    services = ["cloudtrail", "ec2", "efs", "iam", "kms", "logs", "s3", "sagemaker", "sts"]
    override = [
        "# Written by scripts/deploy.sh for the local emulator only; never part of a generated project.",
        'provider "aws" {',
        "  s3_use_path_style           = true",
        "  skip_credentials_validation = true",
        "  skip_metadata_api_check     = true",
        # The account is read from the emulator's STS (GetCallerIdentity): the generated provider
        # pins allowed_account_ids to project.account_id, which needs the caller's account.
        "  skip_requesting_account_id  = false",
        "  skip_region_validation      = true",
        "  # A few retries for transient connection errors; moto's HTTP 500s are in the gaps table.",
        "  max_retries                 = 4",
        "",
        "  endpoints {",
    ]
    override += ['    %-9s = "%s"' % (s, endpoint) for s in services]
    override += ["  }", "}", ""]
    open(os.path.join(dst, "zz_emulator_override.tf"), "w").write("\n".join(override))
    if stand_ins:
        text = ["# Written by scripts/deploy.sh: stand-ins for the resources the emulator cannot deploy.", "locals {"]
        open(os.path.join(dst, "zz_emulator_gaps.tf"), "w").write("\n".join(text + stand_ins + ["}", ""]))
    for a in left_out:
        print(a)


def changed_attributes(change):
    before, after = change.get("before") or {}, change.get("after") or {}
    unknown = change.get("after_unknown") or {}
    keys = set(before) | set(after)
    return sorted(k for k in keys if before.get(k) != after.get(k) or unknown.get(k))


def cmd_changes(plan_json, gaps_file, owned=""):
    """Changes of the plan, except in-place updates of only the attributes a "replan" row of the
    gaps table names (moto's read-back) and, with OWNED, the addresses it matches."""
    doc = json.load(open(plan_json))
    rx = re.compile(owned) if owned else None
    replan = gap_rows(gaps_file, "replan")
    for rc in doc.get("resource_changes", []):
        change = rc["change"]
        actions = change["actions"]
        if actions in (["no-op"], ["read"]):
            continue
        if rx and rx.search(rc["address"]):
            continue
        if actions == ["update"]:
            attrs = changed_attributes(change)
        elif sorted(actions) == ["create", "delete"] and change.get("replace_paths"):
            # A replacement: what forces it.
            attrs = sorted({str(p[0]) for p in change["replace_paths"]})
        else:
            attrs = None
        if attrs is not None and any(
            p.search(rc["address"]) and (a is None or set(attrs) <= a) for p, a in replan
        ):
            continue
        print("%s %s%s" % ("+".join(actions), rc["address"], " (%s)" % ", ".join(attrs) if attrs else ""))


def cmd_leftovers(endpoint, account, region):
    for f in leftovers(endpoint, account, region):
        print(f)


def leftovers(endpoint, account, region):
    """What is left in ACCOUNT, one resource a string."""
    c = assume(endpoint, account, region)
    ec2 = client("ec2", endpoint, region, c)
    found = []
    vpcs = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]
    found += ["ec2 vpc " + v for v in vpcs]
    for s in ec2.describe_subnets()["Subnets"]:
        if s["VpcId"] in vpcs:
            found.append("ec2 subnet " + s["SubnetId"])
    for g in ec2.describe_security_groups()["SecurityGroups"]:
        if g["VpcId"] in vpcs and g["GroupName"] != "default":
            found.append("ec2 security-group " + g["GroupId"])
    for t in ec2.describe_route_tables()["RouteTables"]:
        if t["VpcId"] in vpcs and not any(a.get("Main") for a in t.get("Associations", [])):
            found.append("ec2 route-table " + t["RouteTableId"])
    for g in ec2.describe_internet_gateways()["InternetGateways"]:
        found.append("ec2 internet-gateway " + g["InternetGatewayId"])
    for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]:
        if e["State"].lower() not in ("deleted", "deleting"):
            found.append("ec2 vpc-endpoint " + e["VpcEndpointId"])
    for n in ec2.describe_nat_gateways()["NatGateways"]:
        if n["State"] not in ("deleted", "deleting"):
            found.append("ec2 nat-gateway " + n["NatGatewayId"])
    for a in ec2.describe_addresses()["Addresses"]:
        found.append("ec2 eip " + a.get("AllocationId", a.get("PublicIp", "?")))
    for f in ec2.describe_flow_logs()["FlowLogs"]:
        found.append("ec2 flow-log " + f["FlowLogId"])
    s3 = client("s3", endpoint, region, c)
    found += ["s3 bucket " + b["Name"] for b in s3.list_buckets().get("Buckets", [])]
    iam = client("iam", endpoint, region, c)
    for r in iam.list_roles()["Roles"]:
        if not r["Path"].startswith("/aws-service-role/"):
            found.append("iam role " + r["RoleName"])
    found += ["iam policy " + p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]]
    kms = client("kms", endpoint, region, c)
    for k in kms.list_keys()["Keys"]:
        state = kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"]
        if state not in ("PendingDeletion", "PendingReplicaDeletion"):
            found.append("kms key %s (%s)" % (k["KeyId"], state))
    for a in kms.list_aliases()["Aliases"]:
        if not a["AliasName"].startswith("alias/aws/"):
            found.append("kms alias " + a["AliasName"])
    logs = client("logs", endpoint, region, c)
    found += ["logs log-group " + g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
    lam = client("lambda", endpoint, region, c)
    found += ["lambda function " + f["FunctionName"] for f in lam.list_functions()["Functions"]]
    sm = client("sagemaker", endpoint, region, c)
    for n in sm.list_notebook_instances()["NotebookInstances"]:
        if n["NotebookInstanceStatus"] != "Deleting":
            found.append("sagemaker notebook-instance " + n["NotebookInstanceName"])
    found += ["sagemaker domain " + d["DomainId"] for d in sm.list_domains()["Domains"]]
    return found


def cmd_existing_vpc(endpoint, account, region):
    """A VPC with two private subnets and route tables, for the existing-vpc preset: prints
    `--set` arguments naming them."""
    c = assume(endpoint, account, region)
    ec2 = client("ec2", endpoint, region, c)
    vpc = ec2.create_vpc(CidrBlock="10.90.0.0/16")["Vpc"]["VpcId"]
    for attr in ("EnableDnsSupport", "EnableDnsHostnames"):
        ec2.modify_vpc_attribute(VpcId=vpc, **{attr: {"Value": True}})
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2]
    subnets, tables = [], []
    for i, zone in enumerate(zones):
        subnets.append(ec2.create_subnet(VpcId=vpc, CidrBlock="10.90.%d.0/24" % i, AvailabilityZone=zone)["Subnet"]["SubnetId"])
        tables.append(ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"])
        ec2.associate_route_table(RouteTableId=tables[-1], SubnetId=subnets[-1])
    print("network.vpc.vpc_id=%s" % json.dumps(vpc))
    print("network.vpc.subnet_ids=%s" % json.dumps(subnets))
    print("network.vpc.route_table_ids=%s" % json.dumps(tables))


def cmd_drop_existing_vpc(endpoint, account, region, vpc):
    c = assume(endpoint, account, region)
    ec2 = client("ec2", endpoint, region, c)
    for rt in ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]:
        if any(a.get("Main") for a in rt.get("Associations", [])):
            continue
        for a in rt.get("Associations", []):
            ec2.disassociate_route_table(AssociationId=a["RouteTableAssociationId"])
        ec2.delete_route_table(RouteTableId=rt["RouteTableId"])
    for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    ec2.delete_vpc(VpcId=vpc)


GAPS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "emulator-gaps.tsv")


def prefix_list(endpoint, region, c):
    ec2 = client("ec2", endpoint, region, c)
    return ec2.describe_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.%s.s3" % region]}]
    )["PrefixLists"][0]["PrefixListId"]


def stack_run(endpoint, account, region, template, stack, copy_path, existing_vpc, params, stand_ins=None, cleanup=None):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.dont_write_bytecode = True  # no __pycache__ in scripts/
    import emulator_cfn

    c = assume(endpoint, account, region)

    def after_delete():
        if cleanup:
            cleanup(c)
        if existing_vpc:
            cmd_drop_existing_vpc(endpoint, account, region, existing_vpc)

    sys.exit(emulator_cfn.run(
        account, region, template, stack, GAPS_FILE, params, copy_path,
        leftovers=lambda: leftovers(endpoint, account, region),
        session=lambda s: client(s, endpoint, region, c),
        stand_ins=stand_ins, cleanup=after_delete,
    ))


def cmd_cfn(endpoint, account, region, template, stack, copy_path, existing_vpc=""):
    """A generated CloudFormation template through the emulator's CloudFormation
    (scripts/emulator_cfn.py): the emulator's copy (written to COPY_PATH), create, describe, delete,
    nothing left. EXISTING_VPC (existing-vpc preset) is deleted after the stack."""
    # parameters.json beside the template; the S3 prefix list is looked up as its README says.
    params = []
    pfile = os.path.join(os.path.dirname(template), "parameters.json")
    if os.path.exists(pfile):
        params = json.load(open(pfile))
    for p in params:
        if p["ParameterKey"] == "S3PrefixListId":
            p["ParameterValue"] = prefix_list(endpoint, region, assume(endpoint, account, region))
    stack_run(endpoint, account, region, template, stack, copy_path, existing_vpc, params)


def cmd_cdk(endpoint, account, region, cdk_out, stack, copy_path, existing_vpc=""):
    """The template `cdk synth` wrote to CDK_OUT, as cmd_cfn. Its custom resources and their
    provider functions (whose code is a file asset in the CDK bootstrap bucket) are gaps; references
    to the one that looks up the S3 prefix list read the emulator's prefix-list id."""
    import glob

    templates = glob.glob(os.path.join(cdk_out, "*.template.json"))
    if len(templates) != 1:
        sys.exit("want one *.template.json in %s, found %d" % (cdk_out, len(templates)))
    c = assume(endpoint, account, region)
    stand_ins = {"PrefixLists.0.PrefixListId": prefix_list(endpoint, region, c)}
    stack_run(endpoint, account, region, templates[0], stack, copy_path, existing_vpc, [], stand_ins)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {
        "creds": cmd_creds,
        "copy": cmd_copy,
        "changes": cmd_changes,
        "leftovers": cmd_leftovers,
        "cfn": cmd_cfn,
        "cdk": cmd_cdk,
        "existing-vpc": cmd_existing_vpc,
        "drop-existing-vpc": cmd_drop_existing_vpc,
    }[cmd](*args)


if __name__ == "__main__":
    main()
