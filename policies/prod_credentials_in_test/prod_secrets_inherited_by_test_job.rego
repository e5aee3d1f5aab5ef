# METADATA
# title: Test job hands production secrets to a reusable workflow
# description: |
#   A GitHub Actions test job (a pull-request check, a job named or running
#   tests) calls a workflow of the same repository (`uses:
#   ./.github/workflows/x.yml`) with `secrets: inherit`, and that workflow reads
#   a secret whose name marks it as production (`${{ secrets.PROD_* }}`) or
#   that `.blastwall.yaml` declares. Reported at the read, with the test jobs
#   that call the workflow related. Secrets passed by name are reported by
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

# Reported where the production secret is read, the workflow's test callers related: the read
# is the line to change, and a workflow shared by a deploy and a test is only wrong for the test.
deny contains result if {
	some read in input.facts
	read.type == "prod-secret-read"
	calls := calls_to[read.file]
	contexts := sort({call.context | some call in calls})
	result := {
		"msg": sprintf("job `%s` reads production secret `%s`, and %s %s this workflow with `secrets: inherit`", [read.job, read.secret, concat(" and ", contexts), verb(contexts)]),
		"at": read,
		"related": [{"at": call, "msg": sprintf("%s inherits every secret here", [call.context])} | some call in calls],
	}
}

# The test callers of each workflow file, computed once for every read.
calls_to[called] contains call if {
	some call in input.facts
	call.type == "reusable-call"
	called := concat("", [repository_root(call.file), call.value])
}

repository_root(file) := substring(file, 0, i) if {
	i := indexof(file, ".github/workflows/")
	i >= 0
}

verb(contexts) := "calls" if count(contexts) == 1

else := "call"
