//! CloudFormation parameter files (`params/prod.json`: `[{ParameterKey, ParameterValue}]`,
//! CodePipeline's `{"Parameters": {…}}`, a SAM config environment's `parameter_overrides`)
//! and the deployments of a template they make.
//!
//! A template written once for every environment (`Environment` with `AllowedValues: [dev,
//! staging, prod]`) is deployed to production with the production file's values: a
//! `DeletionProtection: !Ref Protect` that the file sets to `false`, a `!If [IsProd, …]`
//! that the file's `Environment` decides. Each deployment carries the template's
//! `Resources` with those parameters and conditions resolved, so rules judge what
//! production actually gets.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::environment::{env_of_name, env_of_path, Env};
use crate::parse::{parse, Format, Node};

/// A parameter file: the values it gives, and the environment its path names.
struct ParameterFile {
    file: String,
    env: Option<Env>,
    values: BTreeMap<String, String>,
}

/// The repository's CloudFormation parameter files.
#[derive(Default)]
pub struct CfnParameters {
    files: Vec<ParameterFile>,
}

/// One template deployed with one parameter file.
#[derive(Debug, Serialize)]
pub struct Deployment {
    pub file: String,
    pub environment: Option<Env>,
    /// The template's defaults with the file's values over them.
    pub parameters: BTreeMap<String, String>,
    /// The template's `Resources` with parameter `Ref`s and decided `Fn::If`s resolved.
    pub resources: Json,
}

/// Past this depth a template's conditions and resources are left unresolved.
const MAX_DEPTH: usize = 64;

impl CfnParameters {
    /// Reads the JSON files among `files` that are parameter files.
    pub fn collect(files: &[(&str, Format)], read: impl Fn(&str) -> Option<String>) -> Self {
        let mut out = CfnParameters::default();
        for &(file, format) in files {
            let samconfig = format == Format::Toml && file.ends_with("samconfig.toml");
            if format != Format::Json && !samconfig {
                continue;
            }
            let Some(text) = read(file) else { continue };
            let marked = ["ParameterKey", "\"Parameters\"", "parameter_overrides"];
            if !marked.iter().any(|m| text.contains(m)) {
                continue;
            }
            let Ok(docs) = parse(format, &text) else {
                continue;
            };
            let Some(doc) = docs.first() else { continue };
            if samconfig {
                out.files.extend(sam_environments(file, doc));
            } else if let Some(values) = parameter_values(doc) {
                out.files.push(ParameterFile {
                    file: file.to_owned(),
                    env: env_of_path(file),
                    values,
                });
            }
        }
        out
    }

    /// Whether any parameter file was found (a template's findings then depend on them).
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn is_parameter_file(&self, file: &str) -> bool {
        self.files.iter().any(|f| f.file == file)
    }

    /// The deployments of the template `doc`: one per parameter file whose every key the
    /// template declares.
    pub fn deployments(&self, doc: &Node) -> Vec<Deployment> {
        let Some(declared) = doc.get("Parameters").and_then(Node::as_map) else {
            return Vec::new();
        };
        let defaults: BTreeMap<String, String> = (declared.iter())
            .filter_map(|(k, p)| Some((k.name.clone(), scalar(&p.get("Default")?.to_json())?)))
            .collect();
        let resources = doc.get("Resources").map(Node::to_json).unwrap_or_default();
        let conditions = doc.get("Conditions").map(Node::to_json).unwrap_or_default();
        (self.files.iter())
            .filter(|f| {
                f.values
                    .keys()
                    .all(|k| declared.iter().any(|(d, _)| &d.name == k))
            })
            .map(|f| {
                let mut parameters = defaults.clone();
                parameters.extend(f.values.clone());
                let scope = Scope {
                    parameters: &parameters,
                    conditions: &conditions,
                };
                Deployment {
                    file: f.file.clone(),
                    environment: f.env,
                    resources: scope.resolve(&resources, 0),
                    parameters: parameters.clone(),
                }
            })
            .collect()
    }
}

