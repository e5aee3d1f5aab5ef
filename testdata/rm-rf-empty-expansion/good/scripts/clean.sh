#!/usr/bin/env bash
set -eo pipefail

BUILD_DIR=build/out
rm -rf "$BUILD_DIR"/*

clean_dist() {
  rm -rf "${DIST_DIR:?DIST_DIR must be set}/"*
}

clean_cache() {
  [ -n "$CACHE_DIR" ] || { echo "CACHE_DIR unset" >&2; exit 1; }
  rm -rf "$CACHE_DIR/"*
}

rm -rf "$HOME/.cache/pip"
rm -rf "$TMP_ROOT/build"
rm -rf "$LITERAL/*"
echo 'never: rm -rf "$DIR/"*'
clean_dist
clean_cache

for target in build dist coverage; do
  rm -rf "$target"/*
done
scratch=$(mktemp -d)
rm -rf "$scratch"/*
