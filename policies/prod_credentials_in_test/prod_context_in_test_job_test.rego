package blastwall.prod_credentials_in_test.prod_context_in_test_job_test

import rego.v1

import data.blastwall.prod_credentials_in_test.prod_context_in_test_job as rule

tjob(contexts) := {
	"name": "test",
	"test": true,
	"test_reasons": ["job name `test`"],
	"contexts": contexts,
	"triggers": [],
	"test_commands": [0],
}

test_flags_prod_circleci_context if {
	results := rule.deny with input as {"kind": "circleci", "jobs": [tjob([{"name": "prod-aws", "env": "prod", "via": "context"}])]}
	count(results) == 1
	some r in results
	r.path == ["jobs", 0, "contexts", 0]
	contains(r.msg, "production context `prod-aws`")
}

test_names_azure_variable_group if {
	some r in rule.deny with input as {"kind": "azure-pipelines", "jobs": [tjob([{"name": "prod-secrets", "env": "prod", "via": "variable group"}])]}
	contains(r.msg, "variable group `prod-secrets`")
}

test_names_azure_service_connection if {
	results := rule.deny with input as {"kind": "azure-pipelines", "jobs": [tjob([{"name": "sc-prod-subscription", "env": "prod", "via": "service connection"}])]}
	count(results) == 1
	some r in results
	contains(r.msg, "production service connection `sc-prod-subscription`")
	contains(r.help, "test-scoped service connection")
}

# A value a test job passes to a template is reported where passed, the template's binding related.
test_relates_where_a_template_binds_a_passed_value if {
	origin := {"file": "pipelines/stages/integration-tests.yml", "line": 16, "column": 16, "span": [300, 332]}
	passed := {"name": "inventory-prod-secrets", "env": "prod", "via": "variable group", "origin": origin}
	some r in rule.deny with input as {"kind": "azure-pipelines", "jobs": [tjob([passed])]}
	r.path == ["jobs", 0, "contexts", 0]
	r.related == [{"at": origin, "msg": "the called file binds the variable group here"}]
}

test_ignores_test_context if {
	count(rule.deny) == 0 with input as {"kind": "circleci", "jobs": [tjob([{"name": "test-aws", "env": "test", "via": "context"}])]}
}

test_ignores_prod_context_on_deploy_job if {
	job := object.union(tjob([{"name": "prod-aws", "env": "prod", "via": "context"}]), {"test": false})
	count(rule.deny) == 0 with input as {"kind": "circleci", "jobs": [job]}
}

env_job(triggers, commands) := {
	"name": "e2e",
	"test": false,
	"test_reasons": ["job name `e2e`"],
	"contexts": [],
	"environment": "production",
	"env": "prod",
	"path": ["jobs", "e2e"],
	"triggers": triggers,
	"test_commands": commands,
}

test_flags_pull_request_tests_in_production_environment if {
	results := rule.deny with input as {"kind": "github-actions", "jobs": [env_job(["pull_request"], [0])], "commands": [{"argv": ["npx", "playwright", "test"]}]}
	count(results) == 1
	some r in results
	r.path == ["content", "jobs", "e2e", "environment"]
	contains(r.msg, "runs `npx playwright test` on `pull_request`")
}

deploy_job := {"id": "deploy", "name": "deploy", "deploy": true, "test": false, "test_reasons": [], "contexts": [], "environment": "production", "env": "prod", "triggers": ["push"], "test_commands": []}

test_ignores_post_deploy_check_on_push if {
	check := object.union(env_job(["push"], [0]), {"needs": ["deploy"]})
	count(rule.deny) == 0 with input as {"kind": "github-actions", "jobs": [deploy_job, check], "commands": [{"argv": ["npx", "playwright", "test"]}]}
}

test_flags_push_test_job_bound_to_production_before_any_deploy if {
	e2e := object.union(env_job(["push", "pull_request"], [0]), {"id": "e2e", "needs": ["lint", "unit"]})
	lint := {"id": "lint", "name": "lint", "deploy": false, "test": false, "test_reasons": [], "contexts": [], "triggers": ["push"], "test_commands": []}
	results := rule.deny with input as {"kind": "github-actions", "jobs": [lint, e2e], "commands": [{"argv": ["npx", "playwright", "test"]}]}
	count(results) == 1
	some r in results
	r.path == ["content", "jobs", "e2e", "environment"]
	contains(r.msg, "inside production environment `production`")
}

test_ignores_deploy_and_smoke_jobs_that_run_tests if {
	count(rule.deny) == 0 with input as {"kind": "github-actions", "jobs": [object.union(env_job(["push"], [0]), {"name": "smoke-test"})], "commands": [{"argv": ["pytest"]}]}
	deploys := [{"argv": ["pytest"], "job": 0}, {"argv": ["./deploy.sh"], "program": "deploy.sh", "args": ["./deploy.sh"], "job": 0}]
	count(rule.deny) == 0 with input as {"kind": "github-actions", "jobs": [object.union(env_job(["push"], [0]), {"name": "test-and-deploy"})], "commands": deploys}
}

# A job named for a release that only installs and runs the suite is a test: `E2E (release
# gate)` bound to production holds production's variables before anything is deployed.
test_flags_a_release_gate_that_only_runs_tests if {
	gate := [
		{"argv": ["npm", "ci"], "program": "npm", "args": ["npm", "ci"], "job": 0},
		{"argv": ["npx", "playwright", "test"], "program": "playwright", "args": ["playwright", "test"], "job": 0},
	]
	job := object.union(env_job(["push"], [1]), {"name": "E2E (release gate)", "test_reasons": ["job name `E2E (release gate)`"]})
	count(rule.deny) == 1 with input as {"kind": "bitbucket-pipelines", "jobs": [job], "commands": gate}
}

test_ignores_production_job_without_tests if {
	count(rule.deny) == 0 with input as {"kind": "github-actions", "jobs": [env_job(["pull_request"], [])]}
}

test_gitlab_stage_order_may_put_the_check_after_a_deploy if {
	check := object.union(env_job(["push"], [0]), {"id": "e2e", "needs": []})
	deploy := object.union(deploy_job, {"id": "deploy-prod"})
	count(rule.deny) == 0 with input as {"kind": "gitlab-ci", "jobs": [deploy, check], "commands": [{"argv": ["pytest"]}]}
	count(rule.deny) == 1 with input as {"kind": "gitlab-ci", "jobs": [check], "commands": [{"argv": ["pytest"]}]}
}

test_needing_a_staging_deploy_is_not_a_production_check if {
	staging := object.union(deploy_job, {"id": "deploy-staging", "environment": "staging", "env": "staging"})
	check := object.union(env_job(["push"], [0]), {"id": "e2e", "needs": ["deploy-staging"]})
	count(rule.deny) == 1 with input as {"kind": "github-actions", "jobs": [staging, check], "commands": [{"argv": ["pytest"]}]}
}
