package blastwall.shared_account_across_envs.nonprod_environments_share_account_test

import rego.v1

import data.blastwall.shared_account_across_envs.nonprod_environments_share_account as rule

fact(env, id) := {"type": "aws-account", "value": id, "via": "account_id", "environment": env, "file": sprintf("envs/%s/terraform.tfvars", [env]), "document": 0, "span": [0, 1]}

test_flags_dev_sharing_staging_account_on_the_dev_side if {
	results := rule.deny with input as {"facts": [fact("staging", "222222222222"), fact("dev", "222222222222")]}
	count(results) == 1
	some r in results
	r.at.environment == "dev"
	r.related[0].at.environment == "staging"
	contains(r.msg, "which staging also uses")
}

test_three_environments_give_two_findings if {
	facts := [fact("staging", "222222222222"), fact("test", "222222222222"), fact("dev", "222222222222")]
	results := rule.deny with input as {"facts": facts}
	{r.at.environment | some r in results} == {"dev", "test"}
}

test_allow_shared_nonprod_silences if {
	count(rule.deny) == 0 with input as {"facts": [fact("staging", "222222222222"), fact("dev", "222222222222")]}
		with data.blastwall.config.allow_shared_nonprod as true
}

test_production_accounts_are_left_to_the_production_rule if {
	facts := [fact("prod", "111111111111"), fact("staging", "111111111111"), fact("dev", "111111111111")]
	count(rule.deny) == 0 with input as {"facts": facts}
	count(rule.deny) == 0 with input as {"facts": array.slice(facts, 1, 3)}
		with data.blastwall.config.environments.prod.accounts as ["111111111111"]
}

test_ignores_separate_accounts_and_one_environment if {
	count(rule.deny) == 0 with input as {"facts": [fact("staging", "333333333333"), fact("dev", "222222222222")]}
	count(rule.deny) == 0 with input as {"facts": [fact("dev", "222222222222"), object.union(fact("dev", "222222222222"), {"file": "envs/dev/main.tf"})]}
}

test_flags_account_configured_for_staging if {
	results := rule.deny with input as {"facts": [fact("dev", "333333333333")]}
		with data.blastwall.config.environments.staging.accounts as ["333333333333"]
	count(results) == 1
	count(rule.deny) == 0 with input as {"facts": [fact("staging", "333333333333")]}
		with data.blastwall.config.environments.staging.accounts as ["333333333333"]
}

# An `e2e` job that logs in to the staging account runs its tests in staging; it is
# not a test environment sharing staging's account.
test_ci_test_jobs_are_not_test_environments if {
	e2e := object.union(fact("test", "222222222222"), {"test_job": true})
	count(rule.deny) == 0 with input as {"facts": [fact("staging", "222222222222"), e2e]}
	declared := object.union(fact("test", "222222222222"), {"test_job": false})
	count(rule.deny) == 1 with input as {"facts": [fact("staging", "222222222222"), declared]}
}
