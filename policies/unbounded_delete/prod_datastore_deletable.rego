# METADATA
# title: Production database that one mistaken destroy would lose
# description: |
#   A production database (`aws_db_instance`, `aws_rds_cluster`,
#   `google_sql_database_instance`, `aws_dynamodb_table`, CloudFormation
#   `AWS::RDS::*`/`AWS::DynamoDB::Table`, a Cognito user pool) that can be deleted with no
#   safety net: no `deletion_protection = true` and no `lifecycle {
#   prevent_destroy = true }`, or `skip_final_snapshot = true`,
#   `backup_retention_period = 0`, `deletion_protection = false` (GCP), or a
#   CloudFormation `DeletionPolicy: Delete`. Production is read from the
#   file's path (`envs/prod/`, `production.tf`) or the resource's own
#   identifier; dev and test databases are not reported. A CloudFormation
#   template written for every environment is judged as its production
#   parameter file (`params/prod.json`, a SAM `[prod]` `parameter_overrides`)
#   deploys it, `!Ref` and `!If` resolved with those values.
#
#   Why is this bad? An unbounded delete — a destroy on the wrong workspace, a
#   cleanup script, a test process holding production credentials — reaches
#   the database directly. DigitalOcean's 2017 outage deleted its primary
#   database this way; it recovered only because a delayed replica existed.
#   Deletion protection makes the API refuse, a final snapshot makes it
#   recoverable.
# custom:
#   id: prod-datastore-deletable
#   category: unbounded-delete
#   severity: error
#   kinds: [terraform, cloudformation]
#   help: >-
#     Set `deletion_protection = true`, keep `skip_final_snapshot = false`
#     with a `final_snapshot_identifier`, keep `backup_retention_period` above
#     0, and add `lifecycle { prevent_destroy = true }`; in CloudFormation set
#     `DeletionPolicy: Snapshot` (or `Retain`) and `DeletionProtection: true`.
#   bad: |
#     # envs/prod/db.tf
#     resource "aws_db_instance" "main" {
#       identifier          = "orders-prod"
#       skip_final_snapshot = true
#     }
#   good: |
#     # envs/prod/db.tf
#     resource "aws_db_instance" "main" {
#       identifier                = "orders-prod"
#       deletion_protection       = true
#       final_snapshot_identifier = "orders-prod-final"
#     }
package blastwall.unbounded_delete.prod_datastore_deletable

import rego.v1

deny contains result if {
	input.kind == "terraform"
	# `resolved` holds the values variables and locals give (`deletion_protection = var.protect`);
	# read inline, as a rule of its own would cost an evaluation for every document.
	some type, blocks in object.get(input, "resolved", input.content).resource
	type in {"aws_db_instance", "aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster", "google_sql_database_instance", "aws_dynamodb_table"}
	some name, list in blocks
	some i, r in list
	not replica(r, "replicate_source_db")
	not lock_table(type, r)
	problems := [p | some p in tf_problems(type, r)]
	count(problems) > 0
	production(r)
	base := ["content", "resource", type, name, i]
	result := {
		"msg": sprintf("production %s `%s.%s` is one mistaken destroy away from deletion: %s", [noun(type), type, name, concat("; ", [p.why | some p in problems])]),
		# The resource's label: a resource address is unique, and its header is where it is named.
		"path": ["content", "resource", type, name],
		"related": related(base, problems),
		"fix": value_fix(array.concat(base, problems[0].attr), problems),
	}
}

deny contains result if {
	input.kind == "cloudformation"
	some name, res in input.content.Resources
	res.Type in cfn_databases
	not replica(object.get(res, "Properties", {}), "SourceDBInstanceIdentifier")
	problems := [p | some p in cfn_problems(res)]
	count(problems) > 0
	cfn_production(name, res)
	result := {
		"msg": sprintf("production `%s` (`%s`) is one mistaken destroy away from deletion: %s", [name, res.Type, concat("; ", [p.why | some p in problems])]),
		"path": ["content", "Resources", name],
		"related": related(["content", "Resources", name], problems),
		"fix": value_fix(array.concat(["content", "Resources", name], problems[0].attr), problems),
	}
}

