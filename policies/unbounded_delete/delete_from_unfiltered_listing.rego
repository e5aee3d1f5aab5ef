# METADATA
# title: Cloud delete fed by an unfiltered listing
# description: |
#   A delete command (`aws ec2 terminate-instances`, `aws rds delete-db-instance`,
#   `aws cloudformation delete-stack`, `gcloud … delete`, `gsutil rm -r`,
#   `az group delete`, `doctl compute droplet delete`, `helm uninstall`,
#   `kubectl delete`) whose targets come, through a pipe, `xargs`, `$(…)`, a
#   variable or a `for` loop, from a listing of the same tool (`describe-*`,
#   `list`, `get`, a bare `gsutil ls`) that has no filter: no tag/label filter,
#   no `--filter`/`--query [?…]`, no `grep`/`jq select` between the two (an inverted
#   `grep -v` deny-list, a `select` on age or state alone, or a `--query` that only
#   compares a creation date does not bound it). Deletes run through a script's
#   wrapper function (`run() { "$@"; }`) count.
#
#   Why is this bad? The target set is "everything the credentials can see",
#   not what the job created. cloud.gov's 2018 outage came from a cleanup task
#   "not written to only delete the virtual machine instances that it had
#   created": it terminated every VM in the account, production included.
#   Xervo's 2015 auditing tool deprovisioned live servers it judged orphaned.
#   Scheduled jobs get severity error: they run with nobody watching.
# custom:
#   id: delete-from-unfiltered-listing
#   category: unbounded-delete
#   severity: warning
#   kinds: [shell, ci, kubernetes]
#   help: >-
#     Filter the listing by what this job owns: an owner or run tag
#     (`--filters Name=tag:owner,Values=ci`, `--filter="labels.run-id=$RUN_ID"`,
#     `--tag owner=ci`, `-l app.kubernetes.io/managed-by=ci`), or delete the
#     explicit ids recorded when the resources were created.
#   bad: |
#     aws ec2 describe-instances --query 'Reservations[].Instances[].InstanceId' --output text \
#       | xargs aws ec2 terminate-instances --instance-ids
#   good: |
#     aws ec2 describe-instances --filters "Name=tag:ci-run,Values=$GITHUB_RUN_ID" \
#       --query 'Reservations[].Instances[].InstanceId' --output text \
#       | xargs aws ec2 terminate-instances --instance-ids
package blastwall.unbounded_delete.delete_from_unfiltered_listing

import rego.v1

import data.blastwall.lib.shell

# The programs this rule reads: blastwall skips documents whose commands run none of them.
programs := {"aws", "gcloud", "gsutil", "az", "doctl", "helm", "kubectl"}

deny contains result if {
	some c, cmd in input.commands
	tool := cmd.program
	tool in programs
	a := cmd.args
	# Its targets come from another command (most commands take none): checked before parsing the
	# delete. The inline test is a necessary condition of the helper's (no inputs and no stdin
	# means no feeders) that spares most commands a call into another package.
	not [cmd.inputs, cmd.stdin_from] == [[], null]
	count(shell.direct_feeders(cmd)) > 0
	noun := delete_noun(tool, a)
	not shell.dry_run(a)
	feeders := shell.feeders(cmd)
	unfiltered := {i |
		some i in feeders
		listing_of(tool, a, input.commands[i])
		not bounded_listing(cmd, input.commands[i], a)
		not tested(i)
	}
	count(unfiltered) > 0
	not filtered_elsewhere(cmd, a, feeders)
	l := min(unfiltered)
	listed := input.commands[l]
	result := {
		"msg": sprintf("`%s` deletes the %s listed by `%s`, %s%s%s", [
			head(a), noun, head(listed.args), selection(cmd, listed, a, feeders), unattended(cmd), no_snapshot(a),
		]),
		"path": ["commands", c],
		"severity": severity(cmd, a),
		"help": help(tool),
		"related": array.concat([{"path": ["commands", l], "msg": listing_label(cmd, listed, a, feeders)}], shell.run_by(cmd)),
		"fix": listing_fix(listed, l, tool),
	}
}

# What the listing selects, for the message.
selection(cmd, listed, a, feeders) := "whose only filter is a name, label or prefix that production's share: it selects by app, not by what this job created" if {
	broad_filter(cmd, listed, a, feeders)
} else := "which has no filter: that is every one the credentials can see, not only what this job created"

listing_label(cmd, listed, a, feeders) := "Listing selected only by a name, label or prefix production shares" if {
	broad_filter(cmd, listed, a, feeders)
} else := "Unfiltered listing that feeds the delete"

