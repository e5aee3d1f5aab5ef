# METADATA
# title: IAM policy allows destructive actions on every resource
# description: |
#   An IAM statement that allows a destructive action (`ec2:TerminateInstances`,
#   `rds:DeleteDBInstance`, `s3:DeleteBucket`, `cloudformation:DeleteStack`, …,
#   or a wildcard such as `*`, `ec2:*`, `*:Delete*` that covers one) on
#   `Resource: "*"` (or every resource of a type, `arn:…:instance/*`), with no
#   `Condition` that bounds it to what the principal owns
#   (`aws:ResourceTag/owner`, `ec2:ResourceTag/…`). Read from IAM JSON policy
#   documents, Terraform `aws_iam_policy_document` and `jsonencode(…)`/heredoc
#   policies, CloudFormation `AWS::IAM::*` resources and SAM functions' inline
#   `Policies` statements (`!Sub` ARNs read with their substitutions as `*`).
#
#   Why is this bad? Whatever runs with this policy can delete every instance,
#   database or bucket in the account, not only its own. cloud.gov's 2018 outage
#   was a cleanup task whose credentials could terminate every VM in an account
#   shared with production, and did. Severity is error when the policy or role
#   is named for CI or tests, which is where cleanup code runs.
# custom:
#   id: iam-unbounded-delete
#   category: unbounded-delete
#   severity: warning
#   kinds: [iam-policy, terraform, cloudformation]
#   help: >-
#     Bound the statement to what the principal owns: add a `Condition` such as
#     `{"StringEquals": {"aws:ResourceTag/owner": "ci"}}`, or list the ARNs it
#     may delete (`arn:aws:ec2:*:123456789012:instance/*` is still every
#     instance).
#   bad: |
#     {"Version": "2012-10-17", "Statement": [
#       {"Effect": "Allow", "Action": ["ec2:TerminateInstances"], "Resource": "*"}]}
#   good: |
#     {"Version": "2012-10-17", "Statement": [
#       {"Effect": "Allow", "Action": ["ec2:TerminateInstances"], "Resource": "*",
#        "Condition": {"StringEquals": {"aws:ResourceTag/owner": "ci"}}}]}
package blastwall.unbounded_delete.iam_unbounded_delete

import rego.v1

deny contains result if {
	some st in statements
	# An effect chosen by a template function (`!If [IsProd, Deny, Allow]`) is not known here.
	effect := object.get(st, "effect", "Allow")
	is_string(effect)
	lower(effect) == "allow"
	not st.resource_policy
	# Resources first: most statements name their ARNs, and matching actions costs more.
	unbounded := [r | some r in st.resources; unbounded_resource(r)]
	count(unbounded) > 0
	hits := {covered(pattern, first_destructive(pattern)) | some pattern in st.actions}
	count(hits) > 0
	resource := unbounded[0]
	not owner_condition(st.condition_keys)
	result := {
		"msg": sprintf("%s allows %s on `%s` with no condition on ownership: it can delete every such resource in the account, not only its own", [
			st.owner, concat(", ", sort(hits)), resource,
		]),
		"path": action_path(st),
		"severity": severity(st.owner),
	}
}

# Located on the statement's `Action`/`actions` line, the part that grants the delete; a statement
# inside a JSON string has no spans of its own and stays on the string.
action_path(st) := array.concat(st.path, [st.action_key]) if st.action_key != null

else := st.path

# `rds:Delete*` → "`rds:Delete*` (e.g. rds:DeleteDBInstance)".
covered(pattern, action) := sprintf("`%s`", [pattern]) if lower(pattern) == lower(action)

else := sprintf("`%s` (e.g. %s)", [pattern, action])

# ---- Statements from each format, as {path, owner, effect, actions, resources, condition_keys,
# resource_policy}. A statement naming a principal belongs to a resource-based policy (a KMS
# key policy, a bucket or topic policy): there `Resource: "*"` means the one resource the
# policy is attached to, not every resource in the account, so it is not reported.

# One rule per kind, picked once: each rule definition costs an evaluation for every document,
# even one whose kind it then rejects.
statements := document_statements(input.content, ["content"], sprintf("policy `%s`", [input.file]), true) if {
	input.kind == "iam-policy"
} else := terraform_statements if {
	input.kind == "terraform"
	# Most modules hold no policy at all: tested here, that spares them the rules below.
	input.content.data.aws_iam_policy_document
} else := terraform_statements if {
	input.kind == "terraform"
	some type, _ in input.content.resource
	type in terraform_policy_types
} else := cloudformation_statements if {
	input.kind == "cloudformation"
}

# Terraform reads through variables and locals (`actions = local.prune_actions`): `resolved` has
# the content's shape with the values they give, so paths still name the written expression.
terraform := object.get(input, "resolved", input.content)

