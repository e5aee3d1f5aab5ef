package blastwall.unbounded_delete.iam_unbounded_delete_test

import rego.v1

import data.blastwall.unbounded_delete.iam_unbounded_delete as rule

policy(statement) := {"kind": "iam-policy", "file": "policy.json", "content": {"Version": "2012-10-17", "Statement": [statement]}}

test_flags_terminate_on_every_resource if {
	results := rule.deny with input as policy({"Effect": "Allow", "Action": ["ec2:TerminateInstances"], "Resource": "*"})
	count(results) == 1
	some r in results
	r.path == ["content", "Statement", 0, "Action"]
	contains(r.msg, "`ec2:TerminateInstances`")
}

test_flags_wildcards_that_cover_a_delete if {
	some r in rule.deny with input as policy({"Effect": "Allow", "Action": "rds:Delete*", "Resource": "*"})
	contains(r.msg, "rds:DeleteDBInstance")
	count(rule.deny) == 1 with input as policy({"Effect": "Allow", "Action": "*", "Resource": "*"})
	count(rule.deny) == 1 with input as policy({"Effect": "Allow", "Action": "*:Delete*", "Resource": "*"})
	count(rule.deny) == 1 with input as policy({"Action": "ec2:*", "Resource": "arn:aws:ec2:*:*:instance/*"})
}

