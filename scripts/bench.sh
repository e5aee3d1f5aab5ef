#!/usr/bin/env bash
# Whole-process benchmarks: wall time, CPU utilisation and peak RSS of
# blastwall (and checkov, side by side) on generated corpora.
# Figures and the machine they came from: docs/performance.md.
#
#   scripts/bench.sh                 # everything but checkov
#   CHECKOV=/path/to/checkov scripts/bench.sh
#
# Environment: CORPUS_DIR (default /tmp/blastwall-bench), REPEAT (runs per
# case, default 5; the median is reported with min and max), SIZES (default
# "1000 10000 50000"), CHECKOV_SIZE (corpus checkov scans, default 1000).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

CORPUS_DIR=${CORPUS_DIR:-/tmp/blastwall-bench}
REPEAT=${REPEAT:-5}
SIZES=${SIZES:-"1000 10000 50000"}
CHECKOV_SIZE=${CHECKOV_SIZE:-1000}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }

cargo build --release --quiet --bin blastwall --example gen_corpus
bin=$root/target/release/blastwall
gen=$root/target/release/examples/gen_corpus

mkdir -p "$CORPUS_DIR"
for n in $SIZES; do
    [ -d "$CORPUS_DIR/c$n" ] || "$gen" --files "$n" --out "$CORPUS_DIR/c$n" --seed 1 >&2
done

# measure LABEL CMD...: REPEAT runs after one warm-up; prints a table row.
measure() {
    local label=$1
    shift
    "$@" >/dev/null 2>&1 || true
    local out=$CORPUS_DIR/time.$$
    local rows=()
    for _ in $(seq "$REPEAT"); do
        "$TIME" -f "%e %U %S %M" -o "$out" "$@" >/dev/null 2>&1 || true
        rows+=("$(tail -1 "$out")")
    done
    rm -f "$out"
    printf '%s\n' "${rows[@]}" | sort -n | awk -v label="$label" '
        { wall[NR] = $1; cpu[NR] = ($2 + $3) / ($1 > 0 ? $1 : 0.001); rss[NR] = $4 }
        END {
            m = int((NR + 1) / 2)
            maxrss = 0; for (i = 1; i <= NR; i++) if (rss[i] > maxrss) maxrss = rss[i]
            printf "| %-44s | %7.3f | %7.3f–%-7.3f | %4.2f | %7.1f |\n",
                label, wall[m], wall[1], wall[NR], cpu[m], maxrss / 1024
        }'
}

echo "| case | median s | min–max s | CPU (user+sys)/wall | peak RSS MB |"
echo "|---|---|---|---|---|"
# median ROW: the median column of a table row.
median() { awk -F'|' '{ print $3 + 0 }' <<<"$1"; }

ratios=()
for n in $SIZES; do
    inspect_row=$(measure "inspect ${n}" "$bin" inspect "$CORPUS_DIR/c$n")
    lint_row=$(measure "lint ${n}" "$bin" lint --format json "$CORPUS_DIR/c$n")
    printf '%s\n%s\n' "$inspect_row" "$lint_row"
    ratios+=("$(awk -v n="$n" -v l="$(median "$lint_row")" -v i="$(median "$inspect_row")" \
        'BEGIN { printf "lint/inspect %s: %.1fx (target <= 1.5x)", n, l / (i > 0 ? i : 0.001) }')")
done

# Pre-commit shape: five changed files named inside the 10k repository; the
# rest of the repository is read for cross-file context.
if [ -d "$CORPUS_DIR/c10000" ]; then
    (
        cd "$CORPUS_DIR/c10000"
        files=$(find services -type f \( -name '*.tf' -o -name '*.yml' -o -name '*.sh' -o -name '*.yaml' \) | sort | awk 'NR % 1500 == 1' | head -5)
        # shellcheck disable=SC2086
        measure "pre-commit: lint 5 named files in 10k repo" "$bin" lint --format json $files
        # A named file edited before every run: its facts change, so the
        # repository rules run again (the cache still serves the other files).
        edited=$(find services -path '*/infra/envs/dev/main.tf' | sort | head -1)
        cp "$edited" "$CORPUS_DIR/edited.orig"
        # shellcheck disable=SC2086
        measure "pre-commit, a named file edited each run" \
            sh -c 'sed -i "1i # edited" "$1" && shift && exec "$@"' sh "$edited" "$bin" lint --format json $files "$edited"
        cp "$CORPUS_DIR/edited.orig" "$edited"
        # shellcheck disable=SC2086
        measure "pre-commit without the cache (--no-cache)" "$bin" lint --format json --no-cache $files
    )
fi

# A single small file outside any repository: policy compilation dominates.
single=$CORPUS_DIR/single
mkdir -p "$single"
cp "$root/testdata/kubectl-delete-all/bad/scripts/reset-cluster.sh" "$single/reset.sh"
measure "single small file (incl. policy compilation)" "$bin" lint --format json "$single/reset.sh"

if [ -n "${CHECKOV:-}" ]; then
    corpus=$CORPUS_DIR/c$CHECKOV_SIZE
    measure "lint ${CHECKOV_SIZE} (blastwall)" "$bin" lint --format json "$corpus"
    measure "checkov -d ${CHECKOV_SIZE}" "$CHECKOV" -d "$corpus" --quiet --compact -o json
fi

printf '\n'
printf '%s\n' "${ratios[@]}"

# The same ratio from alternating inspect/lint pairs on the 10k corpus: on a
# shared machine the load drifts between the blocks above, not within a pair.
if [ -d "$CORPUS_DIR/c10000" ]; then
    out=$CORPUS_DIR/time.$$
    for _ in $(seq "$REPEAT"); do
        "$TIME" -f "%e" -o "$out" "$bin" inspect "$CORPUS_DIR/c10000" >/dev/null 2>&1 || true
        i=$(tail -1 "$out")
        "$TIME" -f "%e" -o "$out" "$bin" lint --format json "$CORPUS_DIR/c10000" >/dev/null 2>&1 || true
        awk -v l="$(tail -1 "$out")" -v i="$i" 'BEGIN { printf "%.2f\n", l / (i > 0 ? i : 0.01) }'
    done | sort -n | awk '{ r[NR] = $1 } END {
        printf "lint/inspect 10000, alternating pairs: median %.2fx (pairs %.2f–%.2f)\n", r[int((NR + 1) / 2)], r[1], r[NR] }'
    rm -f "$out"
fi
uptime

# Where a lint's time goes (phase breakdown on stderr).
if [ -d "$CORPUS_DIR/c10000" ]; then
    { "$bin" lint --timings "$CORPUS_DIR/c10000" 2>&1 >/dev/null || true; } | sed -n '/^timings/,$p'
fi
