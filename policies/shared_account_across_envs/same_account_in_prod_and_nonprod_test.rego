package blastwall.shared_account_across_envs.same_account_in_prod_and_nonprod_test

import rego.v1

import data.blastwall.shared_account_across_envs.same_account_in_prod_and_nonprod as rule

fact(env, id) := {"type": "aws-account", "value": id, "via": "allowed_account_ids", "environment": env, "file": sprintf("envs/%s/main.tf", [env]), "span": [0, 1]}

test_flags_dev_sharing_prod_account if {
	results := rule.deny with input as {"facts": [fact("prod", "111111111111"), fact("dev", "111111111111")]}
	count(results) == 1
	some r in results
	r.at.environment == "dev"
	count(r.related) == 1
	r.related[0].at.environment == "prod"
}

test_ignores_separate_accounts if {
	count(rule.deny) == 0 with input as {"facts": [fact("prod", "111111111111"), fact("dev", "222222222222")]}
}

test_ignores_two_nonprod_environments_sharing if {
	count(rule.deny) == 0 with input as {"facts": [fact("dev", "222222222222"), fact("staging", "222222222222")]}
}

test_ignores_unknown_environment if {
	count(rule.deny) == 0 with input as {"facts": [fact("prod", "111111111111"), fact(null, "111111111111")]}
}
