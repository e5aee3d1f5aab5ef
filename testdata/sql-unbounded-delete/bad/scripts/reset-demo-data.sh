#!/usr/bin/env bash
# Reset the demo tenant's data before the weekly sales demo.
set -euo pipefail

DB_HOST=orders-primary.cluster-c9x2.us-east-1.rds.amazonaws.com

reset_orders() {
  psql -h "$DB_HOST" -U admin -d orders <<'SQL'
-- wipe demo data
DELETE FROM order_items;
DELETE FROM orders WHERE tenant = 'demo';
TRUNCATE audit_log;
SQL
}

reset_orders
mysql --host=reporting.db.example.com -u etl -e "DROP DATABASE reporting; CREATE DATABASE reporting;"
psql -h "$DB_HOST" -U admin -d orders \
  -c "SET statement_timeout = 0" \
  -c "TRUNCATE sessions"
