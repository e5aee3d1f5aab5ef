# METADATA
# title: Production Secret read by a test workload
# description: |
#   A Kubernetes workload in a test namespace or directory (`namespace: ci`,
#   `k8s/overlays/test/`), or a Helm test values file (`values-test.yaml`,
#   `values-ci.yaml`), reads a Secret whose name marks it as production
#   (`prod-db-credentials`, `production-env`, `live-stripe`, or a name
#   `.blastwall.yaml` declares): through `env[].valueFrom.secretKeyRef`,
#   `envFrom[].secretRef` or a `secret` volume. `imagePullSecrets` do not count:
#   a registry credential pulls images, it does not reach production data.
#
#   Why is this bad? The test runs with production's database password or API
#   keys, and tests create, truncate and delete data by design. In 2017
#   DigitalOcean lost its primary database to an automated test process
#   configured with production credentials.
# custom:
#   id: prod-secret-in-test-workload
#   category: prod-credentials-in-test
#   severity: error
#   kinds: [kubernetes, helm-values]
#   help: >-
#     Create a test-scoped Secret in the test namespace (e.g.
#     `test-db-credentials`) holding credentials for a test database, and
#     reference that one.
#   bad: |
#     apiVersion: batch/v1
#     kind: Job
#     metadata: {name: e2e, namespace: ci}
#     spec:
#       template:
#         spec:
#           containers:
#             - name: e2e
#               image: ghcr.io/acme/e2e:1.4.0
#               envFrom:
#                 - secretRef: {name: prod-db-credentials}
#   good: |
#     apiVersion: batch/v1
#     kind: Job
#     metadata: {name: e2e, namespace: ci}
#     spec:
#       template:
#         spec:
#           containers:
#             - name: e2e
#               image: ghcr.io/acme/e2e:1.4.0
#               envFrom:
#                 - secretRef: {name: test-db-credentials}
package blastwall.prod_credentials_in_test.prod_secret_in_test_workload

import rego.v1

import data.blastwall.lib.production

# blastwall evaluates this rule only on documents whose `secret_refs` is not empty.
reads := {"secret_refs"}

deny contains result if {
	# `secret_refs` exist only for test workloads and test values files.
	some r, ref in input.secret_refs
	production.secret(ref)
	result := {
		"msg": sprintf("%s reads production Secret `%s`%s", [workload, ref.name, reading(ref)]),
		"path": ["secret_refs", r],
		"help": sprintf("Create a test-scoped Secret in %s (e.g. `%s`) with credentials for a test system, and reference it instead of `%s`.", [where, test_name(ref.name), ref.name]),
	}
}

reading(ref) := sprintf(" into `%s`", [ref.variable]) if {
	ref.via == "env"
	is_string(ref.variable)
} else := " (every key, via `envFrom`)" if {
	ref.via == "envFrom"
} else := " (mounted as a volume)" if {
	ref.via == "volume"
} else := " from the secret store (External Secrets `remoteRef`)" if {
	ref.via == "external secret"
} else := ""

metadata(field) := value if {
	value := input.content.metadata[field]
	is_string(value)
} else := "?"

content_kind := kind if {
	kind := input.content.kind
	is_string(kind)
} else := "?"

workload := sprintf("test workload `%s/%s` in namespace `%s`", [content_kind, metadata("name"), metadata("namespace")]) if {
	input.kind == "kubernetes"
	metadata("namespace") != "?"
} else := sprintf("test workload `%s/%s` (`%s`)", [content_kind, metadata("name"), input.file]) if {
	input.kind == "kubernetes"
} else := sprintf("Helm test values `%s`", [input.file])

where := sprintf("namespace `%s`", [metadata("namespace")]) if {
	input.kind == "kubernetes"
	metadata("namespace") != "?"
} else := "the test namespace"

# prod-db-credentials → test-db-credentials, production-env → test-env.
test_name(name) := regex.replace(name, `(^|[-_.])(production|prod|prd|live)([-_.]|$)`, "${1}test${3}")
