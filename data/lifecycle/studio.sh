#!/bin/bash
# The @APP@ lifecycle configuration of @PROJECT@, written by smgen as a starting point: it is
# yours to edit, and `smgen upgrade` keeps your edits. It runs each time a @APP@ app starts,
# as the app's user (sagemaker-user), before the user sees the app; its output goes to the
# CloudWatch Logs group /aws/sagemaker/studio.
#
# Limits: SageMaker takes the script as at most 16384 characters of base64, so keep it under
# 12 KB; an app whose script fails or runs longer than 5 minutes does not start.
#
# Network: @NETWORK@
#
# After an edit: Terraform and the CDK read this file when they plan or synthesize; a
# CloudFormation template embeds it, so run `smgen upgrade` to embed the new version. The
# configuration's name carries a hash of the script, so an edit creates a new configuration
# and attaches it; stop running apps first, or SageMaker keeps the old one until they stop.
set -euo pipefail

echo "smgen lifecycle: @LOGAPP@ app starting at $(date -u +%Y-%m-%dT%H:%M:%SZ)"

# Examples, to uncomment and adapt:
#
# Install the team's packages from the environment's package repository (not the internet):
#   pip install --quiet --no-input your-package==1.2.3
#
# Pin a Git identity for commits made in the app:
#   git config --global user.name "${SAGEMAKER_USER_PROFILE_NAME:-sagemaker-user}"
