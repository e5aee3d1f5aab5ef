package blastwall.facts.test_context_accounts_test

import rego.v1

import data.blastwall.facts.test_context_accounts as collector

# The key is the setting name's last dotted part, matched in any case; a name that mentions an
# account elsewhere (`account.region`) or not at all gives no fact.
test_settings_name_accounts_by_their_key if {
	settings := [
		{"name": "SERVICE_NAME", "value": "orders"},
		{"name": "aws.ACCOUNT_ID", "value": "111111111111"},
		{"name": "account.region", "value": "222222222222"},
		{"name": "DEPLOY_ROLE_ARN", "value": "arn:aws:iam::333333333333:role/deploy"},
		{"name": "GCP_PROJECT_ID", "value": "orders-test-1"},
		{"name": "TIMEOUT", "value": "444444444444"},
	]
	facts := collector.facts with input as {"file": ".env.test", "settings": settings, "jobs": []}
	{[f.target, f.value, f.path] | some f in facts} == {
		["aws-account", "111111111111", ["settings", 1]],
		["aws-account", "333333333333", ["settings", 3]],
		["gcp-project", "orders-test-1", ["settings", 4]],
	}
	every f in facts {
		f.type == "test-reference"
		f.context == "test configuration `.env.test`"
	}
}

test_settings_without_account_keys_give_no_facts if {
	settings := [{"name": "SERVICE_NAME", "value": "orders-service"}, {"name": "BUILD", "value": "111111111111"}]
	count(collector.facts) == 0 with input as {"file": ".env.test", "settings": settings, "jobs": []}
}

test_job_variables_of_test_jobs_without_environment if {
	job := {"name": "check", "test": true, "env": null, "test_reasons": ["runs `pytest`"], "steps": [], "variables": [
		{"name": "AWS_ACCOUNT_ID", "value": "555555555555"},
		{"name": "LOG_LEVEL", "value": "debug"},
		{"name": "azure_subscription_id", "value": "0B8E1D2C-1111-2222-3333-444455556666"},
	]}
	facts := collector.facts with input as {"file": "ci.yml", "settings": [], "jobs": [job]}
	{[f.target, f.value, f.path] | some f in facts} == {
		["aws-account", "555555555555", ["jobs", 0, "variables", 0]],
		["azure-subscription", "0b8e1d2c-1111-2222-3333-444455556666", ["jobs", 0, "variables", 2]],
	}
}


# A job named only for tests (`integration` names the test environment) is a test context; one
# declaring an environment, or named for where it runs (`smoke-prod`), is not.
named_job(env, environment) := {
	"name": "integration", "test": true, "test_reasons": ["job name `integration`"], "env": env, "environment": environment, "steps": [],
	"variables": [{"name": "AWS_ROLE_ARN", "value": "arn:aws:iam::906153728841:role/ci", "path": ["integration", "extends"]}],
}

test_test_jobs_named_for_tests_are_test_contexts if {
	count(collector.facts) == 1 with input as {"kind": "gitlab-ci", "settings": [], "jobs": [named_job("test", null)]}
	count(collector.facts) == 0 with input as {"kind": "gitlab-ci", "settings": [], "jobs": [named_job("test", "qa")]}
	count(collector.facts) == 0 with input as {"kind": "gitlab-ci", "settings": [], "jobs": [named_job("prod", null)]}
}
