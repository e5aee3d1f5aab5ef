package blastwall.lib.production_test

import rego.v1

import data.blastwall.lib.production

test_setting_host_reads_urls_hosts_and_server_lists if {
	production.setting_host("DATABASE_URL", "postgres://app:pw@db.prod.acme.net:5432/app") == "db.prod.acme.net"
	production.setting_host("DB_HOST", "DB.Prod.acme.net") == "db.prod.acme.net"
	production.setting_host("REDIS_ADDR", "redis.prod.acme.net:6379") == "redis.prod.acme.net"
	production.setting_host("spring.kafka.bootstrap-servers", "kafka-prod-1.acme.internal:9092, kafka-prod-2.acme.internal:9092") == "kafka-prod-1.acme.internal"
	production.setting_host("KAFKA_BROKERS", "b-1.prod-msk.kafka.us-east-1.amazonaws.com:9094") == "b-1.prod-msk.kafka.us-east-1.amazonaws.com"
}

test_setting_host_ignores_allowed_hosts_and_non_hosts if {
	not production.setting_host("ALLOWED_HOSTS", "app.prod.acme.io,localhost")
	not production.setting_host("DB_HOST", "prod")
	not production.setting_host("LOG_LEVEL", "db.prod.acme.net")
	not production.setting_host("DB_SERVER", "$(PROD_DB_SERVER)")
}

# A switch is the whole name or its tail after a `_`, `.` or `-`; its value is production or prod,
# alone or in a comma list.
test_runtime_prod_matches_switch_names_by_whole_tails if {
	production.runtime_prod("RAILS_ENV", "production")
	production.runtime_prod("spring.profiles.active", "metrics, prod")
	production.runtime_prod("MYAPP_NODE_ENV", " Production ")
	production.runtime_prod("my-app.rails-env", "prod")
	production.runtime_prod("DJANGO_SETTINGS_MODULE", "app.settings.production")
	not production.runtime_prod("MYAPPNODE_ENV", "production")
	not production.runtime_prod("NODE_ENV_FILE", "production")
	not production.runtime_prod("ENV", "production")
	not production.runtime_prod("NODE_ENV", "preprod")
	not production.runtime_prod("NODE_ENV", "production-like")
}

test_production_check_needs_a_whole_production_word if {
	production.production_check({"id": "smoke-prod", "name": null, "env": null, "triggers": ["push"]})
	production.production_check({"id": "e2e", "name": "E2E (Production)", "env": null, "triggers": []})
	not production.production_check({"id": "product-tests", "name": "preprod e2e", "env": null, "triggers": []})
	not production.production_check({"id": "smoke-prod", "name": null, "env": null, "triggers": ["pull_request"]})
}

test_prod_host_skips_reserved_names_even_when_declared if {
	production.prod_host("db.prod.acme.net")
	not production.prod_host("prod.example.com")
	not production.prod_host("product-db.acme.net")
	production.prod_host("orders.acme.net") with data.blastwall.config.environments.prod.hosts as ["*.acme.net"]
	not production.prod_host("orders.internal.test") with data.blastwall.config.environments.prod.hosts as ["*.internal.test"]
}

test_production_file_names_by_whole_words if {
	production.production_file(".env.production")
	production.production_file("./config/prod.env")
	production.production_file("values-prd.yaml")
	not production.production_file(".env.test")
	not production.production_file("config/products.env")
}

# A placeholder's default is the URL used whenever its variable is not set.
test_placeholder_defaults_name_their_host if {
	production.url_host("${DB_URL:jdbc:postgresql://db.prod.acme.io:5432/app}") == "db.prod.acme.io"
	production.url_host("${DB_URL:-postgres://u@db.prod.acme.io/app}") == "db.prod.acme.io"
	not production.url_host("${DB_URL}")
	not production.url_host("${DB_USER:app}")
}
