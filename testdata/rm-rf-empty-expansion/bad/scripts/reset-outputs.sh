#!/bin/sh
# Called by the release job with OUT_DIR and REPORT_DIR exported by the caller.
for target in "$OUT_DIR" "$REPORT_DIR"; do
  echo "resetting $target"
  rm -rf "$target"/*
done
