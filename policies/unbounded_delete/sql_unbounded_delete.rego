# METADATA
# title: Unbounded SQL delete run against a remote database
# description: |
#   A `psql`, `mysql`, `mariadb` or `sqlcmd` command, pointed at a host that is
#   not local (`-h db.internal.example.com`, `--host=10.0.3.7`, a
#   `postgres://…@host/…` URL, a host or connection-string variable named for
#   production: `psql "$PROD_DATABASE_URL"`, one the CI job running the script
#   binds to a production secret, or one a GitHub job or composite action takes
#   from a CI secret, itself or as an input its callers pass), runs
#   `DROP DATABASE`, `DROP SCHEMA`, `TRUNCATE`, or `DELETE FROM` with no `WHERE` — from a
#   heredoc, `-c`/`-e`, or `echo … |`. Databases named for tests (`app_test`,
#   `ci_…`) are not reported.
#
#   Why is this bad? The statement removes every row (or the whole database)
#   of whatever the connection reaches, and the connection comes from
#   variables and credentials, not from the script. DigitalOcean's 2017 outage
#   was a test process whose configuration pointed at the production primary:
#   it deleted the database. Scheduled jobs and production hosts get severity
#   error.
# custom:
#   id: sql-unbounded-delete
#   category: unbounded-delete
#   severity: warning
#   kinds: [shell, ci, kubernetes]
#   help: >-
#     Bound the statement (`DELETE FROM sessions WHERE expires_at < now() -
#     interval '30 days'`), run resets only against a local or per-run
#     database (`-h localhost`, `dbname=app_test_$CI_JOB_ID`), and keep
#     destructive maintenance in a reviewed migration.
#   bad: |
#     psql -h orders.cluster-abc.us-east-1.rds.amazonaws.com -U admin orders <<'SQL'
#     TRUNCATE orders CASCADE;
#     SQL
#   good: |
#     psql -h localhost -U postgres app_test <<'SQL'
#     TRUNCATE orders CASCADE;
#     SQL
package blastwall.unbounded_delete.sql_unbounded_delete

import rego.v1

import data.blastwall.lib.shell

# The programs this rule reads: blastwall skips documents whose commands run none of them.
programs := {"psql", "mysql", "mariadb", "sqlcmd", "cockroach", "clickhouse-client"}

deny contains result if {
	some c, cmd in input.commands
	cmd.program in programs
	a := cmd.args
	hosts := remote_hosts(a)
	count(hosts) > 0
	not test_database(a)
	found := sort({s | some sql in scripts(cmd, a); some s in unbounded(sql)})
	count(found) > 0
	host := shown_host(hosts)
	result := {
		"msg": sprintf("`%s` runs `%s` on remote host `%s`: every row (or the whole database) goes, whichever environment that host turns out to be%s", [
			cmd.program, concat("`, `", found), host, unattended(cmd),
		]),
		"path": ["commands", c],
		"severity": severity(cmd, host),
		"related": array.concat(
			[{"msg": sprintf("job `%s` runs this script with `%s` bound to production secret `%s`", [caller.job, trim(h, "${}"), secret.name]), "at": caller} |
				some h in hosts
				some [caller, secret] in production_bindings(h)
			],
			[{"msg": sprintf("job `%s` passes secret `%s` as `%s`", [caller.job, secret, name]), "at": caller} |
				some h in hosts
				some [caller, name, secret] in passed_secrets(h)
			],
		),
	}
}

# SQL the command runs: its heredoc, `-c`/`-e`/`-Q`, or what `echo`/`printf` pipe into it.
scripts(cmd, a) := (({cmd.heredoc} - {null}) | {sql |
	some flag in ["-c", "--command", "-e", "--execute", "-Q", "-q", "--query"]
	some sql in shell.flag_values(a, flag)
}) | {sql |
	some i in shell.feeders(cmd)
	feeder := input.commands[i]
	feeder.program in {"echo", "printf"}
	sql := concat(" ", array.slice(feeder.argv, 1, count(feeder.argv)))
}

# Statements that delete without a bound, as short labels for the message.
unbounded(sql) := {label |
	some stmt in split(strip_comments(sql), ";")
	s := lower(trim_space(stmt))
	label := statement_label(s)
}

strip_comments(sql) := concat("\n", [l | some l in split(sql, "\n"); not startswith(trim_space(l), "--")])

statement_label(s) := "DROP DATABASE" if regex.match(`^drop[ \t\r\n]+database[ \t\r\n]`, s)

statement_label(s) := "DROP SCHEMA" if regex.match(`^drop[ \t\r\n]+schema[ \t\r\n]`, s)

statement_label(s) := "TRUNCATE" if regex.match(`^truncate[ \t\r\n]`, s)

statement_label(s) := "DELETE FROM without WHERE" if {
	regex.match(`^delete[ \t\r\n]+from[ \t\r\n]`, s)
	not regex.match(`[ \t\r\n]where[ \t\r\n]`, concat("", [s, " "]))
}

# ---- Where the command connects.

