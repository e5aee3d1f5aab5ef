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

# A test job given production's connection is a test holding production credentials, reported
# by prod-context-in-test-job; a neutral connection it shares with production is a credential.
test_production_contexts_of_test_jobs_are_left_to_the_test_rule if {
	prod_sc := {"name": "sc-orders-prod", "via": "service connection", "env": "prod"}
	shared_sc := {"name": "sc-orders", "via": "service connection", "env": null}
	tests := object.union(job("test", [prod_sc, shared_sc]), {"test": true})
	{f.value | some f in collector.facts} == {"service connection sc-orders"} with input as {"jobs": [tests]}
	deploys := job("staging", [prod_sc])
	count(collector.facts) == 1 with input as {"jobs": [deploys]}
}

test_jobs_without_an_environment_give_no_facts if {
	count(collector.facts) == 0 with input as {"jobs": [job(null, [{"name": "sc-prod", "via": "service connection"}])]}
}

# A reference given to a login action counts whatever its name, but only in that
# job's login step: the same name elsewhere, or under another job's login step, does not.
test_references_given_to_a_login_action_of_the_same_job if {
	login := {"path": ["jobs", "deploy", "steps", 1], "uses": "AWS-Actions/configure-aws-credentials@v4", "with": {"role-to-assume": "${{ secrets.DEPLOY }}"}}
	other := {"path": ["jobs", "deploy", "steps", 2], "uses": null, "with": null}
	secrets := [
		{"name": "DEPLOY", "path": ["jobs", "deploy", "steps", 1, "with", "role-to-assume"]},
		{"name": "SLACK", "path": ["jobs", "deploy", "steps", 2, "env", "SLACK"]},
		{"name": "NOTIFY", "path": ["jobs", "deploy", "steps", 1]},
	]
	deploy := object.union(job("prod", []), {"secrets": secrets, "steps": [login, other]})
	smoke := object.union(job("prod", []), {"id": "smoke", "secrets": [{"name": "TOKEN", "path": ["jobs", "deploy", "steps", 1, "with", "x"]}]})
	facts := collector.facts with input as {"jobs": [deploy, smoke]}
	{[f.job, f.value] | some f in facts} == {["deploy", "DEPLOY"]}
}

# A deploy target selects secrets per environment in GitHub or GitLab, not in Drone.
test_environment_scopes_secrets_only_where_the_ci_system_does if {
	ref := {"name": "kubeconfig", "path": ["steps", 0], "env": null}
	target := object.union(job("prod", []), {"environment": "production", "secrets": [ref]})
	[fact] := [f | some f in collector.facts] with input as {"kind": "drone", "jobs": [target]}
	not fact.scoped
	[scoped] := [f | some f in collector.facts] with input as {"kind": "github-actions", "jobs": [target]}
	scoped.scoped
}

# A context named for an environment holds that environment's values of the job's
# secrets; a shared `org-global` or `aws-deploy` context does not.
test_an_environment_named_context_scopes_secrets if {
	ref := {"name": "AWS_ROLE_ARN", "path": ["jobs", "deploy", "steps", 0], "env": null}
	shared := {"name": "aws-deploy", "via": "context", "env": null, "path": ["workflows", "ship", "jobs", 1]}
	per_env := {"name": "aws-staging", "via": "context", "env": "staging", "path": ["workflows", "ship", "jobs", 1]}
	unscoped := object.union(job("staging", [shared]), {"secrets": [ref]})
	scoped := object.union(job("staging", [shared, per_env]), {"secrets": [ref]})
	{f.scoped | some f in collector.facts; f.value == "AWS_ROLE_ARN"} == {false} with input as {"kind": "circleci", "jobs": [unscoped]}
	{f.scoped | some f in collector.facts; f.value == "AWS_ROLE_ARN"} == {true} with input as {"kind": "circleci", "jobs": [scoped]}
}
