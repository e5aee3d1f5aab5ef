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
	count(results) == 1
	some r in results
	r.at == call
	r.msg == "test job `integration` (triggered by `pull_request`) passes `secrets: inherit` to `.github/workflows/db-suite.yml`, which reads production secrets `LIVE_STRIPE_KEY`, `PROD_DATABASE_URL`"
	count(r.related) == 2
}

test_ignores_workflows_without_prod_reads if {
	count(rule.deny) == 0 with input as {"facts": [call, read("svc/.github/workflows/other.yml", "PROD_DATABASE_URL")]}
}

test_joins_within_one_repository if {
	count(rule.deny) == 0 with input as {"facts": [call, read("web/.github/workflows/db-suite.yml", "PROD_DATABASE_URL")]}
}
