# METADATA
# title: Production cloud account also used by a non-production environment
# description: |
#   Two environments of the repository, one of them production, target the same
#   cloud account (Terraform `provider "aws"` `allowed_account_ids` or the
#   account in `assume_role.role_arn`).
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
#   help: Give each environment its own account, and pin it with `allowed_account_ids` in every environment's provider.
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

deny contains result if {
	some fact in input.facts
	fact.type == "aws-account"
	fact.environment != null
	fact.environment != "prod"
	prod := [p | some p in input.facts; p.type == fact.type; p.value == fact.value; p.environment == "prod"]
	count(prod) > 0
	result := {
		"msg": sprintf("%s environment targets AWS account %s (via `%s`), which production also uses (%s)", [fact.environment, fact.value, fact.via, prod[0].file]),
		"at": fact,
		"related": [{"at": p, "msg": sprintf("production uses account %s here", [p.value])} | some p in prod],
	}
}
