#!/usr/bin/env bash
set -euo pipefail
NS="preview-${CI_MERGE_REQUEST_IID}"

# Only what this merge request's pipeline created.
kubectl delete all --all -n "preview-${CI_MERGE_REQUEST_IID}" --wait=false
kubectl delete pods -A -l "app.kubernetes.io/instance=${NS}"
kubectl delete job migrate-db -n "$NS" --ignore-not-found
kubectl delete pods --all --dry-run=client -n staging
echo "kubectl delete pods --all -A would be far too broad"
