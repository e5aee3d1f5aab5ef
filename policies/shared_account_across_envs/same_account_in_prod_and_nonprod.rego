# METADATA
# title: Production cloud account also used by a non-production environment
# description: |
#   A non-production environment of the repository targets the AWS account, GCP
#   project or Azure subscription that production uses: Terraform providers
#   (`allowed_account_ids`, `assume_role.role_arn`, `project`, `subscription_id`),
#   per-environment `*.tfvars`, Terragrunt `inputs`, and the roles CI deploy jobs
#   assume. `var.x` and `local.x` are resolved within a module's directory.
#   Production's ids come from the repository's production configuration and
#   from `.blastwall.yaml` (`environments.prod.accounts|projects|subscriptions`),
#   so a non-production environment is checked even when production's
#   Terraform lives in another repository. Each place that writes the id is a
#   place to fix and is reported; an expression that only refers to it
#   (`project = var.project_id`) is not, when the place that writes it is.
#
#   Why is this bad? In 2018 cloud.gov separated development from production
#   only by VPCs inside one AWS account; a cleanup task run in development
#   deleted every VM in the account, production included. Permissions and
#   network boundaries do not stop account-wide operations: separate accounts do.
# custom:
#   id: same-account-in-prod-and-nonprod
#   category: shared-account-across-envs
#   severity: error
#   scope: repository
#   help: >-
#     Give each environment its own account (project, subscription), and pin it
#     in every environment's provider with `allowed_account_ids`.
#   bad: |
#     # envs/dev/main.tf
#     provider "aws" {
#       allowed_account_ids = ["111111111111"]   # same as envs/prod
#     }
#   good: |
#     # envs/dev/main.tf
#     provider "aws" {
#       allowed_account_ids = ["222222222222"]   # the dev account
#     }
package blastwall.shared_account_across_envs.same_account_in_prod_and_nonprod

import rego.v1

import data.blastwall.lib.cloud_ids
import data.blastwall.lib.production

names := {"aws-account": "AWS account", "gcp-project": "GCP project", "azure-subscription": "Azure subscription"}

account_facts contains fact if {
	some fact in input.facts
	names[fact.type]
	fact.environment != null
}

# One finding per non-production file and identifier: the first place it appears.
deny contains result if {
	some fact in reported
	fact.environment != "prod"
	prod_facts := prod_by_id[[fact.type, fact.value]]
	prod := [p | some p in prod_facts]
	not earlier_in_file(fact)
	not [fact.file, fact.span] in shared_credential_at
	result := {
		"msg": sprintf("%s environment targets %s %s (via `%s`), which production also uses (%s)", [fact.environment, names[fact.type], fact.value, fact.via, prod[0].file]),
		"at": fact,
		"related": [{"at": p, "msg": sprintf("production uses %s %s here", [names[p.type], p.value])} | some p in prod],
	}
}

# Production declared only in `.blastwall.yaml` (its Terraform lives elsewhere).
deny contains result if {
	some fact in reported
	fact.environment != "prod"
	not used_in_production(fact)
	fact.value in production.configured(configured_field[fact.type])
	not earlier_in_file(fact)
	result := {
		"msg": sprintf("%s environment targets %s %s (via `%s`), which `.blastwall.yaml` declares as production", [fact.environment, names[fact.type], fact.value, fact.via]),
		"at": fact,
	}
}

# A role ARN production deploys with too is reported as that shared credential
# (same-credential-in-prod-and-nonprod); its account is not a second finding.
prod_credentials contains fact.value if {
	some fact in input.facts
	fact.type == "deploy-credential"
	fact.environment == "prod"
	not fact.scoped
}

shared_credential_at contains [fact.file, fact.span] if {
	some fact in input.facts
	fact.type == "deploy-credential"
	fact.environment != "prod"
	not fact.scoped
	fact.value in prod_credentials
}

configured_field := {"aws-account": "accounts", "gcp-project": "projects", "azure-subscription": "subscriptions"}

used_in_production(fact) if prod_by_id[[fact.type, fact.value]]

reported := cloud_ids.reported(account_facts)

# Computed once, so that each fact looks its partners up instead of scanning
# every other fact.
prod_by_id[id] contains fact if {
	some fact in account_facts
	fact.environment == "prod"
	id := [fact.type, fact.value]
}

reported_by_place[place] contains fact if {
	some fact in reported
	place := [fact.file, fact.type, fact.value, fact.environment]
}

earlier_in_file(fact) if {
	some other in reported_by_place[[fact.file, fact.type, fact.value, fact.environment]]
	[other.document, other.span[0]] < [fact.document, fact.span[0]]
}
