package blastwall.facts.state_locations_test

import rego.v1

import data.blastwall.facts.state_locations as collector

test_backends_with_a_key_per_location if {
	backend := {"s3": [{"bucket": "acme-state", "key": "app/terraform.tfstate", "workspace_key_prefix": "env"}]}
	unresolved := {"gcs": [{"bucket": "acme-state", "prefix": "${path_relative_to_include()}"}]}
	facts := collector.facts with input as {"content": {"terraform": [{"backend": backend}, {"backend": unresolved}]}}
	{f.value | some f in facts} == {"s3://acme-state/env/app/terraform.tfstate"}
}

ci_job(env, variables) := {"id": "deploy", "env": env, "path": ["deploy"], "variables": variables}

test_a_literal_gitlab_state_name_of_a_job_with_an_environment if {
	shared := {"name": "TF_STATE_NAME", "value": "network"}
	per_env := {"name": "TF_STATE_NAME", "value": "network-${CI_ENVIRONMENT_NAME}"}
	jobs := [ci_job("staging", [shared]), ci_job("prod", [per_env]), ci_job(null, [shared])]
	facts := collector.facts with input as {"jobs": jobs, "commands": []}
	[[f.value, f.environment, f.path] | some f in facts] == [["GitLab-managed state `network`", "staging", ["jobs", 0, "variables", 0]]]
}

test_backend_config_flags_located_at_the_extends_that_brings_them if {
	init := ["terraform", "init", "-input=false", "-backend-config=bucket=acme-dns", "-backend-config", "key=zones.tfstate"]
	own := {"job": 0, "program": "terraform", "args": init, "path": ["apply:staging", "script", 0]}
	inherited := {"job": 1, "program": "terraform", "args": init, "path": ["apply:prod", "extends", 1]}
	templated := {"job": 1, "program": "terraform", "args": ["terraform", "init", "-backend-config=key=${ENV}.tfstate"], "path": ["apply:prod", "script", 0]}
	jobs := [ci_job("staging", []), object.union(ci_job("prod", []), {"path": ["apply:prod"]})]
	facts := collector.facts with input as {"jobs": jobs, "commands": [own, inherited, templated]}
	{[f.environment, f.path] | some f in facts} == {
		["staging", ["commands", 0]],
		["prod", ["content", "apply:prod", "extends"]],
	}
	every f in facts {
		f.value == "bucket=acme-dns,key=zones.tfstate"
	}
}
