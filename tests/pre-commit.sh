#!/usr/bin/env bash
# Runs the hook in .pre-commit-hooks.yaml with the real pre-commit tool on a
# temporary git repository: a committed (legacy) leak is not reported, a
# staged clean file passes, a staged leaky file fails the hook and the commit.
#
# By default the manifest's hook runs as `language: system` on target/debug
# (seconds). BLASTWALL_PRECOMMIT_RUST=1 uses the published `language: rust`
# hook from this repository's HEAD instead: pre-commit runs `cargo install`,
# a release build (several minutes on 2 cores; see docs/integrations.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pre_commit=$(command -v pre-commit || true)
if [ -z "$pre_commit" ]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install --quiet --disable-pip-version-check pre-commit
    pre_commit="$work/venv/bin/pre-commit"
fi
export PRE_COMMIT_HOME="$work/cache"

repo="$work/repo"
mkdir -p "$repo/.github/workflows"
cd "$repo"
git init --quiet
git config user.email ci@example.com
git config user.name ci
git config commit.gpgsign false

if [ "${BLASTWALL_PRECOMMIT_RUST:-}" = 1 ]; then
    cat >.pre-commit-config.yaml <<CONFIG
repos:
  - repo: $root
    rev: $(git -C "$root" rev-parse HEAD)
    hooks:
      - id: blastwall
CONFIG
else
    (cd "$root" && cargo build --quiet)
    {
        printf 'repos:\n  - repo: local\n    hooks:\n'
        sed -e "s|^  entry: blastwall lint|  entry: $root/target/debug/blastwall lint|" \
            -e 's|^  language: rust$|  language: system|' \
            -e 's/^/      /' "$root/.pre-commit-hooks.yaml"
    } >.pre-commit-config.yaml
    grep -q 'language: system' .pre-commit-config.yaml
fi

leak() { # a test job reading a production secret
    printf 'on: pull_request\njobs:\n  %s:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n        env:\n          API_KEY: ${{ secrets.%s }}\n' "$1" "$2"
}

fail() { echo "pre-commit.sh: $*" >&2; exit 1; }

leak unit-tests PROD_API_KEY >.github/workflows/legacy.yml
git add .pre-commit-config.yaml .github/workflows/legacy.yml
git commit --quiet -m legacy

leak unit-tests TEST_API_KEY >.github/workflows/ci.yml
printf '# not config\n' >README.md
git add .github/workflows/ci.yml README.md
out=$("$pre_commit" run --color never 2>&1) || fail "clean staged file failed the hook:
$out"

leak integration PROD_DATABASE_URL >.github/workflows/pr.yml
git add .github/workflows/pr.yml
if out=$("$pre_commit" run --color never 2>&1); then
    fail "leaky staged file passed the hook:
$out"
fi
grep -q 'prod-secret-in-test-job' <<<"$out" || fail "no finding in: $out"
grep -q 'pr.yml' <<<"$out" || fail "finding not in pr.yml: $out"
if grep -q 'legacy.yml' <<<"$out"; then fail "unstaged legacy file reported: $out"; fi

"$pre_commit" install --install-hooks >/dev/null
if git commit --quiet -m leak >/dev/null 2>&1; then
    fail "git commit of a leaky file succeeded"
fi
printf "%s\n" "$out" | head -20
echo "pre-commit hook: ok"
