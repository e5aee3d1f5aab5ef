# METADATA
# title: Kubernetes clusters an environment deploys to
# description: |
#   Collects the Kubernetes cluster (or kube context) each environment's
#   configuration names: per-environment Helm values (`kubeContext`,
#   `autoDiscovery.clusterName`, `settings.clusterName`; and `clusterName`,
#   `cluster`, `cluster.name` at the top or under `global` when the value reads
#   as a Kubernetes cluster: an EKS ARN, a `gke_` context, or a name with
#   eks/gke/aks/k8s/kube in it — Elasticsearch and Cassandra charts use the
#   same keys for their own clusters), Argo CD
#   `Application` destinations (`spec.destination.server`/`name`), and CI deploy
#   commands (`kubectl config use-context X`, `kubectl|helm --context|--kube-context X`,
#   `aws eks update-kubeconfig --name X`, `gcloud container clusters
#   get-credentials X`, `az aks get-credentials --name X`) and their variables
#   (`KUBE_CONTEXT`, `HELM_KUBECONTEXT`, `EKS_CLUSTER_NAME`, also brought in by
#   `extends:`). An Argo CD
#   in-cluster destination (`https://kubernetes.default.svc`, `in-cluster`) is
#   the cluster of the Argo CD install that reads the file, so it is named by
#   its directory: per-cluster installs in different directories never pair.
#   Values with unresolved expansions (`$CLUSTER`, `{{ .Values.x }}`) are not
#   collected.
# custom:
#   kinds: [helm-values, kubernetes/Application, ci]
package blastwall.facts.cluster_targets

import rego.v1

concrete(value) if {
	is_string(value)
	value != ""
	not regex.match(`[$]|\{\{`, value)
}

# Keys that always name the Kubernetes cluster the release runs in
# (cluster-autoscaler's `autoDiscovery.clusterName`, the AWS load balancer
# controller's and Karpenter's `settings.clusterName`).
cluster_paths := [
	["kubeContext"], ["kube_context"], ["global", "kubeContext"],
	["autoDiscovery", "clusterName"], ["settings", "clusterName"],
]

# Keys that name *a* cluster, often not Kubernetes: Elasticsearch's top-level
# `clusterName`, Cassandra's `cluster.name`. They count only when the value
# itself reads as a Kubernetes cluster.
ambiguous_paths := [
	["clusterName"], ["cluster_name"], ["cluster"], ["cluster", "name"],
	["global", "clusterName"], ["global", "cluster"], ["global", "cluster", "name"],
]

kube_cluster_name(value) if regex.match(`^arn:aws[a-z-]*:eks:|^gke_`, value)

kube_cluster_name(value) if regex.match(`(^|[-_.])(eks|gke|aks|k8s|kube|kubernetes)([-_.0-9]|$)`, lower(value))

# Helm values are a small share of the documents: one kind test skips both rules.
facts contains fact if {
	input.kind == "helm-values"
	some fact in helm_facts
}

helm_facts contains fact if {
	is_object(input.content)
	some p in cluster_paths
	value := object.get(input.content, p, null)
	concrete(value)
	fact := {"type": "kube-cluster", "value": lower(value), "via": concat(".", p), "path": array.concat(["content"], p)}
}

helm_facts contains fact if {
	is_object(input.content)
	some p in ambiguous_paths
	value := object.get(input.content, p, null)
	concrete(value)
	kube_cluster_name(value)
	fact := {"type": "kube-cluster", "value": lower(value), "via": concat(".", p), "path": array.concat(["content"], p)}
}

in_cluster := {"https://kubernetes.default.svc", "https://kubernetes.default.svc/", "in-cluster"}

facts contains fact if {
	input.kind == "kubernetes"
	input.content.kind == "Application"
	is_string(input.content.apiVersion)
	startswith(input.content.apiVersion, "argoproj.io/")
	some key in ["server", "name"]
	value := input.content.spec.destination[key]
	concrete(value)
	fact := {"type": "kube-cluster", "value": argo_cluster(value), "via": sprintf("Argo CD destination.%s", [key]), "path": ["content", "spec", "destination", key]}
}

