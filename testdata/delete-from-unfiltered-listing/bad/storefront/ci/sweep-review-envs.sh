#!/usr/bin/env bash
# Deletes review environments left behind by merge requests nobody closed.
set -euo pipefail

# Every storefront namespace carries the team label, so this finds the review ones.
for ns in $(kubectl get namespaces -l team=storefront -o jsonpath='{.items[*].metadata.name}'); do
  echo "sweeping $ns"
  kubectl delete namespace "$ns" --wait=false
done

helm list --all-namespaces -q | grep "^$APP-" | while read -r release; do
  helm uninstall "$release"
done
