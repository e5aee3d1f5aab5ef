//! Per-environment sections of serverless deploy configs (`input.stages`).
//!
//! One file configures every environment: AWS SAM's `samconfig.toml` keys its
//! top level by config environment (`[prod.deploy.parameters]`), and a
//! Serverless Framework service keys `params:` and `custom:` maps by stage
//! (`custom.profiles.prod`), as CloudFormation's `Mappings` often do
//! (`Mappings.StageConfig.prod`). Naming each section's environment here, with the
//! vocabulary every other inference uses, lets policies compare sections.

use serde::Serialize;
use serde_json::{json, Value as Json};

use super::environment::{env_of_name, Env};
use crate::parse::node::{Key, Node};

#[derive(Debug, Serialize)]
pub struct Stage {
    /// The config environment or stage name as written (`prod`, `dev`).
    pub name: String,
    pub env: Env,
    /// Input path of the section (`["content", "prod"]`): every value under it
    /// belongs to this stage.
    pub path: Vec<Json>,
}

/// The sections of `doc` (of `kind` `samconfig`, `serverless`, `cloudformation`, or a
/// `yaml`/`json` file at `file`) that name an environment.
pub fn stages(kind: &str, file: &str, doc: &Node) -> Vec<Stage> {
    let mut out = Vec::new();
    let mut add = |name: &str, path: Vec<&str>| {
        if let Some(env) = env_of_name(name) {
            out.push(Stage {
                name: name.to_owned(),
                env,
                path: ["content"].iter().chain(&path).map(|k| json!(k)).collect(),
            });
        }
    };
    match kind {
        "samconfig" => {
            for (k, v) in entries(Some(doc)) {
                if v.as_map().is_some() {
                    add(&k.name, vec![&k.name]);
                }
            }
        }
        "serverless" => {
            // A literal `provider.stage` makes the provider section that stage's.
            let stage = doc.get("provider").and_then(|p| p.get("stage"));
            if let Some(name) = stage.and_then(Node::as_str).filter(|s| !s.contains("${")) {
                add(name, vec!["provider"]);
            }
            for (k, _) in entries(doc.get("params")) {
                add(&k.name, vec!["params", &k.name]);
            }
            for (k, v) in entries(doc.get("custom")) {
                if v.as_map().is_some() && env_of_name(&k.name).is_some() {
                    add(&k.name, vec!["custom", &k.name]);
                    continue;
                }
                // `custom.profiles: {dev: …, prod: …}`.
                for (s, _) in keyed_by_stage(v) {
                    add(&s.name, vec!["custom", &k.name, &s.name]);
                }
            }
        }
        // `Mappings: {StageConfig: {staging: {AccountId: …}, production: …}}`, looked up
        // with `!FindInMap [StageConfig, !Ref Stage, AccountId]`.
        "cloudformation" => {
            for (m, v) in entries(doc.get("Mappings")) {
                for (s, _) in keyed_by_stage(v) {
                    add(&s.name, vec!["Mappings", &m.name, &s.name]);
                }
            }
        }
        // A Pulumi stack file configures its stack (`Pulumi.test.yaml` → `test`).
        "yaml" if pulumi_stack(file).is_some() => {
            if let Some(stack) = pulumi_stack(file) {
                add(stack, vec!["config"]);
            }
        }
        // Per-stage maps anywhere near the top (`cdk.json` `context.stages.{uat,prod}`,
        // helmfile `environments.{staging,production}`): one of them production, so
        // that each section is a deploy target, not test data.
        "yaml" | "json" => {
            let mut maps = vec![(doc, Vec::new())];
            while let Some((node, path)) = maps.pop() {
                let sections = keyed_by_stage(node);
                let production = (sections.iter())
                    .any(|(s, v)| env_of_name(&s.name) == Some(Env::Prod) && v.as_map().is_some());
                if production {
                    for (s, v) in sections {
                        if v.as_map().is_some() {
                            let mut at: Vec<&str> = path.clone();
                            at.push(&s.name);
                            add(&s.name, at);
                        }
                    }
                } else if path.len() < 3 {
                    for (k, v) in entries(Some(node)) {
                        let mut at = path.clone();
                        at.push(k.name.as_str());
                        maps.push((v, at));
                    }
                }
            }
        }
        // Terraform maps keyed by environment (`locals { role_arns = { staging = …, prod = … } }`,
        // a variable's default, a tfvars value, Terragrunt `inputs`), looked up with
        // `local.role_arns[terraform.workspace]`: each entry configures one environment.
        // Entries may be plain strings; one of them is production, as for YAML.
        "terraform" | "terraform-vars" | "terragrunt" | "hcl" => {
            terraform_stages(doc, &mut vec![json!("content")], &mut out);
        }
        _ => {}
    }
    out
}

