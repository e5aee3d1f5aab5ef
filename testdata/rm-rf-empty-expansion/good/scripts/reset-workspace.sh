#!/bin/sh
# Each loop value is a literal directory or a word split out of an expansion.
for STALE in node_modules/.cache coverage "${WORKSPACE_ROOT}/tmp"; do
  rm -rf "$STALE"/*
done
for PKG_DIR in $(ls -d packages/*/); do
  rm -rf "$PKG_DIR"/dist/ "$PKG_DIR"
done
