#!/usr/bin/env bash
set -euo pipefail

# Preview environments are deleted by name; see blastwall: the docs
# explain ignore[...] comments in docs/suppressions.md.
kubectl delete namespace "preview-${PR_NUMBER}"
echo "to silence a finding: # blastwall: ignore[kubectl-delete-all] reason"
