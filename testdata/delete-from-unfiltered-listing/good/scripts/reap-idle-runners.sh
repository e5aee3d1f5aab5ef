#!/bin/sh
# Only the runners this pool launched: the state filter narrows, the pool tag bounds.
ids=$(aws --region eu-west-1 ec2 describe-instances \
  --filters "Name=instance-state-name,Values=running" "Name=tag:pool,Values=ci-runners" \
  --query 'Reservations[].Instances[].InstanceId' --output text)
if [ -n "$ids" ]; then
  aws ec2 --profile build_admin terminate-instances --instance-ids $ids
fi

# Everything except the long-lived hosts, picked out by name.
for vm in $(gcloud compute instances list --format='value(name)' | grep -v '^prod-'); do
  gcloud compute instances delete "$vm" --quiet
done
