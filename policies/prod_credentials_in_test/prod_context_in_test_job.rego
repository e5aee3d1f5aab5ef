# METADATA
# title: Test job attached to a production context or environment
# description: |
#   A CI job that runs tests is given production access wholesale: a CircleCI
#   context, Azure Pipelines variable group or task service connection
#   (`azureSubscription`, `kubernetesServiceConnection`, `awsCredentials`, …) named
#   for production, or a deployment environment (`environment:`, Bitbucket
#   `deployment:`, on any CI system) that names production on a job that runs a
#   test suite: on a pull request always, otherwise unless the job is a declared
#   post-deploy check (it needs a job that deploys to it) or also deploys. A job
#   named for a release that only installs and runs the suite (`E2E (release
#   gate)`) is a test, not a deploy. A value the
#   job passes to an Azure template's `parameters:` or a reusable workflow's
#   `with:` counts where it is passed when the called file uses it as a variable
#   group, service connection or `environment:`; the binding there is related.
#
#   Why is this bad? A context, variable group, service connection or deployment
#   environment hands
#   every production credential it holds to every command in the job. Tests
#   create, truncate and delete data by design; in 2017 DigitalOcean lost its
#   primary database to an automated test process configured with production
#   credentials. A production environment is for deploys and for post-deploy
#   checks that run after them, not for pull-request test suites.
# custom:
#   id: prod-context-in-test-job
#   category: prod-credentials-in-test
#   severity: error
#   kinds: [ci]
#   help: >-
#     Attach a test-scoped context or variable group (e.g. `test-aws`) to the
#     test job, and keep production ones on deploy jobs.
#   bad: |
#     workflows:
#       build:
#         jobs:
#           - test:
#               context: [prod-aws]
#   good: |
#     workflows:
#       build:
#         jobs:
#           - test:
#               context: [test-aws]
#           - deploy:
#               context: [prod-aws]
#               requires: [test]
package blastwall.prod_credentials_in_test.prod_context_in_test_job

import rego.v1

import data.blastwall.lib.production

deny contains result if {
	some j, job in input.jobs
	job.test
	some c, context in job.contexts
	context.env == "prod"
	# Last: few test jobs are given a production context.
	not production.production_check(job)
	result := {
		"msg": sprintf("test job `%s` (%s) is given production %s `%s`", [job.name, concat(", ", job.test_reasons), context.via, context.name]),
		"path": ["jobs", j, "contexts", c],
		"help": sprintf("Give `%s` a test-scoped %s instead of `%s`, and keep `%s` on deploy jobs.", [job.name, context.via, context.name, context.name]),
		"related": bound_at(context),
	}
}

# A value passed to a template or reusable workflow is bound where the called file uses it.
bound_at(context) := [{"at": context.origin, "msg": sprintf("the called file binds the %s here", [context.via])}] if {
	context.origin
} else := []

# A pull-request-only job that runs tests inside a production environment. A
# post-deploy smoke test runs after a deploy, never on an unmerged pull request.
deny contains result if {
	some j, job in input.jobs
	job.env == "prod"
	job.environment != null
	pull_request_only(job)
	count(job.test_commands) > 0
	result := {
		"msg": sprintf("job `%s` runs `%s` on `%s` inside production environment `%s`", [job.name, concat(" ", input.commands[job.test_commands[0]].argv), concat("`, `", job.triggers), job.environment]),
		"path": array.concat(array.concat(["content"], job.path), ["environment"]),
		"help": "Pull-request test jobs should not use the production environment: declare a test environment (e.g. `environment: test`) with test-scoped secrets; run production smoke tests only after the deploy job (`needs: deploy`).",
	}
}

# A test job (named or staged as one, running a test suite) bound to the production environment
# outside pull requests: its secrets and variables reach the suite. Exempt is a declared
# post-deploy check — it needs a job that deploys — and a job that also deploys.
deny contains result if {
	some j, job in input.jobs
	job.env == "prod"
	job.environment != null
	count(job.test_commands) > 0
	not pull_request_only(job)
	some reason in job.test_reasons
	regex.match(`^(job name|stage) `, reason)
	not checks_or_deploys(job, j)
	not after_deploy(job)
	result := {
		"msg": sprintf("test job `%s` (%s) runs `%s` inside production environment `%s`: every production secret and variable of that environment reaches the test run", [job.name, reason, concat(" ", input.commands[job.test_commands[0]].argv), job.environment]),
		"path": array.concat(array.concat(["content"], job.path), ["environment"]),
		"help": "Bind the test job to a test environment (e.g. `environment: test`) with test-scoped secrets; a production smoke test belongs after the deploy job (`needs: deploy`).",
	}
}

pull_request_only(job) if {
	count(job.triggers) > 0
	every t in job.triggers {
		t in {"pull_request", "pull_request_target", "merge_request_event"}
	}
}

# A check by name (`smoke`, `post_release_verify`, `canary`): a word, not a substring.
checks_or_deploys(job, _) if regex.match(`(^|[^a-z])(smoke|verify|canary)([^a-z]|$)`, job_words(job))

# `deploy-and-test`, `release`: a deploy by name, unless all it runs is installs and the
# test suite (`E2E (release gate)` runs the tests a release waits for).
checks_or_deploys(job, j) if {
	regex.match(`(^|[^a-z])(deploy|deployment|release|publish|rollout|promote|ship)([^a-z]|$)`, job_words(job))
	some c, command in input.commands
	command.job == j
	not c in job.test_commands
	not installs(command)
}

job_words(job) := lower(sprintf("%s %s", [object.get(job, "id", ""), job.name]))

# `npm ci`, `pip install -r …`, `npx playwright install --with-deps`, `cd ui`: setting up the
# suite, not deploying.
installs(command) if command.program in {"cd", "echo", "export", "set", "source", "."}

installs(command) if {
	some verb in ["ci", "install", "i", "sync", "restore"]
	verb in array.slice(command.args, 1, 3)
}

# A post-deploy check: it waits for a job that deploys to the same environment.
after_deploy(job) if {
	some needed in object.get(job, "needs", [])
	some other in input.jobs
	other.id == needed
	other.deploy
	other.env == job.env
}

# GitLab without `needs:` orders jobs by stage; a later stage may follow a deploy.
after_deploy(job) if {
	count(object.get(job, "needs", [])) == 0
	some other in input.jobs
	other.deploy
	other.id != job.id
	input.kind == "gitlab-ci"
}
