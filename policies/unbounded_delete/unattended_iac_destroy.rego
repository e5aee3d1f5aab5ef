# METADATA
# title: Terraform or Pulumi destroy with no confirmation on a shared state
# description: |
#   A CI job, or a Makefile target (`make nightly-reset`, run by a CI job or by
#   anyone who types it), runs
#   `terraform destroy -auto-approve` (or `terraform apply -destroy
#   -auto-approve`, `pulumi destroy --yes`) with no `-target`, and
#   nothing in the job ties the workspace, backend key or stack to the run or
#   pull request (`terraform workspace select pr-$PR`,
#   `-backend-config=key=preview/$PR.tfstate`, `--stack pr-$PR`), nor names a
#   dev/test/preview environment.
#
#   Why is this bad? The destroy deletes everything the selected state owns,
#   and which state that is depends on the job's variables, default workspace
#   and credentials, not on what the job created. A wrong variable or a
#   re-used runner turns a teardown into the deletion of a shared or
#   production environment, with nobody asked to confirm. Scheduled jobs and
#   production jobs get severity error.
# custom:
#   id: unattended-iac-destroy
#   category: unbounded-delete
#   severity: warning
#   kinds: [ci, kubernetes, shell]
#   help: >-
#     Destroy only a per-run state (`terraform workspace select -or-create
#     pr-$PR_NUMBER` before `terraform destroy -auto-approve`), name the
#     resources with `-target`, or drop `-auto-approve` and run the destroy
#     behind a protected environment with a manual approval.
#   bad: |
#     on: workflow_dispatch
#     jobs:
#       teardown:
#         runs-on: ubuntu-latest
#         steps:
#           - run: terraform destroy -auto-approve
#   good: |
#     on:
#       pull_request:
#         types: [closed]
#     jobs:
#       teardown-preview:
#         runs-on: ubuntu-latest
#         steps:
#           - run: |
#               terraform workspace select "pr-${{ github.event.number }}"
#               terraform destroy -auto-approve
package blastwall.unbounded_delete.unattended_iac_destroy

import rego.v1

import data.blastwall.lib.shell

# The programs this rule reads: blastwall skips documents whose commands run none of them.
programs := {"terraform", "terragrunt", "pulumi"}

deny contains result if {
	some c, cmd in input.commands
	tool := cmd.program
	tool in programs
	a := cmd.args
	destroy(tool, a)
	unattended_flag(tool, a)
	not targeted(a)
	not shell.dry_run(a)
	in_ci(cmd)
	not ephemeral(cmd)
	result := {
		"msg": sprintf("`%s` destroys everything in %s with no confirmation and no `-target`%s; nothing ties that state to this run", [
			concat(" ", a), state_name(cmd), where(cmd),
		]),
		"path": ["commands", c],
		"severity": severity(cmd),
		"related": shell.run_by(cmd),
	}
}

destroy("terraform", a) if "destroy" in a

destroy("terraform", a) if {
	"apply" in a
	shell.has_flag(a, "-destroy")
}

destroy("terragrunt", a) if "destroy" in a

destroy("pulumi", a) if "destroy" in a

destroy("pulumi", a) if "down" in a

unattended_flag(tool, a) if {
	tool in {"terraform", "terragrunt"}
	some flag in ["-auto-approve", "--auto-approve"]
	shell.has_flag(a, flag)
}

unattended_flag("pulumi", a) if {
	some flag in ["--yes", "-y"]
	flag in a
}

targeted(a) if {
	some flag in ["-target", "--target", "--target-dependents"]
	shell.has_flag(a, flag)
}

# Runs in a CI job or a Kubernetes Job/CronJob, not a script a person runs by hand. A Makefile
# target runs in CI when a CI job runs it: it then has that job's triggers.
in_ci(cmd) if {
	input.kind != "shell"
	is_number(cmd.job)
}

in_ci(cmd) if {
	input.kind == "shell"
	count(input.jobs[cmd.job].triggers) > 0
}

