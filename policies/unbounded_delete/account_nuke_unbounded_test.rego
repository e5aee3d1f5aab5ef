package blastwall.unbounded_delete.account_nuke_unbounded_test

import rego.v1

import data.blastwall.unbounded_delete.account_nuke_unbounded as rule

config(extra) := {"kind": "yaml", "commands": [], "content": object.union({"regions": ["us-east-1"], "account-blocklist": ["1"]}, extra)}

test_flags_account_without_filters if {
	results := rule.deny with input as config({"accounts": {"2": {}}})
	count(results) == 1
	some r in results
	r.path == ["content", "accounts", "2"]
}

test_flags_missing_blocklist if {
	doc := {"kind": "yaml", "commands": [], "content": {"regions": ["us-east-1"], "accounts": {"2": {"filters": {"IAMRole": ["x"]}}}}}
	some r in rule.deny with input as doc
	contains(r.msg, "account-blocklist")
}

test_ignores_filtered_and_type_limited_configs if {
	count(rule.deny) == 0 with input as config({"accounts": {"2": {"presets": ["sso"]}}})
	count(rule.deny) == 0 with input as config({"accounts": {"2": {}}, "resource-types": {"includes": ["EC2Instance"]}})
	count(rule.deny) == 0 with input as {"kind": "yaml", "commands": [], "content": {"accounts": {"2": {}}}}
}

# `program` and `args` as the model computes them (src/model/script.rs); these argv have no wrappers.
cmd(argv) := {"kind": "shell", "commands": [{"argv": argv, "program": argv[0], "args": argv, "span": [0, 1], "job": null}]}

test_cloud_nuke_bounds if {
	count(rule.deny) == 1 with input as cmd(["cloud-nuke", "aws", "--force"])
	count(rule.deny) == 0 with input as cmd(["cloud-nuke", "aws", "--region", "us-east-1"])
	count(rule.deny) == 0 with input as cmd(["cloud-nuke", "aws", "--resource-type", "ec2"])
	count(rule.deny) == 0 with input as cmd(["cloud-nuke", "aws", "--dry-run"])
	count(rule.deny) == 0 with input as cmd(["cloud-nuke", "defaults-aws"])
}
