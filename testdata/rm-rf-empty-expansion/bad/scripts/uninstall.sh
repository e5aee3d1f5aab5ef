#!/usr/bin/env bash
# Remove an installed toolchain; called as `uninstall.sh <prefix>`.
set -o pipefail

INSTALL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

purge_prefix() {
  local prefix=$1
  echo "removing toolchain from $prefix"
  rm -rf "$1"/*
}

purge_prefix "$@"
rm -rf "$INSTALL_ROOT/"*
