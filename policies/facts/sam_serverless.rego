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
#   (`StageConfig.production.AccountId`) gives the stage's `aws-account` facts.
#   `input.stages` names each section's environment. The `default` profile and
#   `${…}` variables are not identities and are skipped.
# custom:
#   kinds: [samconfig, serverless, cloudformation]
package blastwall.facts.sam_serverless

import rego.v1

import data.blastwall.lib.cloud_ids

# Every string under a stage's section with the key that names it: the last
# key below the section, or for `custom.profiles.dev: acme-dev` the map's key.
stage_values contains [stage, path, key, value] if {
	some stage in input.stages
	section := object.get(input, stage.path, null)
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

value_key(section, rel) := section[count(section) - 2] if count(rel) == 0

# `deploymentRole`, `aws_profile`, `AccountId` → `deploymentrole`, `awsprofile`, `accountid`.
normal(key) := lower(replace(replace(key, "_", ""), "-", ""))

job(stage) := sprintf("sam deploy --config-env %s", [stage.name]) if input.kind == "samconfig"

job(stage) := sprintf("serverless deploy --stage %s", [stage.name]) if input.kind == "serverless"

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
deploy_role_key(key) if regex.match(`^(deploy|deployment|cfn|cloudformation)?roles?(arn)?$`, normal(key))

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
	normal(key) in {"account", "accounts", "accountid", "awsaccount", "awsaccountid"}
	cloud_ids.aws_account(value)
	fact := {"type": "aws-account", "value": value, "via": key, "environment": stage.env, "path": path}
}
