package blastwall.facts.manifest_accounts_test

import rego.v1

import data.blastwall.facts.manifest_accounts as collector

# A non-test environment's manifests name the accounts their workloads assume roles in;
# per-environment sections (`stages`) are collected with their stage instead.
test_identities_of_environment_manifests if {
	role := {"type": "aws-account", "value": "111111111111", "text": "arn:aws:iam::111111111111:role/api", "span": [10, 44]}
	doc := {"kind": "kubernetes", "file": "k8s/overlays/prod/kustomization.yaml", "environment": "prod", "test_context": false, "content": {}, "identities": [role]}
	{[f.type, f.value, f.via] | some f in collector.facts} == {["aws-account", "111111111111", role.text]} with input as doc
	count(collector.facts) == 0 with input as object.union(doc, {"environment": null})
	{f.type | some f in collector.facts} == {"test-reference"} with input as object.union(doc, {"test_context": true})
	count(collector.facts) == 0 with input as object.union(doc, {"stages": [{"name": "prod"}]})
}

# Identities in a test manifest's strings are test references, unless a setting already is one.
test_identities_of_test_manifests if {
	role := {"type": "aws-account", "value": "111111111111", "text": "arn:aws:iam::111111111111:role/e2e", "span": [10, 44]}
	project := {"type": "gcp-project", "value": "acme-prod", "text": "e2e@acme-prod.iam.gserviceaccount.com", "span": [50, 88]}
	doc := {"kind": "kubernetes", "file": "k8s/overlays/e2e/kustomization.yaml", "test_context": true, "settings": [{"name": "ROLE", "value": project.text}], "identities": [role, project]}
	facts := collector.facts with input as doc
	{[f.target, f.value, f.path] | some f in facts} == {["aws-account", "111111111111", ["identities", 0]]}
	count(collector.facts) == 0 with input as object.union(doc, {"test_context": false})
}

# A role every environment shares on purpose (external-dns in the DNS account) is no account of theirs.
test_shared_service_identities_are_left_out if {
	dns := {"type": "aws-account", "value": "222222222222", "text": "arn:aws:iam::222222222222:role/external-dns", "span": [1, 40]}
	doc := {"kind": "kubernetes", "file": "k8s/overlays/staging/dns.yaml", "environment": "staging", "test_context": false, "content": {}, "identities": [dns]}
	count(collector.facts) == 0 with input as doc
	count(collector.facts) == 0 with input as object.union(doc, {"test_context": true, "settings": []})
}
