# METADATA
# title: Cloud account identifiers declared by Terraform providers
# description: |
#   Collects the AWS account ids a Terraform configuration targets, from
#   `provider "aws"` (`allowed_account_ids`, `assume_role.role_arn`). Each fact
#   carries the document's environment; repository rules compare them.
# custom:
#   kinds: [terraform]
package blastwall.facts.cloud_accounts

import rego.v1

facts contains fact if {
	some p, provider in input.content.provider.aws
	some i, id in provider.allowed_account_ids
	regex.match(`^[0-9]{12}$`, id)
	fact := {
		"type": "aws-account",
		"value": id,
		"via": "allowed_account_ids",
		"path": ["content", "provider", "aws", p, "allowed_account_ids", i],
	}
}

facts contains fact if {
	some p, provider in input.content.provider.aws
	some r, role in provider.assume_role
	parts := regex.find_all_string_submatch_n(`^arn:aws[a-z-]*:iam::([0-9]{12}):`, role.role_arn, 1)
	count(parts) == 1
	fact := {
		"type": "aws-account",
		"value": parts[0][1],
		"via": "assume_role.role_arn",
		"path": ["content", "provider", "aws", p, "assume_role", r, "role_arn"],
	}
}
