# METADATA
# title: Profiles, roles and accounts per stage of SAM, Serverless and CloudFormation configs
# description: |
#   Collects, for each environment section of an AWS SAM `samconfig.toml`
#   (`[prod.deploy.parameters]`) or a Serverless Framework service
#   (`params.<stage>`, `custom.<stage>`, `custom.profiles.<stage>`, or the
#   provider of a service with a literal `provider.stage`), the AWS profile and
#   the IAM role it deploys with (`deploy-credential` facts, job
#   `sam deploy --config-env <env>` / `serverless deploy --stage <stage>`) and
#   the AWS account it targets (`aws-account` facts from account-id keys and
#   role ARNs). A CloudFormation `Mappings` entry keyed by stage
#   (`StageConfig.production.AccountId`) gives the stage's `aws-account` facts, as do
#   a Pulumi stack file (`Pulumi.<stack>.yaml`: `aws:profile`, `aws:assumeRole.roleArn`,
#   `aws:allowedAccountIds`, `gcp:project` and `azure-native:subscriptionId` giving
#   `gcp-project` and `azure-subscription` facts) and any YAML or JSON map keyed by stages one of which is
#   production (`cdk.json` `context.stages.{uat,prod}.account`), as is a Terraform
#   map keyed by environment in `locals`, a variable default, a tfvars value or
#   Terragrunt `inputs` (`deploy_role_arns = { staging = "arn:…", prod = "arn:…" }`,
#   read through variables and locals).
#   `input.stages` names each section's environment. The `default` profile and
#   `${…}` variables are not identities and are skipped.
# custom:
#   kinds: [samconfig, serverless, cloudformation, yaml, json, terraform, terraform-vars, terragrunt, hcl]
package blastwall.facts.sam_serverless

import rego.v1

import data.blastwall.lib.cloud_ids

# Every string under a stage's section with the key that names it: the last
# key below the section, or for `custom.profiles.dev: acme-dev` the map's key.
stage_values contains [stage, path, key, value] if {
	some stage in input.stages
	# Terraform's `resolved` has the shape of `content` with references resolved.
	root := object.get(input, "resolved", input.content)
	is_object(root)
	section := object.get(root, array.slice(stage.path, 1, count(stage.path)), null)
	walk(section, [rel, value])
	is_string(value)
	not contains(value, "${")
	path := array.concat(stage.path, rel)
	key := value_key(stage.path, rel)
}

value_key(_, rel) := rel[count(rel) - 1] if {
	count(rel) > 0
	is_string(rel[count(rel) - 1])
}

# An item of a list (`aws:allowedAccountIds: ["1…"]`) is named by the list's key.
value_key(_, rel) := rel[count(rel) - 2] if {
	count(rel) > 1
	is_number(rel[count(rel) - 1])
	is_string(rel[count(rel) - 2])
}

# A value that is the stage itself (`custom.profiles.dev: acme-dev`) is named by the map's
# key; a local or list item (`locals[0].a_test`) has none.
value_key(section, rel) := section[count(section) - 2] if {
	count(rel) == 0
	is_string(section[count(section) - 2])
}

# `deploymentRole`, `aws_profile`, `AccountId` → `deploymentrole`, `awsprofile`, `accountid`.
# `aws:profile` (Pulumi's provider namespace) is a `profile`.
normal(key) := lower(replace(replace(regex.replace(key, `^[A-Za-z0-9-]+:`, ""), "_", ""), "-", ""))

job(stage) := sprintf("sam deploy --config-env %s", [stage.name]) if input.kind == "samconfig"

job(stage) := sprintf("serverless deploy --stage %s", [stage.name]) if input.kind == "serverless"

job(stage) := sprintf("pulumi up --stack %s", [stage.name]) if {
	input.kind == "yaml"
	startswith(split(input.file, "/")[count(split(input.file, "/")) - 1], "Pulumi.")
}

# A section is named by its key path (`context.stages.uat`, `locals.deploy_role_arns.staging`).
job(stage) := concat(".", [k | some k in array.slice(stage.path, 1, count(stage.path)); is_string(k)]) if {
	input.kind in {"yaml", "json", "terraform", "terraform-vars", "terragrunt", "hcl"}
	not startswith(split(input.file, "/")[count(split(input.file, "/")) - 1], "Pulumi.")
}

credential(stage, path, value, via) := {
	"type": "deploy-credential", "value": value, "via": via,
	"job": job(stage), "scoped": false, "environment": stage.env, "path": path,
}

facts contains credential(stage, path, sprintf("AWS profile %s", [value]), sprintf("profile `%s`", [value])) if {
	some [stage, path, key, value] in stage_values
	normal(key) in {"profile", "profiles", "awsprofile", "awsprofiles"}
	value != "default"
}

# The role a stage deploys with: SAM's `role_arn`, Serverless `iam.deploymentRole`,
# `cfnRole`, a stage-keyed `deployRoles` map. `dnsRoleArn` or `prodRoleArn` name a
# role in another account the stage reaches on purpose.
deploy_role_key(key) if regex.match(`^(deploy|deployment|cfn|cloudformation)?roles?(arns?)?$`, normal(key))

facts contains credential(stage, path, value, sprintf("role `%s`", [value])) if {
	some [stage, path, key, value] in stage_values
	deploy_role_key(key)
	cloud_ids.arn_account(value)
}

facts contains fact if {
	some [stage, path, key, value] in stage_values
	deploy_role_key(key)
	id := cloud_ids.arn_account(value)
	fact := {"type": "aws-account", "value": id, "via": key, "environment": stage.env, "path": path}
}

facts contains fact if {
	some [stage, path, key, value] in stage_values
	normal(key) in {"account", "accounts", "accountid", "accountids", "awsaccount", "awsaccountid", "awsaccountids", "allowedaccountids"}
	cloud_ids.aws_account(value)
	fact := {"type": "aws-account", "value": value, "via": key, "environment": stage.env, "path": path}
}

# A stage's GCP project (`gcp:project` in a Pulumi stack, `projectId` in a per-stage map) and
# Azure subscription (`azure-native:subscriptionId`, `azure:subscriptionId`). A bare `project`
# elsewhere is as often a name as an id.
facts contains fact if {
	some [stage, path, key, value] in stage_values
	project_key(key)
	cloud_ids.gcp_project(value)
	fact := {"type": "gcp-project", "value": value, "via": key, "environment": stage.env, "path": path}
}

facts contains fact if {
	some [stage, path, key, value] in stage_values
	normal(key) in {"subscriptionid", "azuresubscriptionid", "armsubscriptionid"}
	cloud_ids.azure_subscription(value)
	fact := {"type": "azure-subscription", "value": lower(value), "via": key, "environment": stage.env, "path": path}
}

project_key(key) if regex.match(`^(gcp|google-native):project$`, key)

project_key(key) if normal(key) in {"projectid", "gcpproject", "gcpprojectid", "googleproject", "googleprojectid"}
