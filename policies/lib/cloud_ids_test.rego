package blastwall.lib.cloud_ids_test

import rego.v1

import data.blastwall.lib.cloud_ids

test_settings_that_are_not_strings_are_not_identifiers if {
	not cloud_ids.setting_fact("create_admin_role", true, ["content"])
	not cloud_ids.setting_fact("account_id", 111111111111, ["content"])
	not cloud_ids.setting_fact("project_id", {"name": "acme-prod"}, ["content"])
}

test_own_deploy_roles_name_the_environment_account if {
	cloud_ids.setting_fact("role_arn", "arn:aws:iam::111111111111:role/deploy", ["content"]).value == "111111111111"
	cloud_ids.setting_fact("terraform_role_arn", "arn:aws:iam::111111111111:role/tf", ["content"]).value == "111111111111"
	cloud_ids.setting_fact("ROLE_TO_ASSUME", "arn:aws:iam::111111111111:role/gha", ["content"]).value == "111111111111"
}

test_roles_in_other_accounts_are_not_the_environment_account if {
	not cloud_ids.setting_fact("dns_role_arn", "arn:aws:iam::111111111111:role/dns", ["content"])
	not cloud_ids.setting_fact("ecr_role_arn", "arn:aws:iam::111111111111:role/pull", ["content"])
	not cloud_ids.setting_fact("prod_role_arn", "arn:aws:iam::111111111111:role/deploy", ["content"])
}

test_a_resolved_reference_is_reported_only_where_no_id_is_written if {
	written := {"type": "aws-account", "value": "111111111111", "environment": "dev", "file": "dev.tfvars"}
	reference := {"type": "aws-account", "value": "111111111111", "environment": "dev", "file": "main.tf", "resolved": true}
	elsewhere := object.union(reference, {"environment": "staging"})
	cloud_ids.reported({written, reference, elsewhere}) == {written, elsewhere}
	cloud_ids.reported({reference}) == {reference}
}

# The identifier tests are written without regexes; on tricky input they answer as the patterns
# they stand for (ASCII digits only, exact lengths, no trailing newline).
test_identifiers_are_tested_as_their_patterns if {
	every id in [
		"111111111111", "11111111111", "1111111111111", "11111111111١", "11111111111１", "111111111111\n",
		" 111111111111", "11111111111a", "acme-prod-1", "acme-prod-", "1acme-prod", "a1b2c3", "acme",
		"acme-production-project-00001", "acme-production-project-000001", "Acme-prod-1", "acme_prod_1",
		"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0",
		"0f1e2d3c4-b5a-6978-8796-a5b4c3d2e1f0", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fg", "",
	] {
		{true | cloud_ids.aws_account(id)} == {true | regex.match(`^[0-9]{12}$`, id)}
		{true | cloud_ids.gcp_project(id)} == {true | regex.match(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`, id)}
		{true | cloud_ids.azure_subscription(id)} == {true | regex.match(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`, id)}
	}
	cloud_ids.aws_account("111111111111")
	cloud_ids.gcp_project("acme-prod-1")
	cloud_ids.azure_subscription("0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0")
}

test_arn_account_reads_the_account_field_of_aws_arns_only if {
	every arn in [
		"arn:aws:iam::111111111111:role/deploy", "arn:aws-us-gov:iam::111111111111:role/x",
		"arn:aws:s3:eu-west-1:111111111111:bucket", "arn:aws:iam::111111111111", "arn:aws::us-east-1:111111111111:x",
		"arn:aws:IAM::111111111111:role/x", "arn:aws:iam::11111111111:role/x", "arn:aws:iam::11111111111١:role/x",
		"arn:aws2:iam::111111111111:role/x", "arn:azure:iam::111111111111:role/x", "xarn:aws:iam::111111111111:role/x",
		"arn:aws:iam:eu_west::111111111111:role/x",
	] {
		{id | id := cloud_ids.arn_account(arn)} == {m[1] | some m in regex.find_all_string_submatch_n(`^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}):`, arn, 1)}
	}
	cloud_ids.arn_account("arn:aws-cn:iam::111111111111:role/deploy") == "111111111111"
	not cloud_ids.arn_account(111111111111)
}

test_account_project_and_subscription_keys_are_exact_names if {
	every key in ["account_id", "AWS_ACCOUNT_ID", "deployment_account", "target_account_id", "prod_account_id", "account_id_id", "accounts", "aws_account_ids"] {
		{true | cloud_ids.own_account_key(key)} == {true | regex.match(`^(aws_|target_|deploy_|deployment_)?account(_id)?$`, lower(key))}
	}
	every key in ["project_id", "GCP_PROJECT", "google_project_id", "_RUN_PROJECT", "CLOUDSDK_CORE_PROJECT", "deploy_project_id"] {
		cloud_ids.project_key(key)
	}
	every key in ["project", "_PROJECT", "gcp_project_ids", "other_project_id", "dns_project", "ARTIFACTS_PROJECT", "project_name"] {
		not cloud_ids.project_key(key)
	}
	every key in ["subscription_id", "ARM_SUBSCRIPTION_ID", "azure_subscription", "other_subscription_id"] {
		{true | cloud_ids.subscription_key(key)} == {true | regex.match(`^(azure_|arm_)?subscription_id$`, lower(key))}
	}
	cloud_ids.own_account_key("DEPLOY_ACCOUNT_ID")
	cloud_ids.project_key("gcp_project_id")
	cloud_ids.subscription_key("arm_subscription_id")
	cloud_ids.role_key("role_to_assume")
	not cloud_ids.role_key("dns_role_arn")
}

test_shared_service_identities if {
	cloud_ids.shared_service_identity("arn:aws:iam::111111111111:role/route53-external-dns")
	cloud_ids.shared_service_identity("ecr-pull@acme-platform.iam.gserviceaccount.com")
	not cloud_ids.shared_service_identity("arn:aws:iam::111111111111:role/orders-api-prod")
	not cloud_ids.shared_service_identity("deployer@acme-prod.iam.gserviceaccount.com")
	not cloud_ids.shared_service_identity("deployer@acme-shared-dns.iam.gserviceaccount.com")
}
