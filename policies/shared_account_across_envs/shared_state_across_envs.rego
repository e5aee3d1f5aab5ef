# METADATA
# title: Two environments share one Terraform state
# description: |
#   Two environments configure the same remote state location: the same S3
#   bucket and key, GCS bucket and prefix, or azurerm storage container and key
#   (Terraform `backend` blocks or Terragrunt `remote_state`), or the same state a
#   CI deploy job names (GitLab-managed `TF_STATE_NAME`, `terraform init
#   -backend-config=key=…`, reported at the job's `extends:` when a template
#   brings it, the template related). One bucket with
#   a key per environment is the usual, safe layout and is not flagged; nor is
#   a shared DynamoDB lock table, whose locks are keyed by state path.
#
#   Why is this bad? Whichever environment applies last owns the state: a plan
#   in dev then proposes to destroy everything production created, and a
#   `terraform destroy` run for one environment removes the other's resources.
#   It is the cloud.gov 2018 failure (a development task deleting production)
#   reached through state instead of through the account.
# custom:
#   id: shared-state-across-envs
#   category: shared-account-across-envs
#   severity: error
#   scope: repository
#   help: >-
#     Give each environment its own state key (e.g. `key = "dev/app.tfstate"`),
#     or better its own bucket in its own account.
#   bad: |
#     # envs/dev/backend.tf
#     terraform {
#       backend "s3" {
#         bucket = "acme-tfstate"
#         key    = "app/terraform.tfstate"   # same as envs/prod
#       }
#     }
#   good: |
#     # envs/dev/backend.tf
#     terraform {
#       backend "s3" {
#         bucket = "acme-tfstate"
#         key    = "dev/app/terraform.tfstate"
#       }
#     }
package blastwall.shared_account_across_envs.shared_state_across_envs

import rego.v1

rank := {"prod": 3, "staging": 2, "dev": 1, "test": 0}

states contains fact if {
	some fact in input.facts
	fact.type == "state-location"
	rank[fact.environment]
}

# Computed once, so that each state looks its partners up instead of scanning
# every state.
states_by_value[value] contains fact if {
	some fact in states
	value := fact.value
}

# Reported on the less production-like side; both sides are named.
deny contains result if {
	some fact in states
	others := [o | some o in states_by_value[fact.value]; o.environment != fact.environment]
	count(others) > 0
	every o in others {
		rank[o.environment] > rank[fact.environment]
	}
	result := {
		"msg": sprintf("%s environment keeps its Terraform state at %s (via %s), the same location as %s (%s)", [fact.environment, fact.value, fact.via, others[0].environment, others[0].file]),
		"at": fact,
		"related": array.concat(
			[{"at": {"file": fact.file, "span": fact.defined_span}, "msg": "the state is configured here"} | fact.defined_span],
			[{"at": o, "msg": sprintf("%s keeps its state at the same location here", [o.environment])} | some o in others],
		),
	}
}
