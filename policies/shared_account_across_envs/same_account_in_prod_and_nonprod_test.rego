package blastwall.shared_account_across_envs.same_account_in_prod_and_nonprod_test

import rego.v1

import data.blastwall.shared_account_across_envs.same_account_in_prod_and_nonprod as rule

fact(env, id) := fact_at(env, id, sprintf("envs/%s/main.tf", [env]), 0)

fact_at(env, id, file, start) := {"type": "aws-account", "value": id, "via": "allowed_account_ids", "environment": env, "file": file, "document": 0, "span": [start, start + 1]}

test_flags_dev_sharing_prod_account if {
	results := rule.deny with input as {"facts": [fact("prod", "111111111111"), fact("dev", "111111111111")]}
	count(results) == 1
	some r in results
	r.at.environment == "dev"
	count(r.related) == 1
	r.related[0].at.environment == "prod"
	contains(r.msg, "AWS account 111111111111")
}

test_one_finding_per_file_and_account if {
	facts := [fact("prod", "111111111111"), fact_at("dev", "111111111111", "envs/dev/main.tf", 10), fact_at("dev", "111111111111", "envs/dev/main.tf", 40)]
	results := rule.deny with input as {"facts": facts}
	count(results) == 1
	some r in results
	r.at.span == [10, 11]
}

test_gcp_projects_compare_by_type if {
	prod := object.union(fact("prod", "acme-prod"), {"type": "gcp-project"})
	dev := object.union(fact("dev", "acme-prod"), {"type": "gcp-project"})
	count(rule.deny) == 1 with input as {"facts": [prod, dev]}
	count(rule.deny) == 0 with input as {"facts": [prod, object.union(dev, {"type": "azure-subscription"})]}
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

test_ignores_facts_of_other_kinds if {
	other := object.union(fact("dev", "111111111111"), {"type": "state-location"})
	count(rule.deny) == 0 with input as {"facts": [fact("prod", "111111111111"), other]}
}
