# METADATA
# title: Recursive delete of a whole bucket
# description: |
#   `aws s3 rm --recursive`, `gsutil rm -r` or `gcloud storage rm --recursive`
#   whose target is a bucket root (`s3://bucket`, `s3://bucket/`,
#   `gs://bucket/**`) or a prefix made only of variables that may be empty
#   (`s3://$BUCKET/$PREFIX`), with no `--exclude`/`--include` filter, no
#   `--dryrun`, and no run or pull-request id in the path. `gsutil rm -r
#   gs://bucket` and `gcloud storage rm -r gs://bucket` also delete the bucket
#   itself, so they are a teardown, as is emptying a bucket the script then
#   removes (`aws s3 rb`).
#
#   Why is this bad? It deletes every object in the bucket, and with
#   versioning off there is no way back. A prefix held in a variable widens to
#   the whole bucket the day the variable is empty. Cleanup jobs should delete
#   the prefix they wrote (`s3://artifacts/runs/$GITHUB_RUN_ID/`), nothing
#   more. Scheduled jobs get severity error.
# custom:
#   id: s3-recursive-bucket-root
#   category: unbounded-delete
#   severity: warning
#   kinds: [shell, ci, kubernetes]
#   help: >-
#     Delete only the prefix this job wrote (`aws s3 rm --recursive
#     "s3://$BUCKET/runs/$GITHUB_RUN_ID/"`, `gsutil -m rm -r
#     "gs://$BUCKET/runs/$RUN_ID/**"`), guard variables (`${PREFIX:?}`),
#     or filter with `--exclude '*' --include 'tmp/*'`.
#   bad: |
#     aws s3 rm "s3://$ARTIFACT_BUCKET/$PREFIX" --recursive
#   good: |
#     aws s3 rm "s3://$ARTIFACT_BUCKET/runs/${GITHUB_RUN_ID}/" --recursive
package blastwall.unbounded_delete.s3_recursive_bucket_root

import rego.v1

import data.blastwall.lib.expansion
import data.blastwall.lib.shell

# The programs this rule reads: blastwall skips documents whose commands run none of them.
programs := {"aws", "gsutil", "gcloud"}

deny contains result if {
	some c, cmd in input.commands
	cmd.program in programs
	a := cmd.args
	# Every form of recursive_rm has an `rm` word: a cheap test that skips `aws s3 cp`, `ls`, `sync`.
	"rm" in a
	[shown, scheme] := recursive_rm(cmd.program, a)
	not shell.dry_run(a)
	some j, target in a
	startswith(target, scheme)
	key := object_key(target, scheme)
	reason := widens(key, scheme, a, cmd)
	not shell.run_scoped(target)
	not bucket_removed(target, key)
	w_index := shell.program_index(cmd) + j
	result := {
		"msg": sprintf("`%s %s` deletes every object in the bucket%s%s", [shown, target, reason, unattended(cmd)]),
		"path": ["commands", c, "words", w_index],
		"severity": shell.severity(cmd, "warning"),
	}
}

# [the command as the message shows it, its URL scheme]: an object delete of that tool.
recursive_rm("aws", a) := ["aws s3 rm --recursive", "s3://"] if {
	some i, w in a
	w == "s3"
	a[i + 1] == "rm"
	"--recursive" in a
	not filtered(a)
}

recursive_rm("gsutil", a) := ["gsutil rm", "gs://"] if shell.gsutil_command(a) == "rm"

recursive_rm("gcloud", a) := ["gcloud storage rm", "gs://"] if {
	some i, w in a
	w == "storage"
	a[i + 1] == "rm"
}

filtered(a) if shell.has_flag(a, "--exclude")

filtered(a) if shell.has_flag(a, "--include")

# `s3://bucket/a/b` → `a/b`; `s3://bucket` → "".
object_key(target, scheme) := key if {
	rest := substring(target, count(scheme), -1)
	parts := split(rest, "/")
	key := concat("/", array.slice(parts, 1, count(parts)))
}

widens(key, "s3://", _, _) := "" if key in {"", "/", "*"}

# `gs://b/**` matches every object; `gs://b/*` every top-level one, and all with `-r`. A bare
# `gs://b` with `-r` removes the bucket too: a teardown, not a cleanup.
widens("**", "gs://", _, _) := ""

widens("*", "gs://", a, _) := "" if gs_recursive(a)

# Only variables, none of which the script or job keeps from being empty
# (`lib/expansion`): empty on the day they are unset.
widens(key, scheme, a, cmd) := sprintf(" when `%s` is empty", [key]) if {
	key != ""
	contains(key, "$")
	variable := `\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`
	trim(regex.replace(key, variable, ""), "/") == ""
	recursive(scheme, a)
	every m in regex.find_all_string_submatch_n(variable, key, -1) {
		not expansion.guarded(cmd, concat("", [m[1], m[2]]))
	}
}

recursive("s3://", _) := true

recursive("gs://", a) if gs_recursive(a)

# `-r`, `-R`, `--recursive`, or combined short flags (`-rf`).
gs_recursive(a) if {
	some w in a
	regex.match(`^(--recursive|-[a-zA-Z]*[rR][a-zA-Z]*)$`, w)
}

# Emptying a bucket the script then removes (`aws s3 rb s3://b`, `aws s3api
# delete-bucket --bucket b`) is a teardown: the whole bucket is the intent.
bucket_removed(target, key) if {
	key in {"", "/", "*"}
	bucket := split(substring(target, 5, -1), "/")[0]
	some other in input.commands
	other.program == "aws"
	removed_bucket(other.args) == bucket
}

removed_bucket(a) := trim_suffix(substring(t, 5, -1), "/") if {
	some i, w in a
	w == "s3"
	a[i + 1] == "rb"
	some t in a
	startswith(t, "s3://")
}

removed_bucket(a) := shell.flag_value(a, "--bucket") if {
	some i, w in a
	w == "s3api"
	a[i + 1] == "delete-bucket"
}

unattended(cmd) := ", in a scheduled job" if shell.scheduled(cmd)

else := ""
