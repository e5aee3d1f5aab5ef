package blastwall.prod_credentials_in_test.prod_account_in_test_test

import rego.v1

import data.blastwall.prod_credentials_in_test.prod_account_in_tests as rule

prod_fact := {"type": "aws-account", "value": "111111111111", "environment": "prod", "file": "envs/prod/main.tf", "via": "allowed_account_ids"}

tref(value) := {"type": "test-reference", "target": "aws-account", "value": value, "via": "AWS_ROLE_ARN", "context": "test configuration `.env.test`", "file": ".env.test", "environment": "test"}

test_flags_test_reference_to_prod_account if {
	results := rule.deny with input as {"facts": [prod_fact, tref("111111111111")]}
	count(results) == 1
	some r in results
	r.at.file == ".env.test"
	r.related[0].at.file == "envs/prod/main.tf"
	contains(r.msg, "test configuration `.env.test` uses AWS account 111111111111")
}

test_ignores_test_account if {
	count(rule.deny) == 0 with input as {"facts": [prod_fact, tref("222222222222")]}
}

test_ignores_prod_account_outside_tests if {
	dev := object.union(prod_fact, {"environment": "dev"})
	count(rule.deny) == 0 with input as {"facts": [prod_fact, dev]}
}

test_honours_configured_accounts if {
	results := rule.deny with input as {"facts": [tref("333333333333")]}
		with data.blastwall.config.environments.prod.accounts as ["333333333333"]
	count(results) == 1
	some r in results
	contains(r.msg, "`.blastwall.yaml` declares")
}

test_reports_once_when_declared_both_ways if {
	count(rule.deny) == 1 with input as {"facts": [prod_fact, tref("111111111111")]}
		with data.blastwall.config.environments.prod.accounts as ["111111111111"]
}
