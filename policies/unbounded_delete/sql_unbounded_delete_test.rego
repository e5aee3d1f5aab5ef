package blastwall.unbounded_delete.sql_unbounded_delete_test

import rego.v1

import data.blastwall.unbounded_delete.sql_unbounded_delete as rule

# `program` and `args` as the model computes them (src/model/script.rs); these argv have no wrappers.
cmd(argv, heredoc) := {"argv": argv, "program": argv[0], "args": argv, "heredoc": heredoc, "span": [0, 1], "inputs": [], "stdin_from": null, "assignments": []}

run(c) := results if {
	results := rule.deny with input as {"commands": [c]}
}

test_flags_heredoc_delete_without_where_on_remote_host if {
	results := run(cmd(["psql", "-h", "db.example.com", "-d", "orders"], "DELETE FROM orders;\nDELETE FROM items WHERE id = 1;\n"))
	count(results) == 1
	some r in results
	contains(r.msg, "DELETE FROM without WHERE")
	r.path == ["commands", 0]
}

test_flags_execute_flags_and_urls if {
	count(run(cmd(["mysql", "--host=10.0.3.7", "-e", "DROP DATABASE shop"], null))) == 1
	count(run(cmd(["psql", "postgres://admin@orders.prod.example.com/orders", "-c", "TRUNCATE orders"], null))) == 1
	some r in run(cmd(["psql", "-h", "$PROD_DB_HOST", "-c", "truncate orders"], null))
	r.severity == "error"
}

test_flags_production_connection_string_variables if {
	some r in run(cmd(["psql", "${PROD_DATABASE_URL}", "-c", "DELETE FROM events"], null))
	r.severity == "error"
	count(run(cmd(["psql", "-d", "$PRODUCTION_DB_URL", "-c", "TRUNCATE events"], null))) == 1
	count(run(cmd(["psql", "--dbname=$PRD_DSN", "-c", "TRUNCATE events"], null))) == 1
	# Not named for production, or production only inside the SQL text.
	count(run(cmd(["psql", "$DATABASE_URL", "-c", "DELETE FROM events"], null))) == 0
	count(run(cmd(["psql", "$DATABASE_URL", "-c", "DELETE FROM $PROD_TABLE"], null))) == 0
	count(run(cmd(["psql", "$PRODUCT_DB_URL", "-c", "DELETE FROM events"], null))) == 0
}

test_follows_echo_into_psql if {
	echo := {"argv": ["echo", "DELETE FROM sessions;"], "program": "echo", "args": ["echo", "DELETE FROM sessions;"], "span": [0, 1], "inputs": [], "stdin_from": null, "assignments": []}
	psql := {"argv": ["psql", "-h", "db.example.com"], "program": "psql", "args": ["psql", "-h", "db.example.com"], "span": [0, 1], "inputs": [], "stdin_from": 0, "heredoc": null, "assignments": []}
	count(rule.deny) == 1 with input as {"commands": [echo, psql]}
}

test_ignores_local_hosts_test_databases_and_bounded_statements if {
	count(run(cmd(["psql", "-h", "localhost", "-c", "TRUNCATE orders"], null))) == 0
	count(run(cmd(["psql", "-h", "postgres", "-c", "TRUNCATE orders"], null))) == 0
	count(run(cmd(["psql", "-h", "$DB_HOST", "-c", "TRUNCATE orders"], null))) == 0
	count(run(cmd(["psql", "-h", "db.example.com", "-d", "app_test", "-c", "TRUNCATE orders"], null))) == 0
	count(run(cmd(["psql", "-h", "db.example.com", "-c", "DELETE FROM s WHERE expired"], null))) == 0
	count(run(cmd(["psql", "-h", "db.example.com"], "-- DELETE FROM s;\nSELECT 1;"))) == 0
}

# Repeated flags and several host forms in one command are valid psql: they must not make a
# helper produce conflicting values (an evaluation error that would hide the finding).
test_repeated_flags_and_several_hosts if {
	some r in run(cmd(["psql", "-h", "db1.internal", "-c", "SELECT 1", "-c", "TRUNCATE orders"], null))
	contains(r.msg, "TRUNCATE")
	some p in run(cmd(["psql", "-h", "replica.example.com", "--host=db.prod.example.com", "-c", "DELETE FROM events"], null))
	contains(p.msg, "`db.prod.example.com`")
	p.severity == "error"
	some v in run(cmd(["psql", "-h", "db.example.com", "$PROD_DATABASE_URL", "-c", "DELETE FROM events"], null))
	contains(v.msg, "`$PROD_DATABASE_URL`")
}

# The script names no host, but the CI job that runs it binds the connection
# variable to a production secret.
test_flags_connections_a_caller_binds_to_production if {
	reset := cmd(["psql", "$BILLING_DB_URL", "-v", "ON_ERROR_STOP=1"], "TRUNCATE invoices CASCADE;\n")
	caller := {"job": "Integration tests", "file": "Jenkinsfile", "line": 45, "column": 13, "span": [0, 1], "secrets": [{"name": "billing-db-url-prod", "variable": "BILLING_DB_URL", "env": "prod"}]}
	results := rule.deny with input as {"commands": [reset], "callers": [caller]}
	count(results) == 1
	some r in results
	r.related[0].at == caller
	contains(r.related[0].msg, "`billing-db-url-prod`")
	staging := object.union(caller, {"secrets": [{"name": "billing-db-url-staging", "variable": "BILLING_DB_URL", "env": "staging"}]})
	count(rule.deny) == 0 with input as {"commands": [reset], "callers": [staging]}
}

# A composite action's connection string is the secret its callers pass as the input.
test_flags_a_connection_passed_from_a_secret_through_an_action_input if {
	truncate := cmd(["psql", "$DATABASE_URL", "-c", "TRUNCATE orders CASCADE;"], null)
	action_job := {"variables": [{"name": "DATABASE_URL", "value": "${{ inputs.database-url }}"}]}
	from_secret := {"job": "integration", "file": ".github/workflows/ci.yml", "span": [5, 9], "inputs": {"database-url": "${{ secrets.QA_DATABASE_URL }}"}}
	results := rule.deny with input as {"commands": [truncate], "jobs": [action_job], "callers": [from_secret]}
	count(results) == 1
	some r in results
	r.related[0].msg == "job `integration` passes secret `QA_DATABASE_URL` as `database-url`"
	# A job's own secret-held connection string is outside the job as well.
	own := {"variables": [{"name": "DATABASE_URL", "value": "${{ secrets.SHARED_DB }}"}]}
	count(rule.deny) == 1 with input as {"commands": [truncate], "jobs": [own], "callers": []}
}

test_ignores_a_service_container_passed_to_an_action if {
	truncate := cmd(["psql", "$DATABASE_URL", "-c", "TRUNCATE orders CASCADE;"], null)
	action_job := {"variables": [{"name": "DATABASE_URL", "value": "${{ inputs.database-url }}"}]}
	local := {"job": "integration", "inputs": {"database-url": "postgres://postgres:postgres@localhost:5432/app"}}
	count(rule.deny) == 0 with input as {"commands": [truncate], "jobs": [action_job], "callers": [local]}
	plain := {"variables": [{"name": "DATABASE_URL", "value": "postgres://postgres@localhost/app"}]}
	count(rule.deny) == 0 with input as {"commands": [truncate], "jobs": [plain], "callers": []}
}
