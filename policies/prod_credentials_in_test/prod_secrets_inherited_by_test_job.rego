# METADATA
# title: Test job hands production secrets to a reusable workflow
# description: |
#   A GitHub Actions test job (a pull-request check, a job named or running
#   tests) calls a workflow of the same repository (`uses:
#   ./.github/workflows/x.yml`) with `secrets: inherit`, and that workflow reads
#   a secret whose name marks it as production (`${{ secrets.PROD_* }}`) or
#   that `.blastwall.yaml` declares. Secrets passed by name are reported by
#   prod-secret-in-test-job where they are written.
#
#   Why is this bad? `secrets: inherit` passes every secret the caller can see,
#   so the test run — on a pull request, code nobody has reviewed yet — executes
#   with production credentials. In 2017 DigitalOcean lost its primary
#   database to an automated test process configured with production
#   credentials.
# custom:
#   id: prod-secrets-inherited-by-test-job
#   category: prod-credentials-in-test
#   severity: error
#   scope: repository
#   help: >-
#     Pass the called workflow only test-scoped secrets by name (`secrets:
#     {DATABASE_URL: ${{ secrets.TEST_DATABASE_URL }}}`) instead of `secrets:
#     inherit`, and keep production reads in deploy jobs behind `environment:
#     production`.
#   bad: |
#     # .github/workflows/pr.yml
#     on: pull_request
#     jobs:
#       integration:
#         uses: ./.github/workflows/db-suite.yml
#         secrets: inherit
#     # .github/workflows/db-suite.yml reads ${{ secrets.PROD_DATABASE_URL }}
#   good: |
#     # .github/workflows/pr.yml
#     on: pull_request
#     jobs:
#       integration:
#         uses: ./.github/workflows/db-suite.yml
#         secrets:
#           DATABASE_URL: ${{ secrets.TEST_DATABASE_URL }}
package blastwall.prod_credentials_in_test.prod_secrets_inherited_by_test_job

import rego.v1

deny contains result if {
	some call in input.facts
	call.type == "reusable-call"
	called := concat("", [repository_root(call.file), call.value])
	indices := reads_at[called]
	reads := [input.facts[i] | some i in indices]
	names := sort({sprintf("`%s`", [r.secret]) | some r in reads})
	result := {
		"msg": sprintf("%s passes `secrets: inherit` to `%s`, which reads production %s %s", [call.context, call.value, noun(names), concat(", ", names)]),
		"at": call,
		"related": [{"at": r, "msg": sprintf("job `%s` reads `%s` here", [r.job, r.secret])} | some r in reads],
	}
}

# The indices of production secret reads by workflow file, computed once so that
# each call looks its workflow up instead of scanning every fact. Indices keep
# the facts in input order.
reads_at[file] contains i if {
	some i, r in input.facts
	r.type == "prod-secret-read"
	file := r.file
}

# Workflows are named from the repository root; a scan may cover several repositories.
repository_root(file) := substring(file, 0, i) if {
	i := indexof(file, ".github/workflows/")
	i >= 0
}

noun(names) := "secret" if {
	count(names) == 1
} else := "secrets"
