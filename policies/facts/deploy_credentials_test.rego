package blastwall.facts.deploy_credentials_test

import rego.v1

import data.blastwall.facts.deploy_credentials as collector

job(env, contexts) := {"id": "deploy", "env": env, "environment": null, "secrets": [], "steps": [], "contexts": contexts}

test_service_connections_are_credentials_whatever_their_name if {
	facts := collector.facts with input as {"jobs": [job("staging", [{"name": "sc-payments", "via": "service connection"}])]}
	facts == {{
		"type": "deploy-credential", "value": "service connection sc-payments", "via": "service connection `sc-payments`",
		"job": "deploy", "scoped": false, "environment": "staging", "path": ["jobs", 0, "contexts", 0],
	}}
}

test_contexts_and_groups_only_when_named_for_cloud_access if {
	contexts := [
		{"name": "aws-deploy", "via": "context"},
		{"name": "slack-notifications", "via": "context"},
		{"name": "payments-prod", "via": "variable group"},
	]
	facts := collector.facts with input as {"jobs": [job("prod", contexts)]}
	{f.value | some f in facts} == {"context aws-deploy"}
}

test_jobs_without_an_environment_give_no_facts if {
	count(collector.facts) == 0 with input as {"jobs": [job(null, [{"name": "sc-prod", "via": "service connection"}])]}
}
