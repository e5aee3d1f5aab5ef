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

scheduled_job(argv) := {
	"kind": "circleci",
	"jobs": [{"id": "nightly", "scheduled": true, "triggers": [], "called_by": []}],
	"commands": [{"argv": argv, "program": argv[0], "args": argv, "span": [0, 1], "job": 0}],
}

# An unattended delete of namespaces by an app or team label also takes production's.
test_flags_unattended_namespace_delete_by_a_shared_label if {
	results := rule.deny with input as scheduled_job(["kubectl", "delete", "namespaces", "-l", "team=checkout", "--wait=true"])
	count(results) == 1
	some r in results
	contains(r.msg, "-l team=checkout")
	count(rule.deny) == 1 with input as scheduled_job(["kubectl", "delete", "deploy", "-A", "--selector=app=web"])
}

test_ignores_labels_the_job_owns_and_deletes_a_person_runs if {
	every argv in [
		["kubectl", "delete", "ns", "-l", "owner=ci,run-id=$CIRCLE_WORKFLOW_ID"],
		["kubectl", "delete", "ns", "-l", "env=preview"],
		["kubectl", "delete", "ns", "-l", "team=checkout", "--dry-run=client"],
		# One namespace's resources by label: bounded by the namespace.
		["kubectl", "delete", "deploy", "-n", "checkout-sandbox", "-l", "team=checkout"],
	] {
		count(rule.deny) == 0 with input as scheduled_job(argv)
	}
	count(rule.deny) == 0 with input as {"kind": "shell", "jobs": [], "callers": [], "commands": [{"argv": ["kubectl", "delete", "ns", "-l", "team=checkout"], "program": "kubectl", "args": ["kubectl", "delete", "ns", "-l", "team=checkout"], "span": [0, 1]}]}
}
