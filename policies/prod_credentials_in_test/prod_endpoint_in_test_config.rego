# METADATA
# title: Test configuration points at a production endpoint or live key
# description: |
#   A test configuration file (`.env.test`, `.env.ci`, `config/test.yml`,
#   `application-test.yml`/`.properties`, `pytest.ini`/`tox.ini`/`setup.cfg`
#   incl. pytest-env `env =` lines, `docker-compose.test.yml`, settings under
#   `tests/`, Helm `values-test.yaml`/`values-ci.yaml`, the container `env:` of a
#   Kubernetes workload in a test namespace or directory, a test environment's
#   own YAML or JSON such as `Pulumi.test.yaml` or `inventories/test/group_vars/`,
#   a test-named environment inside a file (a helmfile's
#   `environments.integration-test`), a Gradle test task's `systemProperty`/
#   `environment`,
#   the literal variables of a CI test job or Makefile test target and the
#   `VAR=value` assignments of its commands, the variables a script that only
#   test jobs run sets or exports, a `${VAR:-default}` counting as its default) names a database or service host that
#   is production — a whole
#   `prod`/`production` label (`prod-db.acme.io`, `db.prod.acme.net`) or a host
#   `.blastwall.yaml` declares —, holds a live-mode payment key (`sk_live_…`,
#   `rk_live_…`), loads a production environment file (compose `env_file:
#   ./config/production.env`), or reads a production secret (`{{ vault_prod_db_password }}`,
#   `${PROD_DB_URL}`, a Secrets Manager ARN `…:secret:prod/db`, a Spring
#   `aws-secretsmanager:prod/…` import, a tox `passenv` of `SHOP_PROD_DB_PASSWORD`),
#   or logs in with a production AWS profile or kube context (`aws:profile:
#   ledger-prod`). A placeholder's default (`${DB_URL:jdbc:postgresql://db.prod…}`)
#   is what runs whenever the variable is unset, and counts.
#
#   Why is this bad? Whatever reads the test configuration — a developer's
#   laptop, CI, a fixture loader that truncates tables — now talks to
#   production. DigitalOcean lost its primary database in 2017 to an automated
#   test process configured with production credentials.
# custom:
#   id: prod-endpoint-in-test-config
#   category: prod-credentials-in-test
#   severity: error
#   kinds: [test-config, docker-compose, helm-values, kubernetes, yaml, json, ci, shell]
#   help: >-
#     Point test configuration at a disposable database (a CI service container,
#     `localhost`, a `*_test` database) and use test-mode keys (`sk_test_…`).
#   bad: |
#     # .env.test
#     DATABASE_URL=postgres://app:secret@prod-db.internal.acme.io:5432/app
#   good: |
#     # .env.test
#     DATABASE_URL=postgres://app:secret@localhost:5432/app_test
package blastwall.prod_credentials_in_test.prod_endpoint_in_test_config

import rego.v1

import data.blastwall.lib.production

# blastwall evaluates this rule only on documents whose `settings` or `jobs` is not empty.
reads := {"settings", "jobs"}

# Settings exist only for test contexts (files and per-environment test sections), and most
# documents (Kubernetes workloads outside tests) have none; most CI documents have no test job.
# Each is ruled out by its own definition, as each definition costs an evaluation for every
# document.
deny contains result if {
	input.settings != []
	some result in findings
}

deny contains result if {
	input.jobs != []
	some result in findings
}

# What the checks below read: each setting of a test configuration, and each literal variable
# a CI test job or Makefile test target sets (`env:`, `variables:`, Travis `env.global`,
# `AWS_PROFILE=x cmd` before one of its commands, `export KUBE_CONTEXT=x`), the configuration its tests run with. Checks after a production deploy
# are exempt. `in` names the place for messages.
entries := array.concat(setting_entries, job_entries)

setting_entries := [{"name": setting.name, "value": setting.value, "path": ["settings", s], "in": sprintf("test configuration `%s`", [input.file])} |
	some s, setting in input.settings
]

job_entries := [] if {
	input.jobs == []
} else := array.concat(
	[{"name": variable.name, "value": variable.value, "path": ["jobs", j, "variables", v], "in": test_job(job)} |
		some j, job in test_jobs
		some v, variable in job.variables
		is_string(variable.value)
	],
	[{"name": a.name, "value": a.value, "path": ["commands", c, "assignments", k], "in": test_job(input.jobs[command.job])} |
		some c, command in input.commands
		count(command.assignments) > 0
		test_jobs[command.job]
		some k, a in command.assignments
	],
)

test_jobs[j] := job if {
	some j, job in input.jobs
	job.test
	not production.production_check(job)
}

test_job(job) := sprintf("Makefile test target `%s` (%s)", [job.name, concat(", ", job.test_reasons)]) if {
	input.kind == "shell"
} else := sprintf("test job `%s` (%s)", [job.name, concat(", ", job.test_reasons)])

findings contains result if {
	some s in host_settings
	setting := entries[s]
	host := production.setting_host(setting.name, setting.value)
	production.prod_host(host)
	result := {
		"msg": sprintf("%s points `%s` at production host `%s`", [setting.in, setting.name, host]),
		"path": setting.path,
		"help": sprintf("Point `%s` at a disposable test host (a CI service container, `localhost`, a `*_test` database), never `%s`.", [setting.name, host]),
	}
}

