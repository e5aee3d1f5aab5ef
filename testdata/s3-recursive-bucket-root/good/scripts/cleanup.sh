#!/usr/bin/env bash
set -euo pipefail
aws s3 rm "s3://${ARTIFACT_BUCKET}/runs/${GITHUB_RUN_ID}/" --recursive
aws s3 rm "s3://${ARTIFACT_BUCKET}/${PREFIX:?}" --recursive
aws s3 rm s3://acme-build-cache/ --recursive --exclude '*' --include 'tmp/*'
aws s3 rm s3://acme-build-cache/ --recursive --dryrun
aws s3 rm "s3://acme-pr-previews-${PR_NUMBER}" --recursive
aws s3 rm s3://acme-build-cache/tmp/ --recursive
