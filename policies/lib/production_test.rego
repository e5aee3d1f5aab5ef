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
