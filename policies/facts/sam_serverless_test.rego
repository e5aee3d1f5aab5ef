package blastwall.facts.sam_serverless_test

import rego.v1

import data.blastwall.facts.sam_serverless

samconfig := {
	"kind": "samconfig",
	"stages": [
		{"name": "dev", "env": "dev", "path": ["content", "dev"]},
		{"name": "prod", "env": "prod", "path": ["content", "prod"]},
	],
	"content": {
		"default": {"deploy": {"parameters": {"profile": "shared"}}},
		"dev": {"deploy": {"parameters": {"profile": "default", "role_arn": "arn:aws:iam::222222222222:role/cfn"}}},
		"prod": {"deploy": {"parameters": {"profile": "acme-prod", "dns_role_arn": "arn:aws:iam::333333333333:role/dns"}}},
	},
}

test_samconfig_profiles_and_roles_per_environment if {
	facts := sam_serverless.facts with input as samconfig
	{[f.type, f.environment, f.value, object.get(f, "job", null)] | some f in facts} == {
		["deploy-credential", "prod", "AWS profile acme-prod", "sam deploy --config-env prod"],
		["deploy-credential", "dev", "arn:aws:iam::222222222222:role/cfn", "sam deploy --config-env dev"],
	} | {["aws-account", "dev", "222222222222", null]}
}

test_stage_keyed_maps_and_variables if {
	facts := sam_serverless.facts with input as {
		"kind": "serverless",
		"stages": [
			{"name": "dev", "env": "dev", "path": ["content", "custom", "profiles", "dev"]},
			{"name": "prod", "env": "prod", "path": ["content", "custom", "profiles", "prod"]},
			{"name": "staging", "env": "staging", "path": ["content", "params", "staging"]},
		],
		"content": {
			"custom": {"profiles": {"dev": "acme", "prod": "${env:PROFILE}"}},
			"params": {"staging": {"accountId": "444444444444", "queue": "q"}},
		},
	}
	{[f.type, f.environment, f.value, f.path] | some f in facts} == {
		["deploy-credential", "dev", "AWS profile acme", ["content", "custom", "profiles", "dev"]],
		["aws-account", "staging", "444444444444", ["content", "params", "staging", "accountId"]],
	}
}

test_cloudformation_mappings_give_accounts_not_credentials if {
	facts := sam_serverless.facts with input as {
		"kind": "cloudformation",
		"stages": [
			{"name": "staging", "env": "staging", "path": ["content", "Mappings", "StageConfig", "staging"]},
			{"name": "production", "env": "prod", "path": ["content", "Mappings", "StageConfig", "production"]},
		],
		"content": {"Mappings": {"StageConfig": {
			"staging": {"AccountId": "111111111111", "DeployRoleArn": "arn:aws:iam::111111111111:role/cfn"},
			"production": {"AccountId": "222222222222", "Ami": "ami-0abc"},
		}}},
	}
	{[f.type, f.environment, f.value] | some f in facts} == {
		["aws-account", "staging", "111111111111"],
		["aws-account", "prod", "222222222222"],
	}
}

test_terraform_maps_keyed_by_environment_read_through_locals if {
	facts := sam_serverless.facts with input as {
		"kind": "terraform",
		"file": "infra/locals.tf",
		"stages": [
			{"name": "staging", "env": "staging", "path": ["content", "locals", 0, "deploy_role_arns", "staging"]},
			{"name": "prod", "env": "prod", "path": ["content", "locals", 0, "deploy_role_arns", "prod"]},
		],
		"content": {"locals": [{"deploy_role_arns": {"staging": "${local.shared_role}", "prod": "arn:aws:iam::222222222222:role/deploy"}}]},
		"resolved": {"locals": [{"deploy_role_arns": {"staging": "arn:aws:iam::222222222222:role/deploy", "prod": "arn:aws:iam::222222222222:role/deploy"}}]},
	}
	{[f.type, f.environment, f.value] | some f in facts} == {
		["deploy-credential", "staging", "arn:aws:iam::222222222222:role/deploy"],
		["deploy-credential", "prod", "arn:aws:iam::222222222222:role/deploy"],
		["aws-account", "staging", "222222222222"],
		["aws-account", "prod", "222222222222"],
	}
}

# A Pulumi stack names its GCP project and Azure subscription with provider-namespaced keys.
test_pulumi_stack_projects_and_subscriptions if {
	stack := {
		"kind": "yaml",
		"file": "infra/Pulumi.dev.yaml",
		"stages": [{"name": "dev", "env": "dev", "path": ["content", "config"]}],
		"content": {"config": {
			"gcp:project": "acme-iot-dev",
			"azure-native:subscriptionId": "9D3A6F10-2C47-4E8B-B5A1-7F0E64C2D913",
			"azure-native:tenantId": "4b1e7c2d-93f0-4a5e-8d61-0c2f9a7b3e18",
			"telemetry:project": "telemetry-ingest",
		}},
	}
	facts := sam_serverless.facts with input as stack
	{[f.type, f.value] | some f in facts} == {
		["gcp-project", "acme-iot-dev"],
		["azure-subscription", "9d3a6f10-2c47-4e8b-b5a1-7f0e64c2d913"],
	}
}

# Locals named for environments (`a_test`, `b_prod`) are stages whose value has no key naming it.
test_environment_named_locals_give_no_fact_and_no_error if {
	facts := sam_serverless.facts with input as {
		"kind": "terraform",
		"file": "main.tf",
		"stages": [
			{"name": "a_test", "env": "test", "path": ["content", "locals", 0, "a_test"]},
			{"name": "b_prod", "env": "prod", "path": ["content", "locals", 0, "b_prod"]},
		],
		"content": {"locals": [{"a_test": "x", "b_prod": "y"}]},
	}
	count(facts) == 0
}
