#!/usr/bin/env bash
set -euo pipefail
# Local and per-run databases only.
psql -h localhost -U postgres -d app <<'SQL'
TRUNCATE orders, order_items CASCADE;
SQL
psql -h db.staging.example.com -U admin -d app_test -c "DROP DATABASE IF EXISTS app_test_old"
mysql -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS shop"
psql -h orders-primary.example.com -U app -d orders <<'SQL'
DELETE FROM sessions WHERE expires_at < now() - interval '30 days';
SQL
echo "never run: psql -h prod.example.com -c 'DROP DATABASE orders'"
psql -h orders-primary.example.com -U app -d orders \
  -c "SET statement_timeout = '5min'" \
  -c "DELETE FROM sessions WHERE expires_at < now()"
