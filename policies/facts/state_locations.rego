# METADATA
# title: Terraform state locations
# description: |
#   Collects where each Terraform root module keeps its state: `backend "s3"`
#   (bucket, workspace_key_prefix, key), `backend "gcs"` (bucket, prefix),
#   `backend "azurerm"` (storage account, container, key), and Terragrunt
#   `remote_state` blocks. Values with references no reader can resolve
#   (`${path_relative_to_include()}`) are not collected. Lock tables are not
#   collected: one DynamoDB lock table serves many states safely, since locks
#   are keyed by state path. CI deploy jobs whose environment is known add the
#   state they name: GitLab-managed state (`TF_STATE_NAME`, as the
#   `gitlab-terraform` wrapper reads it) and `terraform init
#   -backend-config=key=…` (with `bucket`/`prefix`), when written out literally.
# custom:
#   kinds: [terraform, terragrunt, ci]
package blastwall.facts.state_locations

import rego.v1

# Each rule reads `input.resolved` (or `content`) once, directly: a rule
# reference would cost more than the call.
facts contains fact if {
	some t, block in object.get(input, "resolved", input.content).terraform
	some backend, configs in block.backend
	some b, config in configs
	location := state_location(backend, config)
	fact := {
		"type": "state-location", "value": location.value, "via": sprintf("backend \"%s\"", [backend]),
		"path": ["content", "terraform", t, "backend", backend, b, location.key],
	}
}

facts contains fact if {
	some r, block in object.get(input, "resolved", input.content).remote_state
	location := state_location(block.backend, block.config)
	fact := {
		"type": "state-location", "value": location.value, "via": "remote_state",
		"path": ["content", "remote_state", r, "config", location.key],
	}
}

state_location("s3", config) := {"value": sprintf("s3://%s/%s%s", [config.bucket, prefix, config.key]), "key": "key"} if {
	resolved([config.bucket, config.key])
	prefix := workspace_prefix(config)
}

state_location("gcs", config) := {"value": sprintf("gs://%s/%s", [config.bucket, config.prefix]), "key": "prefix"} if {
	resolved([config.bucket, config.prefix])
}

state_location("azurerm", config) := {"value": sprintf("azurerm://%s/%s/%s", [config.storage_account_name, config.container_name, config.key]), "key": "key"} if {
	resolved([config.storage_account_name, config.container_name, config.key])
}

workspace_prefix(config) := sprintf("%s/", [config.workspace_key_prefix]) if {
	resolved([config.workspace_key_prefix])
} else := ""

resolved(parts) if {
	every part in parts {
		is_string(part)
		part != ""
		not contains(part, "${")
	}
}

# A GitLab-managed state is named per project: one name is one state.
facts contains fact if {
	some j, job in input.jobs
	job.env != null
	some v, variable in job.variables
	variable.name == "TF_STATE_NAME"
	resolved([variable.value])
	not contains(variable.value, "$")
	fact := {
		"type": "state-location", "value": sprintf("GitLab-managed state `%s`", [variable.value]), "via": "`TF_STATE_NAME`",
		"environment": job.env, "path": ["jobs", j, "variables", v],
	}
}

# `terraform init -backend-config=key=app.tfstate -backend-config=bucket=acme-state`: the
# settings a job passes, all literal, are the state it uses.
facts contains fact if {
	some c, command in input.commands
	command.program in {"terraform", "tofu"}
	"init" in command.args
	job := input.jobs[command.job]
	job.env != null
	settings := backend_settings(command.args)
	some setting in settings
	setting[0] in {"key", "prefix"}
	every other in settings {
		resolved([other[1]])
		not contains(other[1], "$")
	}
	fact := object.union(
		{"type": "state-location", "value": concat(",", sort([concat("=", s) | some s in settings])), "via": "`-backend-config`", "environment": job.env},
		used_at(job, command.job, c),
	)
}

# A command a job inherits through GitLab's `extends:` is reported there, the template
# related.
used_at(job, _, c) := {"path": array.concat(["content"], extends), "defined_path": ["commands", c]} if {
	extends := array.concat(job.path, ["extends"])
	array.slice(input.commands[c].path, 0, count(extends)) == extends
} else := {"path": ["commands", c]}

# `-backend-config=key=x` and `-backend-config key=x` as [name, value]; a file
# (`-backend-config=backend.hcl`) names no setting here.
backend_settings(args) := {pair |
	some i, arg in args
	value := backend_config_value(args, i, arg)
	parts := split(value, "=")
	count(parts) >= 2
	pair := [trim_space(parts[0]), trim(concat("=", array.slice(parts, 1, count(parts))), "\"' ")]
}

backend_config_value(_, _, arg) := trim_prefix(trim_prefix(arg, "-backend-config="), "--backend-config=") if {
	regex.match(`^--?backend-config=`, arg)
}

backend_config_value(args, i, arg) := args[i + 1] if {
	arg in {"-backend-config", "--backend-config"}
	i + 1 < count(args)
}