/// How deep below the top a Terraform map keyed by environment is looked for
/// (`locals` → block → name → map is three).
const TERRAFORM_DEPTH: usize = 6;

fn terraform_stages(node: &Node, path: &mut Vec<Json>, out: &mut Vec<Stage>) {
    let sections = keyed_by_stage(node);
    if sections
        .iter()
        .any(|(s, _)| env_of_name(&s.name) == Some(Env::Prod))
    {
        for (s, _) in sections {
            if let Some(env) = env_of_name(&s.name) {
                let mut at = path.clone();
                at.push(json!(s.name));
                out.push(Stage {
                    name: s.name.clone(),
                    env,
                    path: at,
                });
            }
        }
    } else if path.len() < TERRAFORM_DEPTH {
        let children: Vec<(Json, &Node)> = match (node.as_map(), node.as_seq()) {
            (Some(map), _) => map.iter().map(|(k, v)| (json!(k.name), v)).collect(),
            (_, Some(seq)) => seq.iter().enumerate().map(|(i, v)| (json!(i), v)).collect(),
            _ => Vec::new(),
        };
        for (step, child) in children {
            path.push(step);
            terraform_stages(child, path, out);
            path.pop();
        }
    }
}

/// `Pulumi.<stack>.yaml` → the stack's name.
fn pulumi_stack(file: &str) -> Option<&str> {
    let name = file.rsplit('/').next()?;
    let stack = name.strip_prefix("Pulumi.")?;
    stack
        .strip_suffix(".yaml")
        .or_else(|| stack.strip_suffix(".yml"))
}

fn entries(node: Option<&Node>) -> &[(Key, Node)] {
    node.and_then(Node::as_map).unwrap_or_default()
}