test_ignores_owned_scopes_and_harmless_actions if {
	count(rule.deny) == 0 with input as policy({"Effect": "Allow", "Action": "ec2:TerminateInstances", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/owner": "ci"}}})
	count(rule.deny) == 0 with input as policy({"Effect": "Allow", "Action": "rds:DeleteDBInstance", "Resource": "arn:aws:rds:us-east-1:1:db:ci-*"})
	count(rule.deny) == 0 with input as policy({"Effect": "Allow", "Action": ["ec2:Describe*", "s3:DeleteObject"], "Resource": "*"})
	count(rule.deny) == 0 with input as policy({"Effect": "Deny", "Action": "*", "Resource": "*"})
}

test_terraform_policy_document_and_heredoc if {
	doc := {"kind": "terraform", "content": {"data": {"aws_iam_policy_document": {"ci": [{"statement": [{"actions": ["s3:DeleteBucket"], "resources": ["*"]}]}]}}}}
	some r in rule.deny with input as doc
	r.path == ["content", "data", "aws_iam_policy_document", "ci", 0, "statement", 0, "actions"]
	r.severity == "error"
	heredoc := {"kind": "terraform", "content": {"resource": {"aws_iam_role_policy": {"x": [{"policy": "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}}"}]}}}}
	some h in rule.deny with input as heredoc
	h.path == ["content", "resource", "aws_iam_role_policy", "x", 0, "policy"]
	h.severity == "warning"
}

# A key policy's `"Resource": "*"` is the key it is attached to, not every key in the account.
test_ignores_resource_based_policies if {
	count(rule.deny) == 0 with input as policy({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"})
	root := [{"type": "AWS", "identifiers": ["arn:aws:iam::111122223333:root"]}]
	count(rule.deny) == 0 with input as tf_doc({"actions": ["kms:*"], "resources": ["*"], "principals": root})
	count(rule.deny) == 1 with input as tf_doc({"actions": ["kms:*"], "resources": ["*"]})
}

tf_doc(statement) := {"kind": "terraform", "content": {"data": {"aws_iam_policy_document": {"key": [{"statement": [statement]}]}}}}

# An action without wildcards covers only itself, in any case; `?` matches one character.
test_exact_and_single_character_patterns if {
	some r in rule.deny with input as policy({"Effect": "Allow", "Action": "EC2:terminateinstances", "Resource": "*"})
	contains(r.msg, "`EC2:terminateinstances` on")
	some q in rule.deny with input as policy({"Effect": "Allow", "Action": "rds:DeleteDBCluste?", "Resource": "*"})
	contains(q.msg, "`rds:DeleteDBCluste?` (e.g. rds:DeleteDBCluster)")
	# A longer name is not a prefix match of a listed action: it is judged by its own verb.
	some n in rule.deny with input as policy({"Effect": "Allow", "Action": ["ec2:TerminateInstancesNow"], "Resource": "*"})
	not contains(n.msg, "e.g. ec2:TerminateInstances")
	count(rule.deny) == 0 with input as policy({"Effect": "Allow", "Action": ["ec2:DescribeInstances", "s3:GetObject"], "Resource": "*"})
}

test_cloudformation_policies_and_role_inline_policies if {
	statement := {"Effect": "Allow", "Action": "dynamodb:DeleteTable", "Resource": "*"}
	resources := {
		"Cleanup": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Statement": [statement]}}},
		"CiRole": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyDocument": {"Statement": statement}}]}},
		"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"PolicyDocument": {"Statement": [statement]}}},
	}
	results := rule.deny with input as {"kind": "cloudformation", "file": "stack.yaml", "content": {"Resources": resources}}
	{r.path | some r in results} == {
		["content", "Resources", "Cleanup", "Properties", "PolicyDocument", "Statement", 0, "Action"],
		["content", "Resources", "CiRole", "Properties", "Policies", 0, "PolicyDocument", "Statement", "Action"],
	}
}

# Only the policy resource types are read, among any others in the file.
test_terraform_policy_resources_among_others if {
	policy_doc := {"Statement": [{"Effect": "Allow", "Action": "s3:DeleteBucket", "Resource": "*"}]}
	doc := {"kind": "terraform", "content": {"resource": {
		"aws_s3_bucket": {"b": [{"policy": policy_doc}]},
		"aws_iam_policy": {"cleanup": [{"policy": policy_doc}]},
	}}}
	results := rule.deny with input as doc
	{r.path | some r in results} == {["content", "resource", "aws_iam_policy", "cleanup", 0, "policy", "Statement", 0, "Action"]}
}

test_flags_delete_verbs_of_unlisted_services if {
	some r in rule.deny with input as policy({"Effect": "Allow", "Action": ["ecr:ListImages", "ecr:BatchDeleteImage"], "Resource": "*"})
	contains(r.msg, "`ecr:BatchDeleteImage`")
	count(rule.deny) == 1 with input as policy({"Effect": "Allow", "Action": "secretsmanager:DeleteSecret", "Resource": "*"})
	some w in rule.deny with input as policy({"Effect": "Allow", "Action": "fsx:*", "Resource": "*"})
	contains(w.msg, "`fsx:*` (e.g. fsx:Delete…)")
	count(rule.deny) == 1 with input as policy({"Effect": "Allow", "Action": "dynamodb:Delete*", "Resource": "*"})
}

test_ignores_stateless_deletes_and_services if {
	# AWSLambdaVPCAccessExecutionRole, queue consumers, tagging, logs and metrics.
	count(rule.deny) == 0 with input as policy({"Effect": "Allow", "Action": ["ec2:DeleteNetworkInterface", "sqs:DeleteMessage", "ec2:DeleteTags", "s3:DeleteObjectVersion"], "Resource": "*"})
	count(rule.deny) == 0 with input as policy({"Effect": "Allow", "Action": ["logs:*", "cloudwatch:*", "xray:*", "sts:*"], "Resource": "*"})
	# The AWS Load Balancer Controller's policy: listeners, rules and Shield protections are settings.
	count(rule.deny) == 0 with input as policy({"Effect": "Allow", "Action": ["elasticloadbalancing:DeleteListener", "elasticloadbalancing:DeleteRule", "shield:DeleteProtection", "logs:DeleteLogDelivery", "cloudformation:DeleteChangeSet"], "Resource": "*"})
	count(rule.deny) == 0 with input as policy({"Effect": "Allow", "Action": ["ecr:Get*", "ecr:Describe*", "s3:List*"], "Resource": "*"})
	count(rule.deny) == 0 with input as policy({"Effect": "Allow", "Action": "ecr:BatchDeleteImage", "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/ci-cache"})
}

test_reads_actions_through_locals if {
	written := {"actions": "${local.prune_actions}", "resources": ["*"]}
	resolved := {"actions": ["backup:DeleteRecoveryPoint", "rds:DeleteDBSnapshot"], "resources": ["*"]}
	doc := object.union(tf_doc(written), {"resolved": tf_doc(resolved).content})
	some r in rule.deny with input as doc
	r.path == ["content", "data", "aws_iam_policy_document", "key", 0, "statement", 0, "actions"]
	contains(r.msg, "`rds:DeleteDBSnapshot`")
	count(rule.deny) == 0 with input as tf_doc(written)
}

# CloudFormation may choose the effect (`Effect: !If [IsProd, Deny, Allow]`): unknown, not a failure.
test_an_effect_chosen_by_a_function_is_skipped if {
	chosen := {"Effect": {"Fn::If": ["IsProd", "Deny", "Allow"]}, "Action": ["ec2:TerminateInstances"], "Resource": "*"}
	count(rule.deny) == 0 with input as policy(chosen)
}

# `actions = local.prune_actions` where the local is null names no action.
test_a_null_action_list_names_nothing if {
	count(rule.deny) == 0 with input as policy({"Effect": "Allow", "Action": null, "Resource": "*"})
}

# A SAM function's inline policy documents; `arn:aws:s3:::*/*` is every bucket's objects.
test_sam_function_inline_statements if {
	statement := {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:*"], "Resource": "arn:aws:s3:::*/*"}
	function := {"Type": "AWS::Serverless::Function", "Properties": {"Policies": ["AWSLambdaBasicExecutionRole", {"Statement": [statement]}]}}
	results := rule.deny with input as {"kind": "cloudformation", "file": "template.yaml", "content": {"Resources": {"Pruner": function}}}
	count(results) == 1
	some r in results
	r.path == ["content", "Resources", "Pruner", "Properties", "Policies", 1, "Statement", 0, "Action"]
}

# `!Sub` ARNs keep their shape: every table of the stack's account, or only the load-test ones.
sub_policy(arn) := {"kind": "cloudformation", "file": "t.yaml", "content": {"Resources": {"P": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "dynamodb:DeleteTable", "Resource": {"Fn::Sub": arn}}]}}}}}}

test_substituted_arns if {
	count(rule.deny) == 1 with input as sub_policy("arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*")
	count(rule.deny) == 0 with input as sub_policy("arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/loadtest-*")
}
