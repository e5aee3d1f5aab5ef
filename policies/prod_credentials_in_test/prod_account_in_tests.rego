# METADATA
# title: Test context uses the production cloud account
# description: |
#   A CI test job or a test configuration file names an AWS account (an
#   account-id setting or the account in a role ARN), GCP project or Azure
#   subscription that the repository itself declares as production — in
#   production Terraform (`envs/prod` providers, tfvars, Terragrunt) or a
#   production deploy job — or that `.blastwall.yaml` lists under
#   `environments.prod`.
#
#   Why is this bad? Credentials for the production account let a test do to
#   production whatever it does to its fixtures: create, truncate, delete. In
#   2017 DigitalOcean lost its primary database to an automated test process
#   configured with production credentials. Tests belong in a test account.
# custom:
#   id: prod-account-in-tests
#   category: prod-credentials-in-test
#   severity: error
#   scope: repository
#   help: >-
#     Run tests in a test account: assume a role in the test account (e.g.
#     `arn:aws:iam::<test-account>:role/ci-tests`) and keep production roles
#     for deploy jobs behind `environment: production`.
#   bad: |
#     # envs/prod/main.tf: provider "aws" { allowed_account_ids = ["111111111111"] }
#     # .env.test
#     AWS_ROLE_ARN=arn:aws:iam::111111111111:role/app
#   good: |
#     # .env.test
#     AWS_ROLE_ARN=arn:aws:iam::222222222222:role/app-tests
package blastwall.prod_credentials_in_test.prod_account_in_tests

import rego.v1

import data.blastwall.lib.production

deny contains result if {
	some fact in input.facts
	fact.type == "test-reference"
	indices := prod_at[[fact.target, fact.value]]
	prod := [input.facts[i] | some i in indices]
	result := {
		"msg": sprintf("%s uses %s %s (via `%s`), which production uses (%s)", [fact.context, label[fact.target], fact.value, fact.via, prod[0].file]),
		"at": fact,
		"related": [{"at": p, "msg": sprintf("production uses %s %s here", [label[fact.target], p.value])} | some p in prod],
	}
}

deny contains result if {
	some fact in input.facts
	fact.type == "test-reference"
	not declared_in_repository(fact)
	fact.value in production.configured(configured_field[fact.target])
	result := {
		"msg": sprintf("%s uses %s %s (via `%s`), which `.blastwall.yaml` declares as production", [fact.context, label[fact.target], fact.value, fact.via]),
		"at": fact,
	}
}

declared_in_repository(fact) if prod_at[[fact.target, fact.value]]

# The indices of production facts by id, computed once so that each test
# reference looks its partners up instead of scanning every fact. Indices keep
# the facts in input order.
prod_at[id] contains i if {
	some i, p in input.facts
	p.environment == "prod"
	id := [p.type, p.value]
}

label := {"aws-account": "AWS account", "gcp-project": "GCP project", "azure-subscription": "Azure subscription"}

configured_field := {"aws-account": "accounts", "gcp-project": "projects", "azure-subscription": "subscriptions"}
