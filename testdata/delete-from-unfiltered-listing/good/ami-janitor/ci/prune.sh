#!/usr/bin/env bash
# Deregister the AMIs this pipeline built (tag built-by=jenkins-packer) older than RETAIN_DAYS.
set -euo pipefail

RETAIN_DAYS="${RETAIN_DAYS:-30}"
cutoff="$(date -u -d "-${RETAIN_DAYS} days" +%Y-%m-%d)"

run() {
  if [[ "${DRY_RUN:-false}" == "true" ]]; then
    echo "DRY-RUN: $*"
  else
    "$@"
  fi
}

aws ec2 describe-images --owners self \
  --filters Name=tag:built-by,Values=jenkins-packer \
  --query "Images[?CreationDate<'${cutoff}'].ImageId" --output text | tr '\t' '\n' |
while read -r ami; do
  run aws ec2 deregister-image --image-id "$ami"
done
