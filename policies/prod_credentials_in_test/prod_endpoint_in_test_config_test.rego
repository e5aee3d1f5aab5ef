package blastwall.prod_credentials_in_test.prod_endpoint_in_test_config_test

import rego.v1

import data.blastwall.prod_credentials_in_test.prod_endpoint_in_test_config as rule



test_flags_production_hosts if {
	settings := [
		{"name": "DATABASE_URL", "value": "postgres://app:pw@prod-db.internal.acme.io:5432/app"},
		{"name": "spring.datasource.url", "value": "jdbc:postgresql://orders.prod.acme.net:5432/orders"},
		{"name": "REDIS_URL", "value": "rediss://cache-production.acme.io:6380/0"},
		{"name": "DB_HOST", "value": "prd-mysql.acme.io"},
		{"name": "API_HOST", "value": "API.PROD.acme.io"},
	]
	results := rule.deny with input as {"test_context": true, "file": ".env.test", "settings": settings}
	{r.path[1] | some r in results} == {0, 1, 2, 3, 4}
}

test_ignores_lookalikes if {
	settings := [
		{"name": "DATABASE_URL", "value": "postgres://user:pass@db:5432/app_test"},
		{"name": "DATABASE_URL", "value": "postgres://localhost/app_test"},
		{"name": "API_URL", "value": "https://api.prod.example.com"},
		{"name": "API_URL", "value": "https://prod.api.test"},
		{"name": "PRODUCT_DB_URL", "value": "postgres://product-db:5432/catalog"},
		{"name": "PREPROD_URL", "value": "https://preprod-api.acme.io"},
		{"name": "production_ready", "value": "true"},
		{"name": "DB_NAME", "value": "prod.sql"},
		{"name": "DOCS", "value": "see https://wiki.acme.io/prod-db for the production database"},
	]
	count(rule.deny) == 0 with input as {"test_context": true, "file": ".env.test", "settings": settings}
}

test_honours_configured_hosts if {
	settings := [{"name": "DATABASE_URL", "value": "postgres://u@orders-primary.db.acme.io/orders"}]
	count(rule.deny) == 1 with input as {"test_context": true, "file": ".env.test", "settings": settings}
		with data.blastwall.config.environments.prod.hosts as ["*.db.acme.io"]
}

test_flags_live_keys_not_placeholders if {
	settings := [
		{"name": "STRIPE_SECRET_KEY", "value": "sk_live_51HqLyjWDarjtT1zdp7dcXYZab"},
		{"name": "STRIPE_SECRET_KEY", "value": "sk_test_51HqLyjWDarjtT1zdp7dcXYZab"},
		{"name": "STRIPE_SECRET_KEY", "value": "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"},
		{"name": "STRIPE_SECRET_KEY", "value": "sk_live_1234567890123456"},
	]
	results := rule.deny with input as {"test_context": true, "file": ".env.test", "settings": settings}
	{r.path[1] | some r in results} == {0}
	some r in results
	not contains(r.msg, "51HqLyjWDarjtT1zdp7dcXYZab")
}

# Rails `config/database.yml`: the model gives settings of the `test:` section only.
test_flags_test_section_of_a_per_environment_file if {
	settings := [{"name": "host", "value": "orders.prod.internal", "path": ["test", "host"]}]
	results := rule.deny with input as {"test_context": false, "file": "config/database.yml", "settings": settings}
	count(results) == 1
}

# Among settings that name no production host, each finding points at its own setting.
test_locates_findings_among_other_settings if {
	settings := [
		{"name": "LOG_LEVEL", "value": "debug"},
		{"name": "STRIPE_KEY", "value": "sk_live_51HqLyjWDarjtT1zdp7dcXYZab"},
		{"name": "REDIS_URL", "value": "redis://localhost:6379/0"},
		{"name": "DATABASE_URL", "value": "postgres://app@DB.PRD.acme.io/app"},
	]
	results := rule.deny with input as {"test_context": true, "file": ".env.test", "settings": settings}
	{r.path[1] | some r in results} == {1, 3}
}

test_configured_hosts_need_no_production_word if {
	settings := [
		{"name": "LOG_LEVEL", "value": "debug"},
		{"name": "DATABASE_URL", "value": "postgres://u@orders-primary.db.acme.io/orders"},
	]
	results := rule.deny with input as {"test_context": true, "file": ".env.test", "settings": settings}
		with data.blastwall.config.environments.prod.hosts as ["*.db.acme.io"]
	{r.path[1] | some r in results} == {1}
}

ci_job(test, name, variables) := {"id": name, "name": name, "test": test, "test_reasons": ["stage `test`"], "env": null, "triggers": ["push"], "variables": variables}

test_flags_literal_production_values_of_ci_test_jobs if {
	variables := [
		{"name": "RAILS_ENV", "value": "test"},
		{"name": "STRIPE_SECRET_KEY", "value": "sk_live_51NqX0aBcDeFgHiJkLmNoP"},
		{"name": "DATABASE_URL", "value": "postgres://ci@reports-prod.acme.io/reports"},
	]
	results := rule.deny with input as {"kind": "travis-ci", "settings": [], "jobs": [ci_job(true, "test", variables)]}
	{r.path | some r in results} == {["jobs", 0, "variables", 1], ["jobs", 0, "variables", 2]}
}

