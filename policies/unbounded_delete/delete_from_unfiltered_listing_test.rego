package blastwall.unbounded_delete.delete_from_unfiltered_listing_test

import rego.v1

import data.blastwall.unbounded_delete.delete_from_unfiltered_listing as rule

# `program` and `args` as the model computes them (src/model/script.rs); these argv have no wrappers.
cmd(argv, inputs) := {"argv": argv, "program": argv[0], "args": argv, "span": [0, 1], "inputs": inputs, "stdin_from": null, "job": null}

list_ec2 := cmd(["aws", "ec2", "describe-instances", "--query", "Reservations[].Instances[].InstanceId"], [])

terminate := cmd(["aws", "ec2", "terminate-instances", "--instance-ids", "$ids"], [0])

test_flags_terminate_fed_by_unfiltered_describe if {
	results := rule.deny with input as {"commands": [list_ec2, terminate]}
	count(results) == 1
	some r in results
	r.path == ["commands", 1]
	r.related[0].path == ["commands", 0]
	r.severity == "warning"
	contains(r.msg, "ec2 instances")
	startswith(r.msg, "`aws ec2 terminate-instances` deletes")
}

test_scheduled_job_raises_severity if {
	some r in rule.deny with input as {"commands": [list_ec2, object.union(terminate, {"job": 0})], "jobs": [{"scheduled": true}]}
	r.severity == "error"
	contains(r.msg, "scheduled")
}

test_follows_pipes_through_intermediate_stages if {
	tr := object.union(cmd(["tr", "\\t", "\\n"], []), {"stdin_from": 0})
	del := object.union(cmd(["aws", "rds", "delete-db-instance", "--db-instance-identifier", "$db", "--skip-final-snapshot"], []), {"stdin_from": 1})
	some r in rule.deny with input as {"commands": [cmd(["aws", "rds", "describe-db-instances"], []), tr, del]}
	r.severity == "error"
	contains(r.msg, "--skip-final-snapshot")
}

test_ignores_tag_filters_and_query_filters if {
	count(rule.deny) == 0 with input as {"commands": [cmd(["aws", "ec2", "describe-instances", "--filters", "Name=tag:owner,Values=ci"], []), terminate]}
	count(rule.deny) == 0 with input as {"commands": [cmd(["aws", "ec2", "describe-instances", "--query", "Reservations[].Instances[?Tags[?Key=='ci']].InstanceId"], []), terminate]}
	count(rule.deny) == 0 with input as {"commands": [cmd(["gcloud", "compute", "instances", "list", "--filter=labels.owner=ci"], []), cmd(["gcloud", "compute", "instances", "delete", "$n"], [0])]}
}

test_ignores_grep_and_jq_select_between if {
	grep := object.union(cmd(["grep", "^ci-"], []), {"stdin_from": 0})
	del := object.union(cmd(["helm", "uninstall"], [1]), {"stdin_from": 1})
	count(rule.deny) == 0 with input as {"commands": [cmd(["helm", "list", "-A", "-q"], []), grep, del]}
	jq := object.union(cmd(["jq", "-r", ".[] | select(.tags.owner == \"ci\") | .id"], []), {"stdin_from": 0})
	count(rule.deny) == 0 with input as {"commands": [list_ec2, jq, object.union(terminate, {"inputs": [1]})]}
}

test_awk_projection_is_not_a_filter if {
	awk := object.union(cmd(["awk", "{print $1}"], []), {"stdin_from": 0})
	count(rule.deny) == 1 with input as {"commands": [list_ec2, awk, object.union(terminate, {"inputs": [1]})]}
}

test_ignores_dry_run_and_other_services if {
	count(rule.deny) == 0 with input as {"commands": [list_ec2, cmd(["aws", "ec2", "terminate-instances", "--dry-run", "--instance-ids", "$ids"], [0])]}
	count(rule.deny) == 0 with input as {"commands": [cmd(["aws", "sts", "get-caller-identity"], []), terminate]}
	count(rule.deny) == 0 with input as {"commands": [cmd(["gcloud", "projects", "list"], []), cmd(["gcloud", "compute", "instances", "delete", "$n"], [0])]}
}

test_ignores_explicit_ids_and_run_scoped_names if {
	count(rule.deny) == 0 with input as {"commands": [cmd(["aws", "ec2", "terminate-instances", "--instance-ids", "i-0abc"], [])]}
	count(rule.deny) == 0 with input as {"commands": [cmd(["aws", "cloudformation", "list-stacks"], []), cmd(["aws", "cloudformation", "delete-stack", "--stack-name", "pr-$PR_NUMBER"], [0])]}
}

