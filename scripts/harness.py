#!/usr/bin/env python3
"""The validation harness of smgen's output: one case table (tests/cases.toml), every stage.

Stages (run all by default, or some with --stage; each prints its duration):
  render          smgen generate of every case in the formats its stages need (Terraform,
                  CloudFormation, CDK) and `smgen explain` for the explain cases; `smgen presets --json`
                  must list the presets
  terraform       per root: terraform fmt -check, init (offline, provider mirror), test (the generated
                  tests/*.tftest.hcl with mock_provider "aws"); validate through ONE wrapper root that
                  calls every root as a module (a root it reports errors for, or every root when its
                  errors cannot be attributed, is validated on its own); ONE checkov run over all roots
                  (zero failed checks, zero parsing errors, resources found, per root)
  iam             policies/*.json of every root through policy_sentry and parliament
                  (scripts/check-policies.py, one process for all roots), after a self-test: the checker
                  must reject every known defect of tests/fixtures/iam-defects
  simulate        scripts/simulate.py over every root at once: scenarios and Role Manager activities
  cloudformation  cfn-lint --include-checks I, one run per region over all templates (zero errors, zero
                  warnings per template); ONE checkov run over all projects
  cdk             one shared node_modules (installed once per pin set, linked into every project): tsc
                  --noEmit, npm test, cdk synth (offline) with cdk-nag, cdk.out/validation-report.json
                  clean, cfn-lint (one run over all synthesized templates: zero errors)
  mermaid         every ```mermaid block of the cases' ARCHITECTURE.md and `smgen explain` outputs parses
                  (mermaid.parse under jsdom), and a broken diagram is rejected
  deploy          scripts/deploy.sh over the table's deploy cases (moto on 127.0.0.1)
Stages after render run side by side; their checks share --jobs worker slots (default 2).

Prints one line per case and step (`ok|FAIL|skip  STEP  CASE  note`), the logs of failing steps, a
digest of the failures, the summary lines `validate: N passed, M failed` (Terraform, CloudFormation,
IAM, simulation), `validate-cdk: …`, `validate-mermaid: …`, `simulate: …`, `activities: …`,
`deploy: …`, each stage's duration and, last, `harness: N passed, M failed`. Exits 1 on any failure,
2 on a usage or case-table error. Nothing reaches AWS or the network.

Environment: CI=true (a missing tool is an error, not a skip), SMGEN_VENV (checkov, cfn-lint, the IAM
tools; default ~/.cache/smgen/venv), SMGEN_SIM_VENV, SMGEN_TF_MIRROR (default /opt/tf-plugins),
SMGEN_CDK_CACHE, SMGEN_MERMAID_CACHE, SMGEN_JOBS, SMGEN_LOG_LINES.
"""

import argparse
import collections
import concurrent.futures as cf
import glob
import hashlib
import heapq
import itertools
import json
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tomllib

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(SCRIPTS)
TABLE = os.path.join(ROOT, "tests", "cases.toml")
STAGES = ["render", "terraform", "iam", "simulate", "cloudformation", "cdk", "mermaid", "deploy"]
# What each stage needs rendered.
FORMATS = {
    "terraform": {"terraform"}, "iam": {"terraform"}, "simulate": {"terraform"}, "mermaid": {"terraform"},
    "cloudformation": {"cloudformation"}, "cdk": {"cdk"}, "explain": {"explain"}, "deploy": set(),
}
MERMAID_PINS = {"mermaid": "11.12.2", "jsdom": "26.1.0"}
CACHE = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
CI = os.environ.get("CI") in ("true", "1")
LOG_LINES = int(os.environ.get("SMGEN_LOG_LINES", "200"))


class TableError(Exception):
    pass


# ------------------------------------------------------------------------------------ case table --

class Case:
    def __init__(self, name, args, stages, preset):
        self.name, self.args, self.stages, self.preset = name, args, set(stages), preset

    def sets(self):
        return [self.args[i + 1] for i, a in enumerate(self.args) if a == "--set"]


def check_matrix(m):
    """Every row has a known value in each column; every pair of values of two axes occurs at least
    min_pair_count times; at least min_rows rows. Returns the list of problems."""
    cols, axes, problems = m["columns"], m["axes"], []
    if list(axes) != cols:
        problems.append("matrix.columns %s and the [matrix.axes.*] tables %s differ" % (cols, list(axes)))
    rows = [r.split() for r in m["rows"]]
    count = collections.Counter()
    for r in rows:
        if len(r) != len(cols):
            problems.append("matrix row has %d columns, want %d: %s" % (len(r), len(cols), " ".join(r)))
            continue
        for c, v in zip(cols, r):
            if v not in axes.get(c, {}):
                problems.append('matrix row uses unknown value "%s" in column %s: %s' % (v, c, " ".join(r)))
        for (i, a), (j, b) in itertools.combinations(enumerate(r), 2):
            count[(i, a, j, b)] += 1
    if len(rows) < m.get("min_rows", 0):
        problems.append("matrix has %d rows, want at least %d" % (len(rows), m["min_rows"]))
    want = m.get("min_pair_count", 1)
    for i, j in itertools.combinations(range(len(cols)), 2):
        for a in axes.get(cols[i], {}):
            for b in axes.get(cols[j], {}):
                if count[(i, a, j, b)] < want:
                    problems.append("matrix has the pair %s=%s + %s=%s %d times, want at least %d"
                                    % (cols[i], a, cols[j], b, count[(i, a, j, b)], want))
    return problems


def pair_cover(m):
    """Indexes of a subset of the matrix rows in which every pair of values of two axes occurs at
    least once: greedily the row that covers the most pairs not yet covered (ties: the earlier
    row), so the subset is the same on every run. For the stages of `once_stages`, whose per-case
    cost is high and whose output depends on the answers only through the same model and view as
    the other formats' (CDK), pairs are checked once instead of min_pair_count times."""
    cols, axes = m["columns"], m["axes"]
    rows = [r.split() for r in m["rows"]]
    def pairs(r):
        return {(i, a, j, b) for (i, a), (j, b) in itertools.combinations(enumerate(r), 2)}
    todo = set()
    for i, j in itertools.combinations(range(len(cols)), 2):
        todo |= {(i, a, j, b) for a in axes[cols[i]] for b in axes[cols[j]]}
    chosen = []
    while todo:
        best = max(range(len(rows)), key=lambda k: (len(pairs(rows[k]) & todo), -k))
        if not pairs(rows[best]) & todo:
            break  # check_matrix has reported the missing pairs
        chosen.append(best)
        todo -= pairs(rows[best])
    return sorted(chosen)


def load_table(path, presets):
    """The cases of the table: presets (names from `smgen presets --json`), matrix rows, [[case]]s."""
    with open(path, "rb") as f:
        t = tomllib.load(f)
    known = set(STAGES) | {"explain"}
    cases = []

    def stages_of(where, stages):
        bad = set(stages) - known
        if bad:
            raise TableError("%s: unknown stages %s (known: %s)" % (where, sorted(bad), sorted(known)))
        return stages

    pst = stages_of("[presets]", t["presets"]["stages"])
    for p in presets:
        cases.append(Case("preset-" + re.sub(r"[^A-Za-z0-9_-]", "_", p), ["--preset", p], pst, p))
    m = t["matrix"]
    problems = check_matrix(m)
    if problems:
        raise TableError("the matrix of %s is broken:\n  %s" % (path, "\n  ".join(problems)))
    mst = stages_of("[matrix]", m["stages"])
    once = set(stages_of("[matrix] once_stages", m.get("once_stages", [])))
    cover = set(pair_cover(m)) if once else set()
    for k, r in enumerate(m["rows"]):
        vals = [m["axes"][c][v] for c, v in zip(m["columns"], r.split())]
        args = ["--preset", m["base"]]
        for v in vals:
            for s in v["set"]:
                args += ["--set", s]
        stages = [st for st in mst if k in cover or st not in once]
        cases.append(Case("m-" + "-".join(v["tag"] for v in vals), args, stages, m["base"]))
    for c in t.get("case", []):
        # `config`: a smgen.toml (path from the repository root) instead of a preset.
        if ("config" in c) == ("preset" in c):
            raise TableError("case %s: name either a preset or a config" % c["name"])
        args = ["--config", os.path.join(ROOT, c["config"])] if "config" in c else ["--preset", c["preset"]]
        for s in c.get("set", []):
            args += ["--set", s]
        cases.append(Case(c["name"], args, stages_of("case " + c["name"], c["stages"]), c.get("preset") or c["config"]))
    seen = collections.Counter(c.name for c in cases)
    dup = [n for n, k in seen.items() if k > 1]
    if dup:
        raise TableError("case names used twice: %s" % ", ".join(dup))
    return cases


# ---------------------------------------------------------------------------------------- runner --

