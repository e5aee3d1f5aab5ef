#!/usr/bin/env bash
# Run by the production deploy only.
set -euo pipefail

export WAREHOUSE_DB_HOST="${WAREHOUSE_DB_HOST:-warehouse-prod.cluster-c8x2k1.eu-west-1.rds.amazonaws.com}"
flyway -url="jdbc:postgresql://${WAREHOUSE_DB_HOST}:5432/stock" migrate
