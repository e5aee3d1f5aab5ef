package blastwall.prod_credentials_in_test.prod_secrets_inherited_by_test_job_test

import rego.v1

import data.blastwall.prod_credentials_in_test.prod_secrets_inherited_by_test_job as rule

call := {"type": "reusable-call", "value": ".github/workflows/db-suite.yml", "context": "test job `integration` (triggered by `pull_request`)", "file": "svc/.github/workflows/pr.yml"}

read(file, secret) := {"type": "prod-secret-read", "value": file, "file": file, "secret": secret, "job": "suite"}

test_flags_inherit_into_workflow_reading_prod_secrets if {
	results := rule.deny with input as {"facts": [
		call,
		read("svc/.github/workflows/db-suite.yml", "PROD_DATABASE_URL"),
		read("svc/.github/workflows/db-suite.yml", "LIVE_STRIPE_KEY"),
	]}
	count(results) == 2
	some r in results
	r.at == read("svc/.github/workflows/db-suite.yml", "PROD_DATABASE_URL")
	r.msg == "job `suite` reads production secret `PROD_DATABASE_URL`, and test job `integration` (triggered by `pull_request`) calls this workflow with `secrets: inherit`"
	r.related == [{"at": call, "msg": "test job `integration` (triggered by `pull_request`) inherits every secret here"}]
}

test_relates_every_test_caller if {
	nightly := object.union(call, {"context": "test job `nightly-e2e` (job name `nightly-e2e`)", "file": "svc/.github/workflows/nightly.yml"})
	results := rule.deny with input as {"facts": [call, nightly, read("svc/.github/workflows/db-suite.yml", "PROD_DATABASE_URL")]}
	count(results) == 1
	some r in results
	contains(r.msg, "test job `integration` (triggered by `pull_request`) and test job `nightly-e2e` (job name `nightly-e2e`) call this workflow")
	count(r.related) == 2
}

test_ignores_workflows_without_prod_reads if {
	count(rule.deny) == 0 with input as {"facts": [call, read("svc/.github/workflows/other.yml", "PROD_DATABASE_URL")]}
}

test_joins_within_one_repository if {
	count(rule.deny) == 0 with input as {"facts": [call, read("web/.github/workflows/db-suite.yml", "PROD_DATABASE_URL")]}
}