test_ignores_deploy_jobs_production_checks_and_test_values if {
	live := [{"name": "STRIPE_SECRET_KEY", "value": "sk_live_51NqX0aBcDeFgHiJkLmNoP"}]
	count(rule.deny) == 0 with input as {"kind": "travis-ci", "settings": [], "jobs": [ci_job(false, "deploy", live)]}
	count(rule.deny) == 0 with input as {"kind": "drone", "settings": [], "jobs": [ci_job(true, "smoke-prod", live)]}
	placeholders := [
		{"name": "STRIPE_SECRET_KEY", "value": "sk_test_51NqX0aBcDeFgHiJkLmNoP"},
		{"name": "DATABASE_URL", "value": "postgres://ci@localhost/products_test"},
		{"name": "PRODUCT_API", "value": "https://products.staging.acme.io"},
	]
	count(rule.deny) == 0 with input as {"kind": "drone", "settings": [], "jobs": [ci_job(true, "test", placeholders)]}
}

test_flags_production_secrets_read_by_test_settings if {
	settings := [
		{"name": "app_db_password", "value": "{{ vault_prod_billing_db_password }}"},
		{"name": "reports:dbSecretArn", "value": "arn:aws:secretsmanager:us-east-1:497310258846:secret:prod/reports/db-Xq3T9a"},
		{"name": "DATABASE_URL", "value": "${PROD_DATABASE_URL}"},
		{"name": "api_token", "value": "{{ vault_test_api_token }}"},
		{"name": "product_secret", "value": "arn:aws:secretsmanager:us-east-1:1:secret:test/product-api"},
	]
	results := rule.deny with input as {"test_context": true, "file": "inventories/test/group_vars/all.yml", "settings": settings}
	{r.path[1] | some r in results} == {0, 1, 2}
}

test_flags_production_env_files_loaded_by_test_configuration if {
	settings := [
		{"name": "services.api.env_file", "value": "./config/production.env"},
		{"name": "services.db.env_file", "value": "./config/test.env"},
		{"name": "services.api.environment.PRODUCT_CATALOG", "value": "catalog.env"},
	]
	results := rule.deny with input as {"test_context": true, "file": "docker-compose.test.yml", "settings": settings}
	{r.path[1] | some r in results} == {0}
}

test_flags_production_profiles_and_contexts_of_test_configuration if {
	settings := [
		{"name": "config.aws:profile", "value": "ledger-prod"},
		{"name": "kubeContext", "value": "prod-eks"},
		{"name": "config.aws:profile", "value": "ledger-test"},
		{"name": "spring.profiles.active", "value": "test"},
		{"name": "profile", "value": "product-sandbox"},
	]
	results := rule.deny with input as {"test_context": true, "file": "Pulumi.test.yaml", "settings": settings}
	{r.path[1] | some r in results} == {0, 1}
}

test_flags_production_logins_of_ci_test_jobs_and_their_commands if {
	variables := [
		{"name": "AWS_PROFILE", "value": "fulfilment-prod"},
		{"name": "AWS_REGION", "value": "eu-west-1"},
	]
	commands := [
		{"job": 0, "argv": ["pytest", "tests/integration"], "assignments": [{"name": "KUBE_CONTEXT", "value": "prod-eks"}]},
		{"job": 0, "argv": ["pytest", "tests/unit"], "assignments": [{"name": "AWS_PROFILE", "value": "fulfilment-test"}]},
		{"job": 1, "argv": ["./deploy.sh"], "assignments": [{"name": "AWS_PROFILE", "value": "fulfilment-prod"}]},
	]
	results := rule.deny with input as {"kind": "github-actions", "settings": [], "jobs": [ci_job(true, "integration", variables), ci_job(false, "deploy", [])], "commands": commands}
	{r.path | some r in results} == {["jobs", 0, "variables", 0], ["commands", 0, "assignments", 0]}
}

# tox `passenv` of a production secret; CI flags and test variables pass through harmlessly.
test_flags_production_secrets_passed_through if {
	settings := [
		{"name": "passenv", "value": "CI"},
		{"name": "passenv", "value": "SHOP_PROD_DB_PASSWORD"},
		{"name": "passenv", "value": "PRODUCT_CATALOG_URL"},
	]
	results := rule.deny with input as {"test_context": true, "file": "tox.ini", "settings": settings}
	{r.path[1] | some r in results} == {1}
}

# Spring Cloud AWS imports a secret by name.
spring_import(name) := {"test_context": true, "file": "application-it.yml", "settings": [{"name": "spring.config.import", "value": sprintf("aws-secretsmanager:%s", [name])}]}

test_flags_spring_imports_of_production_secrets if {
	count(rule.deny) == 1 with input as spring_import("prod/ledger/postgres")
	count(rule.deny) == 0 with input as spring_import("test/ledger/postgres")
}