broad_filter(_, listed, a, _) if filtered_listing(listed.args, a)

broad_filter(_, _, _, feeders) if {
	some i in feeders
	filter_command(input.commands[i].args)
}

# A filter bounds the listing when a person runs it and picks what it names. A cleanup that runs
# unattended (CI, a schedule, a Kubernetes workload) must select what its jobs own: a filter on
# an app, team or name prefix (`-l team=search`, `name~^search-`, `starts_with(StackName,
# 'orders-')`) also selects production's.
bounded_listing(cmd, listed, a) if {
	filtered_listing(listed.args, a)
	not shell.automated(cmd)
}

bounded_listing(cmd, listed, a) if {
	filtered_listing(listed.args, a)
	shell.automated(cmd)
	names_owned(listed)
}

# A filter on something other than names and labels (`--filter tagStatus=UNTAGGED`) selects by
# what the resources are, not by whose.
bounded_listing(cmd, listed, a) if {
	filtered_listing(listed.args, a)
	shell.automated(cmd)
	not name_filtered(listed.args)
}

# Filters on names, prefixes or labels: `-l team=search`, `--selector`, `--name-prefix`,
# `--filter="name~^search-"`, `--filters Name=tag:app,Values=orders`,
# `--query "[?starts_with(StackName, 'orders-')]"`.
name_filtered(la) if {
	some w in la
	regex.match(`^(-l|--selector|--label-selector|--[a-z-]*prefix)(=.*|.+)?$`, w)
}

name_filtered(la) if {
	some i, w in la
	regex.match(`^--(filter|filters|query)(=.*)?$`, w)
	value := concat(" ", array.slice(la, i, i + 2))
	regex.match(`[Nn]ame|labels[.]|tag:|[Tt]ags`, value)
}

# A word of the command, or the value a variable in it was set to, names what the job owns.
names_owned(command) if {
	some word in command.words
	shell.owned_filter(word.text)
}

names_owned(command) if {
	some word in command.words
	some name in word.expansions
	some other in input.commands
	some assignment in other.assignments
	assignment.name == name
	shell.owned_filter(assignment.value)
}

# Unsafe: `owner=ci` is a placeholder for the tag or label this job puts on what it creates.
listing_fix(listed, l, tool) := {
	"title": sprintf("filter the listing by what this job owns (`%s`: use your own tag)", [trim_space(filter)]),
	"path": ["commands", l, "words", w],
	"insert": "after",
	"replacement": filter,
	"safe": false,
} if {
	la := listed.args
	filter := owner_filter(tool, la)
	last := fix_anchor(la)
	w := min({i | some i, word in listed.words; word.text == last})
} else := null

# The filter goes after the operation, past any global flags (`aws --region x ec2 describe-instances`).
fix_anchor(la) := aws_op(la)[1] if la[0] == "aws"

else := la[first_flag(la) - 1]

# Only where the listing takes a tag/label filter (rds and cloudformation listings do not).
owner_filter("aws", la) := " --filters Name=tag:owner,Values=ci" if aws_op(la)[0] in {"ec2", "autoscaling"}

owner_filter("gcloud", _) := " --filter=labels.owner=ci"

owner_filter("az", _) := " --tag owner=ci"

owner_filter("doctl", _) := " --tag-name ci"

owner_filter("helm", _) := " --selector owner=ci"

owner_filter("kubectl", _) := " -l app.kubernetes.io/managed-by=ci"

# The command line up to its first flag, for messages (`aws SERVICE OPERATION` past global flags).
head(a) := concat(" ", ["aws", op[0], op[1]]) if {
	a[0] == "aws"
	op := aws_op(a)
} else := concat(" ", ["gsutil", shell.gsutil_command(a)]) if {
	a[0] == "gsutil"
} else := concat(" ", array.slice(a, 0, first_flag(a)))

first_flag(a) := min({i | some i, w in a; startswith(w, "-")} | {count(a)})

unattended(cmd) := ", in a scheduled job" if shell.scheduled(cmd)

else := ""

no_snapshot(a) := "; `--skip-final-snapshot` leaves no snapshot to restore from" if "--skip-final-snapshot" in a

else := ""

# Deletes without a final snapshot cannot be undone even by a restore.
severity(cmd, a) := "error" if {
	some flag in ["--skip-final-snapshot", "--delete-automated-backups"]
	flag in a
} else := shell.severity(cmd, "warning")

# ---- What counts as a delete, per tool, and what it deletes (for the message).