# Terraform `data "aws_iam_policy_document"` blocks.
terraform_statements contains st if {
	some name, blocks in terraform.data.aws_iam_policy_document
	some b, block in blocks
	some i, s in block.statement
	st := {
		"path": ["content", "data", "aws_iam_policy_document", name, b, "statement", i],
		"owner": sprintf("`data.aws_iam_policy_document.%s`", [name]),
		"effect": object.get(s, "effect", "Allow"),
		"actions": strings(object.get(s, "actions", [])),
		"action_key": key_if_present(s, "actions", true),
		"resources": strings(object.get(s, "resources", [])),
		"condition_keys": [k | some cond in object.get(s, "condition", []); k := cond.variable],
		"resource_policy": count(object.get(s, "principals", [])) + count(object.get(s, "not_principals", [])) > 0,
	}
}

terraform_policy_types := {"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"}

# `policy = jsonencode({...})` (already an object) or a heredoc/JSON string.
terraform_statements contains st if {
	some type, resources in terraform.resource
	type in terraform_policy_types
	some name, blocks in resources
	some b, block in blocks
	doc := policy_object(block.policy)
	base := ["content", "resource", type, name, b, "policy"]
	some st in document_statements(doc, base, sprintf("`%s.%s`", [type, name]), is_object(block.policy))
}

# CloudFormation managed/inline policies and roles' inline `Policies`.
cloudformation_statements contains st if {
	some name, res in input.content.Resources
	res.Type in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}
	base := ["content", "Resources", name, "Properties", "PolicyDocument"]
	some st in document_statements(res.Properties.PolicyDocument, base, sprintf("`%s`", [name]), true)
}

# A SAM function's `Policies` list inline policy documents (`- Statement: [...]`) beside
# managed policy names and SAM policy templates.
cloudformation_statements contains st if {
	some name, res in input.content.Resources
	res.Type in {"AWS::Serverless::Function", "AWS::Serverless::StateMachine"}
	some p, pol in as_list(res.Properties.Policies)
	is_object(pol)
	pol.Statement
	base := ["content", "Resources", name, "Properties", "Policies", p]
	some st in document_statements(pol, base, sprintf("`%s`", [name]), true)
}

cloudformation_statements contains st if {
	some name, res in input.content.Resources
	res.Type in {"AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"}
	some p, pol in res.Properties.Policies
	base := ["content", "Resources", name, "Properties", "Policies", p, "PolicyDocument"]
	some st in document_statements(pol.PolicyDocument, base, sprintf("`%s`", [name]), true)
}

policy_object(p) := p if is_object(p)

policy_object(p) := json.unmarshal(p) if {
	is_string(p)
	json.is_valid(p)
}

# A policy document's statements; `Statement` may be one object or a list. A statement
# inside a JSON string has no span of its own, so it is located on the string.
document_statements(doc, base, owner, located) := [st |
	some i, s in as_list(doc.Statement)
	is_object(s)
	st := {
		"path": statement_path(doc, base, i, located),
		"owner": owner,
		"effect": object.get(s, "Effect", "Allow"),
		"actions": strings(object.get(s, "Action", [])),
		"action_key": key_if_present(s, "Action", located),
		"resources": arns(object.get(s, "Resource", [])),
		"condition_keys": [k | some _, keys in object.get(s, "Condition", {}); some k, _ in keys],
		"resource_policy": count({"Principal", "NotPrincipal"} & {k | some k, _ in s}) > 0,
	}
]

statement_path(doc, base, i, true) := array.concat(base, ["Statement", i]) if is_array(doc.Statement)

else := array.concat(base, ["Statement"])

statement_path(_, base, _, false) := base

key_if_present(s, key, true) := key if s[key]

else := null

key_if_present(_, _, false) := null

as_list(x) := x if is_array(x)

else := [x]

# CloudFormation ARNs are often `!Sub arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*`:
# a substituted value is one region or account, written here as `*` so the ARN keeps its shape.
arns(x) := [sub(r) | some r in as_list(x); sub(r) != null]

sub(r) := r if is_string(r)

else := regex.replace(r["Fn::Sub"], `\$\{[^}]*\}`, "*") if is_string(r["Fn::Sub"])

else := null

strings(x) := [x] if is_string(x)

else := [s | some s in x; is_string(s)] if is_array(x)

else := []

# ---- What is destructive, unbounded and bounded.

