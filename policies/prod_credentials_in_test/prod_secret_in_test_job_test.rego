package blastwall.prod_credentials_in_test.prod_secret_in_test_job_test

import rego.v1

import data.blastwall.prod_credentials_in_test.prod_secret_in_test_job as rule

job(test, env_name, secret) := {
	"name": "integration-tests",
	"test": test,
	"test_reasons": ["job name `integration-tests`"],
	"secrets": [{"name": secret, "env": env_name, "span": [0, 1]}],
}

test_flags_prod_secret_in_test_job if {
	results := rule.deny with input as {"jobs": [job(true, "prod", "PROD_DATABASE_URL")]}
	count(results) == 1
	some r in results
	r.path == ["jobs", 0, "secrets", 0]
	contains(r.msg, "PROD_DATABASE_URL")
	contains(r.help, "TEST_DATABASE_URL")
}

test_ignores_test_secret_in_test_job if {
	count(rule.deny) == 0 with input as {"jobs": [job(true, "test", "TEST_DATABASE_URL")]}
}

test_ignores_staging_secret_in_test_job if {
	count(rule.deny) == 0 with input as {"jobs": [job(true, "staging", "STAGING_DATABASE_URL")]}
}

test_ignores_prod_secret_in_deploy_job if {
	count(rule.deny) == 0 with input as {"jobs": [job(false, "prod", "PROD_DATABASE_URL")]}
}

test_ignores_unclassified_names if {
	count(rule.deny) == 0 with input as {"jobs": [job(true, null, "PRODUCT_ID")]}
}
