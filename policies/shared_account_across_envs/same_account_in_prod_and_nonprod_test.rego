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

test_flags_account_declared_prod_in_config if {
	results := rule.deny with input as {"facts": [fact("dev", "111111111111")]}
		with data.blastwall.config.environments.prod.accounts as ["111111111111"]
	count(results) == 1
	some r in results
	contains(r.msg, "`.blastwall.yaml` declares as production")
}

test_config_adds_no_second_finding_when_prod_is_in_the_repository if {
	results := rule.deny with input as {"facts": [fact("prod", "111111111111"), fact("dev", "111111111111")]}
		with data.blastwall.config.environments.prod.accounts as ["111111111111"]
	count(results) == 1
	some r in results
	count(r.related) == 1
}

test_config_declares_by_type if {
	project := object.union(fact("dev", "acme-prod"), {"type": "gcp-project"})
	count(rule.deny) == 1 with input as {"facts": [project]} with data.blastwall.config.environments.prod.projects as ["acme-prod"]
	count(rule.deny) == 0 with input as {"facts": [project]} with data.blastwall.config.environments.prod.accounts as ["acme-prod"]
	count(rule.deny) == 0 with input as {"facts": [project]} with data.blastwall.config.environments.staging.projects as ["acme-prod"]
}

test_reported_where_the_id_is_written if {
	reference := object.union(fact_at("staging", "111111111111", "envs/staging/main.tf", 5), {"resolved": true})
	written := object.union(fact_at("staging", "111111111111", "envs/staging/terraform.tfvars", 0), {"resolved": false})
	results := rule.deny with input as {"facts": [fact("prod", "111111111111"), reference, written]}
	{r.at.file | some r in results} == {"envs/staging/terraform.tfvars"}
	only := rule.deny with input as {"facts": [fact("prod", "111111111111"), reference]}
	{r.at.file | some r in only} == {"envs/staging/main.tf"}
}

test_a_reference_does_not_hide_a_written_id_later_in_its_file if {
	reference := object.union(fact_at("dev", "111111111111", "envs/dev/main.tf", 5), {"resolved": true})
	written := object.union(fact_at("dev", "111111111111", "envs/dev/main.tf", 50), {"resolved": false})
	tfvars := object.union(fact_at("dev", "111111111111", "envs/dev/dev.tfvars", 0), {"resolved": false})
	results := rule.deny with input as {"facts": [fact("prod", "111111111111"), reference, written, tfvars]}
	{[r.at.file, r.at.span[0]] | some r in results} == {["envs/dev/main.tf", 50], ["envs/dev/dev.tfvars", 0]}
}

credential(env) := object.union(fact(env, "arn:aws:iam::111111111111:role/deploy"), {"type": "deploy-credential", "scoped": false})

test_a_shared_role_is_one_finding_not_two if {
	facts := [fact("prod", "111111111111"), fact("staging", "111111111111"), credential("prod"), credential("staging")]
	count(rule.deny) == 0 with input as {"facts": facts}
	count(rule.deny) == 1 with input as {"facts": array.slice(facts, 0, 3)}
}