delete_noun("aws", a) := noun if {
	[service, op] := aws_op(a)
	regex.match(`^(batch-delete|delete|terminate|deregister|remove)-`, op)
	noun := aws_noun(service, op)
}

delete_noun("aws", a) := "buckets" if {
	[_, op] := aws_op_s3(a)
	op == "rb"
}

delete_noun(tool, a) := concat(" ", resource_path(a, delete_verbs)) if {
	tool in {"gcloud", "az", "doctl"}
	count(resource_path(a, delete_verbs)) > 0
}

delete_noun("gsutil", a) := "buckets" if shell.gsutil_command(a) in {"rm", "rb"}

delete_noun("helm", a) := "releases" if {
	a[1] in {"uninstall", "delete", "del", "un"}
}

delete_noun("kubectl", a) := kubectl_noun(subcommands(a)) if a[1] == "delete"

kubectl_noun(p) := p[1] if count(p) > 1

else := "resource"

aws_noun(service, op) := sprintf("%s %s", [service, trim_prefix(op, prefix)]) if {
	some prefix in ["batch-delete-", "delete-", "terminate-", "deregister-", "remove-"]
	startswith(op, prefix)
}

# `aws [--global flags] SERVICE OPERATION …` → [SERVICE, OPERATION]: the first two words that
# are neither flags nor a global flag's value (`aws ec2 --profile ops terminate-instances`).
aws_op(a) := [p[0], p[1]] if {
	p := [w |
		some j, w in a
		j > 0
		not startswith(w, "-")
		not a[j - 1] in aws_valued_flags
	]
	count(p) > 1
}

aws_valued_flags := {"--profile", "--region", "--output", "--endpoint-url", "--query", "--color", "--ca-bundle", "--cli-read-timeout", "--cli-connect-timeout", "--cli-binary-format"}

aws_op_s3(a) := [a[i], a[i + 1]] if {
	some i, w in a
	w == "s3"
	i + 1 < count(a)
}

# Positional words after the program up to the first flag: `gcloud compute instances delete NAME`.
subcommands(a) := array.slice(a, 1, first_flag(a))

delete_verbs := {"delete", "rm", "remove", "destroy"}

# The command groups before the verb: `gcloud compute instances delete x` → ["compute", "instances"].
resource_path(a, verbs) := array.slice(p, 0, i) if {
	p := subcommands(a)
	i := min({j | some j, w in p; w in verbs})
}

# ---- Listings: same tool, same service or resource group as the delete.

listing_of("aws", a, lister) if {
	lister.program == "aws"
	la := lister.args
	[lservice, lop] := aws_op(la)
	regex.match(`^(describe|list)-`, lop)
	lservice == delete_service(a)
}

listing_of("aws", a, lister) if {
	lister.program == "aws"
	la := lister.args
	[_, "ls"] := aws_op_s3(la)
	[_, "rb"] := aws_op_s3(a)
}

listing_of("aws", a, lister) if {
	lister.program == "aws"
	["s3api", "list-buckets"] == aws_op(lister.args)
	[_, "rb"] := aws_op_s3(a)
}

listing_of(tool, a, lister) if {
	tool in {"gcloud", "az", "doctl"}
	lister.program == tool
	resource_path(lister.args, {"list", "ls"}) == resource_path(a, delete_verbs)
}

# `gsutil ls` with no URL lists every bucket in the project; with one, what the URL names.
listing_of("gsutil", _, lister) if {
	lister.program == "gsutil"
	la := lister.args
	shell.gsutil_command(la) == "ls"
	every w in la {
		not startswith(w, "gs://")
	}
}

listing_of("helm", _, lister) if {
	lister.program == "helm"
	lister.args[1] in {"list", "ls"}
}

listing_of("kubectl", _, lister) if {
	lister.program == "kubectl"
	lister.args[1] == "get"
}

delete_service(a) := service if [service, _] := aws_op(a)

# ---- Filters that bound a listing to what the job owns.

filter_flags := {
	"--filters", "--filter", "--tag-filters", "--tag", "--tags", "--tag-name", "--tag-key",
	"--prefix", "--name-prefix", "-l", "--selector", "--label-selector", "--field-selector",
	"-g", "--resource-group", "-f",
}

filtered_listing(la, a) if {
	some i, w in la
	startswith(w, "-") # every filter flag does: spares the other words three tests
	filter_flag(w)
	not state_only(la, i)
	not account_only(la, i)
	not container_flag(la, i, a)
}

