#!/usr/bin/env bash
# Remove only the buckets this pipeline created (named ci-<run id>-*).
set -euo pipefail
for bucket in $(gsutil ls -p "$SANDBOX_PROJECT" | grep "^gs://ci-${RUN_ID:?}-"); do
  gsutil -m rm -r "${bucket}"
done
# Objects under this run's prefix only.
for obj in $(gsutil ls "gs://ci-scratch/${RUN_ID}/"); do
  gsutil rm "${obj}"
done
