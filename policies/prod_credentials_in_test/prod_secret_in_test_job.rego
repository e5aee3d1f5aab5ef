# METADATA
# title: Production secret read by a test job
# description: |
#   A CI job or Makefile target that runs tests (by its name, stage, trigger,
#   the test runner it calls or the test job that runs it) reads a secret or
#   variable whose name marks it as production (`PROD_*`, `*_PRODUCTION_*`,
#   `LIVE_*`), or fetches one from a secret store (`aws ssm get-parameter --name
#   /shop/prod/stripe_key`, `aws secretsmanager get-secret-value --secret-id
#   prod/db`, `gcloud secrets versions access`, `vault kv get`).
#
#   Why is this bad? Tests create, truncate and delete data by design. In 2017
#   DigitalOcean lost its primary database when an automated test process was
#   configured with production credentials. A test job should not be able to
#   reach production at all.
# custom:
#   id: prod-secret-in-test-job
#   category: prod-credentials-in-test
#   severity: error
#   kinds: [ci, package-json, shell]
#   help: >-
#     Use a test-scoped secret (e.g. `TEST_DATABASE_URL`) in test jobs; keep
#     production secrets in deploy jobs behind `environment: production`.
#   bad: |
#     on: pull_request
#     jobs:
#       integration-tests:
#         runs-on: ubuntu-latest
#         steps:
#           - run: pytest tests/integration
#             env:
#               DATABASE_URL: ${{ secrets.PROD_DATABASE_URL }}
#   good: |
#     on: pull_request
#     jobs:
#       integration-tests:
#         runs-on: ubuntu-latest
#         steps:
#           - run: pytest tests/integration
#             env:
#               DATABASE_URL: ${{ secrets.TEST_DATABASE_URL }}
package blastwall.prod_credentials_in_test.prod_secret_in_test_job

import rego.v1

import data.blastwall.lib.production

deny contains result if {
	some j, job in input.jobs
	# `unchecked_test` holds only for test jobs: most jobs skip the call.
	job.test
	production.unchecked_test(job)
	some s, ref in job.secrets
	production.secret(ref)
	result := {
		"msg": sprintf("test job `%s` (%s) reads production secret `%s`", [job.name, concat(", ", job.test_reasons), ref.name]),
		"path": ["jobs", j, "secrets", s],
		"help": sprintf("Give `%s` a test-scoped secret instead of `%s` (e.g. `%s`), or move the step into a deploy job behind `environment: production`.", [job.name, ref.name, test_name(ref.name)]),
		"fix": test_secret_fix(ref, ["jobs", j, "secrets", s]),
		"related": array.concat(inherited_from(ref), run_by(job)),
	}
}

# The CI test jobs that run a Makefile target (`make e2e`).
run_by(job) := [{"msg": sprintf("test job `%s` runs this target", [caller.job]), "at": caller} |
	some i in object.get(job, "called_by", [])
	caller := input.callers[i]
	caller.test
]

# A secret inherited from a template in another file (GitLab `include: local`)
# is reported at the job's `extends:`: the job is what is wrong, the template
# may also serve deploy jobs. The template's reference is shown beside it.
inherited_from(ref) := [{"msg": sprintf("`%s` is read by this template", [ref.name]), "at": ref.origin}] if {
	ref.origin
} else := []

# Safe for `--fix`: it can only take access away; a missing test secret fails the job loudly.
test_secret_fix(ref, path) := {
	"title": sprintf("read `%s` instead of `%s`", [test_name(ref.name), ref.name]),
	"path": path,
	"old": ref.name,
	"replacement": test_name(ref.name),
	"safe": true,
} if {
	not ref.origin
	test_name(ref.name) != ref.name
} else := null

# PROD_DB_URL → TEST_DB_URL, AWS_PRODUCTION_KEY → AWS_TEST_KEY, ProdDbUrl → TestDbUrl.
test_name(name) := regex.replace(regex.replace(regex.replace(name, `PRODUCTION|PROD|LIVE`, "TEST"), `Production|Prod|Live`, "Test"), `production|prod|live`, "test")
