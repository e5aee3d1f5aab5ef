#!/usr/bin/env bash
# Deletes review environments left behind by merge requests nobody closed. Only what the review
# job created carries the review-app label; production's namespaces never do.
set -euo pipefail

for ns in $(kubectl get namespaces -l storefront.io/review-app=true -o jsonpath='{.items[*].metadata.name}'); do
  echo "sweeping $ns"
  kubectl delete namespace "$ns" --wait=false
done

helm list --all-namespaces -q | grep "^$APP-mr-" | while read -r release; do
  helm uninstall "$release"
done
