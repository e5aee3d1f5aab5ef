package blastwall.prod_credentials_in_test.prod_runtime_env_in_test_test

import rego.v1

import data.blastwall.prod_credentials_in_test.prod_runtime_env_in_tests as rule

cmds := [
	{"argv": ["npm", "run", "build"], "assignments": [{"name": "NODE_ENV", "value": "production"}], "job": 0, "step": 0},
	{"argv": ["npm", "test"], "assignments": [], "job": 0, "step": 1},
]

tjob(variables) := {
	"name": "test",
	"test": true,
	"test_reasons": ["runs `npm test`"],
	"test_commands": [1],
	"variables": variables,
}

test_flags_job_level_production if {
	results := rule.deny with input as {"commands": cmds, "jobs": [tjob([{"name": "NODE_ENV", "value": "production", "path": ["jobs", "test", "env", "NODE_ENV"]}])]}
	count(results) == 1
	some r in results
	r.path == ["jobs", 0, "variables", 0]
	contains(r.msg, "`NODE_ENV=production`")
}

test_flags_test_step_level_production if {
	v := {"name": "RAILS_ENV", "value": "production", "path": ["jobs", "test", "steps", 1, "env", "RAILS_ENV"]}
	count(rule.deny) == 1 with input as {"commands": cmds, "jobs": [tjob([v])]}
}

test_ignores_build_step_level_production if {
	v := {"name": "NODE_ENV", "value": "production", "path": ["jobs", "test", "steps", 0, "env", "NODE_ENV"]}
	count(rule.deny) == 0 with input as {"commands": cmds, "jobs": [tjob([v])]}
}

test_ignores_inline_production_on_build_command if {
	count(rule.deny) == 0 with input as {"commands": cmds, "jobs": [tjob([])]}
}

test_flags_inline_production_on_test_command if {
	c := [{"argv": ["bundle", "exec", "rspec"], "assignments": [{"name": "RAILS_ENV", "value": "production"}], "job": 0, "step": 0}]
	results := rule.deny with input as {"commands": c, "jobs": [object.union(tjob([]), {"test_commands": [0]})]}
	some r in results
	r.path == ["commands", 0, "assignments", 0]
}

test_ignores_deploy_job if {
	j := object.union(tjob([{"name": "NODE_ENV", "value": "production", "path": ["env", "NODE_ENV"]}]), {"test": false})
	count(rule.deny) == 0 with input as {"commands": cmds, "jobs": [j]}
}

test_flags_test_config_settings if {
	settings := [
		{"name": "spring.profiles.active", "value": "prod,metrics"},
		{"name": "DJANGO_SETTINGS_MODULE", "value": "shop.settings.production"},
		{"name": "APP_ENV", "value": "test"},
		{"name": "production_ready", "value": "production"},
		{"name": "DJANGO_SETTINGS_MODULE", "value": "shop.settings.production_like"},
		{"name": "RAILS_ENV", "value": "Production"},
	]
	results := rule.deny with input as {"test_context": true, "file": "pytest.ini", "settings": settings, "jobs": []}
	{r.path | some r in results} == {["settings", 0], ["settings", 1], ["settings", 5]}
}

cmd(argv, step) := {"argv": argv, "words": [{"text": w} | some w in argv], "assignments": [], "job": 0, "step": step, "in_function": null}

exported_then_tested(between) := {"commands": array.concat(array.concat([cmd(["export", "CI=true", "NODE_ENV=production"], 0)], between), [cmd(["npm", "test"], 0)]), "jobs": [object.union(tjob([]), {"test_commands": [count(between) + 1]})]}

test_flags_export_before_test_command if {
	results := rule.deny with input as exported_then_tested([])
	count(results) == 1
	some r in results
	r.path == ["commands", 0, "words", 2]
	contains(r.msg, "after `export NODE_ENV=production`")
}

