package blastwall.shared_account_across_envs.same_cluster_in_prod_and_nonprod_test

import rego.v1

import data.blastwall.facts.cluster_targets
import data.blastwall.shared_account_across_envs.same_cluster_in_prod_and_nonprod as rule

fact(env, cluster, start) := {"type": "kube-cluster", "value": cluster, "via": "clusterName", "environment": env, "file": sprintf("deploy/values-%s.yaml", [env]), "document": 0, "span": [start, start + 1]}

test_flags_staging_on_the_production_cluster if {
	results := rule.deny with input as {"facts": [fact("prod", "acme-main", 0), fact("staging", "acme-main", 0)]}
	count(results) == 1
	some r in results
	r.at.environment == "staging"
	r.related[0].at.environment == "prod"
}

test_one_finding_per_file_and_cluster if {
	results := rule.deny with input as {"facts": [fact("prod", "acme-main", 0), fact("dev", "acme-main", 9), fact("dev", "acme-main", 3)]}
	[r.at.span[0] | some r in results] == [3]
}

test_ignores_separate_clusters_and_nonprod_pairs if {
	count(rule.deny) == 0 with input as {"facts": [fact("prod", "acme-prod", 0), fact("staging", "acme-nonprod", 0)]}
	count(rule.deny) == 0 with input as {"facts": [fact("dev", "acme-nonprod", 0), fact("staging", "acme-nonprod", 0)]}
}

test_collects_helm_values_but_not_templates_or_other_keys if {
	values := {"global": {"clusterName": "Acme-EKS-Main"}, "kubeContext": "{{ .Values.ctx }}", "elasticsearch": {"clusterName": "logs"}}
	facts := cluster_targets.facts with input as {"kind": "helm-values", "file": "values-prod.yaml", "content": values}
	{[f.value, f.via] | some f in facts} == {["acme-eks-main", "global.clusterName"]}
}

# Elasticsearch's and Cassandra's charts name their own clusters with the same keys.
test_ambiguous_keys_need_a_kubernetes_cluster_name if {
	es := cluster_targets.facts with input as {"kind": "helm-values", "file": "values-prod.yaml", "content": {"clusterName": "elasticsearch", "cluster": {"name": "cassandra"}}}
	count(es) == 0
	arn := "arn:aws:eks:eu-west-1:111111111111:cluster/main"
	eks := cluster_targets.facts with input as {"kind": "helm-values", "file": "values-prod.yaml", "content": {"clusterName": arn}}
	{f.value | some f in eks} == {arn}
	ctx := cluster_targets.facts with input as {"kind": "helm-values", "file": "values-prod.yaml", "content": {"kubeContext": "main"}}
	{f.value | some f in ctx} == {"main"}
}

app(file, server) := {"kind": "kubernetes", "file": file, "content": {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "spec": {"destination": {"server": server}}}}

test_argo_in_cluster_destinations_are_named_by_directory if {
	a := cluster_targets.facts with input as app("clusters/prod/apps/web.yaml", "https://kubernetes.default.svc")
	b := cluster_targets.facts with input as app("clusters/dev/apps/web.yaml", "https://kubernetes.default.svc")
	c := cluster_targets.facts with input as app("clusters/dev/apps/api.yaml", "https://kubernetes.default.svc")
	{f.value | some f in a} != {f.value | some f in b}
	{f.value | some f in b} == {f.value | some f in c}
	remote := cluster_targets.facts with input as app("apps/web.yaml", "https://EKS.example.com")
	{f.value | some f in remote} == {"https://eks.example.com"}
}

test_collects_cluster_selecting_commands if {
	cmds := [
		{"argv": ["kubectl", "config", "use-context", "prod-ctx"], "job": 0, "in_function": null},
		{"argv": ["helm", "upgrade", "web", "./chart", "--kube-context", "prod-ctx"], "job": 0, "in_function": null},
		{"argv": ["aws", "eks", "update-kubeconfig", "--region", "eu-west-1", "--name", "main"], "job": 0, "in_function": null},
		{"argv": ["gcloud", "container", "clusters", "get-credentials", "gke-main", "--zone", "x"], "job": 0, "in_function": null},
		{"argv": ["kubectl", "--context", "$KUBE_CONTEXT", "apply", "-f", "k8s/"], "job": 0, "in_function": null},
		{"argv": ["kubectl", "get", "pods", "--context", "other"], "job": 1, "in_function": null},
	]
	facts := cluster_targets.facts with input as {"kind": "github-actions", "file": "deploy.yml", "commands": cmds, "jobs": [{"env": "prod"}, {"env": null}]}
	{[f.path, f.value] | some f in facts} == {
		[["commands", 0, "words", 3], "prod-ctx"],
		[["commands", 1, "words", 5], "prod-ctx"],
		[["commands", 2, "words", 6], "main"],
		[["commands", 3, "words", 4], "gke-main"],
	}
}

ci_variable(name, value, path) := {"name": name, "value": value, "path": path}

test_collects_cluster_variables_of_deploy_jobs if {
	inherited := ci_variable("KUBE_CONTEXT", "acme/agents:gke-euw1-main", ["deploy:staging", "extends"])
	jobs := [
		{"env": "staging", "variables": [inherited, ci_variable("KUBE_NAMESPACE", "web-staging", ["x"])]},
		{"env": "prod", "variables": [ci_variable("HELM_KUBECONTEXT", "prod-ctx", ["deploy:prod", "variables", "HELM_KUBECONTEXT"])]},
		{"env": "prod", "variables": [ci_variable("CLUSTER_NAME", "gke-prod", ["a"]), ci_variable("CLUSTER_NAME", "orders-ecs", ["b"])]},
		{"env": "staging", "test": true, "variables": [ci_variable("KUBE_CONTEXT", "test-ctx", ["c"])]},
		{"env": null, "variables": [ci_variable("KUBE_CONTEXT", "lint-ctx", ["d"])]},
		{"env": "staging", "variables": [ci_variable("KUBE_CONTEXT", "$CTX", ["e"])]},
	]
	facts := cluster_targets.facts with input as {"kind": "gitlab-ci", "file": ".gitlab-ci.yml", "commands": [], "jobs": jobs}
	{[f.environment, f.value, f.path] | some f in facts} == {
		["staging", "acme/agents:gke-euw1-main", ["content", "deploy:staging", "extends"]],
		["prod", "prod-ctx", ["content", "deploy:prod", "variables", "HELM_KUBECONTEXT"]],
		["prod", "gke-prod", ["content", "a"]],
	}
}
