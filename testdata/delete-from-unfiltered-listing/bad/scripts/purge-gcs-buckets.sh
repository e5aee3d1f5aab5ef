#!/usr/bin/env bash
# "Reset the sandbox project": removes every bucket the credentials can list.
set -euo pipefail
gcloud config set project "$SANDBOX_PROJECT"
for bucket in $(gsutil ls); do
  echo "removing ${bucket}"
  gsutil -m rm -r "${bucket}"
done
