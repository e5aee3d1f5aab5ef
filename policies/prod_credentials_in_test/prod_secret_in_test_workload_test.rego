package blastwall.prod_credentials_in_test.prod_secret_in_test_workload_test

import rego.v1

import data.blastwall.prod_credentials_in_test.prod_secret_in_test_workload as rule

job(refs) := {
	"file": "k8s/ci/e2e.yaml",
	"kind": "kubernetes",
	"content": {"kind": "Job", "metadata": {"name": "e2e", "namespace": "ci"}},
	"secret_refs": refs,
}

ref(name, env, via) := {"name": name, "env": env, "via": via, "variable": "PGPASSWORD", "path": []}

test_flags_prod_secret_key_ref_naming_workload_namespace_and_variable if {
	results := rule.deny with input as job([ref("prod-db-credentials", "prod", "env")])
	count(results) == 1
	some r in results
	r.path == ["secret_refs", 0]
	r.msg == "test workload `Job/e2e` in namespace `ci` reads production Secret `prod-db-credentials` into `PGPASSWORD`"
	contains(r.help, "namespace `ci` (e.g. `test-db-credentials`)")
}

test_flags_env_from_and_volumes if {
	results := rule.deny with input as job([ref("production-env", "prod", "envFrom"), ref("live-stripe", "prod", "volume")])
	count(results) == 2
}

test_ignores_test_staging_and_unmarked_secrets if {
	count(rule.deny) == 0 with input as job([
		ref("test-db-credentials", "test", "env"),
		ref("staging-db", "staging", "envFrom"),
		ref("orders-db", null, "volume"),
	])
}

test_honours_configured_secret_globs if {
	count(rule.deny) == 1 with input as job([ref("orders-db", null, "env")])
		with data.blastwall.config.environments.prod.secrets as ["orders-*"]
}

test_helm_values_name_the_file if {
	results := rule.deny with input as {"file": "charts/orders/values-test.yaml", "kind": "helm-values", "content": {}, "secret_refs": [ref("prod-db-credentials", "prod", "envFrom")]}
	some r in results
	startswith(r.msg, "Helm test values `charts/orders/values-test.yaml` reads")
	contains(r.help, "in the test namespace")
}

test_test_name_replaces_whole_words_only if {
	rule.test_name("prod-db-credentials") == "test-db-credentials"
	rule.test_name("orders-production") == "orders-test"
	rule.test_name("product-api") == "product-api"
}
