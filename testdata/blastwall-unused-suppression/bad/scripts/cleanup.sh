#!/usr/bin/env bash
set -euo pipefail

# blastwall: ignore[kubectl-delete-all] preview namespaces only
kubectl delete namespace "preview-${PR_NUMBER}"
