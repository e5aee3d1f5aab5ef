#!/usr/bin/env bash
# Bring the integration database back to a known state before the suite runs.
set -euo pipefail

: "${BILLING_DB_URL:?BILLING_DB_URL must be set}"

psql "$BILLING_DB_URL" -v ON_ERROR_STOP=1 <<'SQL'
TRUNCATE TABLE invoice_lines, invoices, payments RESTART IDENTITY CASCADE;
SQL
