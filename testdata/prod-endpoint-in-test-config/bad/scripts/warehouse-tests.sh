#!/usr/bin/env bash
# Warehouse sync suite: needs a Postgres with the stock schema loaded.
set -euo pipefail

: "${WAREHOUSE_DB_USER:?}" "${WAREHOUSE_DB_PASSWORD:?}"

# Falls back to the shared cluster when the job does not say otherwise.
export WAREHOUSE_DB_HOST="${WAREHOUSE_DB_HOST:-warehouse-prod.cluster-c8x2k1.eu-west-1.rds.amazonaws.com}"
export WAREHOUSE_DB_NAME=stock

pytest tests/warehouse --junitxml=reports/warehouse.xml
