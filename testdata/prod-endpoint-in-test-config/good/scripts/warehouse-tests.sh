#!/usr/bin/env bash
# Warehouse sync suite: needs a Postgres with the stock schema loaded.
set -euo pipefail

export WAREHOUSE_DB_HOST="${WAREHOUSE_DB_HOST:-localhost}"
export WAREHOUSE_DB_NAME=stock_test

pytest tests/warehouse --junitxml=reports/warehouse.xml
