package blastwall.unbounded_delete.kubectl_delete_all_test

import rego.v1

import data.blastwall.unbounded_delete.kubectl_delete_all as rule

# `program` and `args` as the model computes them (src/model/script.rs); these argv have no wrappers.
cmds(argv) := {"commands": [{"argv": argv, "program": argv[0], "args": argv, "span": [0, 1]}]}

test_flags_delete_all_in_current_namespace if {
	results := rule.deny with input as cmds(["kubectl", "delete", "pods", "--all"])
	count(results) == 1
	some r in results
	contains(r.msg, "the current namespace")
	r.path == ["commands", 0]
}

test_flags_all_namespaces_behind_sudo if {
	sudo := {"argv": ["sudo", "-E", "kubectl", "delete", "jobs", "--all", "-A"], "program": "kubectl", "args": ["kubectl", "delete", "jobs", "--all", "-A"], "span": [0, 1]}
	count(rule.deny) == 1 with input as {"commands": [sudo]}
}

test_flags_all_in_a_shared_namespace if {
	count(rule.deny) == 1 with input as cmds(["kubectl", "delete", "deploy", "--all", "-n", "production"])
}

test_ignores_label_selector if {
	count(rule.deny) == 0 with input as cmds(["kubectl", "delete", "pods", "--all", "-l", "run=$RUN_ID"])
	count(rule.deny) == 0 with input as cmds(["kubectl", "delete", "pods", "-A", "--selector=app=preview"])
	count(rule.deny) == 0 with input as cmds(["kubectl", "delete", "pods", "-A", "-lapp=preview"])
}

test_ignores_run_scoped_namespace if {
	count(rule.deny) == 0 with input as cmds(["kubectl", "delete", "all", "--all", "-n", "preview-$CI_MERGE_REQUEST_IID"])
}

test_ignores_dry_run_and_named_resources if {
	count(rule.deny) == 0 with input as cmds(["kubectl", "delete", "pods", "--all", "--dry-run=client"])
	count(rule.deny) == 0 with input as cmds(["kubectl", "delete", "pod", "web-0", "-n", "prod"])
}

test_ignores_other_programs if {
	count(rule.deny) == 0 with input as cmds(["echo", "kubectl", "delete", "pods", "--all"])
}

test_pods_only_is_a_warning_other_types_an_error if {
	pods := rule.deny with input as cmds(["kubectl", "delete", "pods", "--all", "-n", "metallb-system"])
	some p in pods
	p.severity == "warning"
	contains(p.msg, "recreate")
	jobs := rule.deny with input as cmds(["kubectl", "delete", "jobs,pods", "--all", "-n", "ci"])
	some j in jobs
	j.severity == "error"
}

test_ignores_namespace_named_by_a_github_expression if {
	count(rule.deny) == 0 with input as cmds(["kubectl", "delete", "all", "--all", "-n", "pr-${{ github.event.pull_request.number }}"])
	count(rule.deny) == 1 with input as cmds(["kubectl", "delete", "all", "--all", "-n", "pr-${{ github.event.number_of_things }}"])
}

test_both_namespace_flags_give_one_namespace if {
	some r in rule.deny with input as cmds(["kubectl", "delete", "jobs", "--all", "-n", "ci", "--namespace", "web"])
	contains(r.msg, "namespace `ci`")
}
