# METADATA
# title: Two non-production environments share one cloud account
# description: |
#   Two non-production environments (dev, test, staging) of the repository
#   target the same AWS account, GCP project or Azure subscription, found the
#   same way as for `same-account-in-prod-and-nonprod`, or one targets an id
#   `.blastwall.yaml` lists under another non-production environment. Reported
#   once per file on each environment other than the most production-like one
#   (staging, then test, then dev), as a `note`: many teams keep dev and
#   staging in one account on purpose. `allow-shared-nonprod: true` in
#   `.blastwall.yaml` declares that choice and silences the rule. Sharing with
#   production is `same-account-in-prod-and-nonprod`, never excused.
#
#   Why is this bad? Staging exists to rehearse production changes; when dev
#   shares its account, a dev cleanup script, quota exhaustion or an
#   account-wide IAM change also breaks staging, and staging stops telling you
#   what production will do. cloud.gov's 2018 outage was the same mistake one
#   environment up.
# custom:
#   id: nonprod-environments-share-account
#   category: shared-account-across-envs
#   severity: note
#   scope: repository
#   help: >-
#     Give staging its own account (project, subscription) so that it mirrors
#     production's isolation, or set `allow-shared-nonprod: true` in
#     `.blastwall.yaml` if sharing among non-production environments is deliberate.
#   bad: |
#     # envs/dev/terraform.tfvars
#     account_id = "222222222222"
#     # envs/staging/terraform.tfvars
#     account_id = "222222222222"
#   good: |
#     # envs/dev/terraform.tfvars
#     account_id = "222222222222"
#     # envs/staging/terraform.tfvars
#     account_id = "333333333333"
package blastwall.shared_account_across_envs.nonprod_environments_share_account

import rego.v1

import data.blastwall.lib.cloud_ids

names := {"aws-account": "AWS account", "gcp-project": "GCP project", "azure-subscription": "Azure subscription"}

configured_field := {"aws-account": "accounts", "gcp-project": "projects", "azure-subscription": "subscriptions"}

# The most production-like environment of a sharing group keeps the account.
rank := {"dev": 0, "test": 1, "staging": 2}

account_facts contains fact if {
	not data.blastwall.config.allow_shared_nonprod
	some fact in input.facts
	names[fact.type]
	fact.environment != null
}

# A CI test job's account is where its tests run, not a test environment's own.
nonprod contains fact if {
	some fact in cloud_ids.reported(account_facts)
	fact.environment in object.keys(rank)
	not fact.test_job
	not used_in_production(fact)
}

# Facts grouped once by id and by place, so that each fact looks its partners
# up instead of scanning every other fact.
nonprod_by_id[id] contains fact if {
	some fact in nonprod
	id := [fact.type, fact.value]
}

nonprod_by_place[place] contains fact if {
	some fact in nonprod
	place := [fact.file, fact.type, fact.value, fact.environment]
}

prod_ids := {[p.type, p.value] | some p in account_facts; p.environment == "prod"}

deny contains result if {
	some fact in nonprod
	others := [o | some o in nonprod_by_id[[fact.type, fact.value]]; rank[o.environment] > rank[fact.environment]]
	count(others) > 0
	not earlier_in_file(fact)
	result := {
		"msg": sprintf("%s environment targets %s %s (via `%s`), which %s also uses (%s)", [fact.environment, names[fact.type], fact.value, fact.via, others[0].environment, others[0].file]),
		"at": fact,
		"related": [{"at": o, "msg": sprintf("%s uses %s %s here", [o.environment, names[o.type], o.value])} | some o in others],
	}
}

deny contains result if {
	some fact in nonprod
	some env, spec in data.blastwall.config.environments
	rank[env] > rank[fact.environment]
	fact.value in object.get(spec, configured_field[fact.type], [])
	not earlier_in_file(fact)
	result := {
		"msg": sprintf("%s environment targets %s %s (via `%s`), which `.blastwall.yaml` declares as %s", [fact.environment, names[fact.type], fact.value, fact.via, env]),
		"at": fact,
	}
}

used_in_production(fact) if [fact.type, fact.value] in prod_ids

used_in_production(fact) if fact.value in object.get(data.blastwall.config, ["environments", "prod", configured_field[fact.type]], [])

earlier_in_file(fact) if {
	some other in nonprod_by_place[[fact.file, fact.type, fact.value, fact.environment]]
	[other.document, other.span[0]] < [fact.document, fact.span[0]]
}
