# METADATA
# title: Production Kubernetes cluster also used by a non-production environment
# description: |
#   A non-production environment deploys to the Kubernetes cluster (or kube
#   context) production deploys to: per-environment Helm values naming the
#   same `clusterName`/`kubeContext`, Argo CD `Application`s for prod and dev
#   with the same destination, or CI deploy jobs that select the same cluster
#   (`kubectl config use-context`, `--context`, `aws eks update-kubeconfig
#   --name`, `gcloud container clusters get-credentials`, a `KUBE_CONTEXT` or
#   `HELM_KUBECONTEXT` variable). One cluster with a
#   namespace per environment is a deliberate choice for many small teams, so
#   this is a `warning`. Shared `KUBECONFIG` secrets are
#   `same-credential-in-prod-and-nonprod`.
#
#   Why is this bad? Namespaces do not contain cluster-wide operations: a
#   staging CRD upgrade, a `kubectl delete` with the wrong context or
#   namespace, a node drain, an admission webhook or a resource-hungry test
#   run hits production's workloads too. cloud.gov's 2018 outage came from
#   development and production sharing one blast radius.
# custom:
#   id: same-cluster-in-prod-and-nonprod
#   category: shared-account-across-envs
#   severity: warning
#   scope: repository
#   help: >-
#     Run production in its own cluster (and account); if one cluster per
#     estate is deliberate, keep non-production out of production's namespaces
#     with RBAC and quotas and set this rule's severity in `.blastwall.yaml`.
#   bad: |
#     # deploy/values-prod.yaml
#     clusterName: acme-main
#     # deploy/values-staging.yaml
#     clusterName: acme-main
#   good: |
#     # deploy/values-prod.yaml
#     clusterName: acme-prod
#     # deploy/values-staging.yaml
#     clusterName: acme-nonprod
package blastwall.shared_account_across_envs.same_cluster_in_prod_and_nonprod

import rego.v1

clusters contains fact if {
	some fact in input.facts
	fact.type == "kube-cluster"
	fact.environment != null
}

# A value every job shares (a workflow-level variable) is its own production use.
elsewhere(p, fact) if p.file != fact.file

elsewhere(p, fact) if p.span != fact.span

# One finding per non-production file and cluster: the first place it appears.
deny contains result if {
	some fact in clusters
	fact.environment != "prod"
	prod_facts := prod_by_value[fact.value]
	prod := [p | some p in prod_facts]
	not earlier_in_file(fact)
	result := {
		"msg": sprintf("%s deploys to Kubernetes cluster `%s` (via %s), which production also deploys to (%s)", [fact.environment, fact.value, fact.via, prod[0].file]),
		"at": fact,
		"related": [{"at": p, "msg": sprintf("production deploys to `%s` here", [p.value])} | some p in prod; elsewhere(p, fact)],
	}
}

# Computed once, so that each cluster fact looks its partners up instead of
# scanning every cluster fact.
prod_by_value[value] contains p if {
	some p in clusters
	p.environment == "prod"
	value := p.value
}

by_place[place] contains fact if {
	some fact in clusters
	place := [fact.file, fact.value, fact.environment]
}

earlier_in_file(fact) if {
	some other in by_place[[fact.file, fact.value, fact.environment]]
	[other.document, other.span[0]] < [fact.document, fact.span[0]]
}
