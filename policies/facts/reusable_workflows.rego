# METADATA
# title: Secrets handed to this repository's reusable workflows
# description: |
#   Collects, for GitHub Actions, the test jobs that call a workflow of the same
#   repository (`uses: ./.github/workflows/x.yml`) with `secrets: inherit`
#   (`{"type": "reusable-call", "value": <called path>, "context"}`, at the
#   `inherit`), and the production secrets a reusable workflow (`on:
#   workflow_call`) reads (`{"type": "prod-secret-read", "value": <file>,
#   "secret", "job"}`). Reads by a test job of the called workflow itself are
#   left out: prod-secret-in-test-job reports them where they are written.
# custom:
#   kinds: [github-actions]
package blastwall.facts.reusable_workflows

import rego.v1

import data.blastwall.lib.production

facts contains fact if {
	some job in input.jobs
	production.unchecked_test(job)
	some step in job.steps
	step.path == job.path
	startswith(step.uses, "./")
	is_object(input.content)
	object.get(input.content, array.concat(job.path, ["secrets"]), null) == "inherit"
	fact := {
		"type": "reusable-call",
		"value": trim_prefix(trim_space(step.uses), "./"),
		"context": sprintf("test job `%s` (%s)", [job.name, concat(", ", job.test_reasons)]),
		"path": array.concat(array.concat(["content"], job.path), ["secrets"]),
	}
}

facts contains fact if {
	some j, job in input.jobs
	"workflow_call" in job.triggers
	not production.unchecked_test(job)
	some s, ref in job.secrets
	production.secret(ref)
	fact := {
		"type": "prod-secret-read", "value": input.file, "secret": ref.name, "job": job.name,
		"path": ["jobs", j, "secrets", s],
	}
}