class PriorityPool:
    """`jobs` worker threads taking the queued call with the lowest priority number first (FIFO
    among equals)."""

    def __init__(self, jobs):
        self.heap, self.seq, self.cv, self.stopping = [], itertools.count(), threading.Condition(), False
        self.workers = [threading.Thread(target=self.work, daemon=True) for _ in range(jobs)]
        for w in self.workers:
            w.start()

    def submit(self, prio, fn, *a):
        fut = cf.Future()
        with self.cv:
            heapq.heappush(self.heap, (prio, next(self.seq), fut, fn, a))
            self.cv.notify()
        return fut

    def work(self):
        while True:
            with self.cv:
                while not self.heap and not self.stopping:
                    self.cv.wait()
                if not self.heap:
                    return
                _, _, fut, fn, a = heapq.heappop(self.heap)
            if fut.set_running_or_notify_cancel():
                try:
                    fut.set_result(fn(*a))
                except BaseException as e:  # noqa: BLE001 (handed to the waiter)
                    fut.set_exception(e)

    def shutdown(self):
        with self.cv:
            self.stopping = True
            self.cv.notify_all()
        for w in self.workers:
            w.join()


class Harness:
    def __init__(self, opts):
        self.o = opts
        self.lock = threading.Lock()
        self.results = []          # (family, case, step, status, note)
        self.skipped_tools = []
        self.durations = {}
        self.extra_lines = []      # summary lines printed before the totals
        self.pool = PriorityPool(opts.jobs)
        self.init_lock = threading.Lock()

    # -- output
    def say(self, text):
        with self.lock:
            print(text, flush=True)

    def log(self, text):
        with self.lock:
            print("harness: " + text, file=sys.stderr, flush=True)

    def record(self, family, case, step, status, note="", echo=True):
        with self.lock:
            self.results.append((family, case, step, status, note))
            if echo:
                print("%-4s  %-8s  %s%s" % (status, step, case, "  " + note if note else ""), flush=True)

    def logf(self, case, step):
        d = os.path.join(self.work, "logs", case)
        os.makedirs(d, exist_ok=True)
        return os.path.join(d, step + ".log")

    def run(self, logf, limit, cmd, env=None, cwd=None, append=False):
        """Run cmd with output to logf (after a `$ cmd` header); returns (exit code, seconds)."""
        t0 = time.monotonic()
        with open(logf, "a" if append else "w") as f:
            f.write("$ " + " ".join(shlex.quote(c) for c in cmd) + "\n")
            f.flush()
            try:
                rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=env, cwd=cwd, timeout=limit).returncode
            except subprocess.TimeoutExpired:
                f.write("\n[timed out after %ss]\n" % limit)
                rc = 124
            except OSError as e:
                f.write("\n%s\n" % e)
                rc = 127
        return rc, "%.1fs" % (time.monotonic() - t0)

    def submit(self, fn, *a, first=False):
        """Run fn(*a) in a worker slot; `first`: ahead of the per-case checks (the long single runs
        start early so that they do not end the run alone on one core)."""
        return self.pool.submit(0 if first else 1, self.guard, fn, *a)

    def slot(self, fn, *a):
        """fn(*a) in a worker slot, ahead of the per-case checks; waits for it."""
        return self.submit(fn, *a, first=True).result()

    def guard(self, fn, *a):
        try:
            return fn(*a)
        except Exception as e:  # a harness bug must show as a failure, not vanish in a thread
            import traceback
            traceback.print_exc()
            self.record("harness", "harness", fn.__name__, "FAIL", "(%s: %s)" % (type(e).__name__, e))
            return None

    # -- setup
    def tool(self, name, why):
        p = os.path.join(self.venv, "bin", name)
        if os.access(p, os.X_OK):
            return p
        p = shutil.which(name)
        if p:
            return p
        if CI:
            raise TableError("%s is not installed in %s or on PATH (CI=true: required). Run scripts/setup-tools.sh." % (name, self.venv))
        self.log("%s not found: skipping %s (scripts/setup-tools.sh installs it)" % (name, why))
        self.skipped_tools.append(name)
        return None

    def setup(self):
        o = self.o
        if o.keep:
            os.makedirs(o.keep, exist_ok=True)
            self.work = os.path.abspath(o.keep)
            for d in ("tf", "cfn", "cdk", "explain", "logs", "wrapper", "checkov", "lint", "mermaid"):
                shutil.rmtree(os.path.join(self.work, d), ignore_errors=True)
        else:
            self.work = tempfile.mkdtemp(prefix="smgen-harness.")
        for d in ("tf", "cfn", "cdk", "explain", "logs"):
            os.makedirs(os.path.join(self.work, d), exist_ok=True)
        self.venv = os.environ.get("SMGEN_VENV") or os.path.join(CACHE, "smgen", "venv")
        self.py = os.path.join(self.venv, "bin", "python")
        if not os.access(self.py, os.X_OK):
            self.py = sys.executable
        base = dict(os.environ)
        for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
            base.pop(k, None)
        base.update(AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        # Terraform, offline: the provider from the filesystem mirror, fake credentials.
        tf = dict(base, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1", TF_INPUT="0",
                  AWS_ACCESS_KEY_ID="mock_access_key", AWS_SECRET_ACCESS_KEY="mock_secret_key")
        tf.pop("TF_PLUGIN_CACHE_DIR", None)
        rc = os.path.join(self.work, "terraform.rc")
        mirror = os.environ.get("SMGEN_TF_MIRROR", "/opt/tf-plugins")
        if os.path.isdir(mirror):
            with open(rc, "w") as f:
                f.write('provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' % mirror)
        elif CI and "terraform" in self.stages:
            raise TableError("no Terraform provider mirror at %s (set SMGEN_TF_MIRROR); CI must not download providers" % mirror)
        else:
            open(rc, "w").close()
            tf["TF_PLUGIN_CACHE_DIR"] = os.path.join(self.work, "plugin-cache")
            os.makedirs(tf["TF_PLUGIN_CACHE_DIR"], exist_ok=True)
        tf["TF_CLI_CONFIG_FILE"] = rc
        self.tf_env = tf
        # checkov: no calls home.
        self.checkov_env = dict(tf, BC_SKIP_MAPPING="TRUE", CHECKOV_RUN_SCA_PACKAGE_SCAN_V2="false")
        # CDK: no version check, telemetry, notices or credentials; npm asks nothing.
        cdk = dict(base, CDK_DISABLE_VERSION_CHECK="true", CDK_DISABLE_CLI_TELEMETRY="true",
                   npm_config_update_notifier="false", npm_config_fund="false", npm_config_audit="false")
        for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            cdk.pop(k, None)
        self.cdk_env = cdk

        st = self.stages
        self.terraform = shutil.which("terraform") if st & {"terraform"} else None
        if "terraform" in st and not self.terraform:
            if CI:
                raise TableError("terraform is not installed (CI=true: required): install Terraform 1.11")
            self.log("terraform not found: skipping fmt, init, validate and test")
            self.skipped_tools.append("terraform (fmt, init, validate, test)")
        self.checkov = self.tool("checkov", "checkov") if st & {"terraform", "cloudformation"} else None
        self.cfnlint = self.tool("cfn-lint", "cfn-lint") if st & {"cloudformation", "cdk"} else None
        self.iam_ok = "iam" in st and os.access(os.path.join(self.venv, "bin", "python"), os.X_OK)
        if "iam" in st and not self.iam_ok:
            if CI:
                raise TableError("no tool venv at %s (CI=true: required). Run scripts/setup-tools.sh." % self.venv)
            self.log("no tool venv at %s: skipping the IAM checks (scripts/setup-tools.sh installs it)" % self.venv)
            self.skipped_tools.append("iam")
        self.node = bool(shutil.which("node") and shutil.which("npm"))
        if st & {"cdk", "mermaid"} and not self.node:
            if CI:
                raise TableError("node and npm are required (CI=true): install Node.js 20 or newer with npm")
            self.log("node/npm not found: skipping the CDK and Mermaid stages")
            self.skipped_tools.append("node (cdk, mermaid)")

    # ------------------------------------------------------------------------------------ render --

    def render_all(self, cases):
        """Renders every case in the formats its selected stages need."""
        futs = []
        for c in cases:
            fmts = set().union(*(FORMATS[s] for s in c.stages & (self.stages | {"explain"} if "mermaid" in self.stages else self.stages)))
            for fmt in ("terraform", "cloudformation", "cdk", "explain"):
                if fmt in fmts:
                    futs.append(self.submit(self.render_one, c, fmt))
        for f in futs:
            f.result()

    def render_one(self, c, fmt):
        if fmt == "explain":
            out = os.path.join(self.work, "explain", c.name + ".md")
            logf = self.logf(c.name, "explain")
            with open(out, "w") as o:
                t0 = time.monotonic()
                rc = subprocess.run([self.smgen, "explain", *c.args], stdout=o, stderr=open(logf, "w"),
                                    stdin=subprocess.DEVNULL, timeout=120).returncode
            secs = "%.1fs" % (time.monotonic() - t0)
            if rc:
                self.record("validate-mermaid", c.name, "explain", "FAIL", "%s (smgen explain exit code %d)" % (secs, rc))
            else:
                c.explained = out
            return
        sub = {"terraform": "tf", "cloudformation": "cfn", "cdk": "cdk"}[fmt]
        step = {"terraform": "render", "cloudformation": "cfn-render", "cdk": "cdk-render"}[fmt]
        fam = "validate-cdk" if fmt == "cdk" else "validate"
        out = os.path.join(self.work, sub, c.name)
        logf = self.logf(c.name, step)
        rc, secs = self.run(logf, 120, [self.smgen, "generate", *c.args, "--format", fmt, "--out", out])
        if rc:
            err = next((l.strip() for l in open(logf, errors="replace") if "error" in l.lower()), "")[:120]
            self.record(fam, c.name, step, "FAIL", "%s (smgen exit code %d: %s)" % (secs, rc, err))
            return
        if fmt == "terraform":
            roots = self.tf_roots(out)
            tfs = [f for r in roots for f in glob.glob(os.path.join(r, "*.tf"))]
            if not tfs:
                self.record(fam, c.name, step, "FAIL", "%s (no .tf files in the output directory)" % secs)
                return
            multi = "" if roots == [out] else ", %d modules and roots" % len(roots)
            self.record(fam, c.name, step, "ok", "%s (%d .tf files%s)" % (secs, len(tfs), multi))
            c.tf = out
            c.tf_roots = roots
        elif fmt == "cloudformation":
            t = os.path.join(out, "template.yaml")
            if not os.path.isfile(t) or os.path.getsize(t) == 0:
                self.record(fam, c.name, step, "FAIL", "%s (no template.yaml in the output directory)" % secs)
                return
            self.record(fam, c.name, step, "ok", "%s (%d bytes)" % (secs, os.path.getsize(t)))
            c.cfn = out
        else:
            if not glob.glob(os.path.join(out, "bin", "*.ts")) or not all(
                    os.path.isfile(os.path.join(out, f)) for f in ("package.json", "cdk.json")):
                self.record(fam, c.name, step, "FAIL", "%s (no bin/*.ts, package.json or cdk.json in the output)" % secs)
                return
            n = sum(1 for _ in glob.iglob(os.path.join(out, "**", "*.ts"), recursive=True))
            self.record(fam, c.name, step, "ok", "%s (%d .ts files)" % (secs, n))
            c.cdk = out

    # --------------------------------------------------------------------------------- terraform --

    @staticmethod
    def tf_roots(out):
        """The Terraform configurations of a rendered project: the project itself, or, for a project
        of several environments, every module (modules/*) and every environment root
        (environments/*), each with its own init, validate and test."""
        multi = sorted(d for d in glob.glob(os.path.join(out, "modules", "*")) + glob.glob(os.path.join(out, "environments", "*"))
                       if glob.glob(os.path.join(d, "*.tf")))
        return multi if multi and not glob.glob(os.path.join(out, "*.tf")) else [out]

    @staticmethod
    def tf_parts(c):
        """(label, directory) of each configuration of a case: the case itself for one root,
        `CASE:modules/NAME` and `CASE:environments/NAME` for a project of several environments."""
        roots = getattr(c, "tf_roots", None) or [c.tf]
        if roots == [c.tf]:
            return [(c.name, c.tf)]
        return [("%s:%s" % (c.name, os.path.relpath(r, c.tf)), r) for r in roots]

    def stage_terraform(self, cases):
        roots = [c for c in cases if getattr(c, "tf", None)]
        if not roots:
            return
        futs = []
        if self.checkov:
            futs.append(self.submit(self.checkov_batch, roots, "terraform", "checkov", os.path.join(self.work, "tf"), first=True))
        if not self.terraform:
            for f in futs:
                f.result()
            return
        # A project of several environments is validated root by root: its environment roots
        # configure providers and call modules, which the wrapper root cannot call in turn.
        single = [c for c in roots if len(self.tf_parts(c)) == 1]
        multi = [c for c in roots if len(self.tf_parts(c)) > 1]
        wrapper = self.submit(self.validate_wrapper, single, first=True) if single else None
        per_case = {c.name: self.submit(self.tf_case, c) for c in roots}
        own = (wrapper.result() if wrapper else None) or {}
        for c in single:
            if c.name in own or own.get("*"):
                init_ok = per_case[c.name].result()
                if init_ok:
                    futs.append(self.submit(self.tf_validate_own, c))
                else:
                    self.record("validate", c.name, "validate", "skip", "(init failed)")
        for c in multi:
            inits = per_case[c.name].result() or {}
            for label, d in self.tf_parts(c):
                if inits.get(label):
                    futs.append(self.submit(self.tf_validate_own, c, label, d))
                else:
                    self.record("validate", label, "validate", "skip", "(init failed)")
        for f in list(per_case.values()) + futs:
            f.result()

    def tf_case(self, c):
        """fmt of the case, then init and test of each of its configurations; returns {label: whether
        init succeeded} (for one root, whether its init succeeded)."""
        root, n = c.tf, c.name
        logf = self.logf(n, "fmt")
        rc, secs = self.run(logf, 120, ["terraform", "-chdir=" + root, "fmt", "-check", "-recursive", "-diff", "-no-color"], env=self.tf_env)
        if rc == 0:
            self.record("validate", n, "fmt", "ok", secs)
        else:
            files = [l.strip() for l in list(open(logf))[1:] if re.match(r"^[^-+@ ].*\.(tf|tfvars|hcl)$", l.strip())]
            self.record("validate", n, "fmt", "FAIL", "%s (%s not formatted)" % (secs, " ".join(files)))
        parts = self.tf_parts(c)
        inits = {label: self.tf_init_test(label, d) for label, d in parts}
        return inits if len(parts) > 1 else inits[n]

    def tf_init_test(self, n, root):
        """init and test of one configuration (a root or a module); returns whether init succeeded."""
        # Serialised: about 1 s each, and Terraform's plugin cache (used without a mirror) is not
        # safe for concurrent installs.
        with self.init_lock:
            rc, secs = self.run(self.logf(n, "init"), 300, ["terraform", "-chdir=" + root, "init", "-backend=false", "-input=false", "-no-color"], env=self.tf_env)
        if rc:
            self.record("validate", n, "init", "FAIL", secs)
            self.record("validate", n, "test", "skip", "(init failed)")
            return False
        self.record("validate", n, "init", "ok", secs)
        logf = self.logf(n, "test")
        if not glob.glob(os.path.join(root, "tests", "*.tftest.hcl")):
            with open(logf, "w") as f:
                f.write("no tests/*.tftest.hcl in %s: every generated root must ship its terraform tests\n" % root)
            self.record("validate", n, "test", "FAIL", "(no tests/*.tftest.hcl)")
            return True
        rc, secs = self.run(logf, 900, ["terraform", "-chdir=" + root, "test", "-no-color"], env=self.tf_env)
        text = open(logf, errors="replace").read()
        if rc == 0:
            m = re.findall(r"^Success! (\d+) passed", text, re.M)
            self.record("validate", n, "test", "ok", secs + (" (%s passed)" % m[-1] if m else ""))
        else:
            m = re.findall(r"^Failure! (\d+) passed, (\d+) failed", text, re.M)
            self.record("validate", n, "test", "FAIL", secs + (" (%s failed, %s passed)" % (m[-1][1], m[-1][0]) if m else ""))
        return True

    def tf_validate_own(self, c, label=None, root=None):
        label, root = label or c.name, root or c.tf
        logf = self.logf(label, "validate")
        rc, secs = self.run(logf, 600, ["terraform", "-chdir=" + root, "validate", "-no-color"], env=self.tf_env)
        text = open(logf, errors="replace").read()
        if rc == 0:
            w = len(re.findall(r"^Warning: ", text, re.M))
            self.record("validate", label, "validate", "ok", "%s (own root%s)" % (secs, ", %d warnings" % w if w else ""))
        else:
            self.record("validate", label, "validate", "FAIL", "%s (own root, %d errors)" % (secs, len(re.findall(r"^Error: ", text, re.M))))

    @staticmethod
    def required_vars(root):
        """Names of the variables declared without a default (fmt-formatted HCL)."""
        names = set()
        for tf in sorted(glob.glob(os.path.join(root, "*.tf"))):
            name = None
            for line in open(tf):
                m = re.match(r'^variable\s+"([^"]+)"\s*\{', line)
                if m:
                    if line.rstrip().endswith("}"):
                        if not re.search(r"default\s*=", line):
                            names.add(m.group(1))
                    else:
                        name, has_default = m.group(1), False
                elif name and re.match(r"^  default\s*=", line):
                    has_default = True
                elif name and line.startswith("}"):
                    if not has_default:
                        names.add(name)
                    name = None
        return sorted(names)

    def validate_wrapper(self, roots):
        """One root calling every root as a module: returns {case: True} for the roots to validate on
        their own ({"*": True}: all of them), and records validate ok for the others."""
        d = os.path.join(self.work, "wrapper")
        logd = os.path.join(self.work, "logs", "_wrapper")
        os.makedirs(d, exist_ok=True)
        os.makedirs(logd, exist_ok=True)
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write("# Generated by scripts/harness.py: validates every rendered root at once.\n")
            f.write('variable "unknown" {\n  description = "Stands for every required input: unknown, as in a root\'s own validate."\n}\n')
            for c in roots:
                f.write('\nmodule "%s" {\n  source = "../tf/%s"\n' % (c.name, c.name))
                for v in self.required_vars(c.tf):
                    f.write("  %s = var.unknown\n" % v)
                f.write("}\n")
        self.log("validating %d roots through one wrapper root (%s)" % (len(roots), d))
        rc, _ = self.run(os.path.join(logd, "init.log"), 600, ["terraform", "-chdir=" + d, "init", "-backend=false", "-input=false", "-no-color"], env=self.tf_env)
        if rc:
            self.log("wrapper init failed; every root is validated on its own:\n" + "".join(list(open(os.path.join(logd, "init.log")))[:LOG_LINES]))
            return {"*": True}
        vjson = os.path.join(logd, "validate.json")
        t0 = time.monotonic()
        with open(vjson, "w") as f:
            subprocess.run(["terraform", "-chdir=" + d, "validate", "-json"], stdout=f, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, env=self.tf_env, timeout=1200)
        secs = "%.1fs" % (time.monotonic() - t0)
        try:
            text = open(vjson).read()
            doc = json.loads(text[text.index("{"):])
        except (ValueError, OSError) as e:
            self.log("could not read the wrapper's validate -json output (%s); every root is validated on its own" % e)
            return {"*": True}
        per, unattributed = collections.defaultdict(list), []
        for dg in doc.get("diagnostics", []):
            if dg.get("summary") == "Backend configuration ignored":  # a backend block in a called root
                continue
            rng = dg.get("range") or {}
            fn = rng.get("filename", "")
            msg = "%s: %s\n" % (dg.get("severity", "error").capitalize(), dg.get("summary", ""))
            if fn:
                msg += "  on %s line %s\n" % (fn, rng.get("start", {}).get("line", "?"))
            if dg.get("detail"):
                msg += "\n%s\n" % dg["detail"]
            m = re.match(r"\.\./tf/([^/]+)/", fn)
            if m:
                per[m.group(1)].append((dg.get("severity"), msg))
            elif dg.get("severity") == "error":
                unattributed.append(msg)
        errors = sum(s == "error" for ds in per.values() for s, _ in ds)
        if unattributed or (not doc.get("valid", False) and errors == 0):
            self.log("the wrapper root failed with errors no root explains; every root is validated on its own:\n" + "\n".join(unattributed))
            return {"*": True}
        own = {}
        for c in roots:
            ds = per.get(c.name, [])
            if any(s == "error" for s, _ in ds):
                own[c.name] = True  # validated on its own after init, for an exact log
                continue
            with open(self.logf(c.name, "validate"), "w") as f:
                f.write('validated through the wrapper root %s/main.tf (module "%s")\n\n' % (d, c.name))
                f.write("\n".join(m for _, m in ds))
            w = len(ds)
            self.record("validate", c.name, "validate", "ok", "(wrapper %s%s)" % (secs, ", %d warnings" % w if w else ""))
        if own:
            self.log("%d roots have validate errors; they are validated on their own after init" % len(own))
        return own

    # ----------------------------------------------------------------------------------- checkov --

    def checkov_batch(self, cases, framework, step, top):
        """ONE checkov run over every case's output below `top`; results mapped back to the cases by
        path. Per case: zero failed checks, zero parsing errors, at least one resource."""
        fam = "validate"
        out = os.path.join(self.work, "checkov", framework)
        os.makedirs(out, exist_ok=True)
        logf = os.path.join(self.work, "logs", "checkov-%s.log" % framework)
        names = {c.name for c in cases}
        scan = top  # holds only the selected cases' outputs
        rc, secs = self.run(logf, 1200, [self.checkov, "-d", scan, "--framework", framework, "--skip-download",
                                         "--compact", "-o", "json", "--output-file-path", out], env=self.checkov_env)
        self.log("checkov (%s): one run over %d cases in %s (exit %d)" % (framework, len(cases), secs, rc))
        try:
            doc = json.load(open(os.path.join(out, "results_json.json")))
        except (OSError, ValueError) as e:
            for c in cases:
                self.record(fam, c.name, step, "FAIL", "(checkov exit %d, no JSON report: %s; log %s)" % (rc, e, logf))
            return
        reports = doc if isinstance(doc, list) else [doc]
        per = {n: {"failed": [], "passed": 0, "skipped": 0, "perr": [], "res": set()} for n in names}

        def case_of(path):
            rel = os.path.relpath(path, scan) if os.path.isabs(path) and path.startswith(scan) else path.lstrip("/")
            return rel.split("/", 1)[0]

        for r in reports:
            res = r.get("results", {})
            for kind in ("passed_checks", "failed_checks", "skipped_checks"):
                for chk in res.get(kind, []):
                    n = case_of(chk.get("file_abs_path") or chk.get("file_path", ""))
                    if n not in per:
                        if kind == "failed_checks":  # a finding no case can be given: none passes
                            for p in per.values():
                                p["perr"].append("unattributed %s at %s" % (chk.get("check_id"), chk.get("file_path")))
                        continue
                    p = per[n]
                    p["res"].add((chk.get("file_path"), chk.get("resource")))
                    if kind == "passed_checks":
                        p["passed"] += 1
                    elif kind == "skipped_checks":
                        p["skipped"] += 1
                    else:
                        p["failed"].append(chk)
            for pe in res.get("parsing_errors", []):
                n = case_of(pe)
                if n in per:
                    per[n]["perr"].append(pe)
                else:
                    for p in per.values():
                        p["perr"].append(pe)
        for c in cases:
            p = per[c.name]
            clog = self.logf(c.name, step)
            with open(clog, "w") as f:
                f.write("from the batched run %s (log %s)\n" % (out, logf))
                for chk in p["failed"]:
                    lines = chk.get("file_line_range") or [0, 0]
                    f.write("FAILED %s %s: %s\n  %s:%s-%s\n  %s\n" % (chk["check_id"], chk.get("check_name", ""), chk.get("resource"),
                                                                    chk.get("file_path"), lines[0], lines[-1], chk.get("guideline") or ""))
                for pe in p["perr"]:
                    f.write("PARSE_ERROR %s\n" % pe)
            with open(clog[:-4] + ".failed.tsv", "w") as f:
                for chk in p["failed"]:
                    lines = chk.get("file_line_range") or [0, 0]
                    f.write("%s\t%s\t%s:%s\n" % (chk["check_id"], chk.get("resource"), chk.get("file_path", "").lstrip("/"), lines[0]))
            kind = "Terraform" if framework == "terraform" else "CloudFormation"
            if not p["failed"] and not p["perr"] and p["res"]:
                self.record(fam, c.name, step, "ok", "(batch %s; %d passed, %d skipped inline, %d resources checked)" % (secs, p["passed"], p["skipped"], len(p["res"])))
            elif not p["failed"] and not p["perr"]:
                self.record(fam, c.name, step, "FAIL", "(no %s resources found)" % kind)
            else:
                what = "%d failed" % len(p["failed"])
                if p["perr"]:
                    what += ", %d files not parsed" % len(p["perr"])
                self.record(fam, c.name, step, "FAIL", "(%s: %s)" % (what, " ".join(sorted({x["check_id"] for x in p["failed"]}))))

    # --------------------------------------------------------------------------------------- iam --

    IAM_DRIVER = r"""
import contextlib, importlib.util, io, json, sys
spec = importlib.util.spec_from_file_location("check_policies", sys.argv[1])
cp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cp)
out = {}
for root in sys.argv[2:]:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = cp.main(["check-policies.py", root])
    out[root] = [rc, buf.getvalue()]
print(json.dumps(out))
"""

    @staticmethod
    def env_roots(d):
        """The directories holding policies/ and ARCHITECTURE.md: the project, or with
        [environments] each environments/NAME/."""
        envs = sorted(glob.glob(os.path.join(d, "environments", "*", "policies")))
        return [os.path.dirname(p) for p in envs] or [d]

    def stage_iam(self, cases):
        roots = [c for c in cases if getattr(c, "tf", None)]
        if not self.iam_ok:
            return
        fixtures = os.path.join(ROOT, "tests", "fixtures", "iam-defects")
        n_defects = len(glob.glob(os.path.join(fixtures, "policies", "*.json")))
        logf = os.path.join(self.work, "logs", "iam.json")
        rc, secs = self.slot(self.run, logf, 900, [self.py, "-c", self.IAM_DRIVER, os.path.join(SCRIPTS, "check-policies.py"), fixtures] + [r for c in roots for r in self.env_roots(c.tf)])
        try:
            text = open(logf).read()
            res = json.loads(text.splitlines()[-1])
        except (ValueError, IndexError) as e:
            self.record("validate", "checker", "iam", "FAIL", "%s (check-policies did not run: %s; log %s)" % (secs, e, logf))
            return
        last = lambda s: (s.strip().splitlines() or [""])[-1]
        got = last(res[fixtures][1])
        if got == "check-policies: 0 passed, %d failed" % n_defects:
            self.record("validate", "checker", "iam-selftest", "ok", "(rejects all %d known defects)" % n_defects)
        else:
            with open(self.logf("checker", "iam-selftest"), "w") as f:
                f.write(res[fixtures][1])
            self.record("validate", "checker", "iam-selftest", "FAIL", "(expected 0 passed, %d failed; got: %s)" % (n_defects, got))
        self.log("iam: one check-policies process over %d roots in %s" % (len(roots), secs))
        for c in roots:
            # One line per environment of a project with [environments].
            for r in self.env_roots(c.tf):
                code, output = res[r]
                name = c.name if r == c.tf else "%s:%s" % (c.name, os.path.basename(r))
                with open(self.logf(name, "iam"), "w") as f:
                    f.write(output)
                self.record("validate", name, "iam", "ok" if code == 0 else "FAIL", "(%s)" % last(output).replace("check-policies: ", ""))

    # ---------------------------------------------------------------------------------- simulate --

    def stage_simulate(self, cases):
        roots = [c for c in cases if getattr(c, "tf", None)]
        venv = os.environ.get("SMGEN_SIM_VENV") or os.path.join(CACHE, "smgen", "sim-venv")
        py = os.path.join(venv, "bin", "python")
        if not os.access(py, os.X_OK):
            if CI:
                self.record("validate", "simulate", "simulate", "FAIL", "(no simulation venv at %s: run scripts/setup-sim.sh)" % venv)
            else:
                self.log("no simulation venv at %s: skipping the workload simulation (scripts/setup-sim.sh installs it)" % venv)
                self.skipped_tools.append("simulate")
            return
        if not roots:
            return
        logf = os.path.join(self.work, "logs", "simulate.log")
        rc, secs = self.slot(self.run, logf, 900, [py, os.path.join(SCRIPTS, "simulate.py"), "--role-manager",
                                        os.path.join(venv, "role-manager", "templates")] + [c.tf for c in roots])
        text = open(logf, errors="replace").read().splitlines()
        summary = [l for l in text if l.startswith(("simulate:", "activities:"))]
        self.record("validate", "all-cases", "simulate", "ok" if rc == 0 else "FAIL", "%s (%s)" % (secs, ";".join(summary)))
        if rc:
            with self.lock:
                for l in [l for l in text if l.startswith(("WRONG", "MISSING", "Traceback")) or "Error" in l][:LOG_LINES]:
                    print(l, file=sys.stderr)
        with self.lock:
            self.extra_lines += summary

    # ---------------------------------------------------------------------------- cloudformation --

    def stage_cloudformation(self, cases):
        projs = [c for c in cases if getattr(c, "cfn", None)]
        futs = []
        if self.checkov and projs:
            futs.append(self.submit(self.checkov_batch, projs, "cloudformation", "cfn-checkov", os.path.join(self.work, "cfn"), first=True))
        if self.cfnlint and projs:
            # Every template of a project: template.yaml, and template-NAME.yaml for each other
            # structure group of a project with [environments]. The Region is the template's own
            # (its rule GeneratedForRegion): environments of one project may differ in it.
            by_region = collections.defaultdict(list)
            for c in projs:
                for t in sorted(glob.glob(os.path.join(c.cfn, "template*.yaml"))):
                    m = re.search(r'!Equals \[!Ref AWS::Region, "?([a-z0-9-]+)"?\]', open(t).read())
                    by_region[m.group(1) if m else ""].append((c, t))
            for region, cts in sorted(by_region.items()):
                futs.append(self.submit(self.cfn_lint_batch, cts, region, first=True))
            for c in projs:
                for pf in sorted(glob.glob(os.path.join(c.cfn, "parameters", "*.json"))):
                    futs.append(self.submit(self.cfn_lint_environment, c, pf))
        for f in futs:
            f.result()

    def cfn_lint_environment(self, c, pf):
        """cfn-lint of one environment's template with the values of its parameters file
        (`{"Parameters": {...}}`, which cfn-lint's --parameter-files does not read: given as
        --parameters). cfn-lint then checks the resolved values (a malformed block, E2900 for a
        parameter without a default and without a value); AllowedPattern is checked by
        tests/cloudformation_environments.rs. The S3 prefix list id is looked up at deploy time:
        a well-formed stand-in."""
        env = os.path.basename(pf)[:-5]
        step = "cfn-lint-" + env
        values = json.load(open(pf))["Parameters"]
        readme = open(os.path.join(c.cfn, "README.md")).read()
        m = re.search(r"^### %s\n.*?--template-file (\S+)" % re.escape(env), readme, re.M | re.S)
        if not m:
            self.record("validate", c.name, step, "FAIL", "(README.md names no template for environment %s)" % env)
            return
        t = os.path.join(c.cfn, m.group(1))
        declared = re.search(r"^Parameters:\n(.*?)^\S", open(t).read(), re.M | re.S)
        for name in re.findall(r"^  (\w+PrefixListId):$", declared.group(1) if declared else "", re.M):
            values.setdefault(name, "pl-6da54004")
        region = re.search(r"--region (\S+)", readme[m.start():]).group(1)
        found, rc, secs, logf, broken = self.lint("%s-%s" % (c.name, env), [t],
                                                  ["--include-checks", "I", "--regions", region, "--parameters",
                                                   *("%s=%s" % kv for kv in sorted(values.items()))])
        fl = found.get(t, [])
        with open(self.logf(c.name, step), "w") as f:
            f.write("from %s\n%s\n" % (logf, "\n".join(fl)))
        n = collections.Counter(l.split(":")[5][:1] for l in fl if len(l.split(":")) > 5)
        counts = "%s with %s: %d errors, %d warnings" % (os.path.basename(t), os.path.relpath(pf, c.cfn), n["E"], n["W"])
        if broken or n["E"] or n["W"]:
            self.record("validate", c.name, step, "FAIL", "(%s; %s; exit %d)" % (secs, counts, rc))
        else:
            self.record("validate", c.name, step, "ok", "(%s; %s)" % (secs, counts))

    def lint(self, name, templates, extra):
        """One cfn-lint run over templates; returns ({template: [finding lines]}, exit code, seconds, log)."""
        logf = os.path.join(self.work, "logs", "cfn-lint-%s.log" % name)
        rc, secs = self.run(logf, 900, [self.cfnlint, "--format", "parseable", *extra, "--", *templates])
        found = collections.defaultdict(list)
        lines = open(logf, errors="replace").read().splitlines()[1:]
        unattributed = False
        for l in lines:
            for t in templates:
                if l.startswith(t + ":"):
                    found[t].append(l)
                    break
            else:
                unattributed = unattributed or bool(re.search(r":[EW]\d{4}:", l))
        # A finding no template can be given, or a crash: no template of the batch passes.
        broken = rc & 1 or rc > 15 or unattributed or any("Traceback" in l for l in lines)
        return found, rc, secs, logf, broken

    def cfn_lint_batch(self, cts, region):
        """cts: (case, template) pairs; a case with several templates gets one result per
        template (`cfn-lint`, `cfn-lint-template-NAME`)."""
        cs = [c for c, _ in cts]
        templates = [t for _, t in cts]
        found, rc, secs, logf, broken = self.lint("cfn-" + (region or "default"), templates, ["--include-checks", "I"] + (["--regions", region] if region else []))
        self.log("cfn-lint: one run over %d templates of %s in %s (exit %d)" % (len(cs), region or "the default region", secs, rc))
        for c, t in zip(cs, templates):
            fl = found.get(t, [])
            step = "cfn-lint" if os.path.basename(t) == "template.yaml" else "cfn-lint-" + os.path.basename(t)[:-5]
            with open(self.logf(c.name, step), "w") as f:
                f.write("from the batched run (log %s)\n%s\n" % (logf, "\n".join(fl)))
            n = collections.Counter(l.split(":")[5][:1] for l in fl if len(l.split(":")) > 5)
            counts = "%d errors, %d warnings, %d informational" % (n["E"], n["W"], n["I"])
            if broken:
                self.record("validate", c.name, step, "FAIL", "(cfn-lint did not run cleanly, exit %d; see %s)" % (rc, logf))
            elif n["E"] or n["W"]:
                self.record("validate", c.name, step, "FAIL", "(batch %s; %s)" % (secs, counts))
            else:
                self.record("validate", c.name, step, "ok", "(batch %s; %s)" % (secs, counts))

    # --------------------------------------------------------------------------------------- cdk --

    @staticmethod
    def pins_of(pkg):
        p = json.load(open(pkg))
        deps = dict(p.get("dependencies", {}), **p.get("devDependencies", {}))
        return json.dumps(dict(sorted(deps.items())), separators=(",", ":"))

    def npm_cache(self, kind, pins_json, package):
        """npm install the pins once into CACHE/<kind>/<hash of the pins> (under a lock): the folder."""
        import fcntl
        base = os.environ.get("SMGEN_CDK_CACHE" if kind == "cdk-node" else "SMGEN_MERMAID_CACHE") or os.path.join(CACHE, "smgen", kind)
        d = os.path.join(base, hashlib.sha256(pins_json.encode()).hexdigest()[:16])
        os.makedirs(d, exist_ok=True)
        with open(d + ".lock", "w") as lk:
            fcntl.flock(lk, fcntl.LOCK_EX)
            if os.path.isfile(os.path.join(d, ".complete")):
                self.log("node_modules: %s (cached, pins %s)" % (d, pins_json))
                return d
            self.log("node_modules: installing %s into %s" % (pins_json, d))
            shutil.rmtree(os.path.join(d, "node_modules"), ignore_errors=True)
            with open(os.path.join(d, "package.json"), "w") as f:
                json.dump(package, f, indent=2)
            t0 = time.monotonic()
            # --ignore-scripts: no install script is needed, and none runs unreviewed.
            rc, _ = self.run(os.path.join(self.work, "logs", "npm-%s.log" % kind), 900,
                             ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], env=self.cdk_env, cwd=d)
            if rc:
                raise RuntimeError("npm install into %s failed (log %s)" % (d, os.path.join(self.work, "logs", "npm-%s.log" % kind)))
            open(os.path.join(d, ".complete"), "w").close()
            self.log("node_modules: installed in %.0fs" % (time.monotonic() - t0))
        return d

    def cdk_modules(self, projs):
        """The shared node_modules of the projects' pins, linked into each project."""
        pins = self.pins_of(os.path.join(projs[0].cdk, "package.json"))
        d = self.npm_cache("cdk-node", pins, {"name": "smgen-cdk-node-cache", "private": True, "dependencies": json.loads(pins)})
        modules = os.path.join(d, "node_modules")
        linked = []
        for c in projs:
            if self.pins_of(os.path.join(c.cdk, "package.json")) != pins:
                self.record("validate-cdk", c.name, "deps", "FAIL", "(package.json pins differ from %s's)" % projs[0].name)
                continue
            link = os.path.join(c.cdk, "node_modules")
            if os.path.lexists(link):
                os.remove(link)
            os.symlink(modules, link)
            linked.append(c)
        return modules, linked

    def stage_cdk(self, cases):
        projs = [c for c in cases if getattr(c, "cdk", None)]
        if not projs or not self.node:
            return
        _, linked = self.cdk_modules(projs)
        self.cdk_env["npm_config_offline"] = "true"
        futs = [self.submit(self.cdk_case, c) for c in linked]
        for f in futs:
            f.result()
        synthed = [c for c in linked if getattr(c, "synthed", None)]
        if self.cfnlint and synthed:
            templates = [t for c in synthed for t in c.synthed]
            found, rc, secs, logf, broken = self.slot(self.lint, "cdk", templates, [])
            self.log("cfn-lint: one run over %d synthesized templates in %s (exit %d)" % (len(templates), secs, rc))
            for c in synthed:
                fl = [l for t in c.synthed for l in found.get(t, [])]
                with open(self.logf(c.name, "cdk-lint"), "w") as f:
                    f.write("from the batched run (log %s)\n%s\n" % (logf, "\n".join(fl)))
                rules = lambda k: " ".join(sorted({l.split(":")[5] for l in fl if len(l.split(":")) > 5 and l.split(":")[5].startswith(k)}))
                if broken:
                    self.record("validate-cdk", c.name, "cdk-lint", "FAIL", "(cfn-lint did not run cleanly, exit %d; see %s)" % (rc, logf))
                elif rules("E"):
                    errs = sum(1 for l in fl if len(l.split(":")) > 5 and l.split(":")[5].startswith("E"))
                    self.record("validate-cdk", c.name, "cdk-lint", "FAIL", "(batch %s; %d errors: %s)" % (secs, errs, rules("E")))
                else:
                    w = rules("W")
                    self.record("validate-cdk", c.name, "cdk-lint", "ok", "(batch %s; 0 errors%s)" % (secs, "; warnings: " + w if w else ""))
        for c in linked:
            if not getattr(c, "synthed", None) and self.cfnlint:
                self.record("validate-cdk", c.name, "cdk-lint", "skip", "(synth failed)")

    def cdk_case(self, c):
        n, root, env, fam = c.name, c.cdk, self.cdk_env, "validate-cdk"
        logf = self.logf(n, "tsc")
        rc, secs = self.run(logf, 300, ["node_modules/.bin/tsc", "--noEmit"], env=env, cwd=root)
        if rc == 0:
            self.record(fam, n, "tsc", "ok", secs)
        else:
            self.record(fam, n, "tsc", "FAIL", "%s (%d errors)" % (secs, open(logf, errors="replace").read().count("error TS")))
        logf = self.logf(n, "cdk-test")
        rc, secs = self.run(logf, 600, ["npm", "test"], env=env, cwd=root)
        text = open(logf, errors="replace").read()
        p = re.findall(r"^# pass (\d+)$", text, re.M)
        fl = re.findall(r"^# fail (\d+)$", text, re.M)
        if rc == 0 and p and int(p[-1]) > 0 and fl and int(fl[-1]) == 0:
            self.record(fam, n, "cdk-test", "ok", "%s (%s passed)" % (secs, p[-1]))
        else:
            nok = ";".join(l[:100] for l in text.splitlines() if l.startswith("not ok"))
            self.record(fam, n, "cdk-test", "FAIL", "%s (%s failed, %s passed: %s)" % (secs, fl[-1] if fl else "?", p[-1] if p else "?", nok))
        # cdk.json's app also runs tsc first; the tsc step has done that, so synth runs the app
        # directly (the same `cdk synth`, minus the second type-check).
        # The entry point cdk.json names (bin/ may hold more than the app, e.g. the environments).
        app = re.search(r"bin/(\S+\.ts)", json.load(open(os.path.join(root, "cdk.json")))["app"]).group(1)
        shutil.rmtree(os.path.join(root, "cdk.out"), ignore_errors=True)
        logf = self.logf(n, "synth")
        # '**': every stack, also those in Stages (an app of several environments); a bare synth
        # selects only top-level stacks, and the CLI reports cdk-nag's findings for the selected ones.
        rc, secs = self.run(logf, 600, ["node_modules/.bin/cdk", "synth", "**", "--no-notices", "--no-version-reporting", "--no-lookups",
                                        "--quiet", "--app", "node_modules/.bin/tsx bin/" + app, "--output", "cdk.out"], env=env, cwd=root)
        out = os.path.join(root, "cdk.out")
        if rc == 0:
            # A Stage's templates are in its nested assembly (cdk.out/assembly-NAME/).
            templates = sorted(glob.glob(os.path.join(out, "**", "*.template.json"), recursive=True))
            self.record(fam, n, "synth", "ok", "%s (%d template%s)" % (secs, len(templates), "" if len(templates) == 1 else "s"))
            c.synthed = templates
        else:
            m = re.search(r"ValidationFailed|error TS\d+|Error: .{0,80}", open(logf, errors="replace").read())
            self.record(fam, n, "synth", "FAIL", "%s (%s)" % (secs, m.group(0) if m else "see log"))
        if rc == 0 or os.path.isfile(os.path.join(out, "validation-report.json")):
            self.cdk_nag(c, out)
        else:
            self.record(fam, n, "nag", "skip", "(synth failed)")

    def cdk_nag(self, c, out):
        """Every plugin report in validation-report.json free of violations; cdk-nag took part."""
        logf = self.logf(c.name, "nag")
        bad, plugins, ids = [], [], set()
        try:
            report = json.load(open(os.path.join(out, "validation-report.json")))
            for p in report.get("pluginReports", []):
                plugins.append(p.get("pluginName", "?"))
                for v in p.get("violations", []):
                    where = ", ".join(x.get("constructPath", "?") for x in v.get("violatingConstructs", []))
                    bad.append("%s: %s %s at %s" % (p.get("pluginName"), v.get("severity"), v.get("ruleName"), where))
            for t in glob.glob(os.path.join(out, "**", "*.template.json"), recursive=True):
                for r in json.load(open(t))["Resources"].values():
                    ids.update(a["id"] for a in r.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []))
        except (OSError, ValueError, KeyError) as e:
            bad.append("cannot read %s: %s" % (out, e))
        with open(logf, "w") as f:
            f.write("cdk.out/validation-report.json of %s\n%s\n" % (c.cdk, "\n".join(bad)))
            # A clean report lists no plugin; cdk-nag's acknowledgements in the template's Metadata
            # show that the pack bin/ registers took part in the synth.
            if not ids and "AwsSolutions" not in plugins:
                f.write("no trace of cdk-nag in the synth: no cdk_nag Metadata and no AwsSolutions report\n")
                bad.append("no trace of cdk-nag")
        if bad:
            kinds = sorted({" ".join(b.split(": ", 1)[-1].split()[:2]) for b in bad})[:5]
            self.record("validate-cdk", c.name, "nag", "FAIL", "(%d findings: %s)" % (len(bad), ";".join(kinds)))
        else:
            self.record("validate-cdk", c.name, "nag", "ok", "(0 findings; %d rules acknowledged, each with its reason)" % len(ids))

    # ----------------------------------------------------------------------------------- mermaid --

    def stage_mermaid(self, cases):
        if self.node:
            self.slot(self.mermaid, cases)

    def mermaid(self, cases):
        files = [os.path.join(r, "ARCHITECTURE.md") for c in cases if "mermaid" in c.stages and getattr(c, "tf", None) for r in self.env_roots(c.tf)]
        files += [c.explained for c in cases if "explain" in c.stages and getattr(c, "explained", None)]
        pins = json.dumps(MERMAID_PINS, separators=(",", ":"))
        d = self.npm_cache("mermaid-node", "mermaid@%s jsdom@%s" % (MERMAID_PINS["mermaid"], MERMAID_PINS["jsdom"]),
                           {"name": "smgen-mermaid-check", "private": True, "type": "module", "dependencies": json.loads(pins)})
        # The checker resolves its imports from its own folder, so it runs from the cache.
        shutil.copy(os.path.join(SCRIPTS, "mermaid-check.mjs"), os.path.join(d, "check.mjs"))
        broken = os.path.join(self.work, "explain", "broken.md")
        with open(broken, "w") as f:  # the negative control: an edge to nowhere, an unterminated subgraph
            f.write('```mermaid\nflowchart LR\n  a["x"] -->|"y"|\n  subgraph s["z"]\n```\n')
        fam = "validate-mermaid"
        logf = os.path.join(self.work, "logs", "mermaid.log")
        rc, secs = self.run(logf, 600, ["node", "check.mjs", *files], env=self.cdk_env, cwd=d)
        lines = open(logf, errors="replace").read().splitlines()[1:]
        with self.lock:
            print("\n".join(lines), flush=True)
        for l in lines:
            m = re.match(r"^(ok|FAIL)\s+(\S+?)(#\d+)?[: ]", l)
            if m:
                self.record(fam, os.path.relpath(m.group(2), self.work), "mermaid", m.group(1), echo=False)
        if rc and not any(l.startswith("FAIL") for l in lines):
            self.record(fam, "all-diagrams", "mermaid", "FAIL", "(the checker exited %d: see %s)" % (rc, logf))
        rc2, _ = self.run(os.path.join(self.work, "logs", "mermaid-broken.log"), 300, ["node", "check.mjs", broken], env=self.cdk_env, cwd=d)
        if rc2 == 0:
            self.record(fam, "negative-control", "mermaid", "FAIL", "(the checker accepted a broken diagram: it checks nothing)")
        else:
            self.record(fam, "negative-control", "mermaid", "ok", "(a broken diagram is rejected)")
        ok = rc == 0 and rc2 != 0
        with self.lock:
            self.extra_lines.append("validate-mermaid: %d diagrams parse (mermaid %s)" % (len(files), MERMAID_PINS["mermaid"]) if ok else "validate-mermaid: FAILED")

    # ------------------------------------------------------------------------------------ deploy --

    def stage_deploy(self, cases):
        names = []
        for c in cases:
            if "deploy" in c.stages:
                names.append(c.name)
                # deploy.sh derives a CloudFormation and a CDK case from every preset case.
                if c.name.startswith("preset-"):
                    rest = c.name[len("preset-"):]
                    names += ["cfn-" + rest, "cdk-" + rest]
        if not names:
            return
        cmd = ["bash", os.path.join(SCRIPTS, "deploy.sh"), "--smgen", self.smgen, "--only",
               "^(%s)$" % "|".join(names), "--jobs", str(self.o.deploy_jobs)]
        if self.o.keep:
            cmd += ["--keep", os.path.join(self.work, "deploy")]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
        summary = None
        for line in p.stdout:
            line = line.rstrip("\n")
            m = re.match(r"^(ok|FAIL)\s+(\S+)\s", line)
            if m and m.group(2) in names:
                self.record("deploy", m.group(2), "deploy", m.group(1), "", echo=False)
            if line.startswith("deploy: ") and "applied+re-planned+destroyed" in line:
                summary = line
            self.say(line)
        rc = p.wait()
        if rc and summary is None:
            self.record("deploy", "deploy", "deploy", "FAIL", "(scripts/deploy.sh exited %d)" % rc)

    # ------------------------------------------------------------------------------------ report --

    def report(self):
        fails = [(fam, c, s) for fam, c, s, st, _ in self.results if st == "FAIL"]
        if fails:
            print("\n==================== logs of the failing steps ====================")
            for fam, c, s in fails:
                logf = os.path.join(self.work, "logs", c, s + ".log")
                if not os.path.isfile(logf):
                    continue
                print("\n---------- FAIL %s %s (%s) ----------" % (s, c, logf))
                lines = open(logf, errors="replace").read().splitlines()
                print("\n".join(lines[:LOG_LINES]))
                if len(lines) > LOG_LINES:
                    print("[... %d more lines; keep the logs with --keep DIR]" % (len(lines) - LOG_LINES))
            print("\n==================== failures across cases ====================")
            for step in ("checkov", "cfn-checkov"):
                cases, n, ex = collections.Counter(), collections.Counter(), {}
                for tsv in glob.glob(os.path.join(self.work, "logs", "*", step + ".failed.tsv")):
                    seen = set()
                    for l in open(tsv):
                        cid, res, where = l.rstrip("\n").split("\t")
                        n[cid] += 1
                        ex.setdefault(cid, "%s (%s)" % (res, where))
                        if cid not in seen:
                            seen.add(cid)
                            cases[cid] += 1
                for cid, k in cases.most_common():
                    print("%-11s %3d cases  %s (%d findings), e.g. %s" % (step, k, cid, n[cid], ex[cid]))
            digest = collections.Counter()
            for fam, c, s in fails:
                logf = os.path.join(self.work, "logs", c, s + ".log")
                if s in ("init", "validate", "test") and os.path.isfile(logf):
                    text = open(logf, errors="replace").read()
                    for e in sorted(set(re.findall(r"^Error: .*$", text, re.M) + re.findall(r'run "[^"]*"\.\.\. fail', text))):
                        digest[(s, e)] += 1
                if s == "cfn-lint" and os.path.isfile(logf):
                    for rule in sorted({l.split(":")[5] for l in open(logf) if len(l.split(":")) > 5 and re.match(r"[EW]\d", l.split(":")[5])}):
                        digest[("cfn-lint", rule)] += 1
            for (s, e), k in digest.most_common():
                print("%-8s  %3d cases  %s" % (s, k, e))
        # Inline checkov suppressions are where a finding can hide: list them for review.
        if self.checkov:
            for label, pattern, rx in (("", os.path.join(self.work, "tf", "*", "*.tf"), r"checkov:skip=([A-Za-z0-9_]+)"),
                                       (" in CloudFormation", os.path.join(self.work, "cfn", "*", "template*.yaml"), r"- id: (CKV[A-Za-z0-9_]*)")):
                where = collections.defaultdict(set)
                for f in glob.glob(pattern):
                    for cid in re.findall(rx, open(f, errors="replace").read()):
                        where[cid].add(os.path.basename(os.path.dirname(f)))
                if where:
                    print("validate: inline checkov skips%s (check: %s): %s" % (label, "roots" if not label else "templates",
                          ", ".join("%s: %d" % (k, len(v)) for k, v in sorted(where.items()))))
        totals = collections.defaultdict(collections.Counter)
        for fam, *_rest in self.results:
            totals[fam][_rest[2]] += 1
        skipped = sum(t["skip"] for t in totals.values())
        if skipped:
            print("harness: %d steps skipped because an earlier step failed" % skipped)
        if self.skipped_tools:
            print("harness: not run (tool missing): %s" % ", ".join(self.skipped_tools))
        for l in self.extra_lines:
            print(l)
        for fam in ("validate", "validate-cdk"):
            if fam in totals:
                print("%s: %d passed, %d failed" % (fam, totals[fam]["ok"], totals[fam]["FAIL"]))
        print("harness: stage durations: " + ", ".join("%s %.0fs" % kv for kv in self.durations.items()))
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        print("harness: CPU time of the checks: %.0fs (user %.0fs + system %.0fs; wall %.0fs on %d cores)"
              % (ru.ru_utime + ru.ru_stime, ru.ru_utime, ru.ru_stime, self.durations.get("total", 0), os.cpu_count() or 0))
        ok = sum(t["ok"] for t in totals.values())
        bad = sum(t["FAIL"] for t in totals.values())
        print("harness: %d passed, %d failed" % (ok, bad))
        return bad == 0

    # -------------------------------------------------------------------------------------- main --

    def timed(self, name, fn, *a):
        t0 = time.monotonic()
        self.log("stage %s: start" % name)
        self.guard(fn, *a)
        self.durations[name] = time.monotonic() - t0
        self.say("===== stage %s: %.0fs" % (name, self.durations[name]))

    def main(self, cases):
        t0 = time.monotonic()
        st = self.stages
        deploy = None
        if "deploy" in st:
            deploy = threading.Thread(target=self.timed, args=("deploy", self.stage_deploy, cases))
            deploy.start()
        if st - {"deploy"}:
            self.timed("render", self.render_all, cases)
        threads = []
        order = ["cdk", "terraform", "cloudformation", "iam", "simulate", "mermaid"]
        for name in order:
            if name in st:
                sel = [c for c in cases if name in c.stages or (name == "mermaid" and "explain" in c.stages)]
                fn = getattr(self, "stage_" + name)
                t = threading.Thread(target=self.timed, args=(name, fn, sel))
                t.start()
                threads.append(t)
        for t in threads:
            t.join()
        if deploy:
            deploy.join()
        self.pool.shutdown()
        self.durations["total"] = time.monotonic() - t0
        return self.report()


