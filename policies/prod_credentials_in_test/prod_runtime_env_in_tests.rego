# METADATA
# title: Tests run with the production runtime environment
# description: |
#   A test command, test job or test configuration file switches the
#   application into its production environment: `RAILS_ENV=production`,
#   `NODE_ENV=production`, `APP_ENV=prod`, `SPRING_PROFILES_ACTIVE=prod`,
#   `DJANGO_SETTINGS_MODULE=*.production`, whether set on the job, inline on
#   the test command, or by `export NODE_ENV=production` earlier in the shell
#   that runs the tests (the same GitHub `run:` step; a GitLab job's
#   `before_script` and `script`) and not set again before it. Build steps
#   (`NODE_ENV=production npm run build`) are not tests and are not flagged.
#   A test configuration that loads a production file does the same: Ansible
#   `vars_files` of a production vault, a helmfile test environment's `values`
#   from `environments/production/`.
#
#   Why is this bad? The runtime environment selects which database, queues and
#   API credentials the application loads. A test suite started in production
#   mode connects to whatever production config is reachable and then creates,
#   truncates and deletes data by design — how DigitalOcean lost its primary
#   database in 2017.
# custom:
#   id: prod-runtime-env-in-tests
#   category: prod-credentials-in-test
#   severity: warning
#   kinds: [ci, package-json, test-config, docker-compose, yaml, json]
#   help: >-
#     Run tests with the test environment (`RAILS_ENV=test`, `NODE_ENV=test`,
#     `SPRING_PROFILES_ACTIVE=test`); set production only in build and deploy steps.
#   bad: |
#     jobs:
#       test:
#         runs-on: ubuntu-latest
#         env:
#           RAILS_ENV: production
#         steps:
#           - run: bundle exec rspec
#   good: |
#     jobs:
#       test:
#         runs-on: ubuntu-latest
#         env:
#           RAILS_ENV: test
#         steps:
#           - run: bundle exec rspec
#           - run: RAILS_ENV=production bundle exec rails assets:precompile
package blastwall.prod_credentials_in_test.prod_runtime_env_in_tests

import rego.v1

import data.blastwall.lib.production

# Every finding comes from a CI job or a setting: blastwall skips documents with neither.
reads := {"jobs", "settings"}

# A variable of a test job that reaches a test command: set on the step that
# runs the tests, or on the job (or pipeline) around them.
deny contains result if {
	some j, job in input.jobs
	job.test
	some v, variable in job.variables
	is_string(variable.value)
	# What the job's script exports (`span`) holds only after the export: followed below.
	not variable.span
	# `runtime_prod`'s own first test, inline: most variables skip the call.
	contains(lower(variable.value), "prod")
	runtime_prod(variable.name, variable.value)
	not production.production_check(job)
	reached := [c |
		some c in job.test_commands
		reaches(variable, input.commands[c], j)
		# `NODE_ENV=test pnpm test` runs the tests with its own value.
		not variable.name in {a.name | some a in input.commands[c].assignments}
	]
	count(reached) > 0
	result := {
		"msg": sprintf("test job `%s` (%s) sets `%s=%s`, so `%s` runs against the production configuration", [job.name, concat(", ", job.test_reasons), variable.name, variable.value, concat(" ", input.commands[reached[0]].argv)]),
		"path": ["jobs", j, "variables", v],
		"help": sprintf("Set `%s` to the test environment for test steps; keep `%s` only on build or deploy steps.", [variable.name, variable.value]),
	}
}

# `RAILS_ENV=production bundle exec rspec` inline on a test command.
deny contains result if {
	some j, job in input.jobs
	job.test
	some c in job.test_commands
	some a, assignment in input.commands[c].assignments
	runtime_prod(assignment.name, assignment.value)
	not production.production_check(job)
	result := {
		"msg": sprintf("test job `%s` runs `%s` with `%s=%s`, the production configuration", [job.name, concat(" ", input.commands[c].argv), assignment.name, assignment.value]),
		"path": ["commands", c, "assignments", a],
		"help": sprintf("Run the tests with `%s` set to the test environment.", [assignment.name]),
	}
}

# `export NODE_ENV=production` earlier in the shell that runs the tests: the
# same GitHub `run:` step (each step is its own shell), or the same GitLab job
# (`before_script` and `script` share one shell), unless the script sets it
# again before the test command.
deny contains result if {
	some e, export in input.commands
	export.argv[0] == "export"
	some w, word in export.words
	w > 0
	[name, value] := name_value(word.text)
	runtime_prod(name, value)
	some j, job in input.jobs
	job.test
	not production.production_check(job)
	some t in job.test_commands
	e < t
	test := input.commands[t]
	exported(export, test)
	not reassigned(name, e, t, test)
	result := {
		"msg": sprintf("test job `%s` (%s) runs `%s` after `export %s=%s`, so the tests run against the production configuration", [job.name, concat(", ", job.test_reasons), concat(" ", test.argv), name, value]),
		"path": ["commands", e, "words", w],
		"help": sprintf("Export `%s` as the test environment before the tests; set `%s=%s` only on the build or deploy command that needs it.", [name, name, value]),
	}
}

