# METADATA
# title: Cloud accounts, projects and subscriptions an environment targets
# description: |
#   Collects the AWS account ids, GCP project ids and Azure subscription ids a
#   configuration deploys into, with the document's environment:
#   Terraform providers (`aws` `allowed_account_ids` and `assume_role.role_arn`,
#   `google` `project`, `azurerm` `subscription_id`), account-naming variables
#   (`account_id`, `project_id`, `subscription_id`, `*_role_arn`) in `*.tfvars`
#   and `*.tfvars.json`,
#   `locals`, module arguments, Terragrunt `inputs`/`locals` and `account.hcl`,
#   role ARNs, subscription ids and service accounts CI deploy jobs log in with
#   or name (also as an input they pass a reusable workflow, `with:
#   aws-account-id`), a composite action's for each deploying caller (manifests'
#   identities: `facts.manifest_accounts`). Values come
#   from `input.resolved` (Terraform references resolved), paths from
#   `content`, so locations are the expressions as written. Files under
#   `examples/` are module documentation, not environments.
# custom:
#   kinds: [terraform, terraform-vars, terragrunt, hcl, ci]
package blastwall.facts.cloud_accounts

import rego.v1

import data.blastwall.lib.cloud_ids

# Performance: every definition of `all_facts` is evaluated for every document,
# so each starts with the cheapest test that rules a document out, and work per
# key avoids function calls. Each rule reads `input.resolved` (or `content`)
# itself: a reference to a shared rule costs more than the call.

# `resolved` marks a value the expression does not spell out (`project =
# var.project_id`, `"arn:aws:iam::${local.account}:role/x"`): the literal lives
# in a tfvars file or local that is itself collected, and rules report it there.
# Files under `examples/` are module documentation: tested per fact, as most
# documents have none.
facts contains object.union(fact, {"resolved": resolved(fact)}) if {
	some fact in all_facts
	not "examples" in split(input.file, "/")
	not "example" in split(input.file, "/")
}

default resolved(_) := false

# Every fact path starts with "content".
resolved(fact) if {
	written := object.get(input, fact.path, null)
	is_string(written)
	not contains(lower(written), fact.value)
}

# Provider blocks are rare (one file per root module): one test skips all five
# provider rules everywhere else.
all_facts contains fact if {
	object.get(input, "resolved", input.content).provider
	some fact in provider_facts
}

provider_facts contains fact if {
	some p, provider in object.get(input, "resolved", input.content).provider.aws
	# `allowed_account_ids = var.ids` is an expression the parser keeps as text.
	ids := provider.allowed_account_ids
	is_array(ids)
	some i, id in ids
	cloud_ids.aws_account(id)
	fact := {
		"type": "aws-account", "value": id, "via": "allowed_account_ids",
		"path": ["content", "provider", "aws", p, "allowed_account_ids", i],
	}
}

# `allowed_account_ids = var.ids` resolved to a list: located on the expression.
provider_facts contains fact if {
	some p, provider in input.content.provider.aws
	is_string(provider.allowed_account_ids)
	resolved := object.get(input, "resolved", input.content).provider.aws[p].allowed_account_ids
	is_array(resolved)
	some id in resolved
	cloud_ids.aws_account(id)
	fact := {
		"type": "aws-account", "value": id, "via": "allowed_account_ids",
		"path": ["content", "provider", "aws", p, "allowed_account_ids"],
	}
}

provider_facts contains fact if {
	some p, provider in object.get(input, "resolved", input.content).provider.aws
	some r, role in provider.assume_role
	id := cloud_ids.arn_account(role.role_arn)
	fact := {
		"type": "aws-account", "value": id, "via": "assume_role.role_arn",
		"path": ["content", "provider", "aws", p, "assume_role", r, "role_arn"],
	}
}

provider_facts contains fact if {
	some name in ["google", "google-beta"]
	some p, provider in object.get(input, "resolved", input.content).provider[name]
	cloud_ids.gcp_project(provider.project)
	fact := {
		"type": "gcp-project", "value": provider.project, "via": sprintf("provider \"%s\" project", [name]),
		"path": ["content", "provider", name, p, "project"],
	}
}

provider_facts contains fact if {
	some p, provider in object.get(input, "resolved", input.content).provider.azurerm
	cloud_ids.azure_subscription(provider.subscription_id)
	fact := {
		"type": "azure-subscription", "value": lower(provider.subscription_id), "via": "provider \"azurerm\" subscription_id",
		"path": ["content", "provider", "azurerm", p, "subscription_id"],
	}
}

# Variables that name the account an environment deploys into. Every key
# `cloud_ids.setting_fact` accepts says account, role, project or subscription
# (in lower case), and every identifier it accepts is a string that does not
# start with `$` (`${var.id}`, `${{ secrets.ROLE }}` are expressions): both are
# tested before that call, inline, as a call per key is costly. Most files have
# no such key at all, so one test over all their names, joined, comes first.
# It joins string names only: a list where an object was expected (a top-level
# list in a `.tfvars.json`, `inputs = [...]`) is invalid Terraform, and gives
# no fact rather than a policy failure.
all_facts contains fact if {
	input.kind == "terraform-vars"
	settings := object.get(input, "resolved", input.content)
	regex.match(`account|role|project|subscription`, lower(concat(" ", [key | some key, _ in settings; is_string(key)])))
	some key, value in settings
	regex.match(`account|role|project|subscription`, lower(key))
	is_string(value)
	not startswith(value, "$")
	fact := cloud_ids.setting_fact(key, value, ["content", key])
}