# A template written for every environment, deployed to production with a parameter file
# (`params/prod.json`): judged as that file's values make it (`DeletionProtection: !Ref
# Protect` set to `false` there, `!If [IsProd, …]` decided by its `Environment`).
deny contains result if {
	input.kind == "cloudformation"
	input.environment == null
	some deployment in object.get(input, "deployments", [])
	deployment.environment == "prod"
	some name, res in input.content.Resources
	res.Type in cfn_databases
	not cfn_production(name, res)
	deployed := deployment.resources[name]
	not replica(object.get(deployed, "Properties", {}), "SourceDBInstanceIdentifier")
	problems := [p | some p in cfn_problems(deployed)]
	count(problems) > 0
	result := {
		"msg": sprintf("`%s` (`%s`) is deployed to production with `%s`, which leaves it one mistaken destroy away from deletion: %s", [name, res.Type, deployment.file, concat("; ", [p.why | some p in problems])]),
		"path": ["content", "Resources", name],
		"related": related(["content", "Resources", name], problems),
	}
}

# The finding is the resource (whose header names it); each value that weakens it is related.
related(base, problems) := [{"path": array.concat(base, p.attr), "msg": p.why} |
	some p in problems
	count(p.attr) > 0
]

# A read replica is a copy of its source (which is judged on its own): destroying it loses no
# data, and RDS takes no final snapshot of a replica, so `skip_final_snapshot` is its norm.
replica(r, source_attr) if {
	is_string(r[source_attr])
	r[source_attr] != ""
}

# Terraform's state-lock table (partition key `LockID`, which the S3 backend requires) holds
# only transient locks, not data a destroy could lose.
lock_table("aws_dynamodb_table", r) if {
	r.hash_key == "LockID"
	not r.range_key
}

# ---- Suggested fixes: one literal value to change, offered only when it is
# the resource's only problem (so the edit clears the finding). Protective flags
# are safe; backups and final snapshots cost money or need more config.

value_fix(path, problems) := fix if {
	count(problems) == 1
	some f in fixable
	path[count(path) - 1] == f.attr
	object.get(input, path, null) == f.from
	to := replacement(path, f)
	fix := {
		"title": sprintf("set `%s` to `%s`", [f.attr, to]),
		"path": path,
		"old": sprintf("%v", [f.from]),
		"replacement": to,
		"safe": f.safe,
	}
} else := null

fixable := [
	{"attr": "deletion_protection", "from": false, "to": "true", "safe": true},
	{"attr": "deletion_protection_enabled", "from": false, "to": "true", "safe": true},
	{"attr": "DeletionPolicy", "from": "Delete", "to": "Snapshot", "safe": true},
	{"attr": "skip_final_snapshot", "from": true, "to": "false", "safe": false},
	{"attr": "backup_retention_period", "from": 0, "to": "7", "safe": false},
	{"attr": "BackupRetentionPeriod", "from": 0, "to": "7", "safe": false},
	{"attr": "BackupRetentionPeriod", "from": "0", "to": "7", "safe": false},
]

# DynamoDB tables cannot be snapshotted on stack deletion; they are retained.
replacement(path, f) := "Retain" if {
	f.attr == "DeletionPolicy"
	object.get(input, array.concat(array.slice(path, 0, count(path) - 1), ["Type"]), "") == "AWS::DynamoDB::Table"
} else := f.to

# ---- Terraform

noun("aws_dynamodb_table") := "table"

noun(type) := "database" if type != "aws_dynamodb_table"

# Problems are ordered: the first one is where the finding points.
tf_problems(type, r) := [p |
	some check in [
		skip_snapshot(r), no_backups(r), gcp_unprotected(type, r), unprotected(type, r),
	]
	some p in check
]

skip_snapshot(r) := [{"attr": ["skip_final_snapshot"], "why": "`skip_final_snapshot = true` leaves no snapshot when it is destroyed"}] if {
	r.skip_final_snapshot == true
} else := []

no_backups(r) := [{"attr": ["backup_retention_period"], "why": "`backup_retention_period = 0` disables automated backups"}] if {
	r.backup_retention_period == 0
} else := []

# GCP's default is protected; only an explicit false is reported.
gcp_unprotected(type, r) := [{"attr": ["deletion_protection"], "why": "`deletion_protection = false` lets Terraform and the API delete it"}] if {
	type == "google_sql_database_instance"
	r.deletion_protection == false
} else := []

