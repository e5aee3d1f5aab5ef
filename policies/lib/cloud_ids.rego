# Helpers for cloud account identifiers (AWS account ids, GCP project ids,
# Azure subscription ids) and the variable names that carry them.
package blastwall.lib.cloud_ids

import rego.v1

# Every predicate takes any JSON value: settings also hold booleans, numbers and
# objects (`create_admin_role = true`), which are simply not identifiers.
aws_account(id) if {
	is_string(id)
	count(id) == 12
	# Only ASCII digits: no regex, which costs far more per call.
	trim(id, "0123456789") == ""
}

# The account in an ARN: `arn:aws:iam::111111111111:role/deploy` → 111111111111.
# That is `^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}):`, tested field by
# field (no field may hold a `:`), since a regex costs far more per call.
arn_account(arn) := fields[4] if {
	is_string(arn)
	startswith(arn, "arn:aws")
	fields := split(arn, ":")
	count(fields) > 5
	count(fields[4]) == 12
	trim(fields[4], "0123456789") == ""
	trim(fields[1], "abcdefghijklmnopqrstuvwxyz-") == ""
	fields[2] != ""
	trim(fields[2], "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
	trim(fields[3], "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
}

# GCP project ids: 6-30 lower-case letters, digits and hyphens, starting with a
# letter and not ending with a hyphen (`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`).
gcp_project(id) if {
	is_string(id)
	count(id) >= 6
	count(id) <= 30
	trim(id, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
	trim(substring(id, 0, 1), "abcdefghijklmnopqrstuvwxyz") == ""
	not endswith(id, "-")
}

# `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`.
azure_subscription(id) if {
	is_string(id)
	count(id) == 36
	trim(id, "0123456789abcdefABCDEF-") == ""
	[count(part) | some part in split(id, "-")] == [8, 4, 4, 4, 12]
}

# Variable names that say "the account this environment deploys into". A name
# that names another environment (`prod_account_id` in a dev file) is a
# deliberate cross-account reference, not the environment's own account.
# (`^(aws_|target_|deploy_|deployment_)?account(_id)?$`: set lookups cost less than a regex.)
own_account_key(key) if {
	trim_suffix(lower(key), "_id") in {"account", "aws_account", "target_account", "deploy_account", "deployment_account"}
}

# The same holds for roles: `role_arn`, `deploy_role_arn`, `terraform_role_arn`
# name the role this environment deploys with, while `dns_role_arn`,
# `ecr_role_arn` or `prod_role_arn` name a role in another account (the parent
# DNS zone, a shared registry) that the environment reaches on purpose. Every
# such name contains `role`: tested first, it spares most names the regex.
role_key(key) if {
	name := lower(key)
	contains(name, "role")
	regex.match(`^((aws|iam|assume|deploy|deployment|deployer|terraform|tf|provider|target|env|environment|account|ci|cd|cicd|pipeline|github|gitlab|oidc|admin|infra|infrastructure)_)*role(_?arn|_to_assume)?$`, name)
}

# `project_id`, `gcp_project`, a Cloud Build `_RUN_PROJECT`, gcloud's own
# `CLOUDSDK_CORE_PROJECT`: the project this environment deploys into. As with
# roles, `dns_project` or `artifacts_project` name another project reached on
# purpose, and a bare `project` is too often a name, not an id.
project_key(key) if {
	name := trim_left(lower(key), "_")
	contains(name, "project")
	regex.match(`^((gcp|google|gcloud|cloudsdk|core|cloud|run|deploy|deployment|target|env|environment|app|service|gke|functions?)_)*project(_id)?$`, name)
	name != "project"
}

# (`^(azure_|arm_)?subscription_id$`)
subscription_key(key) if lower(key) in {"subscription_id", "azure_subscription_id", "arm_subscription_id"}

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

# An identity written into a manifest or a job whose role or account name says it serves
# every environment on purpose: an `external-dns` or Route 53 role, a registry, logging or
# audit identity (`arn:aws:iam::…:role/route53-external-dns`, `ecr-pull@acme.iam…`). The
# account's or project's own name is not read: a `*-shared` project deployed to by staging and
# production is the problem, not an excuse.
shared_service_identity(text) if regex.match(`(^|[^a-z])(dns|route53|external-dns|ecr|registry|artifact|artifacts|logs|logging|audit)([^a-z]|$)`, lower(identity_name(text)))

# `role/route53-external-dns` of an ARN, `ecr-pull` of a service account email.
identity_name(text) := substring(text, indexof(text, ":role/") + 6, -1) if contains(text, ":role/")

else := split(text, "@")[0]
