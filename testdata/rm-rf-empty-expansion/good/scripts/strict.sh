#!/usr/bin/env bash
# `set -u` makes an unset STAGING_DIR abort before the delete.
set -euo pipefail
rm -rf "${STAGING_DIR}/"*