destructive_actions := [
	"ec2:TerminateInstances", "ec2:DeleteVolume", "ec2:DeleteSnapshot",
	"rds:DeleteDBInstance", "rds:DeleteDBCluster", "rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot",
	"s3:DeleteBucket", "cloudformation:DeleteStack", "autoscaling:DeleteAutoScalingGroup",
	"dynamodb:DeleteTable", "eks:DeleteCluster", "eks:DeleteNodegroup", "ecs:DeleteCluster",
	"ecs:DeleteService", "lambda:DeleteFunction", "elasticache:DeleteCacheCluster",
	"elasticache:DeleteReplicationGroup", "redshift:DeleteCluster", "es:DeleteDomain",
	"kms:ScheduleKeyDeletion", "backup:DeleteRecoveryPoint", "efs:DeleteFileSystem",
	"docdb-elastic:DeleteCluster", "neptune-db:DeleteDBCluster",
]

# The first destructive action an `Action` pattern covers. A pattern that spells one (any case)
# covers that action alone: a lookup. Otherwise only a pattern with a wildcard (`*`, `?`) or another
# character the regex rewrites can cover one; it is matched against each destructive action.
first_destructive(pattern) := destructive_by_name[lower(pattern)]

first_destructive(pattern) := listed_match(pattern) if not destructive_by_name[lower(pattern)]

# The first listed action a pattern with a wildcard (or another regex metacharacter) matches.
listed_match(pattern) := action if {
	regex.match(`[*?.+()|^$\[\]{}\\]`, pattern)
	re := glob_regex(pattern)
	matches := [a | some a in destructive_actions; regex.match(re, lower(a))]
	count(matches) > 0
	action := matches[0]
}

destructive_by_name := {lower(a): a | some a in destructive_actions}

# An IAM action pattern as an anchored, case-insensitive regex: `*` any run, `?` one character,
# and regex metacharacters taken literally.
glob_regex(pattern) := sprintf("^%s$", [replace(replace(regex.replace(lower(pattern), `[.+()|^$\[\]{}\\]`, "."), "*", ".*"), "?", ".")])

# Beyond the list above, every service follows AWS's naming: an action that destroys a resource
# is named `Delete…`, `BatchDelete…`, `Terminate…`, `Purge…` or `Destroy…` (`ecr:BatchDeleteImage`,
# `fsx:DeleteFileSystem`, `secretsmanager:DeleteSecret`). A spelled-out action with such a verb is
# destructive unless it removes something that carries no state: a tag, one object or message,
# a log stream, a Lambda's VPC network interface (AWS's own managed roles grant those on `*`),
# routing and protection settings (listeners, rules, Shield protections), change sets and policy
# versions.
first_destructive(pattern) := pattern if {
	not destructive_by_name[lower(pattern)]
	not contains(pattern, "*")
	not contains(pattern, "?")
	[service, name] := split(lower(pattern), ":")
	not stateless_services[service]
	regex.match(`^(batchdelete|delete|terminate|purge|destroy)`, name)
	not regex.match(`^(batch)?delete(objects?|objectversion|objecttagging|tags?|resourcetags?|networkinterface|networkinterfacepermission|messages?|messagebatch|logstream|logdelivery|alarms|dashboards?|listeners?|rules?|protection|changeset|policyversion)$`, name)
}

# A service wildcard (`fsx:*`, `ecr:Batch*`, `dynamodb:Delete*`) covers that service's deletes,
# whether or not the service is listed above; the verbs stand in for its action catalogue.
first_destructive(pattern) := sprintf("%s:%s…", [service, verb]) if {
	not destructive_by_name[lower(pattern)]
	contains(pattern, "*")
	[service, name] := split(pattern, ":")
	not contains(service, "*")
	not stateless_services[lower(service)]
	not listed_match(pattern)
	re := glob_regex(name)
	verbs := [v | some v in ["Delete", "BatchDelete", "Terminate", "Purge"]; regex.match(re, lower(v))]
	verb := verbs[0]
}

# Services with nothing to lose: credentials, metrics, traces and session channels.
stateless_services := {"sts", "logs", "cloudwatch", "xray", "ec2messages", "ssmmessages", "execute-api", "pricing", "tag", "aws-marketplace"}

unbounded_resource("*") := true

# Every resource of a type in an account or region: `arn:aws:ec2:*:*:instance/*`, `arn:aws:s3:::*`,
# every object of every bucket `arn:aws:s3:::*/*`.
# Most ARNs name one resource and do not end in `*`: they need no regex.
unbounded_resource(arn) if {
	endswith(arn, "*")
	startswith(arn, "arn:")
	regex.match(`^arn:[^:]*:[^:]*:[^:]*:[^:]*:([a-z-]+[/:])?\*(/\*)?$`, arn)
}

# Tag-based ownership (ABAC) or a human-only MFA gate.
owner_condition(keys) if {
	some k in keys
	regex.match(`resourcetag/|-tag/|multifactorauthpresent`, lower(k))
}

severity(owner) := "error" if {
	regex.match(`(^|[^a-z])(ci|cd|test|tests|testing|e2e|github|gitlab|runner|cleanup|janitor|sweeper)([^a-z]|$)`, lower(owner))
} else := "warning"
