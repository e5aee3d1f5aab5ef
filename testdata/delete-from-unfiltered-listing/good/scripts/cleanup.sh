#!/usr/bin/env bash
set -euo pipefail
OWNER=integration-suite

# Only VMs labelled by the suite.
gcloud compute instances list --filter="labels.owner=${OWNER}" --format='value(name,zone)' \
  | while read -r name zone; do
      gcloud compute instances delete "$name" --zone "$zone" --quiet
    done

for rg in $(az group list --tag owner="$OWNER" --query '[].name' -o tsv); do
  az group delete --name "$rg" --yes --no-wait
done

doctl compute droplet list --tag-name "$OWNER" --format ID --no-header \
  | xargs -r doctl compute droplet delete -f

helm list -A -q | grep '^preview-' | xargs -r -n1 helm uninstall
kubectl get namespaces -l app.kubernetes.io/managed-by=integration-suite -o name \
  | xargs -r kubectl delete

aws rds describe-db-instances --output json \
  | jq -r '.DBInstances[] | select(.TagList[]? | .Key == "owner" and .Value == "integration-suite") | .DBInstanceIdentifier' \
  | xargs -r -n1 aws rds delete-db-instance --skip-final-snapshot --db-instance-identifier

for ns in $(kubectl get namespaces -o jsonpath='{.items[*].metadata.name}'); do
  if [[ "$ns" == preview-* ]]; then
    kubectl delete namespace "$ns" --wait=false
  fi
done
