# METADATA
# title: kubectl delete of every resource, with no selector
# description: |
#   A `kubectl delete` that targets `--all` resources of a type, or every
#   namespace (`--all-namespaces`/`-A`), with no label (`-l`) or field selector
#   and no `--dry-run`.
#
#   Why is this bad? The delete is scoped to whatever the current kube context
#   and namespace happen to be, not to what the job created. Xervo's 2015 outage
#   came from a cleanup tool that deprovisioned live servers it wrongly judged
#   orphaned; cloud.gov's from a cleanup task "not written to only delete the
#   virtual machine instances that it had created".
#
#   Deleting only pods (`kubectl delete pods --all -n X`, the restart idiom) is
#   a warning: their controllers recreate them, but every replica goes down at
#   once. Any other resource type is an error: it is gone.
#
#   A label selector bounds a delete to what the job owns only when the label
#   says so: an unattended delete of namespaces (or across every namespace)
#   selected by an app or team label (`kubectl delete namespaces -l
#   team=checkout` in a nightly job) also selects production's namespaces,
#   which carry the same label. A label naming an owner, run or throwaway
#   environment (`owner=ci`, `run-id=$RUN_ID`, `env=preview`) is bounded.
# custom:
#   id: kubectl-delete-all
#   category: unbounded-delete
#   severity: error
#   kinds: [shell, ci, kubernetes]
#   help: Select what the job owns with a label selector (`-l app.kubernetes.io/managed-by=ci,run-id=$RUN_ID`) or name the resources explicitly.
#   bad: |
#     kubectl delete pods --all --all-namespaces
#   good: |
#     kubectl delete pods -n "preview-${CI_MERGE_REQUEST_IID}" -l app.kubernetes.io/instance=preview
package blastwall.unbounded_delete.kubectl_delete_all

import rego.v1

import data.blastwall.lib.shell

# The programs this rule reads: blastwall skips documents whose commands run none of them.
programs := {"kubectl"}

deny contains result if {
	some c, cmd in input.commands
	cmd.program in programs
	a := cmd.args
	"delete" in a
	# Scopes come only from these flags, which most deletes lack: tested before computing them.
	some flag in ["--all", "--all-namespaces", "-A"]
	flag in a
	scopes := unbounded_scopes(a)
	count(scopes) > 0
	not selected(a)
	not shell.dry_run(a)
	result := {
		"msg": sprintf("`kubectl delete %s` deletes every matching resource in %s, not only what this job created%s", [concat(" ", sort(scopes)), where(a), pods_note(a)]),
		"path": ["commands", c],
		"severity": severity(a),
		"fix": selector_fix(cmd, c),
	}
}

# An unattended delete of whole namespaces, or of anything across every namespace, selected
# only by a label an app or team puts on all its environments (`-l team=checkout`): the
# production namespace carries it too. A label the job owns (`owner=ci`, `run-id=$RUN_ID`,
# `env=preview`) bounds it.
deny contains result if {
	some c, cmd in input.commands
	cmd.program in programs
	a := cmd.args
	"delete" in a
	# Word lookups first: most deletes name neither every namespace nor a label.
	cluster_wide_target(a)
	some w in a
	label_flag(w)
	selector := label_selector(a)
	shell.automated(cmd)
	not shell.owned_filter(selector)
	not shell.dry_run(a)
	result := {
		"msg": sprintf("`kubectl delete %s -l %s` runs unattended and selects %s by a label every environment of the app can carry, production's included, not by what this job created", [concat(",", sort(resource_types(a))), selector, where_labelled(a)]),
		"path": ["commands", c],
		"severity": "error",
		"related": shell.run_by(cmd),
	}
}

label_flag(w) if startswith(w, "-l")

label_flag(w) if startswith(w, "--selector")

# `-l x`, `-lx`, `--selector x`, `-l=x`, `--selector=x`.
label_selector(a) := v if {
	v := shell.flag_value(a, "-l")
} else := v if {
	v := shell.flag_value(a, "--selector")
} else := substring(w, 2, -1) if {
	some w in a
	regex.match(`^-l[^=].*`, w)
}

cluster_wide_target(a) if {
	some t in ["ns", "namespace", "namespaces", "--all-namespaces", "-A"]
	t in a
}

where_labelled(a) := "namespaces" if {
	some t in ["ns", "namespace", "namespaces"]
	t in a
} else := "resources in every namespace"

# The resource types named after `delete` (`pods,svc` → {"pods", "svc"}).
resource_types(a) := {t |
	some i, word in a
	word == "delete"
	i + 1 < count(a)
	not startswith(a[i + 1], "-")
	some t in split(a[i + 1], ",")
}

# Deleting only pods is the restart idiom: controllers recreate them, nothing is lost
# for good, but every replica goes down at once. Anything else is gone.
pods_only(a) if {
	types := resource_types(a)
	count(types) > 0
	every t in types {
		t in {"po", "pod", "pods"}
	}
}

severity(a) := "warning" if pods_only(a)

else := "error"

pods_note(a) := " (their controllers recreate them, but every replica goes down at once)" if pods_only(a)

else := ""

# Unsafe: the label is a placeholder for whatever marks this job's resources
# (`--all` and `-l` together are rejected by kubectl, so `--all` is replaced).
selector_fix(cmd, c) := {
	"title": "select by label instead of `--all` (set the label this job's resources carry)",
	"path": ["commands", c, "words", first_word(cmd, {"--all"})],
	"replacement": "-l app.kubernetes.io/managed-by=ci",
	"safe": false,
} if {
	first_word(cmd, {"--all"})
} else := {
	"title": "add a label selector (set the label this job's resources carry)",
	"path": ["commands", c, "words", first_word(cmd, {"-A", "--all-namespaces"})],
	"insert": "after",
	"replacement": " -l app.kubernetes.io/managed-by=ci",
	"safe": false,
} if {
	first_word(cmd, {"-A", "--all-namespaces"})
} else := null

first_word(cmd, texts) := min(indexes) if {
	indexes := {w | some w, word in cmd.words; word.text in texts}
	count(indexes) > 0
}

unbounded_scopes(a) := {s |
	some s in ["--all", "--all-namespaces", "-A"]
	s in a
	not owned_namespace_only(a, s)
}

# `--all` inside a namespace named after the CI run is bounded to the run.
owned_namespace_only(a, "--all") if {
	not "-A" in a
	not "--all-namespaces" in a
	ns := namespace(a)
	shell.run_scoped(ns)
}

# `-n` and `--namespace` both given (kubectl takes the last): one value, never a conflict.
namespace(a) := ns if {
	ns := shell.flag_value(a, "-n")
} else := shell.flag_value(a, "--namespace")

selected(a) if shell.has_flag(a, "-l")

selected(a) if shell.has_flag(a, "--selector")

selected(a) if shell.has_flag(a, "--field-selector")

selected(a) if {
	some word in a
	regex.match(`^-l.+`, word)
}

where(a) := "every namespace" if {
	some s in ["--all-namespaces", "-A"]
	s in a
} else := sprintf("namespace `%s`", [namespace(a)]) if {
	namespace(a)
} else := "the current namespace"
