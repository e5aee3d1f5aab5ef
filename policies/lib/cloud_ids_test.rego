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