# `dotenv -e .env.production -- playwright test`, `env-cmd -f .env.prod jest`,
# `docker compose --env-file .env.prod run tests`: the tests load production's
# environment file.
deny contains result if {
	some j, job in input.jobs
	job.test
	some c in job.test_commands
	cmd := input.commands[c]
	some i, flag in cmd.argv
	flag in {"-e", "-f", "--env-file", "--file", "--dotenv", "--env"}
	file := cmd.argv[i + 1]
	production.production_file(file)
	not production.production_check(job)
	result := {
		"msg": sprintf("test job `%s` (%s) runs `%s` with production environment file `%s`", [job.name, concat(", ", job.test_reasons), concat(" ", cmd.argv), file]),
		"path": ["commands", c],
		"help": sprintf("Load the test environment file (`.env.test`) for the tests, never `%s`.", [file]),
	}
}

exported(export, test) if {
	export.argv[0] == "export"
	export.job == test.job
	export.step == test.step
	export.in_function == null
}

name_value(text) := [parts[0], concat("=", array.slice(parts, 1, count(parts)))] if {
	parts := split(text, "=")
	count(parts) > 1
}

# Set again (`export NODE_ENV=test`, `unset NODE_ENV`) between the export and the test, or inline on the test.
reassigned(name, e, t, test) if {
	some c, cmd in input.commands
	c > e
	c < t
	exported(cmd, test)
	some word in array.slice(cmd.words, 1, count(cmd.words))
	name_value(word.text)[0] == name
}

reassigned(name, e, t, test) if {
	some c, cmd in input.commands
	c > e
	c < t
	cmd.argv[0] == "unset"
	cmd.job == test.job
	cmd.step == test.step
	name in cmd.argv
}

reassigned(name, _, _, test) if {
	some a in test.assignments
	a.name == name
}

# A test configuration file (`.env.test`, `application-test.yml`, pytest-env).
deny contains result if {
	# Settings exist only for test contexts (files and per-environment test sections). Their
	# values are searched once, before the loop, not once per setting.
	input.settings != []
	settings_say_prod
	some s, setting in input.settings
	runtime_prod(setting.name, setting.value)
	result := {
		"msg": sprintf("test configuration `%s` sets `%s=%s`, so tests load the production configuration", [input.file, setting.name, setting.value]),
		"path": ["settings", s],
		"help": sprintf("Set `%s` to the test environment in test configuration.", [setting.name]),
	}
}

# A test configuration that loads another environment's file for the tests: Ansible
# `vars_files`/`include_vars` of a production vault, a helmfile test environment's `values`
# from `environments/production/`, a Compose `env_file: .env.production`.
deny contains result if {
	input.settings != []
	settings_say_prod
	some s, setting in input.settings
	loads_file(setting.name)
	production_file(setting.value)
	result := {
		"msg": sprintf("test configuration `%s` loads production file `%s` (`%s`), so the tests run with production's values", [input.file, setting.value, setting.name]),
		"path": ["settings", s],
		"help": sprintf("Load the test environment's own file in `%s`, never production's.", [setting.name]),
	}
}

# The last part of a setting's dotted name says it names files to load.
loads_file(name) if {
	parts := split(name, ".")
	parts[count(parts) - 1] in {"vars_files", "include_vars", "values", "valueFiles", "env_file", "envFile", "env_files", "secrets", "files", "file"}
}

# A path (`../inventories/production/group_vars/all/vault.yml`, `.env.production`) with a
# directory or name part that says production.
production_file(value) if {
	regex.match(`[/.]`, value)
	not contains(value, "://")
	regex.match(`(^|[/._-])(prod|production|prd|live)([/._-]|$)`, lower(value))
}

# Every production value says `prod`: the switch names are matched only then, as most values do not.
runtime_prod(name, value) if {
	contains(lower(value), "prod")
	production.runtime_prod(name, value)
}

# The same test over all setting values at once (joined by line breaks, which `prod` cannot span)
# rules out most test configurations without a call per setting.
settings_say_prod if contains(lower(concat("\n", [setting.value | some setting in input.settings])), "prod")

# A step-level variable reaches only the commands of its own step.
reaches(variable, cmd, j) if {
	some i, seg in variable.path
	seg == "steps"
	cmd.job == j
	cmd.step == variable.path[i + 1]
}

reaches(variable, cmd, j) if {
	not "steps" in variable.path
	cmd.job == j
}
