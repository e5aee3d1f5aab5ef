#!/usr/bin/env bash
# Resets the shared CI cluster between runs.
set -euo pipefail

CONTEXT="${KUBE_CONTEXT:-ci-shared}"
kubectl config use-context "$CONTEXT"

echo "Deleting leftover test workloads"
kubectl delete jobs,pods \
  --all \
  --all-namespaces \
  --wait=false
