package blastwall.unbounded_delete.prod_datastore_deletable_test

import rego.v1

import data.blastwall.unbounded_delete.prod_datastore_deletable as rule

tf(env, type, attrs) := {"kind": "terraform", "environment": env, "content": {"resource": {type: {"db": [attrs]}}}}

test_flags_skip_final_snapshot_in_prod if {
	results := rule.deny with input as tf("prod", "aws_db_instance", {"skip_final_snapshot": true, "deletion_protection": true})
	count(results) == 1
	some r in results
	r.path == ["content", "resource", "aws_db_instance", "db"]
	r.related == [{"path": ["content", "resource", "aws_db_instance", "db", 0, "skip_final_snapshot"], "msg": "`skip_final_snapshot = true` leaves no snapshot when it is destroyed"}]
	r.fix.path == ["content", "resource", "aws_db_instance", "db", 0, "skip_final_snapshot"]
}

test_flags_missing_protection_on_the_block if {
	some r in rule.deny with input as tf("prod", "aws_rds_cluster", {"engine": "aurora"})
	r.path == ["content", "resource", "aws_rds_cluster", "db"]
	r.related == []
	contains(r.msg, "prevent_destroy")
}

test_uses_resolved_values if {
	doc := object.union(tf("prod", "aws_db_instance", {"deletion_protection": "${var.p}"}), {"resolved": {"resource": {"aws_db_instance": {"db": [{"deletion_protection": false}]}}}})
	count(rule.deny) == 1 with input as doc
}

test_name_marks_production_when_the_path_does_not if {
	count(rule.deny) == 1 with input as tf(null, "aws_db_instance", {"identifier": "orders-prod"})
	count(rule.deny) == 0 with input as tf(null, "aws_db_instance", {"identifier": "orders"})
}

test_ignores_protected_unknown_and_non_prod if {
	count(rule.deny) == 0 with input as tf("prod", "aws_db_instance", {"lifecycle": [{"prevent_destroy": true}]})
	count(rule.deny) == 0 with input as tf("prod", "aws_db_instance", {"deletion_protection": "${var.p}"})
	count(rule.deny) == 0 with input as tf("dev", "aws_db_instance", {"skip_final_snapshot": true})
	count(rule.deny) == 0 with input as tf("prod", "google_sql_database_instance", {"name": "x"})
	count(rule.deny) == 1 with input as tf("prod", "google_sql_database_instance", {"deletion_protection": false})
}

cfn(res) := {"kind": "cloudformation", "environment": "prod", "content": {"Resources": {"Db": res}}}

test_cloudformation_deletion_policy if {
	count(rule.deny) == 1 with input as cfn({"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Delete"})
	count(rule.deny) == 0 with input as cfn({"Type": "AWS::RDS::DBInstance"})
	count(rule.deny) == 1 with input as cfn({"Type": "AWS::DynamoDB::Table"})
	count(rule.deny) == 0 with input as cfn({"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain"})
}

test_ignores_read_replicas if {
	replica := {"replicate_source_db": "${aws_db_instance.primary.identifier}", "skip_final_snapshot": true, "backup_retention_period": 0}
	count(rule.deny) == 0 with input as tf("prod", "aws_db_instance", replica)
	count(rule.deny) == 1 with input as tf("prod", "aws_db_instance", object.union(replica, {"replicate_source_db": ""}))
	cfn := {"kind": "cloudformation", "environment": "prod", "content": {"Resources": {"Reader": {"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Delete", "Properties": {"SourceDBInstanceIdentifier": "orders-prod"}}}}}
	count(rule.deny) == 0 with input as cfn
}

test_ignores_terraform_state_lock_tables if {
	count(rule.deny) == 0 with input as tf("prod", "aws_dynamodb_table", {"name": "tf-locks-prod", "hash_key": "LockID"})
	count(rule.deny) == 1 with input as tf("prod", "aws_dynamodb_table", {"name": "orders-prod", "hash_key": "OrderID"})
	count(rule.deny) == 1 with input as tf("prod", "aws_dynamodb_table", {"name": "leases", "hash_key": "LockID", "range_key": "Owner"})
}

# A retention CloudFormation chooses with a condition or parameter is not a policy failure.
retained_db(period) := {"kind": "cloudformation", "environment": "prod", "content": {"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot", "Properties": {"BackupRetentionPeriod": period}}}}}

test_cfn_retention_chosen_by_a_function_is_not_a_number if {
	every period in [{"Fn::If": ["IsProd", 14, 1]}, "Retention", [0]] {
		count(rule.deny) == 0 with input as retained_db(period)
	}
	count(rule.deny) == 1 with input as retained_db("0")
}

# A template for every environment is judged as its production parameter file deploys it.
cfn_deployment(env, protect) := {"file": sprintf("params/%s.json", [env]), "environment": env, "resources": {"Entries": {"Type": "AWS::DynamoDB::Table", "Properties": {"DeletionProtectionEnabled": protect}}}}

cfn_template(deployments) := {"kind": "cloudformation", "environment": null, "content": {"Resources": {"Entries": {"Type": "AWS::DynamoDB::Table", "Properties": {"DeletionProtectionEnabled": {"Ref": "Protect"}}}}}, "deployments": deployments}

test_cfn_template_judged_by_its_production_deployment if {
	results := rule.deny with input as cfn_template([cfn_deployment("dev", "false"), cfn_deployment("prod", "false")])
	count(results) == 1
	some r in results
	contains(r.msg, "params/prod.json")
	count(rule.deny) == 0 with input as cfn_template([cfn_deployment("dev", "false"), cfn_deployment("prod", "true")])
	count(rule.deny) == 0 with input as cfn_template([cfn_deployment("dev", "false")])
}

# A production user pool without deletion protection or a retain policy.
user_pool(protection, policy) := {"kind": "cloudformation", "environment": "prod", "content": {"Resources": {"Customers": object.union({"Type": "AWS::Cognito::UserPool", "Properties": {"DeletionProtection": protection}}, policy)}}}

test_cfn_user_pools if {
	count(rule.deny) == 1 with input as user_pool("INACTIVE", {})
	count(rule.deny) == 0 with input as user_pool("ACTIVE", {})
	count(rule.deny) == 0 with input as user_pool("INACTIVE", {"DeletionPolicy": "Retain"})
}
