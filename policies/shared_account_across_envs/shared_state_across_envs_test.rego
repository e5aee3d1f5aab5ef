package blastwall.shared_account_across_envs.shared_state_across_envs_test

import rego.v1

import data.blastwall.shared_account_across_envs.shared_state_across_envs as rule

state(env, value) := {"type": "state-location", "value": value, "via": "backend \"s3\"", "environment": env, "file": sprintf("envs/%s/backend.tf", [env]), "span": [0, 1]}

test_flags_dev_sharing_prod_state if {
	results := rule.deny with input as {"facts": [state("prod", "s3://b/app.tfstate"), state("dev", "s3://b/app.tfstate")]}
	count(results) == 1
	some r in results
	r.at.environment == "dev"
	r.related[0].at.environment == "prod"
}

test_flags_two_nonprod_environments_once if {
	results := rule.deny with input as {"facts": [state("staging", "gs://b/app"), state("dev", "gs://b/app")]}
	count(results) == 1
	some r in results
	r.at.environment == "dev"
}

test_ignores_one_bucket_with_a_key_per_env if {
	count(rule.deny) == 0 with input as {"facts": [state("prod", "s3://b/prod/app.tfstate"), state("dev", "s3://b/dev/app.tfstate")]}
}

test_ignores_same_environment_and_unknown if {
	facts := [state("prod", "s3://b/app.tfstate"), object.union(state("prod", "s3://b/app.tfstate"), {"file": "x.tf"}), state(null, "s3://b/app.tfstate")]
	count(rule.deny) == 0 with input as {"facts": facts}
}