in_ci(_) if input.kind == "kubernetes"

# A Makefile target is run by name, by people, CI jobs and tools alike (`make nuke`): its
# `-auto-approve` removes the only question anyone would be asked.
in_ci(cmd) if {
	input.kind == "shell"
	is_number(cmd.job)
	makefile(input.file)
}

makefile(file) if regex.match(`(^|/)(GNUmakefile|makefile|Makefile)$|[.]mk$`, file)

# Something in the job (workspace, backend key, stack, variables, environment) names the run
# or a throwaway environment.
ephemeral(cmd) if {
	some other in job_commands(cmd)
	other.program in {"terraform", "terragrunt", "pulumi"}
	some w in other.args
	throwaway(argument_value(w))
}

# … through a variable the file sets (`WORKSPACE := mr-$(CI_MERGE_REQUEST_IID)`, `STACK=pr-$PR`).
ephemeral(cmd) if {
	some other in job_commands(cmd)
	other.program in {"terraform", "terragrunt", "pulumi"}
	some word in other.words
	some name in word.expansions
	some assigning in input.commands
	some assignment in assigning.assignments
	assignment.name == name
	throwaway(assignment.value)
}

# What a word says about the state: a flag's value (`-var-file=env/e2e.tfvars`), never a flag's
# own name (`--skip-preview` says nothing about which stack).
argument_value(word) := word if {
	not startswith(word, "-")
} else := substring(word, i + 1, -1) if {
	i := indexof(word, "=")
	i > 0
} else := ""

ephemeral(cmd) if {
	some v in input.jobs[cmd.job].variables
	v.name in {"TF_WORKSPACE", "PULUMI_STACK", "TF_CLI_ARGS_init", "TF_CLI_ARGS_destroy", "ENVIRONMENT", "ENV", "STAGE"}
	is_string(v.value)
	throwaway(v.value)
}

ephemeral(cmd) if {
	name := input.jobs[cmd.job].environment
	is_string(name)
	throwaway(name)
}

ephemeral(cmd) if input.jobs[cmd.job].env in {"dev", "test"}

# Every run-scoped form holds a `$`: tested here to spare most words a call into the library.
throwaway(word) if {
	contains(word, "$")
	shell.run_scoped(word)
}

throwaway(word) if shell.ephemeral_name(word)

job_commands(cmd) := [other | some other in input.commands; other.job == cmd.job] if is_number(cmd.job)

else := input.commands

state_name(cmd) := sprintf("stack `%s`", [stack]) if {
	stack := pulumi_stack(cmd.args)
} else := sprintf("the state selected by `%s`", [concat(" ", sel.args)]) if {
	some sel in job_commands(cmd)
	a := sel.args
	"workspace" in a
	"select" in a
} else := "the default workspace's state"

# `--stack` and `-s` both given: one value, never a conflict.
pulumi_stack(a) := stack if {
	stack := shell.flag_value(a, "--stack")
} else := shell.flag_value(a, "-s")

where(cmd) := sprintf(" in Makefile target `%s`, which %s runs", [input.jobs[cmd.job].name, runner(cmd)]) if {
	input.kind == "shell"
} else := sprintf(" in %s job `%s`", [kind(cmd), input.jobs[cmd.job].name]) if is_number(cmd.job)

else := " in a Kubernetes CronJob" if input.scheduled == true

else := ""

kind(cmd) := "scheduled" if shell.scheduled(cmd)

else := "production" if input.jobs[cmd.job].env == "prod"

else := "CI"

runner(cmd) := "a scheduled CI job" if shell.scheduled(cmd)

else := "a CI job" if count(input.jobs[cmd.job].triggers) > 0

else := sprintf("anyone runs as `make %s`", [input.jobs[cmd.job].name])

severity(cmd) := "error" if input.jobs[cmd.job].env == "prod"

else := shell.severity(cmd, "warning")
