package blastwall.facts.reusable_workflows_test

import rego.v1

import data.blastwall.facts.reusable_workflows as collector

caller(test, secrets) := {
	"file": ".github/workflows/pr.yml",
	"content": {"jobs": {"integration": {"uses": "./.github/workflows/db-suite.yml", "secrets": secrets}}},
	"jobs": [{
		"id": "integration", "name": "integration", "path": ["jobs", "integration"],
		"test": test, "test_reasons": ["triggered by `pull_request`"], "triggers": ["pull_request"],
		"steps": [{"path": ["jobs", "integration"], "uses": "./.github/workflows/db-suite.yml"}],
		"secrets": [],
	}],
}

called(job_name, test, secret, env) := {
	"file": ".github/workflows/db-suite.yml",
	"jobs": [{
		"id": job_name, "name": job_name, "test": test, "triggers": ["workflow_call"], "steps": [],
		"secrets": [{"name": secret, "env": env}],
	}],
}

test_test_job_inheriting_secrets_calls_the_local_workflow if {
	facts := collector.facts with input as caller(true, "inherit")
	facts == {{
		"type": "reusable-call", "value": ".github/workflows/db-suite.yml",
		"context": "test job `integration` (triggered by `pull_request`)",
		"path": ["content", "jobs", "integration", "secrets"],
	}}
}

test_named_secrets_and_deploy_jobs_are_no_calls if {
	count(collector.facts) == 0 with input as caller(true, {"DATABASE_URL": "${{ secrets.TEST_DATABASE_URL }}"})
	count(collector.facts) == 0 with input as caller(false, "inherit")
}

test_reusable_workflow_prod_reads if {
	facts := collector.facts with input as called("migrate", false, "PROD_DATABASE_URL", "prod")
	some f in facts
	f.type == "prod-secret-read"
	f.value == ".github/workflows/db-suite.yml"
	f.secret == "PROD_DATABASE_URL"
	f.path == ["jobs", 0, "secrets", 0]
}

test_test_reads_and_test_secrets_are_left_out if {
	# A test job's own read is prod-secret-in-test-job's finding.
	count(collector.facts) == 0 with input as called("integration-tests", true, "PROD_DATABASE_URL", "prod")
	count(collector.facts) == 0 with input as called("migrate", false, "TEST_DATABASE_URL", "test")
}