test_flags_namespace_delete_from_listing if {
	some r in rule.deny with input as {"commands": [cmd(["kubectl", "get", "ns", "-o", "name"], []), cmd(["kubectl", "delete", "namespace", "$ns"], [0])]}
	contains(r.msg, "namespace")
	count(rule.deny) == 0 with input as {"commands": [cmd(["kubectl", "get", "ns", "-l", "owner=ci"], []), cmd(["kubectl", "delete", "namespace", "$ns"], [0])]}
}

test_ignores_listings_tested_before_the_delete if {
	check := {"argv": ["[[", "$ns", "==", "preview-*", "]]"], "span": [0, 1], "inputs": [0], "stdin_from": null}
	count(rule.deny) == 0 with input as {"commands": [cmd(["kubectl", "get", "ns", "-o", "name"], []), check, cmd(["kubectl", "delete", "$ns"], [0])]}
}

test_names_and_prefixes_bound_a_listing_but_status_does_not if {
	del := cmd(["aws", "logs", "delete-log-group", "--log-group-name", "$g"], [0])
	count(rule.deny) == 0 with input as {"commands": [cmd(["aws", "logs", "describe-log-groups", "--log-group-name-prefix", "/aws/lambda/pr-"], []), del]}
	stacks := cmd(["aws", "cloudformation", "list-stacks", "--stack-status-filter", "CREATE_COMPLETE"], [])
	count(rule.deny) == 1 with input as {"commands": [stacks, cmd(["aws", "cloudformation", "delete-stack", "--stack-name", "$s"], [0])]}
	count(rule.deny) == 0 with input as {"commands": [cmd(["kubectl", "get", "pod", "web-0", "-o", "name"], []), cmd(["kubectl", "delete"], [0])]}
}

test_state_filters_do_not_bound_a_listing if {
	running := cmd(["aws", "ec2", "describe-instances", "--filters", "Name=instance-state-name,Values=running,stopped", "--output", "text"], [])
	count(rule.deny) == 1 with input as {"commands": [running, terminate]}
	gce := cmd(["gcloud", "compute", "instances", "list", "--filter=status=RUNNING"], [])
	count(rule.deny) == 1 with input as {"commands": [gce, cmd(["gcloud", "compute", "instances", "delete", "$n"], [0])]}
	owned := cmd(["aws", "ec2", "describe-instances", "--filters", "Name=instance-state-name,Values=running", "Name=tag:owner,Values=ci"], [])
	count(rule.deny) == 0 with input as {"commands": [owned, terminate]}
	both := cmd(["gcloud", "compute", "instances", "list", "--filter=status=RUNNING AND name~^ci-"], [])
	count(rule.deny) == 0 with input as {"commands": [both, cmd(["gcloud", "compute", "instances", "delete", "$n"], [0])]}
}

test_header_and_id_greps_and_emptiness_tests_do_not_filter if {
	list := cmd(["gcloud", "compute", "instances", "list"], [])
	del := cmd(["gcloud", "compute", "instances", "delete", "$names"], [1])
	header := object.union(cmd(["grep", "-v", "^NAME"], []), {"stdin_from": 0})
	count(rule.deny) == 1 with input as {"commands": [list, header, del]}
	ids := object.union(cmd(["grep", "i-"], []), {"stdin_from": 0})
	count(rule.deny) == 1 with input as {"commands": [list_ec2, ids, object.union(terminate, {"inputs": [1]})]}
	nonempty := {"argv": ["[", "-n", "$names", "]"], "span": [0, 1], "inputs": [0], "stdin_from": null}
	count(rule.deny) == 1 with input as {"commands": [list, nonempty, cmd(["gcloud", "compute", "instances", "delete", "$names"], [0])]}
	owned := object.union(cmd(["grep", "-v", "^prod-"], []), {"stdin_from": 0})
	count(rule.deny) == 0 with input as {"commands": [list, owned, del]}
}

test_awk_skipping_the_header_only_projects if {
	awk := object.union(cmd(["awk", "NR>1 {print $1}"], []), {"stdin_from": 0})
	count(rule.deny) == 1 with input as {"commands": [cmd(["kubectl", "get", "ns"], []), awk, cmd(["kubectl", "delete", "ns", "$ns"], [1])]}
}

test_aws_global_flags_before_the_operation if {
	del := cmd(["aws", "ec2", "--profile", "ops_admin", "terminate-instances", "--instance-ids", "$ids"], [0])
	some r in rule.deny with input as {"commands": [cmd(["aws", "--region", "eu-west-1", "ec2", "describe-instances"], []), del]}
	contains(r.msg, "ec2 instances")
	startswith(r.msg, "`aws ec2 terminate-instances` deletes")
}

