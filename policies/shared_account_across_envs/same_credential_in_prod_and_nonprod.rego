# METADATA
# title: One credential deploys both production and a non-production environment
# description: |
#   A CI job deploying a non-production environment uses the same cloud or
#   cluster credential as a production deploy job: the same secret or
#   variable (`AWS_ACCESS_KEY_ID`, `GCP_SA_KEY`, `KUBECONFIG`, a role passed to
#   `aws-actions/configure-aws-credentials`), the same service account or
#   client id, the same CircleCI context, or the same Azure Pipelines service
#   connection or cloud-named variable group, or the same role or profile in the
#   per-environment sections of one config (SAM, Serverless, Pulumi, a
#   Terraform map keyed by environment). Secrets read by jobs that declare
#   an `environment:` are not compared, since GitHub environments and GitLab
#   environment-scoped variables give one name a value per environment; nor are
#   those of jobs given a context or variable group named for an environment
#   (`aws-staging`). One job definition run for several environments (a CircleCI
#   job invoked per environment, a GitHub matrix over environments) is one job
#   per environment.
#
#   Why is this bad? A credential that can deploy production makes every
#   non-production job a production job: a dev cleanup task, a test run or a
#   compromised feature branch acts on production with it. cloud.gov's 2018
#   outage came from development reaching production through shared access.
# custom:
#   id: same-credential-in-prod-and-nonprod
#   category: shared-account-across-envs
#   severity: error
#   scope: repository
#   help: >-
#     Give each environment its own credential: declare `environment:` on the
#     deploy jobs and store the secret per environment (GitHub environment
#     secrets, GitLab environment-scoped variables, one CircleCI context or
#     Azure service connection per environment), each for a role in that
#     environment's account. In a per-environment map (Terraform `locals`,
#     Serverless `deployRoles`, SAM config environments) give each entry the
#     deploy role of its own environment's account.
#   bad: |
#     deploy-dev:
#       steps:
#         - uses: aws-actions/configure-aws-credentials@v4
#           with:
#             aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
#     deploy-prod:
#       steps:
#         - uses: aws-actions/configure-aws-credentials@v4
#           with:
#             aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
#   good: |
#     deploy-dev:
#       environment: development
#       steps:
#         - uses: aws-actions/configure-aws-credentials@v4
#           with:
#             role-to-assume: ${{ secrets.AWS_ROLE_ARN }}
#     deploy-prod:
#       environment: production
#       steps:
#         - uses: aws-actions/configure-aws-credentials@v4
#           with:
#             role-to-assume: ${{ secrets.AWS_ROLE_ARN }}
package blastwall.shared_account_across_envs.same_credential_in_prod_and_nonprod

import rego.v1

credentials contains fact if {
	some fact in input.facts
	fact.type == "deploy-credential"
	fact.environment != null
	not fact.scoped
}

# Computed once, so that each credential looks its partners up instead of
# scanning every credential.
prod_by_value[value] contains p if {
	some p in credentials
	p.environment == "prod"
	value := p.value
}

by_job[job] contains fact if {
	some fact in credentials
	job := [fact.file, fact.job, fact.environment]
}

# One finding per non-production job: the first shared credential it uses.
deny contains result if {
	some fact in credentials
	fact.environment != "prod"
	prod_facts := prod_by_value[fact.value]
	prod := [p | some p in prod_facts]
	not earlier_in_job(fact)
	result := {
		"msg": sprintf("%s deploy job `%s` uses %s, the same credential production deploys with (job `%s` in %s)", [fact.environment, fact.job, fact.via, prod[0].job, prod[0].file]),
		"at": fact,
		"related": [{"at": used_at(p, fact), "msg": sprintf("production job `%s` uses it here", [p.job])} | some p in prod],
	}
}

# Where a production job uses the credential: the job itself when the credential is
# written in a definition both jobs run (one CircleCI job invoked per environment).
used_at(p, fact) := {"file": p.file, "span": p.job_span} if {
	p.file == fact.file
	p.span == fact.span
	p.job_span
} else := p

earlier_in_job(fact) if {
	some other in by_job[[fact.file, fact.job, fact.environment]]
	prod_by_value[other.value]
	[other.document, other.span[0]] < [fact.document, fact.span[0]]
}
