package blastwall.facts.cloud_accounts_test

import rego.v1

import data.blastwall.facts.cloud_accounts as collector

# Names are matched whatever their case; values must be strings.
test_settings_named_for_an_account_in_any_case if {
	content := {
		"AWS_Account_ID": "111111111111",
		"Deploy_Role_Arn": "arn:aws:iam::222222222222:role/deploy",
		"GCP_PROJECT": "orders-dev-1",
		"ARM_Subscription_Id": "0000AAAA-1111-2222-3333-444455556666",
		"account_id": 333333333333,
		"name": "444444444444",
	}
	facts := collector.facts with input as {"kind": "terraform-vars", "file": "envs/dev/terraform.tfvars", "content": content}
	{[f.type, f.value, f.via, f.path] | some f in facts} == {
		["aws-account", "111111111111", "AWS_Account_ID", ["content", "AWS_Account_ID"]],
		["aws-account", "222222222222", "Deploy_Role_Arn", ["content", "Deploy_Role_Arn"]],
		["gcp-project", "orders-dev-1", "GCP_PROJECT", ["content", "GCP_PROJECT"]],
		["azure-subscription", "0000aaaa-1111-2222-3333-444455556666", "ARM_Subscription_Id", ["content", "ARM_Subscription_Id"]],
	}
}

test_job_variables_of_deploy_jobs if {
	variables := [
		{"name": "AWS_ACCOUNT_ID", "value": "555555555555", "path": ["jobs", "deploy", "env", "AWS_ACCOUNT_ID"]},
		{"name": "ACCOUNT_ID", "value": 666666666666, "path": ["jobs", "deploy", "env", "ACCOUNT_ID"]},
		{"name": "REGION", "value": "777777777777", "path": ["jobs", "deploy", "env", "REGION"]},
	]
	job := {"env": "staging", "steps": [], "variables": variables}
	facts := collector.facts with input as {"kind": "github-actions", "file": ".github/workflows/deploy.yml", "content": {}, "jobs": [job]}
	{[f.value, f.environment, f.path] | some f in facts} == {["555555555555", "staging", ["content", "jobs", "deploy", "env", "AWS_ACCOUNT_ID"]]}
}

test_reusable_workflow_calls_pass_their_account_as_an_input if {
	content := {"jobs": {
		"staging": {"uses": "./.github/workflows/_deploy.yml", "with": {"environment": "staging", "aws-account-id": "204816357920", "ecs-cluster": "media-staging"}},
		"production": {"uses": "./.github/workflows/_deploy.yml", "with": {"environment": "production", "role-to-assume": "arn:aws:iam::204816357920:role/deploy"}},
		"preview": {"uses": "./.github/workflows/_deploy.yml", "with": {"aws-account-id": "${{ vars.PREVIEW_ACCOUNT }}"}},
	}}
	jobs := [
		{"env": "staging", "path": ["jobs", "staging"], "steps": [], "variables": [], "identities": []},
		{"env": "prod", "path": ["jobs", "production"], "steps": [], "variables": [], "identities": []},
		{"env": "dev", "path": ["jobs", "preview"], "steps": [], "variables": [], "identities": []},
	]
	facts := collector.facts with input as {"kind": "github-actions", "file": ".github/workflows/release.yml", "content": content, "jobs": jobs}
	{[f.value, f.environment, f.path] | some f in facts} == {
		["204816357920", "staging", ["content", "jobs", "staging", "with", "aws-account-id"]],
		["204816357920", "prod", ["content", "jobs", "production", "with", "role-to-assume"]],
	}
}

# Files in an `examples`/`example` directory document a module; a directory
# merely named like one (`examples-team`) is an environment.
test_examples_directories_are_documentation if {
	provider := {"provider": {"aws": [{"allowed_account_ids": ["111111111111"]}]}}
	count(collector.facts) == 0 with input as {"kind": "terraform", "file": "modules/vpc/examples/basic/main.tf", "content": provider}
	count(collector.facts) == 0 with input as {"kind": "terraform", "file": "example/main.tf", "content": provider}
	facts := collector.facts with input as {"kind": "terraform", "file": "envs/examples-team/main.tf", "content": provider}
	{f.value | some f in facts} == {"111111111111"}
}