argo_cluster(value) := sprintf("%s (the Argo CD install reading %s)", [value, dir]) if {
	value in in_cluster
	parts := split(input.file, "/")
	dir := concat("/", array.slice(parts, 0, count(parts) - 1))
}

argo_cluster(value) := lower(value) if not value in in_cluster

# Commands outside CI jobs (container scripts) never count. Most commands run
# none of the programs below: testing the program spares the calls for them.
facts contains fact if {
	input.jobs != []
	some c, cmd in input.commands
	job := input.jobs[cmd.job]
	job.env != null
	cmd.argv[0] in {"kubectl", "helm", "helmfile", "aws", "az", "gcloud"}
	cmd.in_function == null
	some w, via in cluster_word(cmd.argv)
	concrete(cmd.argv[w])
	fact := {"type": "kube-cluster", "value": lower(cmd.argv[w]), "via": sprintf("`%s`", [via]), "environment": job.env, "path": ["commands", c, "words", w]}
}

# Index of the word naming the cluster → how it was named; only the forms of
# the command's program are tried.
# A deploy job's variable that names its kube context (`KUBE_CONTEXT`, helm's
# `HELM_KUBECONTEXT`) or its cluster, set in the job or brought in by `extends:`/a template
# (located there). A generic `CLUSTER_NAME` counts only with a Kubernetes-looking value.
facts contains fact if {
	input.jobs != []
	some job in input.jobs
	job.env != null
	not job.test
	some variable in job.variables
	concrete(variable.value)
	cluster_variable(upper(variable.name), variable.value)
	fact := {"type": "kube-cluster", "value": lower(variable.value), "via": sprintf("`%s`", [variable.name]), "environment": job.env, "path": array.concat(["content"], variable.path)}
}

cluster_variable(name, _) if regex.match(`^(HELM_KUBECONTEXT|KUBE_?CONTEXT(_NAME)?|K8S_CONTEXT|KUBECTL_CONTEXT|(EKS|GKE|AKS)_CLUSTER(_NAME)?)$`, name)

cluster_variable(name, value) if {
	regex.match(`^(K8S_|KUBE_)?CLUSTER(_NAME)?$`, name)
	kube_cluster_name(value)
}

cluster_word(argv) := object.union(use_context(argv), context_flag(argv)) if argv[0] == "kubectl"

cluster_word(argv) := context_flag(argv) if argv[0] in {"helm", "helmfile"}

cluster_word(argv) := eks(argv) if argv[0] == "aws"

cluster_word(argv) := aks(argv) if argv[0] == "az"

cluster_word(argv) := gke(argv) if argv[0] == "gcloud"

use_context(argv) := {3: "kubectl config use-context"} if {
	argv[0] == "kubectl"
	array.slice(argv, 1, 3) == ["config", "use-context"]
} else := {}

context_flag(argv) := {i + 1: sprintf("%s %s", [argv[0], word]) | some i, word in argv; word in {"--context", "--kube-context"}} if {
	argv[0] in {"kubectl", "helm", "helmfile"}
} else := {}

eks(argv) := {i + 1: "aws eks update-kubeconfig --name" | some i, word in argv; word == "--name"} if {
	argv[0] == "aws"
	array.slice(argv, 1, 3) == ["eks", "update-kubeconfig"]
} else := {}

aks(argv) := {i + 1: "az aks get-credentials --name" | some i, word in argv; word in {"--name", "-n"}} if {
	argv[0] == "az"
	array.slice(argv, 1, 3) == ["aks", "get-credentials"]
} else := {}

gke(argv) := {4: "gcloud container clusters get-credentials"} if {
	argv[0] == "gcloud"
	array.slice(argv, 1, 4) == ["container", "clusters", "get-credentials"]
	not startswith(argv[4], "-")
} else := {}
