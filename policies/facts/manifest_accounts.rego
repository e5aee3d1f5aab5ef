# METADATA
# title: Cloud accounts Kubernetes manifests and values files reach
# description: |
#   Collects the IAM role ARNs and service account emails written anywhere in
#   the strings of a Kubernetes manifest, Kustomize overlay, Helm values,
#   Compose or other YAML/JSON file (`input.identities`: an IRSA or
#   workload-identity annotation, a role inside a Kustomize patch). In a file
#   of a known, non-test environment each is that environment's account
#   (`aws-account`, `gcp-project`); in a test context it is a
#   `test-reference`, as `test_context_accounts` collects, unless a setting
#   holding just that identity is collected there already. Identities of services
#   every environment shares on purpose (DNS, registries, logging) are left out.
# custom:
#   kinds: [kubernetes, helm-values, yaml, json, docker-compose]
package blastwall.facts.manifest_accounts

import rego.v1

import data.blastwall.lib.cloud_ids

# Most manifests name no identity: blastwall collects only from those that do.
reads := {"identities"}

facts contains fact if {
	input.environment != null
	not input.test_context
	# Per-environment sections (a Pulumi stack, `cdk.json`) are collected with their stage.
	count(object.get(input, "stages", [])) == 0
	some i, identity in input.identities
	not cloud_ids.shared_service_identity(identity.text)
	fact := {"type": identity.type, "value": identity.value, "via": identity.text, "path": ["identities", i]}
}

facts contains fact if {
	input.test_context
	some i, identity in input.identities
	not cloud_ids.shared_service_identity(identity.text)
	not identity.text in {setting.value | some setting in input.settings}
	fact := {
		"type": "test-reference", "target": identity.type, "value": identity.value, "via": identity.text,
		"context": sprintf("test configuration `%s`", [input.file]), "path": ["identities", i],
	}
}