test_account_owner_does_not_bound_a_listing if {
	delete := cmd(["aws", "ec2", "delete-snapshot", "--snapshot-id", "$id"], [0])
	self := cmd(["aws", "ec2", "describe-snapshots", "--owner-ids", "self", "--output", "text"], [])
	count(rule.deny) == 1 with input as {"commands": [self, delete]}
	account := cmd(["aws", "ec2", "describe-snapshots", "--owner-ids=123456789012"], [])
	count(rule.deny) == 1 with input as {"commands": [account, delete]}
	tagged := cmd(["aws", "ec2", "describe-snapshots", "--owner-ids", "self", "--filters", "Name=tag:created-by,Values=ci"], [])
	count(rule.deny) == 0 with input as {"commands": [tagged, delete]}
}

test_gsutil_removing_every_listed_bucket if {
	rm := cmd(["gsutil", "-m", "rm", "-r", "$b"], [0])
	some r in rule.deny with input as {"commands": [cmd(["gsutil", "ls"], []), rm]}
	startswith(r.msg, "`gsutil rm` deletes the buckets listed by `gsutil ls`")
	count(rule.deny) == 1 with input as {"commands": [cmd(["gsutil", "ls", "-p", "$PROJECT"], []), rm]}
	count(rule.deny) == 0 with input as {"commands": [cmd(["gsutil", "ls", "gs://ci-artifacts/pr-$PR/"], []), rm]}
	count(rule.deny) == 0 with input as {"commands": [cmd(["gsutil", "ls"], []), cmd(["gsutil", "cp", "-r", "$b", "."], [0])]}
}

# The rule skips commands with no inputs and no stdin before asking for feeders; a command built
# without `inputs` but fed through stdin must still be read.
test_flags_delete_fed_by_stdin_without_inputs_field if {
	del := object.remove(object.union(cmd(["xargs", "aws", "ec2", "terminate-instances"], []), {"program": "aws", "args": ["aws", "ec2", "terminate-instances"], "stdin_from": 0}), ["inputs"])
	count(rule.deny) == 1 with input as {"commands": [list_ec2, del]}
}

test_ignores_listing_named_by_a_github_expression if {
	list := cmd(["aws", "ec2", "describe-instances", "--query", "x", "--output", "text", "--profile", "ci-${{ github.run_id }}"], [])
	count(rule.deny) == 0 with input as {"commands": [list, terminate]}
}

# ECR prunes delete in batches: every image listed without `--filter tagStatus=UNTAGGED`
# includes the tags production runs.
test_flags_batch_deletes_unless_the_listing_is_filtered if {
	list_images := cmd(["aws", "ecr", "list-images", "--repository-name", "$repo", "--query", "imageIds[*]"], [])
	batch := cmd(["aws", "ecr", "batch-delete-image", "--repository-name", "$repo", "--image-ids", "$batch"], [0])
	results := rule.deny with input as {"commands": [list_images, batch]}
	count(results) == 1
	some r in results
	contains(r.msg, "ecr image")
	untagged := cmd(array.concat(list_images.argv, ["--filter", "tagStatus=UNTAGGED"]), [])
	count(rule.deny) == 0 with input as {"commands": [untagged, batch]}
}

# An age cut-off and a deny-list of system namespaces still delete every team's namespaces.
test_age_only_selects_and_inverted_greps_do_not_bound_the_listing if {
	list_ns := cmd(["kubectl", "get", "namespaces", "-o", "json"], [])
	by_age := cmd(["jq", "-r", ".items[] | select(($now - (.metadata.creationTimestamp | fromdateiso8601)) > $max) | .metadata.name"], [0])
	deny_list := cmd(["grep", "-vE", "^(default|kube-system|kube-public)$"], [1])
	delete := cmd(["kubectl", "delete", "namespace", "--wait=false"], [2])
	count(rule.deny) == 1 with input as {"commands": [list_ns, by_age, deny_list, delete]}
	by_label := cmd(["jq", "-r", ".items[] | select(.metadata.labels.owner == \"ci\") | .metadata.name"], [0])
	count(rule.deny) == 0 with input as {"commands": [list_ns, by_label, deny_list, delete]}
	allow_list := cmd(["grep", "-E", "^e2e-"], [1])
	count(rule.deny) == 0 with input as {"commands": [list_ns, by_age, allow_list, delete]}
}