# A name the delete repeats with the same flag (`--repository-name repo` on `list-images`
# and on `batch-delete-image`) says where both look, not which of its items are deleted.
container_flag(la, i, a) if {
	not la[i] in filter_flags
	some j, w in a
	w == la[i]
	a[j + 1] == la[i + 1]
}

filter_flag(w) if w in filter_flags

filter_flag(w) if {
	some flag in filter_flags
	startswith(w, concat("", [flag, "="]))
}

# Any name, id, prefix, tag or filter flag on the listing names what it covers
# (`--log-group-name-prefix pr-`, `--db-instance-identifier orders`); a status filter does not.
filter_flag(w) if {
	regex.match(`^--[a-z-]*(prefix|filter|filters|tag|tags|name|names|id|ids|identifier|arn|selector)(=.*)?$`, w)
	not contains(w, "status")
}

# `--filters Name=instance-state-name,Values=running`, `--filter=status=RUNNING`: a filter on
# state alone still lists every owner's resources.
state_only(la, i) if {
	la[i] in {"--filters", "--filter"}
	values := array.slice(la, i + 1, first_flag_after(la, i))
	count(values) > 0
	every v in values {
		state_filter(v)
	}
}

state_only(la, i) if {
	some flag in ["--filters=", "--filter="]
	startswith(la[i], flag)
	state_filter(substring(la[i], count(flag), -1))
}

# `describe-snapshots --owner-ids self` (or an account id): every snapshot the account holds;
# the flag only drops other accounts' public ones.
account_only(la, i) if {
	la[i] == "--owner-ids"
	values := array.slice(la, i + 1, first_flag_after(la, i))
	count(values) > 0
	every v in values {
		account_owner(v)
	}
}

account_only(la, i) if {
	startswith(la[i], "--owner-ids=")
	every v in split(substring(la[i], 12, -1), ",") {
		account_owner(v)
	}
}

account_owner(v) if regex.match(`^(self|[0-9]{12})$`, v)

state_filter(v) if regex.match(`^(Name=)?[A-Za-z.:-]*(state|status)[A-Za-z.:-]*(,Values=|!?=|:|~)[^ \t]*$`, v)

first_flag_after(a, i) := min({j | some j, w in a; j > i; startswith(w, "-")} | {count(a)})

# `kubectl get pod web-0` or `kubectl get pod/web-0`: named resources.
filtered_listing(la, _) if {
	la[0] == "kubectl"
	count(subcommands(la)) > 2
}

filtered_listing(la, _) if {
	la[0] == "kubectl"
	some w in subcommands(la)
	contains(w, "/")
}

# `-lapp=x` (kubectl/helm short form).
filtered_listing(la, _) if {
	some w in la
	startswith(w, "-l") # before the regex, which needs it
	regex.match(`^-l.+`, w)
}

# A JMESPath filter expression: `--query "Stacks[?starts_with(StackName, 'pr-')]"`. Age alone
# (`Images[?CreationDate<'2024-01-01']`) says how old a resource is, not whose: production's
# pinned image is as old as anyone's.
filtered_listing(la, _) if {
	query := shell.flag_value(la, "--query")
	contains(query, "[?")
	not age_only(query)
}

age_only(query) if {
	not contains(query, "&&")
	not contains(query, "||")
	regex.match(`\[\?[ (]*(CreationDate|LaunchTime|StartTime|CreateTime|CreatedTime|CreationTime|LastModified|LastModifiedTime|SnapshotCreateTime|InstanceCreateTime|ClusterCreateTime|CreatedAt|createdAt) *[<>]`, query)
}

# A listing named after the run (`-n preview-$PR`, `--stack-name app-$GITHUB_RUN_ID`).
filtered_listing(la, _) if {
	some w in la
	contains(w, "$") # every run-scoped word holds one: spares a library call per word
	shell.run_scoped(w)
}

# A filter between listing and delete (`| grep '^ci-'`, `| jq 'select(.tags.owner == "ci")'`),
# or a run-scoped name on the delete itself.
filtered_elsewhere(cmd, _, feeders) if {
	some i in feeders
	filter_command(input.commands[i].args)
	not shell.automated(cmd)
}

filtered_elsewhere(cmd, _, feeders) if {
	some i in feeders
	filter_command(input.commands[i].args)
	shell.automated(cmd)
	names_owned(input.commands[i])
}

filtered_elsewhere(_, a, _) if {
	some w in a
	contains(w, "$") # every run-scoped word holds one: spares a library call per word
	shell.run_scoped(w)
}

