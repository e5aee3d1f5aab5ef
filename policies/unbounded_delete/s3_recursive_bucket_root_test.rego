package blastwall.unbounded_delete.s3_recursive_bucket_root_test

import rego.v1

import data.blastwall.unbounded_delete.s3_recursive_bucket_root as rule

run(argv) := results if {
	results := rule.deny with input as {"commands": [{"argv": argv, "program": argv[0], "args": argv, "span": [0, 1], "job": null}]}
}

test_flags_bucket_root if {
	results := run(["aws", "s3", "rm", "s3://assets/", "--recursive"])
	count(results) == 1
	some r in results
	r.path == ["commands", 0, "words", 3]
	count(run(["aws", "s3", "rm", "--recursive", "s3://assets"])) == 1
}

test_flags_prefix_made_only_of_variables if {
	some r in run(["aws", "s3", "rm", "s3://$BUCKET/$PREFIX", "--recursive"])
	contains(r.msg, "when `$PREFIX` is empty")
}

test_ignores_bounded_prefixes_filters_and_dry_runs if {
	count(run(["aws", "s3", "rm", "s3://assets/tmp/", "--recursive"])) == 0
	count(run(["aws", "s3", "rm", "s3://$BUCKET/${PREFIX:?}", "--recursive"])) == 0
	count(run(["aws", "s3", "rm", "s3://$BUCKET/runs/$GITHUB_RUN_ID/", "--recursive"])) == 0
	count(run(["aws", "s3", "rm", "s3://assets/", "--recursive", "--exclude", "*", "--include", "tmp/*"])) == 0
	count(run(["aws", "s3", "rm", "s3://assets/", "--recursive", "--dryrun"])) == 0
	count(run(["aws", "s3", "rm", "s3://assets/"])) == 0
}

test_ignores_emptying_a_bucket_the_script_removes if {
	rm := {"argv": ["aws", "s3", "rm", "--recursive", "s3://$SRC/"], "program": "aws", "args": ["aws", "s3", "rm", "--recursive", "s3://$SRC/"], "span": [0, 1], "job": null}
	rb := {"argv": ["aws", "s3", "rb", "s3://$SRC"], "program": "aws", "args": ["aws", "s3", "rb", "s3://$SRC"], "span": [2, 3], "job": null}
	api := {"argv": ["aws", "s3api", "delete-bucket", "--bucket", "$SRC"], "program": "aws", "args": ["aws", "s3api", "delete-bucket", "--bucket", "$SRC"], "span": [2, 3], "job": null}
	other := {"argv": ["aws", "s3", "rb", "s3://logs"], "program": "aws", "args": ["aws", "s3", "rb", "s3://logs"], "span": [2, 3], "job": null}
	count(rule.deny) == 0 with input as {"commands": [rm, rb]}
	count(rule.deny) == 0 with input as {"commands": [rm, api]}
	count(rule.deny) == 1 with input as {"commands": [rm, other]}
}

test_flags_gcs_wildcards_over_the_whole_bucket if {
	some r in run(["gsutil", "-m", "rm", "-r", "gs://${ASSETS_BUCKET}/**"])
	r.path == ["commands", 0, "words", 4]
	startswith(r.msg, "`gsutil rm gs://${ASSETS_BUCKET}/**` deletes every object")
	count(run(["gsutil", "rm", "gs://assets/**"])) == 1
	count(run(["gsutil", "rm", "-rf", "gs://assets/*"])) == 1
	count(run(["gcloud", "storage", "rm", "--recursive", "gs://$BUCKET/$PREFIX"])) == 1
}

test_ignores_gcs_prefixes_and_bucket_teardown if {
	count(run(["gsutil", "-m", "rm", "-r", "gs://previews/mr-$CI_MERGE_REQUEST_IID/**"])) == 0
	count(run(["gsutil", "rm", "-r", "gs://previews/tmp/"])) == 0
	count(run(["gsutil", "rm", "gs://previews/*"])) == 0
	count(run(["gsutil", "rm", "gs://$BUCKET/$PREFIX"])) == 0
	count(run(["gsutil", "rm", "-r", "gs://demo-bucket"])) == 0
	count(run(["gcloud", "storage", "rm", "--recursive", "gs://demo-bucket/"])) == 0
	count(run(["gsutil", "cp", "-r", "gs://assets/**", "."])) == 0
}

# A key made of variables the script keeps from being empty: a `while read` line,
# a `${VAR:?}` check, or a constant set by the job.
test_ignores_keys_whose_variables_cannot_be_empty if {
	rm := {"argv": ["aws", "s3", "rm", "s3://${bucket}/${prefix}", "--recursive"], "program": "aws", "span": [0, 1], "job": 0, "in_loop": true, "loops": [], "assignments": []}
	count(rule.deny) == 0 with input as {"commands": [object.union(rm, {"args": rm.argv})], "jobs": [{"variables": []}]}
	upper := object.union(rm, {"argv": ["aws", "s3", "rm", "s3://$BUCKET/$PREFIX", "--recursive"], "args": ["aws", "s3", "rm", "s3://$BUCKET/$PREFIX", "--recursive"]})
	count(rule.deny) == 1 with input as {"commands": [upper], "jobs": [{"variables": []}]}
	set_by_job := {"variables": [{"name": "PREFIX", "value": "runs/e2e"}, {"name": "BUCKET", "value": "traces"}]}
	count(rule.deny) == 0 with input as {"commands": [upper], "jobs": [set_by_job]}
}
