#!/bin/bash
# The on-start lifecycle configuration of @PROJECT@'s notebook instances, written by smgen as
# a starting point: it is yours to edit, and `smgen upgrade` keeps your edits. It runs as root
# each time an instance starts (also when it is created), for at most 5 minutes; its output
# goes to the CloudWatch Logs group /aws/sagemaker/NotebookInstances. Root access for users
# stays as notebook.root_access says.
#
# Limits: SageMaker takes the script as at most 16384 characters of base64, so keep it under
# 12 KB.
#
# Network: @NETWORK@
#
# After an edit: Terraform and the CDK read this file when they plan or synthesize; a
# CloudFormation template embeds it, so run `smgen upgrade` to embed the new version. The
# configuration's name carries a hash of the script, so an edit creates a new configuration
# and points the instances at it; it runs from their next start.
set -euo pipefail

# Idle auto-stop (notebook.idle_stop_minutes): stop the instance after this many minutes with
# no busy kernel and no kernel activity. Empty: never. It calls only the SageMaker API
# (StopNotebookInstance, through the environment's sagemaker.api endpoint) with the instance's
# execution role, and installs nothing: the script below uses the Python of the instance's
# JupyterSystemEnv, which has boto3.
IDLE_MINUTES="@IDLE_MINUTES@"

if [ -n "$IDLE_MINUTES" ]; then
  cat > /home/ec2-user/smgen-autostop.py <<'PY'
"""Stops this notebook instance when its kernels have been idle for long enough."""
import calendar
import json
import os
import ssl
import sys
import time
import urllib.request
import boto3

IDLE_SECONDS = int(sys.argv[1]) * 60
STATE = "/home/ec2-user/.smgen-autostop-last-activity"


def sessions():
    # The instance's own Jupyter server; its certificate is self-signed.
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with urllib.request.urlopen("https://localhost:8443/api/sessions", context=ctx, timeout=10) as r:
        return json.load(r)


def main():
    if not os.path.exists(STATE):
        open(STATE, "w").close()
    last = os.path.getmtime(STATE)
    for s in sessions():
        kernel = s.get("kernel") or {}
        if kernel.get("execution_state") == "busy":
            os.utime(STATE)
            return
        seen = kernel.get("last_activity")
        if seen:
            # UTC, as "2024-05-01T12:34:56.789012Z"
            last = max(last, calendar.timegm(time.strptime(seen[:19], "%Y-%m-%dT%H:%M:%S")))
    if time.time() - last < IDLE_SECONDS:
        return
    with open("/opt/ml/metadata/resource-metadata.json") as f:
        meta = json.load(f)
    region = meta["ResourceArn"].split(":")[3]
    print("idle for %d minutes: stopping %s" % ((time.time() - last) // 60, meta["ResourceName"]))
    boto3.client("sagemaker", region_name=region).stop_notebook_instance(
        NotebookInstanceName=meta["ResourceName"]
    )


main()
PY
  rm -f /home/ec2-user/.smgen-autostop-last-activity
  python=/home/ec2-user/anaconda3/envs/JupyterSystemEnv/bin/python
  # Every 5 minutes; the entry is replaced, not added again, on each start.
  (crontab -l 2>/dev/null | grep -v smgen-autostop || true; \
    echo "*/5 * * * * $python /home/ec2-user/smgen-autostop.py $IDLE_MINUTES >> /var/log/smgen-autostop.log 2>&1") | crontab -
fi

# Examples, to uncomment and adapt (this runs as root; the notebook's user is ec2-user):
#
# Install the team's packages into the notebook's Python from the environment's package
# repository (not the internet):
#   sudo -u ec2-user -i bash -c 'source activate python3 && pip install --quiet your-package==1.2.3'
