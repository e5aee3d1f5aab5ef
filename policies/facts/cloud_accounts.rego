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
#   and role ARNs or subscription ids CI deploy jobs log in with. Values come
#   from `input.resolved` (Terraform references resolved), paths from
#   `content`, so locations are the expressions as written. Files under
#   `examples/` are module documentation, not environments.
# custom:
#   kinds: [terraform, terraform-vars, terragrunt, hcl, github-actions, gitlab-ci, circleci]
package blastwall.facts.cloud_accounts

import rego.v1

import data.blastwall.lib.cloud_ids

values := object.get(input, "resolved", input.content)

documentation if {
	some segment in split(input.file, "/")
	segment in {"examples", "example"}
}

# `resolved` marks a value the expression does not spell out (`project =
# var.project_id`, `"arn:aws:iam::${local.account}:role/x"`): the literal lives
# in a tfvars file or local that is itself collected, and rules report it there.
facts contains object.union(fact, {"resolved": resolved(fact)}) if {
	not documentation
	some fact in all_facts
}

default resolved(_) := false

resolved(fact) if {
	written := object.get(input.content, array.slice(fact.path, 1, count(fact.path)), null)
	is_string(written)
	not contains(lower(written), fact.value)
}

all_facts contains fact if {
	some p, provider in values.provider.aws
	some i, id in provider.allowed_account_ids
	cloud_ids.aws_account(id)
	fact := {
		"type": "aws-account", "value": id, "via": "allowed_account_ids",
		"path": ["content", "provider", "aws", p, "allowed_account_ids", i],
	}
}

# `allowed_account_ids = var.ids` resolved to a list: located on the expression.
all_facts contains fact if {
	some p, provider in input.content.provider.aws
	is_string(provider.allowed_account_ids)
	some id in values.provider.aws[p].allowed_account_ids
	cloud_ids.aws_account(id)
	fact := {
		"type": "aws-account", "value": id, "via": "allowed_account_ids",
		"path": ["content", "provider", "aws", p, "allowed_account_ids"],
	}
}

all_facts contains fact if {
	some p, provider in values.provider.aws
	some r, role in provider.assume_role
	id := cloud_ids.arn_account(role.role_arn)
	fact := {
		"type": "aws-account", "value": id, "via": "assume_role.role_arn",
		"path": ["content", "provider", "aws", p, "assume_role", r, "role_arn"],
	}
}

all_facts contains fact if {
	some name in ["google", "google-beta"]
	some p, provider in values.provider[name]
	cloud_ids.gcp_project(provider.project)
	fact := {
		"type": "gcp-project", "value": provider.project, "via": sprintf("provider \"%s\" project", [name]),
		"path": ["content", "provider", name, p, "project"],
	}
}

all_facts contains fact if {
	some p, provider in values.provider.azurerm
	cloud_ids.azure_subscription(provider.subscription_id)
	fact := {
		"type": "azure-subscription", "value": lower(provider.subscription_id), "via": "provider \"azurerm\" subscription_id",
		"path": ["content", "provider", "azurerm", p, "subscription_id"],
	}
}

# Variables that name the account an environment deploys into.
all_facts contains fact if {
	some [path, key, value] in settings
	fact := cloud_ids.setting_fact(key, value, path)
}

# Only a string under a name that says account, role, project or subscription can be an
# identifier `cloud_ids.setting_fact` accepts; most settings are skipped before it is tried.
candidate(key, value) if {
	regex.match(`account|role|project|subscription`, lower(key))
	is_string(value)
}

settings contains [["content", key], key, value] if {
	input.kind == "terraform-vars"
	some key, value in values
	candidate(key, value)
}

settings contains [["content", "inputs", key], key, value] if {
	input.kind == "terragrunt"
	some key, value in values.inputs
	candidate(key, value)
}

settings contains [["content", "locals", l, key], key, value] if {
	input.kind in {"terraform", "terragrunt", "hcl"}
	some l, block in values.locals
	some key, value in block
	candidate(key, value)
}

settings contains [["content", "module", name, m, key], key, value] if {
	input.kind == "terraform"
	some name, calls in values.module
	some m, call in calls
	some key, value in call
	candidate(key, value)
}

# CI deploy jobs: the role or subscription a job logs in to.
all_facts contains object.union(fact, {"environment": job.env, "via": key}) if {
	some job in input.jobs
	job.env != null
	some step in job.steps
	is_object(step["with"])
	some key, value in step["with"]
	lower(key) in {"role-to-assume", "subscription-id"}
	fact := cloud_ids.setting_fact(replace(key, "-", "_"), value, array.concat(["content"], array.concat(step.path, ["with", key])))
}

all_facts contains object.union(fact, {"environment": job.env}) if {
	some job in input.jobs
	job.env != null
	some variable in job.variables
	candidate(variable.name, variable.value)
	fact := cloud_ids.setting_fact(variable.name, variable.value, array.concat(["content"], variable.path))
}