/// The entries of a map keyed by stage: two environment names at least, so that a map
/// with one `prod` key among others (`RegionMap`, `webpack`) is not taken for one.
fn keyed_by_stage(node: &Node) -> &[(Key, Node)] {
    let inner = entries(Some(node));
    let stages = inner.iter().filter(|(s, _)| env_of_name(&s.name).is_some());
    if stages.count() >= 2 {
        inner
    } else {
        &[]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml::parse_yaml;

    fn names(got: &[Stage]) -> Vec<(String, &'static str, String)> {
        got.iter()
            .map(|s| {
                (
                    s.name.clone(),
                    s.env.as_str(),
                    Json::from(s.path.clone()).to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn cloudformation_mappings_keyed_by_stage() {
        let text = "Mappings:\n  StageConfig:\n    staging:\n      AccountId: '111111111111'\n    production:\n      AccountId: '222222222222'\n  RegionMap:\n    us-east-1:\n      Ami: ami-1\n    prod:\n      Ami: ami-2\n";
        let doc = parse_yaml(text).unwrap().remove(0);
        assert_eq!(
            names(&stages("cloudformation", "template.yaml", &doc)),
            vec![
                (
                    "staging".into(),
                    "staging",
                    r#"["content","Mappings","StageConfig","staging"]"#.into()
                ),
                (
                    "production".into(),
                    "prod",
                    r#"["content","Mappings","StageConfig","production"]"#.into()
                ),
            ]
        );
    }

    #[test]
    fn samconfig_environments() {
        let text = "version = 0.1\n[default.deploy.parameters]\nprofile = \"x\"\n[prod.deploy.parameters]\nprofile = \"p\"\n[dev-eu.deploy.parameters]\nprofile = \"p\"\n";
        let doc = crate::parse::toml::parse_toml(text).unwrap();
        assert_eq!(
            names(&stages("samconfig", "samconfig.toml", &doc)),
            vec![
                ("prod".into(), "prod", r#"["content","prod"]"#.into()),
                ("dev-eu".into(), "dev", r#"["content","dev-eu"]"#.into()),
            ]
        );
    }

    #[test]
    fn serverless_stage_maps() {
        let text = "service: orders\nprovider:\n  name: aws\n  stage: ${opt:stage, 'dev'}\n  profile: ${self:custom.profiles.${sls:stage}}\nparams:\n  default:\n    domain: x\n  prod:\n    deploymentRole: arn:aws:iam::111111111111:role/deploy\ncustom:\n  profiles:\n    dev: acme-dev\n    prod: acme-prod\n  staging:\n    accountId: '222222222222'\n  webpack:\n    packager: npm\n";
        let doc = parse_yaml(text).unwrap().remove(0);
        assert_eq!(
            names(&stages("serverless", "serverless.yml", &doc)),
            vec![
                (
                    "prod".into(),
                    "prod",
                    r#"["content","params","prod"]"#.into()
                ),
                (
                    "dev".into(),
                    "dev",
                    r#"["content","custom","profiles","dev"]"#.into()
                ),
                (
                    "prod".into(),
                    "prod",
                    r#"["content","custom","profiles","prod"]"#.into()
                ),
                (
                    "staging".into(),
                    "staging",
                    r#"["content","custom","staging"]"#.into()
                ),
            ]
        );
        let fixed = parse_yaml("provider:\n  stage: production\n  profile: acme\n")
            .unwrap()
            .remove(0);
        assert_eq!(
            names(&stages("serverless", "serverless.yml", &fixed)),
            vec![(
                "production".into(),
                "prod",
                r#"["content","provider"]"#.into()
            )]
        );
    }

    #[test]
    fn terraform_maps_keyed_by_environment() {
        let text = "locals {\n  role_arns = {\n    staging = \"arn:a\"\n    prod    = local.shared\n    default = \"x\"\n  }\n  sizes = { dev = \"s\", test = \"m\" }\n}\nvariable \"accounts\" {\n  default = { uat = \"1\", production = \"2\" }\n}\n";
        let doc = crate::parse::hcl::parse_hcl(text).unwrap();
        assert_eq!(
            names(&stages("terraform", "infra/locals.tf", &doc)),
            vec![
                (
                    "staging".into(),
                    "staging",
                    r#"["content","locals",0,"role_arns","staging"]"#.into()
                ),
                (
                    "prod".into(),
                    "prod",
                    r#"["content","locals",0,"role_arns","prod"]"#.into()
                ),
                (
                    "uat".into(),
                    "staging",
                    r#"["content","variable","accounts",0,"default","uat"]"#.into()
                ),
                (
                    "production".into(),
                    "prod",
                    r#"["content","variable","accounts",0,"default","production"]"#.into()
                ),
            ]
        );
    }

    #[test]
    fn pulumi_stacks_and_per_stage_maps_in_yaml_and_json() {
        let stack = parse_yaml("config:\n  aws:profile: ledger-test\n")
            .unwrap()
            .remove(0);
        assert_eq!(
            names(&stages("yaml", "infra/Pulumi.test.yaml", &stack)),
            vec![("test".into(), "test", r#"["content","config"]"#.into())]
        );
        let cdk = "{\"context\": {\"stages\": {\"uat\": {\"account\": \"1\"}, \"prod\": {\"account\": \"1\"}}}}";
        let doc = crate::parse::json::parse_json(cdk).unwrap().unwrap();
        let got = names(&stages("json", "cdk.json", &doc));
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].2, r#"["content","context","stages","prod"]"#);
        // Environment-keyed maps without production are not deploy targets.
        let test_data = parse_yaml("fixtures:\n  dev: {a: 1}\n  test: {a: 2}\n")
            .unwrap()
            .remove(0);
        assert!(stages("yaml", "data.yml", &test_data).is_empty());
    }
}
