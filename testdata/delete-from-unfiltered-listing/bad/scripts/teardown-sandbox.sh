#!/usr/bin/env bash
# Tear down everything the integration suite may have left behind.
set -euo pipefail

delete_stacks() {
  local stacks
  stacks=$(aws cloudformation list-stacks \
    --stack-status-filter CREATE_COMPLETE UPDATE_COMPLETE \
    --query 'StackSummaries[].StackName' --output text)
  for stack in $stacks; do
    aws cloudformation delete-stack --stack-name "$stack"
  done
}

delete_gcp_vms() {
  gcloud compute instances list --format='value(name,zone)' \
    | while read -r name zone; do
        gcloud compute instances delete "$name" --zone "$zone" --quiet
      done
}

delete_azure_groups() {
  for rg in $(az group list --query '[].name' -o tsv); do
    az group delete --name "$rg" --yes --no-wait
  done
}

delete_stacks
delete_gcp_vms
delete_azure_groups
doctl compute droplet list --format ID --no-header | xargs -r doctl compute droplet delete -f
helm list -A -q | xargs -r -n1 helm uninstall
for ns in $(kubectl get namespaces -o jsonpath='{.items[*].metadata.name}'); do
  kubectl delete namespace "$ns" --wait=false
done
