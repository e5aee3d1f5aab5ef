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

test_honours_configured_secret_globs if {
	results := rule.deny with input as {"jobs": [job(true, null, "ORDERS_DB_PASSWORD")]}
		with data.blastwall.config.environments.prod.secrets as ["ORDERS_*"]
	count(results) == 1
}

test_configured_glob_does_not_override_test_name if {
	count(rule.deny) == 0 with input as {"jobs": [job(true, "test", "ORDERS_TEST_PASSWORD")]}
		with data.blastwall.config.environments.prod.secrets as ["ORDERS_*"]
}

test_suggests_test_name_in_any_case if {
	rule.test_name("ProdDatabaseUrl") == "TestDatabaseUrl"
	rule.test_name("STRIPE_LIVE_SECRET_KEY") == "STRIPE_TEST_SECRET_KEY"
	rule.test_name("AWS_PRODUCTION_KEY") == "AWS_TEST_KEY"
}

post_deploy(id, triggers) := object.union(job(true, "prod", "PROD_SMOKE_PASSWORD"), {"id": id, "name": id, "env": null, "triggers": triggers})

test_ignores_jobs_that_declare_production_themselves if {
	count(rule.deny) == 0 with input as {"jobs": [post_deploy("smoke-prod", ["push"])]}
	count(rule.deny) == 0 with input as {"jobs": [post_deploy("e2e-production", ["workflow_dispatch"])]}
}

test_flags_production_named_jobs_that_pull_requests_start if {
	count(rule.deny) == 1 with input as {"jobs": [post_deploy("e2e-production", ["push", "pull_request"])]}
}

test_product_is_not_production if {
	count(rule.deny) == 1 with input as {"jobs": [post_deploy("product-tests", ["push"])]}
}

test_inherited_secret_points_at_the_template_without_a_fix if {
	origin := {"file": "ci/templates.yml", "line": 4, "column": 19, "span": [40, 57]}
	j := object.union(job(true, "prod", "PROD_DATABASE_URL"), {"secrets": [{"name": "PROD_DATABASE_URL", "env": "prod", "span": [0, 1], "origin": origin}]})
	results := rule.deny with input as {"jobs": [j]}
	count(results) == 1
	some r in results
	r.related[0].at == origin
	r.fix == null
}

test_own_secret_has_no_related if {
	some r in rule.deny with input as {"jobs": [job(true, "prod", "PROD_DATABASE_URL")]}
	r.related == []
	r.fix.replacement == "TEST_DATABASE_URL"
}