# A command as a CI job runs it: its words, with the variables each expands.
job_cmd(argv, inputs) := object.union(cmd(argv, inputs), {"job": 0, "words": [{"text": a, "expansions": expansions(a)} | some a in argv]})

expansions(word) := [trim_left(v, "$") | some v in regex.find_n(`[$][A-Z_]+`, word, -1)]

ci_input(commands) := {"kind": "gitlab-ci", "jobs": [{"scheduled": true}], "commands": commands}

# Unattended, a label or prefix shared with production does not bound the listing: the nightly
# sweep of `team=storefront` namespaces deletes production's too.
test_unattended_listing_must_select_what_the_job_owns if {
	delete := job_cmd(["kubectl", "delete", "namespace"], [0])
	team := job_cmd(["kubectl", "get", "ns", "-l", "team=storefront", "-o", "name"], [])
	results := rule.deny with input as ci_input([team, delete])
	count(results) == 1
	some r in results
	r.severity == "error"
	previews := job_cmd(["kubectl", "get", "ns", "-l", "env=preview", "-o", "name"], [])
	count(rule.deny) == 0 with input as ci_input([previews, delete])

	# Run by hand, the same filter is the person's choice.
	by_hand := {"kind": "shell", "jobs": [], "callers": [], "commands": [cmd(team.argv, []), cmd(delete.argv, [0])]}
	count(rule.deny) == 0 with input as by_hand
}

# A filter on what resources are, not whose (`tagStatus=UNTAGGED`), bounds an unattended prune.
test_unattended_filters_on_state_other_than_names_bound_the_listing if {
	untagged := job_cmd(["aws", "ecr", "list-images", "--repository-name", "web", "--filter", "tagStatus=UNTAGGED", "--query", "imageIds[*]"], [])
	batch := job_cmd(["aws", "ecr", "batch-delete-image", "--repository-name", "web", "--image-ids", "$batch"], [0])
	count(rule.deny) == 0 with input as ci_input([untagged, batch])
}

# An app prefix set in a variable (`grep "^$APP-"`, APP=storefront) names production's stacks
# too; a preview prefix names only the job's.
test_unattended_greps_and_tests_read_the_variables_they_expand if {
	list := job_cmd(["aws", "cloudformation", "list-stacks", "--query", "StackSummaries[].StackName", "--output", "text"], [])
	app := object.union(job_cmd(["grep", "^$APP-"], [0]), {"assignments": []})
	delete := job_cmd(["aws", "cloudformation", "delete-stack", "--stack-name", "$s"], [1])
	count(rule.deny) == 1 with input as ci_input([list, app, delete, set_app("storefront")])
	count(rule.deny) == 0 with input as ci_input([list, app, delete, set_app("pr")])

	ns := job_cmd(["kubectl", "get", "ns", "-o", "name"], [])
	ns_delete := job_cmd(["kubectl", "delete", "$ns"], [0])
	count(rule.deny) == 1 with input as ci_input([ns, compare_ns("storefront-*"), ns_delete])
	count(rule.deny) == 0 with input as ci_input([ns, compare_ns("review-*"), ns_delete])
}

set_app(value) := object.union(job_cmd(["true"], []), {"assignments": [{"name": "APP", "value": value}]})

compare_ns(prefix) := job_cmd(["[[", "$ns", "==", prefix, "]]"], [0])

# In a script a scheduled CI job runs, the job is related: it is why the script runs unattended.
test_a_script_relates_the_jobs_that_run_it if {
	caller := {"job": "nightly-sweep", "file": ".gitlab-ci.yml", "line": 51, "column": 7, "span": [10, 20], "scheduled": true}
	script := {"kind": "shell", "jobs": [], "callers": [caller], "commands": [cmd(list_ec2.argv, []), terminate]}
	some r in rule.deny with input as script
	r.severity == "error"
	r.related[1] == {"msg": "CI job `nightly-sweep` runs this script", "at": caller}
}

# Age says how old an image is, not whose: an age-only query is no filter; age and a tag are.
test_age_only_queries_filter_nothing if {
	deregister := cmd(["aws", "ec2", "deregister-image", "--image-id", "$ami"], [0])
	aged := cmd(["aws", "ec2", "describe-images", "--owners", "self", "--query", "Images[?CreationDate<'2024-01-01'].ImageId"], [])
	count(rule.deny) == 1 with input as {"commands": [aged, deregister]}
	tagged := cmd(["aws", "ec2", "describe-images", "--owners", "self", "--query", "Images[?CreationDate<'2024-01-01' && Tags[?Key=='built-by']].ImageId"], [])
	count(rule.deny) == 0 with input as {"commands": [tagged, deregister]}
}
