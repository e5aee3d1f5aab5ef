# METADATA
# title: Credentials CI jobs deploy with
# description: |
#   Collects, for each CI job whose environment is known, the cloud and cluster
#   credentials it uses: secrets and variables with credential names
#   (`AWS_ACCESS_KEY_ID`, `*_ROLE_ARN`, `GCP_SA_KEY`, `KUBECONFIG`,
#   `AZURE_CREDENTIALS`, …) or passed to a login action
#   (`aws-actions/configure-aws-credentials`, `google-github-actions/auth`,
#   `azure/login`), literal service accounts and client ids given to those
#   actions, CircleCI contexts and Azure variable groups named for cloud access
#   (`aws-deploy`), and Azure service connections. `scoped` is true when the job declares an
#   `environment:` of a CI system whose secrets and variables may differ per
#   environment under the same name (not Drone, Woodpecker, Travis, Jenkins,
#   CodeBuild or Cloud Build, where a deploy target does not select secrets), or
#   is given a context or variable group named for an environment. A secret's
#   fact names its job (`job_path`, located as `job_span`), since one definition's
#   secrets are read by every job invoking it.
# custom:
#   kinds: [ci]
package blastwall.facts.deploy_credentials

import rego.v1

# Every such name's last `_`-separated word is one of these: looked up first, it
# spares most names the costlier regex.
credential_name(name) if {
	words := split(upper(name), "_")
	words[count(words) - 1] in {"KEY", "ID", "ARN", "ASSUME", "CREDENTIALS", "ACCOUNT", "JSON", "CONFIG", "KUBECONFIG", "SECRET"}
	regex.match(`(^|_)(ACCESS_KEY(_ID)?|SECRET_ACCESS_KEY|SECRET_KEY|ROLE_ARN|ROLE_TO_ASSUME|CREDENTIALS|SA_KEY|SERVICE_ACCOUNT(_KEY|_JSON)?|KUBE_?CONFIG|CLIENT_SECRET|CLIENT_ID|DEPLOY_KEY)$`, upper(name))
}

# The login steps of deploy jobs, [job index, step]: found once for the
# document, not for each reference.
login_steps contains [j, step] if {
	some j, job in input.jobs
	job.env != null
	some step in job.steps
	is_string(step.uses)
	split(lower(step.uses), "@")[0] in {"aws-actions/configure-aws-credentials", "google-github-actions/auth", "azure/login"}
}

credential(_, ref) if credential_name(ref.name)

# A secret store's secret bound to a credential variable (CodeBuild, Cloud Build).
credential(_, ref) if credential_name(ref.variable)

# A reference inside a login action's `with:`.
credential(j, ref) if {
	some [i, step] in login_steps
	i == j
	count(ref.path) > count(step.path)
	array.slice(ref.path, 0, count(step.path) + 1) == array.concat(step.path, ["with"])
}

default environment_scoped(_) := false

environment_scoped(job) if {
	job.environment != null
	not input.kind in {"drone", "woodpecker", "travis-ci", "jenkins", "codebuild", "cloud-build"}
}

# A CircleCI context or Azure variable group named for an environment (`aws-staging`)
# gives the job's secrets that environment's values under the same names.
environment_scoped(job) if {
	some context in job.contexts
	context.via in {"context", "variable group"}
	context.env != null
}

facts contains fact if {
	some j, job in input.jobs
	job.env != null
	some s, ref in job.secrets
	credential(j, ref)
	fact := {
		"type": "deploy-credential", "value": ref.name, "via": sprintf("`%s`", [ref.name]),
		"job": job.id, "scoped": environment_scoped(job), "environment": job.env,
		"path": ["jobs", j, "secrets", s], "job_path": ["jobs", j],
	}
}

# Contexts that hold cloud or cluster credentials, not e.g. `slack-notifications`.
cloud_context(name) if {
	some word in regex.split(`[^a-z0-9]+`, lower(name))
	word in {"aws", "gcp", "gcloud", "google", "azure", "kube", "kubernetes", "k8s", "eks", "gke", "aks", "deploy", "deployment", "terraform", "cloud", "infra", "credentials", "creds"}
}

# A test job given a production context is prod-context-in-test-job's finding: the test run
# holds production credentials, whether or not it deploys anything with them.
test_given_production(job, context) if {
	job.test
	context.env == "prod"
}

# Service accounts and client ids written into a login step are the same identity everywhere.
facts contains fact if {
	some [j, step] in login_steps
	job := input.jobs[j]
	is_object(step["with"])
	some key, value in step["with"]
	key in {"service_account", "client-id", "credentials_json", "creds"}
	is_string(value)
	not contains(value, "${{")
	fact := {
		"type": "deploy-credential", "value": value, "via": sprintf("`%s: %s`", [key, value]),
		"job": job.id, "scoped": false, "environment": job.env,
		"path": array.concat(["content"], array.concat(step.path, ["with", key])),
	}
}

# A service connection is a cloud or cluster identity whatever its name.
cloud_access(context) if context.via == "service connection"

cloud_access(context) if cloud_context(context.name)

facts contains fact if {
	some j, job in input.jobs
	job.env != null
	some c, context in job.contexts
	cloud_access(context)
	not test_given_production(job, context)
	fact := {
		"type": "deploy-credential", "value": sprintf("%s %s", [context.via, context.name]), "via": sprintf("%s `%s`", [context.via, context.name]),
		"job": job.id, "scoped": false, "environment": job.env,
		"path": ["jobs", j, "contexts", c],
	}
}