all_facts contains fact if {
	input.kind == "terragrunt"
	inputs := object.get(input, "resolved", input.content).inputs
	is_object(inputs)
	regex.match(`account|role|project|subscription`, lower(concat(" ", [key | some key, _ in inputs; is_string(key)])))
	some key, value in inputs
	regex.match(`account|role|project|subscription`, lower(key))
	is_string(value)
	not startswith(value, "$")
	fact := cloud_ids.setting_fact(key, value, ["content", "inputs", key])
}

all_facts contains fact if {
	input.kind in {"terraform", "terragrunt", "hcl"}
	locals := object.get(input, "resolved", input.content).locals
	is_array(locals)
	regex.match(`account|role|project|subscription`, lower(concat(" ", [key | some block in locals; some key, _ in block; is_string(key)])))
	some l, block in locals
	some key, value in block
	regex.match(`account|role|project|subscription`, lower(key))
	is_string(value)
	not startswith(value, "$")
	fact := cloud_ids.setting_fact(key, value, ["content", "locals", l, key])
}

all_facts contains fact if {
	input.kind == "terraform"
	modules := object.get(input, "resolved", input.content).module
	regex.match(`account|role|project|subscription`, lower(concat(" ", [key | some calls in modules; some call in calls; some key, _ in call; is_string(key)])))
	some name, calls in modules
	some m, call in calls
	some key, value in call
	regex.match(`account|role|project|subscription`, lower(key))
	is_string(value)
	not startswith(value, "$")
	fact := cloud_ids.setting_fact(key, value, ["content", "module", name, m, key])
}

# CI deploy jobs: the role or subscription a job logs in to. Most documents
# have no jobs: one test skips both rules.
all_facts contains fact if {
	input.jobs != []
	some fact in job_facts
}

# A job is a test environment of its own only when it declares one: a job named for
# tests (`e2e`) runs its tests somewhere, usually staging. `test_job` marks the others.
# A test job named only for tests (`integration`, `e2e`) is a test context: what it reaches
# is collected by `test_context_accounts`.
test_context_job(job) if {
	job.test
	job.env == "test"
	job.environment == null
}

default test_job(_) := false

test_job(job) if {
	job.env == "test"
	job.environment == null
}

job_facts contains object.union(fact, {"environment": job.env, "via": key, "test_job": test_job(job)}) if {
	some job in input.jobs
	job.env != null
	not test_context_job(job)
	some step in job.steps
	is_object(step["with"])
	some key, value in step["with"]
	lower(key) in {"role-to-assume", "subscription-id"}
	is_string(value)
	not startswith(value, "$")
	fact := cloud_ids.setting_fact(replace(key, "-", "_"), value, array.concat(["content"], array.concat(step.path, ["with", key])))
}

# Roles and service accounts written anywhere in a deploy job (a Buildkite plugin's
# `service-account:`), unless a login input or variable above already holds them.
job_facts contains object.union(fact, {"environment": job.env, "via": identity.text, "test_job": test_job(job)}) if {
	some j, job in input.jobs
	job.env != null
	not test_context_job(job)
	count(job.identities) > 0
	written := {v | some step in job.steps; is_object(step["with"]); some v in step["with"]} | {v.value | some v in job.variables}
	some k, identity in job.identities
	not identity.text in written
	not cloud_ids.shared_service_identity(identity.text)
	fact := {"type": identity.type, "value": identity.value, "path": ["jobs", j, "identities", k]}
}

job_facts contains object.union(fact, {"environment": job.env, "test_job": test_job(job)}) if {
	some job in input.jobs
	job.env != null
	not test_context_job(job)
	some variable in job.variables
	regex.match(`account|role|project|subscription`, lower(variable.name))
	is_string(variable.value)
	not startswith(variable.value, "$")
	fact := cloud_ids.setting_fact(variable.name, variable.value, array.concat(["content"], variable.path))
}

# A job that calls a reusable workflow passes the account it deploys to as an input
# (`with: aws-account-id: "…"`, `role-to-assume`, `project_id`), located at the input.
job_facts contains object.union(fact, {"environment": job.env, "test_job": test_job(job)}) if {
	input.kind == "github-actions"
	some job in input.jobs
	job.env != null
	not test_context_job(job)
	is_object(input.content)
	inputs := object.get(input.content, array.concat(job.path, ["with"]), null)
	is_object(inputs)
	some name, value in inputs
	regex.match(`account|role|project|subscription`, lower(name))
	is_string(value)
	not contains(value, "$")
	fact := cloud_ids.setting_fact(replace(name, "-", "_"), value, array.concat(["content"], array.concat(job.path, ["with", name])))
}

# A composite action runs in its callers' jobs: the roles and service accounts it writes are
# the accounts of every caller that deploys to a known environment.
all_facts contains fact if {
	input.kind == "github-actions"
	count(object.get(input, "callers", [])) > 0
	some caller in input.callers
	caller.env != null
	not caller.test
	some j, job in input.jobs
	some k, identity in job.identities
	not cloud_ids.shared_service_identity(identity.text)
	fact := {
		"type": identity.type, "value": identity.value, "via": identity.text,
		"environment": caller.env, "path": ["jobs", j, "identities", k],
	}
}