def smgen_presets(smgen):
    out = subprocess.run([smgen, "presets", "--json"], capture_output=True, text=True, timeout=60)
    if out.returncode:
        raise TableError("smgen presets --json failed: " + out.stderr.strip())
    try:
        report = json.loads(out.stdout)
        if report["schema"] != "smgen-presets/1":
            raise TableError("smgen presets --json: unknown schema %r" % report["schema"])
        names = [p["name"] for p in report["presets"]]
    except (ValueError, KeyError, TypeError) as e:
        raise TableError("smgen presets --json did not print {schema, presets: [{name: ...}]}: %s" % e)
    if not names:
        raise TableError("smgen presets --json listed no presets")
    return names


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog="stages: " + ", ".join(STAGES))
    ap.add_argument("--smgen", default="target/debug/smgen", help="smgen binary to test (default: target/debug/smgen)")
    ap.add_argument("--stage", action="append", default=[], help="run only these stages (repeatable or comma-separated)")
    ap.add_argument("--case", action="append", default=[], help="only the case NAME (repeatable)")
    ap.add_argument("--only", default=None, help="only the cases whose name matches REGEX (searched, as bash's =~)")
    ap.add_argument("--keep", default="", help="work in DIR and keep the outputs and logs there")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("SMGEN_JOBS", "2")), help="checks run in parallel (default 2)")
    # 4, not one per core: a Terraform deploy case mostly waits (the AWS provider polls for
    # consistency, e.g. 55 s per S3 lifecycle configuration against moto; measured 124 s wall for
    # under 40 s of CPU), so twice the cores shortens the stage without slowing the others much.
    ap.add_argument("--deploy-jobs", type=int, default=int(os.environ.get("SMGEN_DEPLOY_JOBS", "4")), help="cases scripts/deploy.sh deploys in parallel (default 4)")
    ap.add_argument("--list", action="store_true", help="print the selected cases with their stages and arguments, and exit")
    ap.add_argument("--deploy-lines", action="store_true", help="print the deploy cases as NAME|PRESET|SET... (for scripts/deploy.sh)")
    ap.add_argument("--cdk-modules", action="store_true", help="install the CDK pins into the shared cache and print its node_modules")
    ap.add_argument("--check-table", action="store_true", help="check tests/cases.toml (the matrix's pair coverage) and exit")
    o = ap.parse_args(argv)
    stages = set()
    for s in o.stage:
        stages.update(x for x in s.split(",") if x)
    bad = stages - set(STAGES)
    if bad:
        ap.error("unknown stages %s (known: %s)" % (sorted(bad), ", ".join(STAGES)))
    if o.jobs < 1 or o.deploy_jobs < 1:
        ap.error("--jobs and --deploy-jobs must be positive")
    smgen = shutil.which(o.smgen) if "/" not in o.smgen else o.smgen
    if not smgen or not os.access(smgen, os.X_OK):
        print("harness: error: no smgen binary at '%s': build it first (cargo build) or pass --smgen PATH" % o.smgen, file=sys.stderr)
        return 2
    smgen = os.path.abspath(smgen)
    try:
        cases = load_table(TABLE, smgen_presets(smgen))
    except (TableError, OSError, KeyError, tomllib.TOMLDecodeError) as e:
        print("harness: error: %s: %s" % (TABLE, e), file=sys.stderr)
        return 2
    if o.check_table:
        with open(TABLE, "rb") as f:
            m = tomllib.load(f)["matrix"]
        once = m.get("once_stages", [])
        note = ""
        if once:
            rows = [m["rows"][k].split() for k in pair_cover(m)]
            m1 = dict(m, rows=[" ".join(r) for r in rows], min_pair_count=1, min_rows=0)
            missing = check_matrix(m1)
            if missing:
                print("harness: error: the rows of once_stages miss pairs:\n  " + "\n  ".join(missing), file=sys.stderr)
                return 2
            note = "; %s on %d of its %d rows, every pair once" % (", ".join(once), len(rows), len(m["rows"]))
        print("harness: %s: %d cases, the matrix covers every pair%s" % (os.path.relpath(TABLE, ROOT), len(cases), note))
        return 0
    if o.case:
        unknown = set(o.case) - {c.name for c in cases}
        if unknown:
            print("harness: error: no case named %s (see --list)" % ", ".join(sorted(unknown)), file=sys.stderr)
            return 2
        cases = [c for c in cases if c.name in o.case]
    if o.only:
        cases = [c for c in cases if re.search(o.only, c.name)]
    if o.deploy_lines:
        for c in cases:
            if "deploy" in c.stages:
                print("%s|%s|%s" % (c.name, c.preset, " ".join(c.sets())))
        return 0
    if o.list:
        for c in cases:
            print("%-40s %-60s %s" % (c.name, ",".join(s for s in STAGES + ["explain"] if s in c.stages), shlex.join(c.args)))
        return 0
    if o.cdk_modules:
        stages = {"cdk"}
        cases = [c for c in cases if c.name.startswith("preset-") and "cdk" in c.stages][:1]
    if not stages:
        stages = set(STAGES)
    stages.add("render")
    # a case takes part in the stages it names and that were selected
    cases = [c for c in cases if c.stages & (stages | ({"explain"} if "mermaid" in stages else set()))]
    if not cases:
        print("harness: error: no case matches the selection", file=sys.stderr)
        return 2
    h = Harness(o)
    h.smgen = smgen
    h.stages = stages
    try:
        h.setup()
    except TableError as e:
        print("harness: error: %s" % e, file=sys.stderr)
        return 1
    try:
        if o.cdk_modules:
            sink = open(os.devnull, "w")
            real, sys.stdout = sys.stdout, sink
            try:
                h.render_all(cases)
                modules, _ = h.cdk_modules([c for c in cases if getattr(c, "cdk", None)])
            finally:
                sys.stdout = real
            print(modules)
            return 0
        h.log("smgen: %s; work directory: %s; %d cases; stages: %s; %d jobs"
              % (smgen, h.work, len(cases), ", ".join(s for s in STAGES if s in stages), o.jobs))
        return 0 if h.main(cases) else 1
    finally:
        if not o.keep:
            shutil.rmtree(h.work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
