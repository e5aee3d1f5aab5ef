# METADATA
# title: CI or test identity may delete anything in the cluster
# description: |
#   A Kubernetes `ClusterRole` named for CI, tests or cleanup (`ci-runner`,
#   `e2e-cleanup`, `janitor`) that grants `delete`, `deletecollection` or `*`
#   on every resource (`resources: ["*"]`) or on `namespaces`; or a
#   `ClusterRoleBinding` that gives `cluster-admin`, `admin` or `edit` to a CI,
#   runner or test service account or user.
#
#   Why is this bad? A cleanup job holding this role can delete every
#   namespace and workload in the cluster, production included, not only what
#   it created. Xervo's 2015 outage came from an auditing tool that
#   deprovisioned live servers it judged orphaned; RBAC is the last line that
#   could have stopped it. Operator roles (Argo CD, Flux) are not named for CI
#   and are not reported.
# custom:
#   id: rbac-cluster-wide-delete
#   category: unbounded-delete
#   severity: warning
#   kinds: [kubernetes/ClusterRole, kubernetes/ClusterRoleBinding]
#   help: >-
#     Give CI and test jobs a namespaced `Role` bound with a `RoleBinding` in
#     the namespaces they own (e.g. `ci-*`, `preview-*`), listing the resources
#     they manage instead of `*`; never bind `cluster-admin` to a CI identity.
#   bad: |
#     apiVersion: rbac.authorization.k8s.io/v1
#     kind: ClusterRole
#     metadata:
#       name: ci-cleanup
#     rules:
#       - apiGroups: ["*"]
#         resources: ["*"]
#         verbs: ["get", "list", "delete", "deletecollection"]
#   good: |
#     apiVersion: rbac.authorization.k8s.io/v1
#     kind: Role
#     metadata:
#       name: ci-cleanup
#       namespace: ci-previews
#     rules:
#       - apiGroups: ["apps", ""]
#         resources: ["deployments", "services", "pods"]
#         verbs: ["get", "list", "delete"]
package blastwall.unbounded_delete.rbac_cluster_wide_delete

import rego.v1

deny contains result if {
	input.content.kind == "ClusterRole"
	name := input.content.metadata.name
	ci_identity(name)
	some i, rule in listed(input.content.rules)
	verbs := {v | some v in listed(rule.verbs)} & {"delete", "deletecollection", "*"}
	count(verbs) > 0
	targets := {r | some r in listed(rule.resources)} & {"*", "namespaces"}
	count(targets) > 0
	result := {
		"msg": sprintf("ClusterRole `%s` grants `%s` on `%s` in every namespace: whatever holds it can delete %s, not only what it created", [
			name, concat("`, `", sort(verbs)), concat("`, `", sort(targets)), what(targets),
		]),
		"path": ["content", "rules", i],
	}
}

deny contains result if {
	input.content.kind == "ClusterRoleBinding"
	role := input.content.roleRef.name
	role in {"cluster-admin", "admin", "edit"}
	some s, subject in listed(input.content.subjects)
	subject.kind in {"ServiceAccount", "User", "Group"}
	is_string(subject.name)
	ci_identity(subject.name)
	result := {
		"msg": sprintf("ClusterRoleBinding `%s` gives `%s` to %s `%s` in every namespace: a CI or test job can delete any workload or namespace in the cluster", [
			input.content.metadata.name, role, subject.kind, subject.name,
		]),
		"path": ["content", "subjects", s],
	}
}

what(targets) := "every namespace and everything in it" if "namespaces" in targets

else := "any resource of any kind"

# A name that is not a string (`name: {{ .Release.Name }}` read as a map, `name: ##X##` read
# as a comment) names no identity.
ci_identity(name) if {
	is_string(name)
	regex.match(`(^|[^a-z])(ci|test|tests|testing|e2e|runner|runners|gitlab|github|jenkins|buildkite|cleanup|janitor|sweeper|reaper)([^a-z]|$)`, lower(name))
}

# A list the API requires; a scalar where one belongs (`verbs: "*"`) is rejected by the API
# server, so it grants nothing.
listed(value) := value if is_array(value)

else := []
