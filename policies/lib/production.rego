# Production markers shared by rule families: hosts, live API keys, runtime
# environment switches, and the identifiers `.blastwall.yaml` declares as
# production (`data.blastwall.config.environments.prod.*`). See docs/input-schema.md.
package blastwall.lib.production

import rego.v1

# A list `.blastwall.yaml` declares under `environments.prod` (`hosts`, `secrets`, …), or [].
configured(field) := list if {
	list := data.blastwall.config.environments.prod[field]
	is_array(list)
} else := []

# The host of a URL (`postgres://u:p@host:5432/db`, `jdbc:mysql://host/db`, `redis://host`).
# Every URL holds `://`: testing that first spares most values the costly regex.
url_host(value) := lower(m[0][1]) if {
	contains(value, "://")
	m := regex.find_all_string_submatch_n(`^(?:jdbc:)?[A-Za-z][A-Za-z0-9+.\-]*://(?:[^@/ ]*@)?\[?([A-Za-z0-9][A-Za-z0-9.\-_]*)`, trim_space(value), 1)
	count(m) == 1
} else := lower(m[0][1]) if {
	# The default of a placeholder (Spring `${DB_URL:jdbc:postgresql://…}`, shell and
	# Compose `${DB_URL:-postgres://…}`): what runs whenever the variable is not set.
	startswith(trim_space(value), "${")
	m := regex.find_all_string_submatch_n(`^\$\{[A-Za-z0-9_.\-]+:-?(?:jdbc:)?[A-Za-z][A-Za-z0-9+.\-]*://(?:[^@/ ]*@)?\[?([A-Za-z0-9][A-Za-z0-9.\-_]*)`, trim_space(value), 1)
	count(m) == 1
}

# The host a setting names: a URL's host, or a bare host in a `*_HOST`-style key. Server
# lists (`spring.kafka.bootstrap-servers`, `KAFKA_BROKERS`) are `host:port,host:port`: the
# first host counts. `*_HOSTS` is left out: Django's `ALLOWED_HOSTS` and its kin list the
# names a server answers to, not what it connects to.
setting_host(name, value) := host if {
	host := url_host(value)
} else := host if {
	regex.match(`(host|hostname|server|servers|brokers|endpoint|addr|address)$`, lower(name))
	host := lower(regex.replace(trim_space(split(value, ",")[0]), `:[0-9]+$`, ""))
	regex.match(`^[a-z0-9][a-z0-9.\-]*\.[a-z0-9.\-]+$`, host)
}

# Names that never reach a real production system.
reserved_host(host) if host in {"localhost", "host.docker.internal"}

reserved_host(host) if regex.match(`^(127\.|0\.0\.0\.0$|10\.|192\.168\.)`, host)

reserved_host(host) if regex.match(`(^|\.)(test|local|localhost|example|invalid|internal\.test)$`, host)

reserved_host(host) if regex.match(`(^|\.)example\.(com|net|org)$`, host)

# A host that says it is production by a whole label word (`prod-db.acme.io`,
# `db.prod.acme.net`, `orders-production.x.rds.amazonaws.com`), not `product-db`
# or `preprod-db`; or one `.blastwall.yaml` declares.
prod_host(host) if {
	not reserved_host(host)
	some word in regex.split(`[.\-_]`, host)
	word in {"prod", "production", "prd"}
}

# Most configurations declare no hosts: that is tested before the costlier `reserved_host`.
prod_host(host) if {
	some pattern in configured("hosts")
	glob.match(lower(pattern), ["."], host)
	not reserved_host(host)
}

# A live-mode payment key (Stripe `sk_live_…` secret, `rk_live_…` restricted);
# placeholders such as `sk_live_xxxx` or `sk_live_1234567890` (no letter and digit mix) are not keys.
live_key(value) := key if {
	some m in regex.find_all_string_submatch_n(`(?:^|[^A-Za-z0-9_])((?:sk|rk)_live_([0-9A-Za-z]{16,}))`, value, -1)
	regex.match(`[0-9]`, m[2])
	regex.match(`[A-Za-z]`, m[2])
	key := m[1]
}

# `RAILS_ENV`, `spring.profiles.active`, … → `rails_env`, `spring_profiles_active`.
normalized(name) := lower(replace(replace(name, ".", "_"), "-", "_"))

runtime_switches := {
	"rails_env", "rack_env", "node_env", "app_env", "flask_env", "mix_env",
	"aspnetcore_environment", "dotnet_environment", "symfony_env",
	"spring_profiles_active", "quarkus_profile", "micronaut_environments",
}

# A runtime environment switch set to production (`NODE_ENV=production`,
# `SPRING_PROFILES_ACTIVE=prod,metrics`, `DJANGO_SETTINGS_MODULE=app.settings.production`).
# The value is tested first, as it rarely says production; then the name's `_`-separated
# tails (`my_rails_env` → `my_rails_env`, `rails_env`, `env`), each one a lookup, stand for
# `suffix_match` against every switch.
runtime_prod(name, value) if {
	some part in split(lower(trim_space(value)), ",")
	trim_space(part) in {"production", "prod"}
	words := split(normalized(name), "_")
	some i, _ in words
	concat("_", array.slice(words, i, count(words))) in runtime_switches
}

runtime_prod(name, value) if {
	suffix_match(normalized(name), "django_settings_module")
	parts := split(lower(trim_space(value)), ".")
	parts[count(parts) - 1] in {"production", "prod"}
}

suffix_match(n, switch) if n == switch

suffix_match(n, switch) if endswith(n, concat("", ["_", switch]))

# A secret name `.blastwall.yaml` declares as production (globs, e.g. `*_LIVE_*`).
configured_secret(name) if {
	some pattern in configured("secrets")
	glob.match(pattern, [], name)
}

# A secret reference (`{name, env}`) that is production: by its name (`env` from
# the model's secret-name vocabulary), or declared in `.blastwall.yaml`
# (`environments.prod.secrets`) unless its name says a lower environment.
secret(ref) if ref.env == "prod"

secret(ref) if {
	not ref.env in {"test", "staging", "dev"}
	configured_secret(ref.name)
}

# A test job the prod-credentials-in-test rules answer for: not a declared production check.
unchecked_test(job) if {
	job.test
	not production_check(job)
}

# A job that declares production itself, by its name (`smoke-prod`,
# `e2e-production`) or its environment, is a deliberate production check such as
# a smoke test after the deploy; the rules look for test jobs that reach
# production without saying so. A job any pull request can start never
# qualifies: it runs unreviewed code.
production_check(job) if {
	declares_production(job)
	not pull_request_started(job)
}

declares_production(job) if job.env == "prod"

# `e2e-production`, `smoke_test_prod`: the test word leaves `job.env` undecided.
# Such a word holds `prod` or `prd`: that search spares most names the costlier split.
declares_production(job) if {
	some name in [job.id, job.name]
	is_string(name)
	regex.match(`prod|prd`, lower(name))
	some word in regex.split(`[^a-z0-9]+`, lower(name))
	word in {"prod", "production", "prd"}
}

pull_request_started(job) if {
	some t in job.triggers
	t in {"pull_request", "pull_request_target", "merge_request_event", "merge_group"}
}

# A file named for production (`.env.production`, `config/prod.env`, `values-prd.yaml`).
production_file(path) if regex.match(`(^|[/._-])(prod|production|prd|live)([/._-]|$)`, lower(path))
