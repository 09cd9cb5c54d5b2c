#!/usr/bin/env bash
# Removes what blocks or outlives `terraform destroy` / stack deletion of this environment, with the
# AWS CLI, in the order AWS requires: Studio apps -> spaces -> user profiles -> the domain, then the
# domain's home EFS volume (its mount targets first) and the NFS security groups SageMaker created
# for it, then every object version in the environment's buckets. Run it before the destroy.
#
#   ./teardown.sh --dry-run   print what would be deleted (read-only calls)
#   ./teardown.sh --yes       delete it; nothing can be recovered afterwards
#
# Sources: DeleteApp, DeleteSpace, DeleteUserProfile and DeleteDomain API references (apps and spaces
# block the deletion of profiles and domains; DeleteDomain RetentionPolicy HomeEfsFileSystem);
# sagemaker-studio-admin-iac-templates studio-classic-vpconly/CLEANUP.md (EFS, mount targets and the
# security-group-for-inbound/outbound-nfs-<domain id> groups block subnet and VPC deletion); S3 User
# Guide, deleting a versioned bucket (every version and delete marker must go first).
set -euo pipefail

# @@PROJECT@@

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }
mode=""
case ${1:-} in
  --dry-run) mode=dry ;;
  --yes) mode=delete ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac
export AWS_REGION=$REGION AWS_DEFAULT_REGION=$REGION AWS_PAGER=""
WAIT_SECS=${TEARDOWN_WAIT_SECS:-900}

say() { printf 'teardown: %s\n' "$*"; }
# act DESCRIPTION CMD...: print, and run unless --dry-run.
act() {
  local what=$1
  shift
  if [[ $mode == dry ]]; then
    say "would delete $what"
  else
    say "deleting $what"
    "$@" >/dev/null
  fi
}
# wait_gone DESCRIPTION CMD...: poll CMD until it prints nothing (or WAIT_SECS pass).
wait_gone() {
  local what=$1 waited=0
  shift
  [[ $mode == delete ]] || return 0
  while [[ -n $("$@" 2>/dev/null || true) ]]; do
    ((waited < WAIT_SECS)) || { say "gave up waiting for $what after ${WAIT_SECS}s"; return 1; }
    sleep 10
    waited=$((waited + 10))
  done
  say "$what: gone"
}

ACCOUNT=$(aws sts get-caller-identity --query Account --output text)
say "account $ACCOUNT, region $REGION, mode ${mode}"

domain=$(aws sagemaker list-domains --query "Domains[?DomainName=='$DOMAIN_NAME'].DomainId" --output text)
efs="" vpc=""
if [[ -n $domain && $domain != None ]]; then
  read -r efs vpc < <(aws sagemaker describe-domain --domain-id "$domain" --query '[HomeEfsFileSystemId, VpcId]' --output text)
  say "Studio domain $DOMAIN_NAME ($domain), home EFS $efs in $vpc"
  # shellcheck disable=SC2016  # backquotes are JMESPath literals, not command substitution
  list_apps() {
    aws sagemaker list-apps --domain-id-equals "$domain" \
      --query 'Apps[?Status!=`Deleted` && Status!=`Failed`].[AppType, AppName, UserProfileName || `-`, SpaceName || `-`]' --output text
  }
  while read -r type name profile space; do
    [[ -n ${name:-} ]] || continue
    owner=(--user-profile-name "$profile")
    [[ $space == - ]] || owner=(--space-name "$space")
    act "app $type/$name" aws sagemaker delete-app --domain-id "$domain" --app-type "$type" --app-name "$name" "${owner[@]}"
  done < <(list_apps)
  wait_gone "apps" bash -c "aws sagemaker list-apps --domain-id-equals '$domain' --query 'Apps[?Status!=\`Deleted\` && Status!=\`Failed\`].AppName' --output text"
  for space in $(aws sagemaker list-spaces --domain-id-equals "$domain" --query 'Spaces[].SpaceName' --output text); do
    act "space $space" aws sagemaker delete-space --domain-id "$domain" --space-name "$space"
  done
  wait_gone "spaces" aws sagemaker list-spaces --domain-id-equals "$domain" --query 'Spaces[].SpaceName' --output text
  for profile in $(aws sagemaker list-user-profiles --domain-id-equals "$domain" --query 'UserProfiles[].UserProfileName' --output text); do
    act "user profile $profile" aws sagemaker delete-user-profile --domain-id "$domain" --user-profile-name "$profile"
  done
  wait_gone "user profiles" aws sagemaker list-user-profiles --domain-id-equals "$domain" --query 'UserProfiles[].UserProfileName' --output text
  act "domain $domain (and its home EFS volume)" aws sagemaker delete-domain --domain-id "$domain" --retention-policy HomeEfsFileSystem=Delete
  wait_gone "domain" aws sagemaker list-domains --query "Domains[?DomainId=='$domain'].DomainId" --output text
else
  say "no Studio domain named $DOMAIN_NAME"
fi

if [[ -n $efs && $efs != None ]] && aws efs describe-file-systems --file-system-id "$efs" >/dev/null 2>&1; then
  for mt in $(aws efs describe-mount-targets --file-system-id "$efs" --query 'MountTargets[].MountTargetId' --output text); do
    act "EFS mount target $mt" aws efs delete-mount-target --mount-target-id "$mt"
  done
  wait_gone "mount targets of $efs" aws efs describe-mount-targets --file-system-id "$efs" --query 'MountTargets[].MountTargetId' --output text
  act "EFS file system $efs" aws efs delete-file-system --file-system-id "$efs"
fi
if [[ -n $domain && $domain != None ]]; then
  # The two groups reference each other: revoke their rules before deleting either.
  groups=$(aws ec2 describe-security-groups \
    --filters "Name=group-name,Values=security-group-for-inbound-nfs-$domain,security-group-for-outbound-nfs-$domain" \
    --query 'SecurityGroups[].GroupId' --output text)
  for sg in $groups; do
    for dir in ingress egress; do
      field=IpPermissions
      [[ $dir == egress ]] && field=IpPermissionsEgress
      rules=$(aws ec2 describe-security-groups --group-ids "$sg" --query "SecurityGroups[0].$field" --output json)
      [[ $rules == "[]" ]] || act "the $dir rules of $sg" aws ec2 "revoke-security-group-$dir" --group-id "$sg" --ip-permissions "$rules"
    done
  done
  for sg in $groups; do
    act "security group $sg (created by SageMaker for the home EFS)" aws ec2 delete-security-group --group-id "$sg"
  done
fi

for pattern in "${BUCKETS[@]}"; do
  bucket=${pattern//@ACCOUNT@/$ACCOUNT}
  aws s3api head-bucket --bucket "$bucket" >/dev/null 2>&1 || { say "no bucket $bucket"; continue; }
  while :; do
    batch=$(aws s3api list-object-versions --bucket "$bucket" --max-items 500 \
      --query '{Objects: [Versions, DeleteMarkers][][].{Key: Key, VersionId: VersionId}}' --output json)
    n=$(printf '%s' "$batch" | grep -c '"Key"' || true)
    ((n > 0)) || break
    act "$n object versions in $bucket" aws s3api delete-objects --bucket "$bucket" --delete "$batch"
    [[ $mode == delete ]] || break
  done
done
if [[ $mode == dry ]]; then
  say "dry run: nothing was deleted; run with --yes, then destroy the environment"
else
  say "done: now run the destroy (see README.md, Teardown)"
fi
