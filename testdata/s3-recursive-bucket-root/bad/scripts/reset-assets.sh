#!/usr/bin/env bash
set -euo pipefail

wipe_bucket() {
  local bucket=$1
  aws s3 rm "s3://${bucket}" --recursive
}

wipe_bucket acme-static-assets
aws s3 sync ./public s3://acme-static-assets/
