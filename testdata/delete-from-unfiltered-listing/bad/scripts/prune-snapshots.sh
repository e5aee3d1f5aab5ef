#!/usr/bin/env bash
# Weekly snapshot prune. `--owner-ids self` only drops other accounts' public
# snapshots: this still deletes every snapshot the account holds.
set -euo pipefail
aws ec2 describe-snapshots --owner-ids self \
  --query 'Snapshots[].SnapshotId' --output text \
  | tr '\t' '\n' \
  | xargs -r -n1 aws ec2 delete-snapshot --snapshot-id
