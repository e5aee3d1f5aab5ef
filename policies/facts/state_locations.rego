# METADATA
# title: Terraform state locations
# description: |
#   Collects where each Terraform root module keeps its state: `backend "s3"`
#   (bucket, workspace_key_prefix, key), `backend "gcs"` (bucket, prefix),
#   `backend "azurerm"` (storage account, container, key), and Terragrunt
#   `remote_state` blocks. Values with references no reader can resolve
#   (`${path_relative_to_include()}`) are not collected. Lock tables are not
#   collected: one DynamoDB lock table serves many states safely, since locks
#   are keyed by state path.
# custom:
#   kinds: [terraform, terragrunt]
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