# Expressions are not identifiers, even under an account name; names are found in
# every block, whatever else the block holds.
test_settings_in_locals_and_module_arguments if {
	content := {
		"locals": [{"name": "orders", "account_id": "${var.account_id}"}, {"deploy_role_arn": "arn:aws:iam::222222222222:role/deploy"}],
		"module": {"network": [{"source": "./network", "cidr": "10.0.0.0/16"}], "dns": [{"source": "./dns", "project_id": "orders-dev-1"}]},
	}
	facts := collector.facts with input as {"kind": "terraform", "file": "envs/dev/main.tf", "content": content}
	{[f.value, f.path] | some f in facts} == {
		["222222222222", ["content", "locals", 1, "deploy_role_arn"]],
		["orders-dev-1", ["content", "module", "dns", 0, "project_id"]],
	}
}

# A list where Terraform wants an object (a top-level list in `.tfvars.json`, `inputs = [...]`,
# a list among `locals` blocks) is invalid config: no fact, and no policy failure.
test_lists_where_objects_belong_give_no_fact if {
	vars := [{"account_id": "111111111111"}]
	count(collector.facts) == 0 with input as {"kind": "terraform-vars", "file": "envs/dev/terraform.tfvars.json", "content": vars}
	terragrunt := {"inputs": ["111111111111"]}
	count(collector.facts) == 0 with input as {"kind": "terragrunt", "file": "envs/dev/terragrunt.hcl", "content": terragrunt}
	locals := {"locals": [["111111111111"]], "module": {"dns": [["orders-dev-1"]]}}
	count(collector.facts) == 0 with input as {"kind": "terraform", "file": "envs/dev/main.tf", "content": locals}
}

# `inputs = merge(local.account_vars.locals, …)` is an expression the parser
# keeps as text: no fact, and no policy failure that would fail the whole run.
test_expressions_where_objects_belong_give_no_fact if {
	merged := {"inputs": "${merge(local.account_vars.locals, local.region_vars.locals)}", "locals": "${local.x}"}
	count(collector.facts) == 0 with input as {"kind": "terragrunt", "file": "live/terragrunt.hcl", "content": merged}
	provider := {"provider": {"aws": [{"allowed_account_ids": "${var.ids}"}]}}
	count(collector.facts) == 0 with input as {"kind": "terraform", "file": "envs/dev/main.tf", "content": provider}
}


# A deploy job's identities count once: not again where a login input or variable holds them.
test_identities_written_in_deploy_jobs if {
	sa := {"type": "gcp-project", "value": "acme-ledger", "text": "deployer@acme-ledger.iam.gserviceaccount.com", "span": [5, 50]}
	role := {"type": "aws-account", "value": "111111111111", "text": "arn:aws:iam::111111111111:role/deploy", "span": [60, 97]}
	login := {"path": ["jobs", "deploy", "steps", 0], "uses": "aws-actions/configure-aws-credentials@v4", "with": {"role-to-assume": role.text}}
	job := {"env": "staging", "environment": null, "steps": [login], "variables": [], "identities": [sa, role]}
	facts := collector.facts with input as {"kind": "github-actions", "file": ".github/workflows/deploy.yml", "content": {}, "jobs": [job]}
	{[f.type, f.value, f.path] | some f in facts} == {
		["gcp-project", "acme-ledger", ["jobs", 0, "identities", 0]],
		["aws-account", "111111111111", ["content", "jobs", "deploy", "steps", 0, "with", "role-to-assume"]],
	}
}

# A composite action's service account is the account of each caller that deploys somewhere.
test_composite_action_identities_are_their_deploying_callers if {
	sa := {"type": "gcp-project", "value": "acme-platform", "text": "deployer@acme-platform.iam.gserviceaccount.com", "span": [5, 50]}
	callers := [
		{"job": "image", "env": null, "test": false},
		{"job": "deploy (staging)", "env": "staging", "test": false},
		{"job": "deploy (production)", "env": "prod", "test": false},
		{"job": "e2e", "env": "test", "test": true},
	]
	action := {"kind": "github-actions", "file": ".github/actions/auth/action.yml", "content": {}, "callers": callers, "jobs": [{"env": null, "steps": [], "variables": [], "identities": [sa]}]}
	{[f.environment, f.path] | some f in collector.facts} == {["staging", ["jobs", 0, "identities", 0]], ["prod", ["jobs", 0, "identities", 0]]} with input as action
}
