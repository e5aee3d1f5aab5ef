# METADATA
# title: Cloud accounts test contexts reach
# description: |
#   Collects the AWS account ids (own account-id settings and role ARNs), GCP
#   projects and Azure subscriptions that test contexts name: settings of test
#   configuration files (`.env.test`, pytest-env, `application-test.yml`, …)
#   and the variables, `role-to-assume` inputs and identities of CI test jobs
#   (manifests' identities: `facts.manifest_accounts`). CI jobs that
#   declare an environment, or whose name says where they run, are collected by
#   `cloud_accounts` with it.
#   Facts are `{"type": "test-reference", "target": <account fact type>, "value", "context"}`.
# custom:
#   kinds: [test-config, docker-compose, yaml, json, ci]
package blastwall.facts.test_context_accounts

import rego.v1

import data.blastwall.lib.cloud_ids

facts contains reference(f, sprintf("test configuration `%s`", [input.file])) if {
	# Settings exist only for test contexts (files and per-environment test sections).
	some s, setting in input.settings
	s in account_settings
	parts := split(setting.name, ".")
	f := cloud_ids.setting_fact(parts[count(parts) - 1], setting.value, ["settings", s])
}

facts contains reference(f, test_job(job)) if {
	some j, job in input.jobs
	job.test
	test_context(job)
	some v, variable in job.variables
	is_string(variable.value)
	may_name_account(variable.name)
	f := cloud_ids.setting_fact(variable.name, variable.value, ["jobs", j, "variables", v])
}

facts contains reference(object.union(f, {"via": key}), test_job(job)) if {
	some job in input.jobs
	job.test
	test_context(job)
	some step in job.steps
	is_object(step["with"])
	some key, value in step["with"]
	lower(key) in {"role-to-assume", "subscription-id"}
	f := cloud_ids.setting_fact(replace(key, "-", "_"), value, array.concat(["content"], array.concat(step.path, ["with", key])))
}

facts contains reference(object.union(f, {"via": identity.text}), test_job(job)) if {
	some j, job in input.jobs
	job.test
	test_context(job)
	count(job.identities) > 0
	written := {v | some step in job.steps; is_object(step["with"]); some v in step["with"]} | {v.value | some v in job.variables}
	some k, identity in job.identities
	not identity.text in written
	not cloud_ids.shared_service_identity(identity.text)
	f := {"type": identity.type, "value": identity.value, "path": ["jobs", j, "identities", k]}
}

# Every key cloud_ids.setting_fact accepts names an account, role, project or subscription
# (compared in lower case): one cheap test spares most settings its four regex-guarded,
# cross-package bodies.
may_name_account(key) if regex.match(`account|role|project|subscription`, lower(key))

# The settings whose name may end in such a key. One test over all names (joined by line breaks,
# which none of these words spans) first rules out most documents without a call per setting.
account_settings := {s | some s, setting in input.settings; may_name_account(setting.name)} if {
	may_name_account(concat("\n", [setting.name | some setting in input.settings]))
}

reference(f, context) := object.union(f, {"type": "test-reference", "target": f.type, "context": context})

# A test job is a test context unless it declares an environment or its name says where it
# runs (`smoke-prod` checks production): `integration`, `e2e` name no environment.
test_context(job) if job.env == null

test_context(job) if {
	job.env == "test"
	job.environment == null
}

test_job(job) := sprintf("test job `%s` (%s)", [job.name, concat(", ", job.test_reasons)])
