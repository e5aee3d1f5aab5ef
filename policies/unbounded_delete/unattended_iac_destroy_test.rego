package blastwall.unbounded_delete.unattended_iac_destroy_test

import rego.v1

import data.blastwall.unbounded_delete.unattended_iac_destroy as rule

# `program` and `args` as the model computes them (src/model/script.rs); these argv have no wrappers.
cmd(argv) := {"argv": argv, "program": argv[0], "args": argv, "span": [0, 1], "job": 0}

job(extra) := object.union({"name": "teardown", "scheduled": false, "env": null, "environment": null, "variables": []}, extra)

run(cmds, j) := results if {
	results := rule.deny with input as {"kind": "github-actions", "commands": cmds, "jobs": [j]}
}

test_flags_destroy_auto_approve_in_ci if {
	results := run([cmd(["terraform", "destroy", "-auto-approve"])], job({}))
	count(results) == 1
	some r in results
	r.severity == "warning"
	contains(r.msg, "default workspace")
}

test_scheduled_and_production_jobs_are_errors if {
	some r in run([cmd(["terraform", "apply", "-destroy", "-auto-approve"])], job({"scheduled": true}))
	r.severity == "error"
	some p in run([cmd(["pulumi", "destroy", "--yes", "--stack", "acme/prod"])], job({"env": "prod"}))
	p.severity == "error"
	contains(p.msg, "stack `acme/prod`")
}

test_ignores_per_run_workspaces_and_test_envs if {
	count(run([cmd(["terraform", "workspace", "select", "pr-$PR_NUMBER"]), cmd(["terraform", "destroy", "-auto-approve"])], job({}))) == 0
	count(run([cmd(["terraform", "destroy", "-auto-approve"])], job({"variables": [{"name": "TF_WORKSPACE", "value": "review-${CI_MERGE_REQUEST_IID}"}]}))) == 0
	count(run([cmd(["terraform", "destroy", "-auto-approve"])], job({"env": "test"}))) == 0
	count(run([cmd(["terraform", "destroy", "-auto-approve"])], job({"environment": "preview"}))) == 0
}

test_every_ci_systems_pull_request_and_run_ids_scope_a_workspace if {
	every workspace in ["$BUILDKITE_PULL_REQUEST", "stack-$SYSTEM_PULLREQUEST_PULLREQUESTID", "$(System.PullRequest.PullRequestId)", "run-$BUILDKITE_BUILD_ID", "stack-$CI_MERGE_REQUEST_ID"] {
		count(run([cmd(["terraform", "workspace", "select", workspace]), cmd(["terraform", "destroy", "-auto-approve"])], job({}))) == 0
	}
}

test_a_lookalike_variable_does_not_scope_a_workspace if {
	count(run([cmd(["terraform", "workspace", "select", "$BUILDKITE_PULL_REQUEST_BASE_BRANCH"]), cmd(["terraform", "destroy", "-auto-approve"])], job({}))) == 1
}

test_ignores_targeted_confirmed_and_local_runs if {
	count(run([cmd(["terraform", "destroy", "-auto-approve", "-target=aws_instance.x"])], job({}))) == 0
	count(run([cmd(["terraform", "destroy"])], job({}))) == 0
	count(run([cmd(["terraform", "plan", "-destroy"])], job({}))) == 0
	count(rule.deny) == 0 with input as {"kind": "shell", "commands": [object.union(cmd(["terraform", "destroy", "-auto-approve"]), {"job": null})], "jobs": []}
}

test_makefile_targets_count_when_ci_runs_them if {
	nightly := {"id": "nightly-reset", "name": "nightly-reset", "scheduled": true, "triggers": ["schedule"], "called_by": [0], "env": null, "environment": null, "variables": []}
	local := {"id": "destroy", "name": "destroy", "scheduled": false, "triggers": [], "env": null, "environment": null, "variables": []}
	caller := {"job": "nightly", "file": ".gitlab-ci.yml", "line": 12, "column": 7, "span": [200, 218]}
	commands := [object.union(cmd(["terraform", "destroy", "-auto-approve"]), {"job": 0}), object.union(cmd(["terraform", "destroy", "-auto-approve"]), {"job": 1})]
	results := rule.deny with input as {"kind": "shell", "commands": commands, "jobs": [nightly, local], "callers": [caller]}
	count(results) == 1
	some r in results
	r.path == ["commands", 0]
	r.severity == "error"
	contains(r.msg, "Makefile target `nightly-reset`, which a scheduled CI job runs")
	r.related[0].at == caller
}

test_a_flag_name_is_not_a_throwaway_environment if {
	count(run([cmd(["pulumi", "destroy", "--yes", "--skip-preview", "--stack", "acme/network/shared"])], job({}))) == 1
	count(run([cmd(["terraform", "destroy", "-auto-approve", "-var-file=env/preview.tfvars"])], job({}))) == 0
}

test_a_variable_the_file_sets_can_scope_a_workspace if {
	select := object.union(cmd(["terraform", "workspace", "select", "${WORKSPACE}"]), {"words": [{"text": "${WORKSPACE}", "expansions": ["WORKSPACE"]}]})
	destroy := cmd(["terraform", "destroy", "-auto-approve"])
	scoped := {"argv": [], "assignments": [{"name": "WORKSPACE", "value": "mr-${CI_MERGE_REQUEST_IID}"}], "job": null}
	count(run([select, destroy, scoped], job({}))) == 0
	shared := {"argv": [], "assignments": [{"name": "WORKSPACE", "value": "shared-network"}], "job": null}
	count(run([select, destroy, shared], job({}))) == 1
}