# The listing's output is compared before use: `if [[ "$ns" == preview-* ]]; then kubectl delete "$ns"`.
# A test that it is empty or not (`[ -n "$ids" ]`) selects nothing.
tested(l) if {
	some other in input.commands
	other.argv[0] in {"[[", "[", "test"}
	some op in {"=", "==", "!=", "=~"}
	op in other.argv
	l in shell.feeders(other)
	# Unattended, the comparison must name what the job owns (`== preview-*`), not an age or a
	# missing tag (`"$created" == "None"`).
	owned_test(other)
}

owned_test(test) if not shell.automated(test)

owned_test(test) if names_owned(test)

filter_command(fa) if {
	fa[0] in {"grep", "egrep", "fgrep", "rg"}
	not format_only_grep(fa)
	not inverted(fa)
}

# `grep -v '^(default|kube-system)$'` drops a deny-list: everything else, every owner's,
# still goes. Dropping production by name (`grep -v '^prod-'`) is the bound it needs.
inverted(fa) if {
	some flag in fa
	regex.match(`^(-[a-zA-Z]*v[a-zA-Z]*|--invert-match)$`, flag)
	not regex.match(`prod|prd|live`, lower(concat(" ", fa)))
}

# `grep -v NAME` drops a table's header; `grep i-` keeps lines holding an id. Every row stays.
format_only_grep(fa) if {
	patterns := [w | some w in array.slice(fa, 1, count(fa)); not startswith(w, "-")]
	count(patterns) == 1
	format_pattern(fa, patterns[0])
}

format_pattern(fa, pattern) if {
	some flag in fa
	regex.match(`^-[a-zA-Z]*v[a-zA-Z]*$`, flag)
	regex.match(`^\^?[A-Z][A-Z_ ]*$`, pattern)
}

format_pattern(_, pattern) if regex.match(`^\^?((i|vol|snap|ami|sg|eni|subnet|vpc|igw|rtb|eipalloc)-|.)$`, pattern)

filter_command(fa) if {
	fa[0] == "jq"
	some w in fa
	regex.match(`select\(|test\(|startswith\(|contains\(|index\(`, w)
	not age_only(w)
}

# A `select` on age or state alone (`creationTimestamp | fromdateiso8601 < $cutoff`,
# `.status.phase == "Active"`) keeps every owner's old resources.
age_only(program) if {
	p := lower(program)
	regex.match(`timestamp|fromdate|now|age|created|phase|status`, p)
	# A name is a filter when compared (`.name == "ci-x"`); `| .metadata.name` only projects.
	not regex.match(`label|tag|owner|annotation|prefix|test\(|startswith\(|contains\(|index\(|name *[!=]=`, p)
}

# awk with a pattern or condition; a bare `{print $1}` only projects.
filter_command(fa) if {
	fa[0] in {"awk", "gawk"}
	some w in array.slice(fa, 1, count(fa))
	not startswith(w, "-")
	not projection_only(replace(w, " ", ""))
}

projection_only(program) if {
	body := regex.replace(program, `^F?NR(>1|>=2|!=1)`, "")
	startswith(body, "{print")
	endswith(body, "}")
	not contains(trim_suffix(body, "}"), "}")
}

help("aws") := "Filter the listing by an ownership or run tag (`--filters Name=tag:owner,Values=ci Name=tag:run-id,Values=$GITHUB_RUN_ID`, or `--query \"...[?Tags...]\"`), or terminate the explicit ids recorded when the job created them."

help("gcloud") := "Filter the listing by a label the job set (`--filter=\"labels.owner=ci AND labels.run-id=$RUN_ID\"`), or delete the explicit names the job created."

help("gsutil") := "List only the buckets the job created (`gsutil ls -p \"$PROJECT\" | grep '^gs://ci-$RUN_ID-'`), or remove the explicit bucket names the job recorded."

help("az") := "Filter the listing by a tag the job set (`--tag owner=ci`, or `--query \"[?tags.runId=='$RUN_ID'].id\"`), or delete the explicit ids the job created."

help("doctl") := "List only what the job tagged (`doctl compute droplet list --tag-name ci-run-$RUN_ID`), or delete by tag (`doctl compute droplet delete --tag-name ci-run-$RUN_ID`)."

help("helm") := "List only the job's releases (`helm list -n preview-$PR --selector owner=ci`, or `--filter '^pr-123-'`) instead of every release in every namespace."

help("kubectl") := "List only what the job owns (`kubectl get ns -l app.kubernetes.io/managed-by=ci,run-id=$RUN_ID -o name`), or delete with that selector directly."