/// A SAM config's environments (`[prod.deploy.parameters]`), each deploying with its
/// `parameter_overrides` (`"Stage=prod Domain=\"a b\""` or a list of `K=V`).
fn sam_environments(file: &str, doc: &Node) -> Vec<ParameterFile> {
    let environments = doc.as_map().unwrap_or_default();
    (environments.iter())
        .filter_map(|(name, table)| {
            let overrides = table
                .get("deploy")?
                .get("parameters")?
                .get("parameter_overrides")?;
            let pairs: Vec<String> = match (overrides.as_str(), overrides.as_seq()) {
                (Some(text), _) => quoted_words(text),
                (_, Some(items)) => (items.iter())
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .collect(),
                _ => return None,
            };
            let values: BTreeMap<String, String> = (pairs.iter())
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
                .collect();
            (!values.is_empty()).then(|| ParameterFile {
                file: format!("{file} [{}]", name.name),
                env: env_of_name(&name.name),
                values,
            })
        })
        .collect()
}

/// Words split on spaces outside double quotes: `A=1 B="two words"`.
fn quoted_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if c.is_whitespace() && !quoted {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `[{"ParameterKey": k, "ParameterValue": v}]` or `{"Parameters": {k: v}}`.
fn parameter_values(doc: &Node) -> Option<BTreeMap<String, String>> {
    let values: Option<BTreeMap<String, String>> = match (doc.as_seq(), doc.get("Parameters")) {
        (Some(items), _) => items
            .iter()
            .map(|item| {
                let key = item.get("ParameterKey")?.as_str()?.to_owned();
                Some((key, scalar(&item.get("ParameterValue")?.to_json())?))
            })
            .collect(),
        (_, Some(map)) => (map.as_map()?.iter())
            .map(|(k, v)| Some((k.name.clone(), scalar(&v.to_json())?)))
            .collect(),
        _ => None,
    };
    values.filter(|v| !v.is_empty())
}

fn scalar(value: &Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// What a deployment decides: its parameter values and the template's conditions.
struct Scope<'a> {
    parameters: &'a BTreeMap<String, String>,
    conditions: &'a Json,
}

impl Scope<'_> {
    /// `value` with `{"Ref": parameter}` replaced by its value and `Fn::If` by the branch
    /// its condition takes; what cannot be decided stays as written.
    fn resolve(&self, value: &Json, depth: usize) -> Json {
        if depth > MAX_DEPTH {
            return value.clone();
        }
        match value {
            Json::Object(map) => {
                if let Some(value) = self.reference(map) {
                    return Json::String(value.clone());
                }
                if let Some(Json::Array(args)) = map.get("Fn::If").filter(|_| map.len() == 1) {
                    if let [Json::String(condition), then, otherwise] = args.as_slice() {
                        match self.condition(condition, depth + 1) {
                            Some(true) => return self.resolve(then, depth + 1),
                            Some(false) => return self.resolve(otherwise, depth + 1),
                            None => {}
                        }
                    }
                }
                let resolved: Map<String, Json> = (map.iter())
                    .map(|(k, v)| (k.clone(), self.resolve(v, depth + 1)))
                    .collect();
                Json::Object(resolved)
            }
            Json::Array(items) => {
                Json::Array(items.iter().map(|v| self.resolve(v, depth + 1)).collect())
            }
            other => other.clone(),
        }
    }

    fn reference(&self, map: &Map<String, Json>) -> Option<&String> {
        let Json::String(name) = map.get("Ref").filter(|_| map.len() == 1)? else {
            return None;
        };
        self.parameters.get(name)
    }

    fn condition(&self, name: &str, depth: usize) -> Option<bool> {
        self.truth(self.conditions.get(name)?, depth)
    }

    /// `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or` and `Condition` over parameter values.
    fn truth(&self, value: &Json, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let map = value.as_object().filter(|m| m.len() == 1)?;
        let (function, args) = map.iter().next()?;
        let list = || args.as_array().map(Vec::as_slice).unwrap_or_default();
        match function.as_str() {
            "Condition" => self.condition(args.as_str()?, depth + 1),
            "Fn::Equals" => match list() {
                [a, b] => Some(self.text(a)? == self.text(b)?),
                _ => None,
            },
            "Fn::Not" => match list() {
                [a] => self.truth(a, depth + 1).map(|t| !t),
                _ => None,
            },
            "Fn::And" => {
                let all: Option<Vec<bool>> =
                    list().iter().map(|a| self.truth(a, depth + 1)).collect();
                all.map(|all| all.into_iter().all(|t| t))
            }
            "Fn::Or" => {
                let all: Option<Vec<bool>> =
                    list().iter().map(|a| self.truth(a, depth + 1)).collect();
                all.map(|all| all.into_iter().any(|t| t))
            }
            _ => None,
        }
    }

    fn text(&self, value: &Json) -> Option<String> {
        match value {
            Json::Object(map) => self.reference(map).cloned(),
            other => scalar(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml::parse_yaml;
    use serde_json::json;

    const TEMPLATE: &str = "Parameters:\n  Environment:\n    Type: String\n    AllowedValues: [dev, prod]\n  Protect:\n    Type: String\n    Default: 'true'\nConditions:\n  IsProd: !Equals [!Ref Environment, prod]\n  NotProd: !Not [!Condition IsProd]\nResources:\n  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      DeletionProtectionEnabled: !Ref Protect\n      TableName: !Sub ledger-${Environment}\n  Db:\n    Type: AWS::RDS::DBInstance\n    DeletionPolicy: !If [NotProd, Delete, Snapshot]\n    Properties:\n      DeletionProtection: !If [Unknown, true, false]\n";

    fn linked(files: &[(&str, &str)]) -> CfnParameters {
        let listed: Vec<(&str, Format)> = files.iter().map(|(f, _)| (*f, Format::Json)).collect();
        CfnParameters::collect(&listed, |p| {
            (files.iter())
                .find(|(f, _)| *f == p)
                .map(|(_, t)| t.to_string())
        })
    }

    #[test]
    fn parameter_files_deploy_the_templates_that_declare_their_keys() {
        let params = linked(&[
            (
                "params/prod.json",
                r#"[{"ParameterKey": "Environment", "ParameterValue": "prod"}, {"ParameterKey": "Protect", "ParameterValue": "false"}]"#,
            ),
            (
                "params/dev.json",
                r#"{"Parameters": {"Environment": "dev"}, "Tags": {"team": "ledger"}}"#,
            ),
            (
                "other/prod.json",
                r#"[{"ParameterKey": "BucketName", "ParameterValue": "x"}]"#,
            ),
            ("package.json", r#"{"name": "x", "Parameters": 1}"#),
        ]);
        let doc = &parse_yaml(TEMPLATE).unwrap()[0];
        let deployments = params.deployments(doc);
        let summary: Vec<(&str, Option<Env>)> = (deployments.iter())
            .map(|d| (d.file.as_str(), d.environment))
            .collect();
        assert_eq!(
            summary,
            [
                ("params/prod.json", Some(Env::Prod)),
                ("params/dev.json", Some(Env::Dev))
            ]
        );
        let prod = &deployments[0].resources;
        assert_eq!(
            prod["Table"]["Properties"]["DeletionProtectionEnabled"],
            json!("false")
        );
        assert_eq!(prod["Db"]["DeletionPolicy"], json!("Snapshot"));
        // Undecidable: as written.
        assert_eq!(
            prod["Db"]["Properties"]["DeletionProtection"],
            json!({"Fn::If": ["Unknown", true, false]})
        );
        let dev = &deployments[1];
        assert_eq!(dev.resources["Db"]["DeletionPolicy"], json!("Delete"));
        assert_eq!(dev.parameters["Protect"], "true");
    }

    #[test]
    fn sam_config_environments_deploy_with_their_parameter_overrides() {
        let samconfig = "version = 0.1\n[default.deploy.parameters]\nparameter_overrides = \"Environment=dev\"\n[prod.deploy.parameters]\nparameter_overrides = \"Environment=prod Protect=\\\"false\\\"\"\n[prod.build.parameters]\ncached = true\n";
        let params = CfnParameters::collect(&[("app/samconfig.toml", Format::Toml)], |_| {
            Some(samconfig.to_owned())
        });
        let doc = &parse_yaml(TEMPLATE).unwrap()[0];
        let deployments = params.deployments(doc);
        let summary: Vec<(&str, Option<Env>, &str)> = (deployments.iter())
            .map(|d| {
                (
                    d.file.as_str(),
                    d.environment,
                    d.parameters["Protect"].as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("app/samconfig.toml [default]", None, "true"),
                ("app/samconfig.toml [prod]", Some(Env::Prod), "false")
            ]
        );
    }
}