# AWS: neither the API guard nor Terraform's `prevent_destroy`; a non-literal value is not judged.
unprotected(type, r) := [{"attr": attr, "why": sprintf("no `%s = true` and no `lifecycle { prevent_destroy = true }`", [flag])}] if {
	type != "google_sql_database_instance"
	flag := protection_flag(type)
	object.get(r, flag, false) == false
	not prevent_destroy(r)
	attr := present(r, flag)
} else := []

protection_flag("aws_dynamodb_table") := "deletion_protection_enabled"

protection_flag(type) := "deletion_protection" if type != "aws_dynamodb_table"

present(r, flag) := [flag] if flag in object.keys(r)

else := []

prevent_destroy(r) if {
	some l in r.lifecycle
	l.prevent_destroy == true
}

# Production by the file's path, or by the resource's own name when the path says nothing.
production(_) if input.environment == "prod"

production(r) if {
	input.environment == null
	some attr in ["identifier", "cluster_identifier", "name"]
	is_string(r[attr])
	regex.match(`(^|[^a-z])(prod|production|prd|live)([^a-z]|$)`, lower(r[attr]))
}

# ---- CloudFormation

cfn_databases := {"AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::DynamoDB::Table", "AWS::DocDB::DBCluster", "AWS::Neptune::DBCluster", "AWS::Cognito::UserPool"}

cfn_problems(res) := [p |
	some check in [cfn_delete_policy(res), cfn_no_backups(res)]
	some p in check
]

# `DeletionPolicy: Delete`, or none on DynamoDB (whose default is Delete; RDS defaults to Snapshot).
cfn_delete_policy(res) := [{"attr": ["DeletionPolicy"], "why": "`DeletionPolicy: Delete` drops it with the stack"}] if {
	res.DeletionPolicy == "Delete"
	not cfn_true(object.get(res, ["Properties", "DeletionProtection"], false))
} else := [{"attr": [], "why": "no `DeletionPolicy` (DynamoDB's default is Delete) and no `DeletionProtectionEnabled: true`"}] if {
	res.Type == "AWS::DynamoDB::Table"
	not "DeletionPolicy" in object.keys(res)
	not cfn_true(object.get(res, ["Properties", "DeletionProtectionEnabled"], false))
} else := [{"attr": [], "why": "no `DeletionPolicy: Retain` and no `DeletionProtection: ACTIVE`: every user account goes with the stack"}] if {
	# A user pool holds the customers' accounts; its default policy is Delete.
	res.Type == "AWS::Cognito::UserPool"
	not object.get(res, "DeletionPolicy", "Delete") in {"Retain", "RetainExceptOnCreate"}
	not active(object.get(res, ["Properties", "DeletionProtection"], "INACTIVE"))
} else := []

active(value) if {
	is_string(value)
	upper(value) == "ACTIVE"
}

# CloudFormation takes `true` and `"true"` (a parameter's value is a string).
cfn_true(value) if value == true

cfn_true(value) if {
	is_string(value)
	lower(value) == "true"
}

# A number or numeric string: `!If [IsProd, 14, 1]` or `!Ref Retention` is decided elsewhere.
cfn_no_backups(res) := [{"attr": ["Properties", "BackupRetentionPeriod"], "why": "`BackupRetentionPeriod: 0` disables automated backups"}] if {
	period := res.Properties.BackupRetentionPeriod
	is_number(period)
	period == 0
} else := [{"attr": ["Properties", "BackupRetentionPeriod"], "why": "`BackupRetentionPeriod: 0` disables automated backups"}] if {
	period := res.Properties.BackupRetentionPeriod
	is_string(period)
	regex.match(`^ *0+ *$`, period)
} else := []

cfn_production(_, _) if input.environment == "prod"

cfn_production(name, res) if {
	input.environment == null
	some n in [name, object.get(res, ["Properties", "DBInstanceIdentifier"], ""), object.get(res, ["Properties", "DBClusterIdentifier"], ""), object.get(res, ["Properties", "TableName"], "")]
	is_string(n)
	regex.match(`(^|[^a-z])(prod|production|prd|live)([^a-z]|$)`, lower(n))
}
