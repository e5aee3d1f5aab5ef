package blastwall.unbounded_delete.rbac_cluster_wide_delete_test

import rego.v1

import data.blastwall.unbounded_delete.rbac_cluster_wide_delete as rule

role(kind, name, rules) := {"content": {"kind": kind, "metadata": {"name": name}, "rules": rules}}

binding(role_name, subject) := {"content": {"kind": "ClusterRoleBinding", "metadata": {"name": "b"}, "roleRef": {"name": role_name}, "subjects": [subject]}}

test_flags_ci_cluster_role_deleting_everything if {
	results := rule.deny with input as role("ClusterRole", "ci-cleanup", [{"resources": ["pods"], "verbs": ["get"]}, {"resources": ["*"], "verbs": ["*"]}])
	count(results) == 1
	some r in results
	r.path == ["content", "rules", 1]
}

test_flags_namespace_deletion if {
	some r in rule.deny with input as role("ClusterRole", "preview-janitor", [{"resources": ["namespaces"], "verbs": ["delete"]}])
	contains(r.msg, "every namespace and everything in it")
}

test_flags_cluster_admin_for_a_runner if {
	count(rule.deny) == 1 with input as binding("cluster-admin", {"kind": "ServiceAccount", "name": "github-runner"})
}

test_ignores_operators_readers_namespaced_roles_and_people if {
	count(rule.deny) == 0 with input as role("ClusterRole", "argocd-application-controller", [{"resources": ["*"], "verbs": ["*"]}])
	count(rule.deny) == 0 with input as role("ClusterRole", "ci-reader", [{"resources": ["*"], "verbs": ["get", "list"]}])
	count(rule.deny) == 0 with input as role("Role", "ci-cleanup", [{"resources": ["*"], "verbs": ["delete"]}])
	count(rule.deny) == 0 with input as binding("cluster-admin", {"kind": "Group", "name": "platform-oncall"})
	count(rule.deny) == 0 with input as binding("view", {"kind": "ServiceAccount", "name": "ci"})
}

# Scalars where the API requires lists are rejected by the API server: no grant, and no failure.
test_scalars_where_lists_belong_grant_nothing if {
	count(rule.deny) == 0 with input as role("ClusterRole", "ci-cleanup", [{"resources": ["*"], "verbs": "*"}])
	count(rule.deny) == 0 with input as role("ClusterRole", "ci-cleanup", 3)
	count(rule.deny) == 0 with input as binding("cluster-admin", {"kind": "ServiceAccount", "name": 3})
}

# A templated name read as a map or as nothing names no identity, and is no policy failure.
test_names_that_are_not_strings if {
	every name in [{"{{ .Release.Name }}": null}, null, 3] {
		count(rule.deny) == 0 with input as {"content": {"kind": "ClusterRole", "metadata": {"name": name}, "rules": [{"verbs": ["*"], "resources": ["*"]}]}}
	}
}
