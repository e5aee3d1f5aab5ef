# Helpers over `input.commands` (tokenized shell commands). See docs/input-schema.md.
package blastwall.lib.shell

import rego.v1

# `cmd.program` and `cmd.args` are computed once per command in Rust (src/model/script.rs):
# the program's base name after wrappers (`sudo`, `env`, `time`, `nohup`, `exec`, `command`,
# `doas`), their flags and `VAR=value` words (`sudo -E /usr/bin/kubectl …` → `kubectl`), and
# argv from the program on. Both are undefined when every word is a wrapper.

# argv from the program on.
args(cmd) := cmd.args

# The program's base name (`/usr/local/bin/kubectl` → `kubectl`).
program(cmd) := cmd.program

# Index of the program in argv (`sudo -E kubectl …` → 2).
program_index(cmd) := count(cmd.argv) - count(cmd.args)

# `--flag`, `--flag=value` or `-f` present.
has_flag(a, flag) if flag in a

has_flag(a, flag) if {
	prefix := concat("", [flag, "="]) # once per call, not per word
	some word in a
	startswith(word, prefix)
}

# The value of `--flag value` or `--flag=value`; the last one when the flag is repeated, as
# most tools read it (two values must not make the function conflict).
flag_value(a, flag) := values[count(values) - 1] if {
	values := flag_values(a, flag)
	count(values) > 0
}

# Every value of `--flag value` or `--flag=value`, in argv order (`psql -c A -c B` → [A, B]).
flag_values(a, flag) := [v | some [_, v] in sort(spaced | joined)] if {
	spaced := {[i, a[i + 1]] | some i, word in a; word == flag; i + 1 < count(a)}
	prefix := concat("", [flag, "="]) # once per call, not per word
	joined := {[i, substring(word, count(prefix), -1)] | some i, word in a; startswith(word, prefix)}
}

# gsutil's command: the first word past its global options (`gsutil -m -o k=v rm …` → `rm`).
gsutil_command(a) := words[0] if {
	words := [w |
		some j, w in a
		j > 0
		not startswith(w, "-")
		not a[j - 1] in {"-o", "-h", "-u"}
	]
	count(words) > 0
}

dry_run(a) if has_flag(a, "--dry-run")

dry_run(a) if has_flag(a, "--dryrun")

# Variables that name the current CI run, PR or branch: a scope tied to them is owned by the run.
# Every form below holds a `$`: testing that first spares most words the regexes.
run_scoped(word) if {
	contains(word, "$")
	run_scoped_expansion(word)
}

run_scoped_expansion(word) if regex.match(`\$\{?(GITHUB_RUN_ID|GITHUB_RUN_NUMBER|GITHUB_SHA|GITHUB_HEAD_REF|CI_PIPELINE_ID|CI_PIPELINE_IID|CI_JOB_ID|CI_COMMIT_SHORT_SHA|CI_COMMIT_SHA|CI_COMMIT_REF_SLUG|CI_MERGE_REQUEST_IID|CI_MERGE_REQUEST_ID|CIRCLE_BUILD_NUM|CIRCLE_WORKFLOW_ID|CIRCLE_PR_NUMBER|BUILDKITE_BUILD_NUMBER|BUILDKITE_BUILD_ID|BUILDKITE_PULL_REQUEST|BUILD_BUILDID|SYSTEM_PULLREQUEST_PULLREQUESTID|SYSTEM_PULLREQUEST_PULLREQUESTNUMBER|BITBUCKET_BUILD_NUMBER|BITBUCKET_PR_ID|PR_NUMBER|PR|RUN_ID|BUILD_ID|PULL_REQUEST_NUMBER)([^A-Za-z0-9_]|$)`, word)

# Azure Pipelines macros for the run or pull request: `$(System.PullRequest.PullRequestId)`.
run_scoped_expansion(word) if regex.match(`\$\((Build\.BuildId|System\.PullRequest\.PullRequest(Id|Number))\)`, word)

run_scoped_expansion(word) if contains(word, "${{ github.run_id }}")

run_scoped_expansion(word) if contains(word, "${{ github.event.number }}")

run_scoped_expansion(word) if contains(word, "${{ github.event.pull_request.number }}")

run_scoped_expansion(word) if regex.match(`\$\{\{ *github\.(run_id|run_number|head_ref|event\.pull_request\.head\.ref) *\}\}`, word)

# Indices of the commands whose output reaches `cmd` (arguments, variables, loop lists, xargs/pipe
# stdin), followed through every stage in between (`list | tr | while read x; do delete "$x"`).
feeders(cmd) := {i | some i in graph.reachable(data_edges, direct_feeders(cmd))}

direct_feeders(cmd) := {i | some i in cmd.inputs} | {i | i := cmd.stdin_from; is_number(i)}

data_edges[i] := direct_feeders(cmd) if some i, cmd in input.commands

# The command runs unattended: a scheduled CI job (or a script one runs) or a Kubernetes CronJob.
scheduled(cmd) if input.jobs[cmd.job].scheduled

scheduled(_) if input.scheduled == true

# A script a scheduled CI job runs (a Makefile's targets take their callers' schedules).
scheduled(_) if {
	input.jobs == []
	some caller in input.callers
	caller.scheduled
}

# The command runs with nobody at the keyboard: in a CI job, a script or Makefile target a CI
# job runs, a Kubernetes workload, or on a schedule.
automated(cmd) if scheduled(cmd)

automated(_) if input.kind == "kubernetes"

automated(cmd) if {
	input.kind != "shell"
	is_number(cmd.job)
}

automated(cmd) if {
	input.kind == "shell"
	count(input.jobs[cmd.job].triggers) > 0
}

automated(_) if {
	input.kind == "shell"
	input.jobs == []
	count(input.callers) > 0
}

# The CI jobs that run the command, as related locations: those that `make` its Makefile target,
# or every job that runs its script.
run_by(cmd) := [{"msg": sprintf("CI job `%s` runs this target", [caller.job]), "at": caller} |
	some i in object.get(input.jobs[cmd.job], "called_by", [])
	caller := input.callers[i]
] if {
	input.kind == "shell"
	is_number(cmd.job)
}

else := [{"msg": sprintf("CI job `%s` runs this script", [caller.job]), "at": caller} |
	some caller in input.callers
] if {
	input.kind == "shell"
	input.jobs == []
}

else := []

# A name for a throwaway environment: `dev`, `test`, `e2e`, `preview`, `pr-`, `review`, …
ephemeral_name(word) if regex.match(`(^|[^a-z])(dev|develop|development|test|testing|sandbox|ci|e2e|qa|preview|previews|review|ephemeral|pr|mr|tmp|temp|scratch)([^a-z]|$)`, lower(word))

# A filter word that says what a job owns: a throwaway environment's name, the run's id, or an
# ownership key (`tag:owner`, `created-by`, `built-by`, `run-id`, `ttl`).
owned_filter(word) if ephemeral_name(word)

owned_filter(word) if {
	contains(word, "$")
	run_scoped(word)
}

owned_filter(word) if regex.match(`(^|[^a-z])(owner|created-by|createdby|created_by|built-by|builtby|built_by|creator|run-id|runid|run|build|ttl|expires|expiry)([^a-z]|$)`, lower(word))

# `base` severity, raised to error for scheduled jobs, which run with nobody watching.
severity(cmd, base) := "error" if {
	scheduled(cmd)
} else := base
