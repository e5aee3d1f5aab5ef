#!/bin/bash
# Rebuild the lambda bundle from scratch. Both directories hang off the repo
# root, so even with REPO_ROOT unset they name ./.dist paths, never /.
REPO_ROOT=$(git rev-parse --show-toplevel 2>/dev/null)
STAGE_DIR="${REPO_ROOT}/.dist/stage"
BUNDLE_DIR="$(dirname "$STAGE_DIR")/bundle"

mkdir -p "$STAGE_DIR" "$BUNDLE_DIR"
rm -rf "$STAGE_DIR"/* "$BUNDLE_DIR"/
pip install --target "$STAGE_DIR" -r requirements.txt --quiet
(cd "$STAGE_DIR" && zip -qr "$BUNDLE_DIR/lambda.zip" .)
