# Helpers for cloud account identifiers (AWS account ids, GCP project ids,
# Azure subscription ids) and the variable names that carry them.
package blastwall.lib.cloud_ids

import rego.v1

# Every predicate takes any JSON value: settings also hold booleans, numbers and
# objects (`create_admin_role = true`), which are simply not identifiers.
aws_account(id) if {
	is_string(id)
	regex.match(`^[0-9]{12}$`, id)
}

# The account in an ARN: `arn:aws:iam::111111111111:role/deploy` → 111111111111.
arn_account(arn) := parts[0][1] if {
	is_string(arn)
	parts := regex.find_all_string_submatch_n(`^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}):`, arn, 1)
	count(parts) == 1
}

# GCP project ids: 6-30 lower-case letters, digits and hyphens, starting with a letter.
gcp_project(id) if {
	is_string(id)
	regex.match(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`, id)
}

azure_subscription(id) if {
	is_string(id)
	regex.match(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`, id)
}

# Variable names that say "the account this environment deploys into". A name
# that names another environment (`prod_account_id` in a dev file) is a
# deliberate cross-account reference, not the environment's own account.
own_account_key(key) if {
	regex.match(`^(aws_|target_|deploy_|deployment_)?account(_id)?$`, lower(key))
}

# The same holds for roles: `role_arn`, `deploy_role_arn`, `terraform_role_arn`
# name the role this environment deploys with, while `dns_role_arn`,
# `ecr_role_arn` or `prod_role_arn` name a role in another account (the parent
# DNS zone, a shared registry) that the environment reaches on purpose.
role_key(key) if regex.match(`^((aws|iam|assume|deploy|deployment|deployer|terraform|tf|provider|target|env|environment|account|ci|cd|cicd|pipeline|github|gitlab|oidc|admin|infra|infrastructure)_)*role(_arn|_to_assume)?$`, lower(key))

role_key(key) if lower(key) == "role_to_assume"

project_key(key) if regex.match(`^(gcp_|google_)?project_id$|^(gcp|google)_project$`, lower(key))

subscription_key(key) if regex.match(`^(azure_|arm_)?subscription_id$`, lower(key))

# The fact one `key = value` setting located at `path` declares, if any.
setting_fact(key, value, path) := f if {
	own_account_key(key)
	aws_account(value)
	f := {"type": "aws-account", "value": value, "via": key, "path": path}
}

setting_fact(key, value, path) := f if {
	role_key(key)
	id := arn_account(value)
	f := {"type": "aws-account", "value": id, "via": key, "path": path}
}

setting_fact(key, value, path) := f if {
	project_key(key)
	gcp_project(value)
	f := {"type": "gcp-project", "value": value, "via": key, "path": path}
}

setting_fact(key, value, path) := f if {
	subscription_key(key)
	azure_subscription(value)
	f := {"type": "azure-subscription", "value": lower(value), "via": key, "path": path}
}

# The account facts among `facts` reported where their id is written: a
# reference resolved to an id written elsewhere among `facts` (`project =
# var.project_id` and the tfvars line) adds no place to fix. Computed for the
# whole set at once so that a rule looks a fact up instead of rescanning
# `facts` for each one.
reported(facts) := {f | some f in facts; not resolved_to_written(f, written)} if {
	written := {[f.type, f.value, f.environment] | some f in facts; not f.resolved}
}

resolved_to_written(fact, written) if {
	fact.resolved
	[fact.type, fact.value, fact.environment] in written
}