findings contains result if {
	live_key_written
	some setting in entries
	contains(setting.value, "_live_")
	key := production.live_key(setting.value)
	result := {
		"msg": sprintf("%s sets `%s` to a live-mode key (`%s…`)", [setting.in, setting.name, substring(key, 0, 8)]),
		"path": setting.path,
		"help": sprintf("Use a test-mode key (`%s…`) in test configuration and revoke the leaked live key.", [replace(substring(key, 0, 8), "live", "test")]),
	}
}

# tox `passenv` lets a production secret of the machine running the tests into them.
findings contains result if {
	regex.match(`prod|prd`, lower(values))
	some setting in setting_entries
	setting.name == "passenv"
	regex.match(`(^|[^a-z])(prod|production|prd)([^a-z]|$)`, lower(setting.value))
	result := {
		"msg": sprintf("%s passes production secret `%s` from the environment into the tests", [setting.in, setting.value]),
		"path": setting.path,
		"help": sprintf("Pass a test-scoped variable instead of `%s`, never the production one.", [setting.value]),
	}
}

# A setting that reads a production secret: a template or shell variable
# (`{{ vault_prod_db_password }}`, `${PROD_DB_URL}`), an AWS Secrets Manager or SSM
# ARN (`:secret:prod/reports/db`), a GCP secret (`projects/p/secrets/prod-db`), a Spring
# Cloud AWS import (`spring.config.import: aws-secretsmanager:prod/ledger/postgres`). A CI test job's
# secrets are prod-secret-in-test-job's.
findings contains result if {
	regex.match(`prod|prd`, lower(values))
	some setting in setting_entries
	references := {name |
		some m in regex.find_all_string_submatch_n(secret_reference, setting.value, -1)
		name := concat("", array.slice(m, 1, count(m)))
		regex.match(`(^|[^a-z])(prod|production|prd)([^a-z]|$)`, lower(name))
	}
	count(references) > 0
	name := min(references)
	result := {
		"msg": sprintf("%s sets `%s` from production secret `%s`", [setting.in, setting.name, name]),
		"path": setting.path,
		"help": sprintf("Read a test-scoped secret for `%s` (e.g. `%s`), never the production one.", [setting.name, regex.replace(name, `production|prod|prd|PRODUCTION|PROD|PRD|Production|Prod`, "test")]),
	}
}

# A test configuration that loads a production configuration file: compose
# `env_file: ./config/production.env`, `dotenv_path`, `envFile: .env.prod`.
findings contains result if {
	regex.match(`prod|prd|live`, lower(values))
	some setting in entries
	key := lower(regex.replace(setting.name, `^.*[.]`, ""))
	key in {"env_file", "env_files", "envfile", "env-file", "dotenv", "dotenv_path", "dotenvpath", "envpath", "env_path"}
	production.production_file(setting.value)
	result := {
		"msg": sprintf("%s loads production configuration `%s` (`%s`)", [setting.in, setting.value, setting.name]),
		"path": setting.path,
		"help": "Load a test environment file (`.env.test`, `config/test.env`) with a disposable database and test-mode keys.",
	}
}

# A test configuration that logs in as production: an AWS profile or a kube
# context named for it (`aws:profile: ledger-prod`, `kubeContext: prod-eks`).
findings contains result if {
	regex.match(`prod|prd`, lower(values))
	some setting in entries
	key := lower(replace(replace(regex.replace(setting.name, `^.*[.:]`, ""), "_", ""), "-", ""))
	key in {"profile", "awsprofile", "context", "kubecontext", "kubectx", "kubeconfigcontext"}
	regex.match(`(^|[^a-z])(prod|production|prd)([^a-z]|$)`, lower(setting.value))
	result := {
		"msg": sprintf("%s logs in with production %s `%s` (`%s`)", [setting.in, login_kind(key), setting.value, setting.name]),
		"path": setting.path,
		"help": sprintf("Give the test environment its own %s, with credentials only for test resources.", [login_kind(key)]),
	}
}

login_kind(key) := "profile" if contains(key, "profile")

else := "context"

secret_reference := `\{\{-? *\.?([A-Za-z0-9_.]+) *-?\}\}|\$\{([A-Za-z0-9_]+)\}|:secret:([A-Za-z0-9/_+=.@-]+)|:parameter/([A-Za-z0-9/_.-]+)|/secrets/([A-Za-z0-9_-]+)|aws-(?:secretsmanager|parameterstore):(?:optional:)?([A-Za-z0-9/_+=.@-]+)`

# The settings' values joined by line breaks, which no searched word spans: one search over all
# of them rules out most documents, whose settings name neither a production word nor a live
# key, without a call per setting.
values := concat("\n", [setting.value | some setting in entries])

live_key_written if contains(values, "_live_")

# The settings parsed for a host: all of them when `.blastwall.yaml` declares production hosts,
# else those that say so (`prod`, `prd`, `production`), which most settings do not.
host_settings := {s | some s, _ in entries} if {
	count(production.configured("hosts")) > 0
} else := {s | some s, setting in entries; regex.match(`pro?d`, lower(setting.value))} if {
	regex.match(`pro?d`, lower(values))
}
