package blastwall.shared_account_across_envs.same_credential_in_prod_and_nonprod_test

import rego.v1

import data.blastwall.shared_account_across_envs.same_credential_in_prod_and_nonprod as rule

cred(env, job, value, scoped, start) := {"type": "deploy-credential", "value": value, "via": value, "job": job, "scoped": scoped, "environment": env, "file": ".github/workflows/deploy.yml", "document": 0, "span": [start, start + 1]}

test_flags_shared_repository_secret if {
	facts := [cred("prod", "deploy-prod", "AWS_ACCESS_KEY_ID", false, 100), cred("dev", "deploy-dev", "AWS_ACCESS_KEY_ID", false, 10)]
	results := rule.deny with input as {"facts": facts}
	count(results) == 1
	some r in results
	r.at.job == "deploy-dev"
	r.related[0].at.job == "deploy-prod"
}

test_one_finding_per_job if {
	facts := [
		cred("prod", "deploy-prod", "AWS_ACCESS_KEY_ID", false, 100), cred("prod", "deploy-prod", "AWS_SECRET_ACCESS_KEY", false, 120),
		cred("dev", "deploy-dev", "AWS_ACCESS_KEY_ID", false, 10), cred("dev", "deploy-dev", "AWS_SECRET_ACCESS_KEY", false, 30),
	]
	results := rule.deny with input as {"facts": facts}
	count(results) == 1
	some r in results
	r.at.span == [10, 11]
}

test_ignores_environment_scoped_secrets if {
	facts := [cred("prod", "deploy-prod", "AWS_ROLE_ARN", true, 100), cred("dev", "deploy-dev", "AWS_ROLE_ARN", false, 10)]
	count(rule.deny) == 0 with input as {"facts": facts}
}

test_ignores_different_credentials_and_nonprod_pairs if {
	facts := [cred("prod", "deploy-prod", "PROD_KEY", false, 100), cred("dev", "deploy-dev", "DEV_KEY", false, 10), cred("staging", "deploy-staging", "DEV_KEY", false, 50)]
	count(rule.deny) == 0 with input as {"facts": facts}
}

# One job definition invoked for staging and production reads the credential at one place:
# the production job is shown where it is invoked, not at that same place again.
test_a_shared_definition_relates_the_production_invocation if {
	staging := object.union(cred("staging", "publish-staging", "ROLE_ARN", false, 10), {"job_span": [300, 310]})
	production := object.union(cred("prod", "publish-production", "ROLE_ARN", false, 10), {"job_span": [400, 410]})
	results := rule.deny with input as {"facts": [staging, production]}
	count(results) == 1
	some r in results
	r.at.job == "publish-staging"
	r.related[0].at == {"file": ".github/workflows/deploy.yml", "span": [400, 410]}
}
