#!/usr/bin/env bash
# Prune only the snapshots CI created for this pipeline.
set -euo pipefail
aws ec2 describe-snapshots --owner-ids self \
  --filters "Name=tag:created-by,Values=ci" "Name=tag:pipeline,Values=${PIPELINE_ID:?}" \
  --query 'Snapshots[].SnapshotId' --output text \
  | tr '\t' '\n' \
  | xargs -r -n1 aws ec2 delete-snapshot --snapshot-id