test_ignores_export_set_again_before_tests if {
	count(rule.deny) == 0 with input as exported_then_tested([cmd(["export", "NODE_ENV=test"], 0)])
	count(rule.deny) == 0 with input as exported_then_tested([cmd(["unset", "NODE_ENV"], 0)])
}

test_ignores_export_in_another_step if {
	i := exported_then_tested([])
	count(rule.deny) == 0 with input as object.union(i, {"commands": [cmd(["export", "NODE_ENV=production"], 0), cmd(["npm", "test"], 1)]})
}

test_ignores_export_after_tests_and_in_functions if {
	i := exported_then_tested([])
	count(rule.deny) == 0 with input as object.union(i, {"commands": [cmd(["npm", "ci"], 0), cmd(["npm", "test"], 0), cmd(["export", "NODE_ENV=production"], 0)]})
	in_function := object.union(cmd(["export", "NODE_ENV=production"], 0), {"in_function": "build"})
	count(rule.deny) == 0 with input as object.union(i, {"commands": [in_function, cmd(["npm", "test"], 0)]})
}

test_ignores_export_overridden_inline_on_test if {
	i := exported_then_tested([])
	tst := object.union(cmd(["npm", "test"], 0), {"assignments": [{"name": "NODE_ENV", "value": "test"}]})
	count(rule.deny) == 0 with input as object.union(i, {"commands": [cmd(["export", "NODE_ENV=production"], 0), tst]})
}

test_ignores_test_config_without_production_values if {
	settings := [{"name": "RAILS_ENV", "value": "test"}, {"name": "NODE_ENV", "value": "ci"}]
	count(rule.deny) == 0 with input as {"test_context": true, "file": ".env.test", "settings": settings, "jobs": []}
}

test_flags_tests_run_with_a_production_env_file if {
	loaded := [{"argv": ["npm", "ci"], "assignments": [], "job": 0, "step": 0}, {"argv": ["dotenv", "-e", ".env.production", "--", "playwright", "test"], "assignments": [], "job": 0, "step": 0}]
	results := rule.deny with input as {"commands": loaded, "jobs": [tjob([])]}
	count(results) == 1
	some r in results
	r.path == ["commands", 1]
	contains(r.msg, "`.env.production`")
	test_file := [loaded[0], {"argv": ["dotenv", "-e", ".env.test", "--", "playwright", "test"], "assignments": [], "job": 0, "step": 0}]
	count(rule.deny) == 0 with input as {"commands": test_file, "jobs": [tjob([])]}
}

# A step's `NODE_ENV: production` for its build does not reach `NODE_ENV=test pnpm test`.
test_ignores_a_value_the_test_command_sets_itself if {
	own := [
		{"argv": ["pnpm", "test"], "assignments": [{"name": "NODE_ENV", "value": "test"}], "job": 0, "step": 1},
		{"argv": ["pnpm", "build"], "assignments": [], "job": 0, "step": 1},
	]
	v := {"name": "NODE_ENV", "value": "production", "path": ["jobs", "test", "steps", 1, "env", "NODE_ENV"]}
	job := object.union(tjob([v]), {"test_commands": [0]})
	count(rule.deny) == 0 with input as {"commands": own, "jobs": [job]}
}

# A test configuration loading production's file; a test file or a URL naming prod is not one.
file_setting(name, value) := {"name": name, "value": value, "path": [0, name]}

test_flags_test_configuration_loading_a_production_file if {
	loads := [file_setting("vars_files", "../inventories/production/group_vars/all/vault.yml")]
	count(rule.deny) == 1 with input as {"file": "playbooks/integration-tests.yml", "settings": loads}
	fine := [
		file_setting("vars_files", "../inventories/test/group_vars/all/vault.yml"),
		file_setting("values", "https://charts.prod.acme.io/values.yaml"),
		file_setting("name", "production-like data"),
	]
	count(rule.deny) == 0 with input as {"file": "playbooks/integration-tests.yml", "settings": fine}
}