# Every remote host the command names, in any form; a command may name several
# (`-h db1 "$PROD_DATABASE_URL"`), so this is a set, never a conflicting function.
remote_hosts(a) := ((flag_hosts | attached_hosts) | url_hosts) | variable_hosts if {
	flag_hosts := {h |
		some flag in ["-h", "--host", "-S", "--server"]
		some v in shell.flag_values(a, flag)
		h := constant(v)
		remote(h)
	}
	attached_hosts := {h |
		some w in a
		startswith(w, "-h") # before the regex, which needs it
		m := regex.find_all_string_submatch_n(`^-h([^ ]+)$`, w, 1)
		h := m[0][1]
		remote(h)
	}
	url_hosts := {h |
		some w in a
		contains(w, "://") # before the regex, which needs it
		m := regex.find_all_string_submatch_n(`^(postgres|postgresql|mysql|mariadb)://([^/@]*@)?([^/:?]+)`, w, 1)
		h := m[0][3]
		remote(h)
	}

	# A connection string held in a variable named for production, given as the database
	# argument: `psql "$PROD_DATABASE_URL"`, `psql -d "${PRODUCTION_DB_URL}"`, `--dbname=$PRD_DSN`.
	variable_hosts := {h |
		some h in array.concat(a, [v | some f in ["-d", "--dbname"]; some v in shell.flag_values(a, f)])
		startswith(h, "$") # before the regex, which needs it
		regex.match(`^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$`, h)
		remote(h)
	}
}

# The host a finding names: a production-looking one first, then the first in sort order.
shown_host(hosts) := min(prod) if {
	prod := {h | some h in hosts; production_host(h)}
	count(prod) > 0
} else := min(hosts)

# `$DB_HOST` assigned one constant in the script → that constant.
constant(word) := value if {
	m := regex.find_all_string_submatch_n(`^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$`, word, 1)
	values := {x.value | some other in input.commands; some x in other.assignments; x.name == m[0][1]}
	count(values) == 1
	some value in values
	not contains(value, "$")
} else := word

# A literal host name or address that is not this machine or a CI service container.
remote(h) if {
	not contains(h, "$")
	contains(h, ".")
	not local_host(lower(h))
}

# A variable named for production: `$PROD_DB_HOST`, `${{ secrets.PRODUCTION_DB }}`.
remote(h) if {
	contains(h, "$")
	regex.match(`(^|[^a-z])(prod|production|prd|live)([^a-z]|$)`, lower(h))
}

# A variable the CI job running this script binds to a production secret
# (`BILLING_DB_URL = credentials('billing-db-url-prod')` in a Jenkinsfile).
remote(h) if {
	contains(h, "$")
	some _ in production_bindings(h)
}

# A connection string the job takes from a CI secret, itself or through the input of a
# composite action its callers pass one (`with: {database-url: ${{ secrets.QA_DB_URL }}}`):
# a database outside the job (a CI service container needs no secret), whatever its name.
remote(h) if {
	contains(h, "$")
	count(secret_variable(h)) + count(passed_secrets(h)) > 0
}

secret_variable(h) := {m[1] |
	some value in variable_values(h)
	some m in regex.find_all_string_submatch_n(`\$\{\{ *secrets\.([A-Za-z0-9_]+) *\}\}`, value, -1)
}

passed_secrets(h) := {[caller, m[1], s[1]] |
	some value in variable_values(h)
	some m in regex.find_all_string_submatch_n(`\$\{\{ *inputs\.([A-Za-z0-9_-]+) *\}\}`, value, -1)
	some caller in object.get(input, "callers", [])
	passed := object.get(caller, ["inputs", m[1]], "")
	is_string(passed)
	some s in regex.find_all_string_submatch_n(`\$\{\{ *secrets\.([A-Za-z0-9_]+) *\}\}`, passed, -1)
}

# The values the document's jobs give the variable `h` names (`$DATABASE_URL`).
variable_values(h) := {v.value |
	startswith(h, "$")
	name := trim(h, "${}")
	some job in input.jobs
	some v in job.variables
	v.name == name
	is_string(v.value)
	contains(v.value, "${{")
}

production_bindings(h) := [[caller, secret] |
	name := trim(h, "${}")
	some caller in input.callers
	some secret in caller.secrets
	name in {secret.variable, secret.name}
	secret.env == "prod"
]

local_host(h) if h in {"localhost", "127.0.0.1", "::1", "0.0.0.0", "host.docker.internal"}

local_host(h) if startswith(h, "127.")

local_host(h) if endswith(h, ".localhost")

# `-d app_test`, `--dbname=ci_orders`, or a trailing database name that says test.
test_database(a) if {
	# A word that matches makes the joined line match (spaces are boundaries): one regex
	# per command before one per word.
	regex.match(`(^|[^a-z])(test|tests|testing|ci|e2e|tmp|scratch)([^a-z]|$)`, lower(concat(" ", a)))
	some w in a
	regex.match(`(^|[^a-z])(test|tests|testing|ci|e2e|tmp|scratch)([^a-z]|$)`, lower(w))
	not w in {v | some f in ["-c", "--command", "-e", "--execute", "-h", "--host"]; some v in shell.flag_values(a, f)}
	not regex.match(`^-(c|e|h|-command|-execute|-host)`, w)
}

unattended(cmd) := ", in a scheduled job" if shell.scheduled(cmd)

else := ""

severity(cmd, host) := "error" if production_host(host)

else := shell.severity(cmd, "warning")

production_host(host) if regex.match(`(^|[^a-z])(prod|production|prd|live|primary)([^a-z]|$)`, lower(host))
