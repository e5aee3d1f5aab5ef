//! Test configuration files → flat `NAME = value` settings (`input.settings`).
//!
//! A test config says "the database is X" in many shapes: a dotenv line, a
//! nested YAML key (`spring.datasource.url`), a docker-compose `- KEY=value`
//! list item, or one line of pytest-env's multi-line `env =` value. Policies
//! see one list of settings, each located exactly, whatever the shape.

use serde::Serialize;
use serde_json::{json, Value as Json};

use super::ci::TEST_WORDS;
use super::environment::{env_of_name, env_of_secret_name, words, Env};
use super::stages::Stage;
use crate::parse::node::{path_from_json, Node, Value};

#[derive(Debug, Serialize)]
pub struct Setting {
    /// Dotted key path (`spring.datasource.url`, `DATABASE_URL`), or the
    /// variable a `KEY=value` line sets.
    pub name: String,
    pub value: String,
    /// Content path of the scalar the setting lives in.
    pub path: Vec<Json>,
    /// Exact span of a `KEY=value` line inside a longer scalar.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<[usize; 2]>,
}

/// `tox.ini` settings, leaving out environments that run a task rather than tests
/// (`[testenv:docs]`, `[testenv:collectstatic]` with production settings for a build step):
/// their own `commands` name no test runner and no test word.
pub fn tox_settings(doc: &Node, source: &str) -> Vec<Setting> {
    let task = |section: &str| {
        section.starts_with("testenv:")
            && doc
                .get(section)
                .and_then(|s| s.get("commands"))
                .and_then(Node::as_str)
                .is_some_and(|commands| {
                    !words(commands).iter().any(|w| {
                        TEST_WORDS.contains(&w.as_str())
                            || matches!(w.as_str(), "coverage" | "nose" | "nose2" | "behave")
                    })
                })
    };
    let mut out = settings(doc, source);
    out.retain(|s| !s.path.first().and_then(Json::as_str).is_some_and(task));
    out
}

/// Configuration files (not CI pipelines, infrastructure code or scripts) get settings.
pub fn is_config_kind(kind: &str) -> bool {
    matches!(
        kind,
        "test-config" | "dotenv" | "ini" | "docker-compose" | "helm-values"
    )
}

/// Settings of the test sections of a per-environment config file: Rails'
/// `config/database.yml`, `config/settings.yml` and their kin key their top
/// level by environment (`development:`, `test:`, `production:`). Only the
/// test sections are a test context; the file as a whole is not. Returns
/// nothing unless at least two top-level keys name environments.
pub fn test_section_settings(doc: &Node, source: &str) -> Vec<Setting> {
    let Some(map) = doc.as_map() else {
        return Vec::new();
    };
    let sections: Vec<(&str, Option<Env>, &Node)> = map
        .iter()
        .map(|(k, v)| (k.name.as_str(), env_of_name(&k.name), v))
        .collect();
    if sections.iter().filter(|(_, env, _)| env.is_some()).count() < 2 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (name, env, node) in sections {
        if env == Some(Env::Test) && node.as_map().is_some() {
            let mut path = vec![json!(name)];
            let mut keys = Vec::new();
            walk(node, &mut path, &mut keys, false, source, &mut out);
        }
    }
    out
}

/// The settings under a file's test sections found elsewhere than at its top level
/// (`environments.integration-test` of a helmfile, `context.stages.e2e` of `cdk.json`): a
/// section named for running tests or CI, not a QA environment people deploy to and use.
pub fn stage_settings(doc: &Node, source: &str, stages: &[Stage]) -> Vec<Setting> {
    let mut out = Vec::new();
    let runs_tests = |s: &&Stage| {
        s.env == Env::Test
            && (words(&s.name).iter()).any(|w| w == "ci" || TEST_WORDS.contains(&w.as_str()))
    };
    for stage in stages.iter().filter(runs_tests) {
        let Some(segments) = path_from_json(&Json::Array(stage.path[1..].to_vec())) else {
            continue;
        };
        let (node, depth) = doc.descend(&segments);
        if depth != segments.len() || node.as_map().is_none() {
            continue;
        }
        let mut path = stage.path[1..].to_vec();
        walk(node, &mut path, &mut Vec::new(), false, source, &mut out);
    }
    out
}

/// What a Gradle build gives its test tasks: `systemProperty 'k', 'v'`, `environment 'K',
/// 'v'` (or a map of them) inside `test { }`, `integrationTest { }`, `tasks.named('test') { }`,
/// `tasks.register('integrationTest', Test) { }` and `tasks.withType(Test) { }`.
pub fn gradle_test_settings(doc: &Node) -> Vec<Setting> {
    let mut out = Vec::new();
    let statements = doc.as_seq().unwrap_or_default();
    let mut stack: Vec<(&Node, Vec<Json>, bool, usize)> = (statements.iter().enumerate())
        .map(|(i, s)| (s, vec![json!(i)], false, 0))
        .collect();
    while let Some((statement, path, in_test, depth)) = stack.pop() {
        let step = statement
            .get("step")
            .and_then(Node::as_str)
            .unwrap_or_default();
        let args = statement
            .get("args")
            .and_then(Node::as_seq)
            .unwrap_or_default();
        if in_test && matches!(step, "systemProperty" | "environment" | "systemProperties") {
            out.extend(gradle_pairs(args, &child_path(&path, "args")));
        }
        let names_test = |n: &Node| n.as_str().is_some_and(is_test_task);
        // `tasks.register('e2e', Test)`, Kotlin's `val integrationTest by tasks.registering(Test::class)`.
        let registers = step.starts_with("tasks.") || step == "val";
        let test_task = is_test_task(step) || (registers && args.iter().any(names_test));
        let body = statement
            .get("body")
            .and_then(Node::as_seq)
            .unwrap_or_default();
        if depth < 16 {
            for (j, s) in body.iter().enumerate() {
                let mut p = child_path(&path, "body");
                p.push(json!(j));
                stack.push((s, p, in_test || test_task, depth + 1));
            }
        }
    }
    out.reverse();
    out
}

/// `test`, `integrationTest`, `e2eTest`, the `Test` task type.
fn is_test_task(name: &str) -> bool {
    name == "Test" || words(name).iter().any(|w| TEST_WORDS.contains(&w.as_str()))
}

fn child_path(path: &[Json], key: &str) -> Vec<Json> {
    let mut p = path.to_vec();
    p.push(json!(key));
    p
}

/// `'K', 'v'`, named arguments `K: 'v'` or a map `[K: 'v', …]`, as settings located at
/// each value.
fn gradle_pairs(args: &[Node], path: &[Json]) -> Vec<Setting> {
    let text = |n: &Node| n.as_str().map(str::to_owned);
    if let [name, value, ..] = args {
        if let (Some(name), Some(value)) = (text(name), text(value)) {
            let path = [path, &[json!(1)]].concat();
            return vec![Setting {
                name,
                value,
                path,
                span: None,
            }];
        }
    }
    // A named argument is a one-entry map; a map literal, a list of them.
    let mut maps: Vec<(&Node, Vec<Json>)> = Vec::new();
    for (a, arg) in args.iter().enumerate() {
        match arg.as_seq() {
            Some(items) => maps.extend(
                (items.iter().enumerate())
                    .map(|(i, m)| (m, [path, &[json!(a), json!(i)]].concat())),
            ),
            None => maps.push((arg, [path, &[json!(a)]].concat())),
        }
    }
    let entries = maps.into_iter().flat_map(|(map, at)| {
        (map.as_map().unwrap_or_default().iter()).filter_map(move |(k, v)| {
            Some(Setting {
                name: k.name.clone(),
                value: text(v)?,
                path: [&at[..], &[json!(k.name)]].concat(),
                span: None,
            })
        })
    });
    entries.collect()
}

/// The pytest settings of a `pyproject.toml`; the rest of the file is
/// packaging and tool metadata, not test configuration. pytest-env reads
/// `env = ["KEY=value", …]` under `[tool.pytest.ini_options]` (or pytest 9's
/// native `[tool.pytest]`), and its own `[tool.pytest_env]` table, whose
/// entries are `KEY = "value"` or `KEY = { value = "…", transform = true }`.
pub fn pytest_env_settings(doc: &Node, source: &str) -> Vec<Setting> {
    let mut out = Vec::new();
    let Some(tool) = doc.get("tool") else {
        return out;
    };
    for section in [&["pytest", "ini_options"][..], &["pytest"][..]] {
        let table = section.iter().try_fold(tool, |node, key| node.get(key));
        if let Some(env) = table.and_then(|t| t.get("env")) {
            let mut path: Vec<Json> = ["tool"]
                .iter()
                .chain(section)
                .chain(&["env"])
                .map(|k| json!(k))
                .collect();
            walk(
                env,
                &mut path,
                &mut vec!["env".into()],
                false,
                source,
                &mut out,
            );
        }
    }
    for (key, value) in tool
        .get("pytest_env")
        .and_then(Node::as_map)
        .unwrap_or_default()
    {
        let mut path = vec![json!("tool"), json!("pytest_env"), json!(key.name)];
        let value = match value.get("value") {
            Some(inner) => {
                path.push(json!("value"));
                inner
            }
            None => value,
        };
        walk(
            value,
            &mut path,
            &mut vec![key.name.clone()],
            false,
            source,
            &mut out,
        );
    }
    out
}

/// The literal environment of a Kubernetes workload's containers (`env: [{name, value}]`),
/// anywhere in a Pod, Deployment, Job or CronJob spec; the rest of a manifest (images,
/// labels, probes) is not configuration a test reads.
pub fn container_env_settings(doc: &Node) -> Vec<Setting> {
    let mut out = Vec::new();
    let mut stack = vec![(doc, Vec::new())];
    while let Some((node, path)) = stack.pop() {
        if path.len() > 32 {
            continue;
        }
        let child = |seg: Json| {
            let mut p: Vec<Json> = path.clone();
            p.push(seg);
            p
        };
        if let Some(map) = node.as_map() {
            for (k, v) in map.iter().rev() {
                if k.name == "env" {
                    out.extend(name_value_items(v, &child(json!(k.name))));
                } else {
                    stack.push((v, child(json!(k.name))));
                }
            }
        } else if let Some(seq) = node.as_seq() {
            for (i, v) in seq.iter().enumerate().rev() {
                stack.push((v, child(json!(i))));
            }
        }
    }
    out
}

/// A Kubernetes Secret a workload reads into its containers, by name.
#[derive(Debug, Serialize)]
pub struct WorkloadSecret {
    pub name: String,
    pub env: Option<Env>,
    /// `env` (one key, `valueFrom.secretKeyRef`), `envFrom` (every key, `secretRef`) or
    /// `volume` (`secret.secretName`).
    pub via: &'static str,
    /// The variable a `secretKeyRef` sets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
    /// Content path of the Secret's name.
    pub path: Vec<Json>,
}

/// The Secrets a workload's containers read, anywhere in a manifest or Helm values file
/// (values nest them under chart-specific keys: `extraEnv`, `extraVolumes`, …).
/// `imagePullSecrets` are not among them: a registry credential pulls images, it does
/// not let the test reach the data behind the Secret's environment. A name written once
/// and merged into several items (`<<: *db-secret`) is one reference, at its first use.
pub fn workload_secrets(doc: &Node) -> Vec<WorkloadSecret> {
    let mut out = Vec::new();
    let mut written = std::collections::HashSet::new();
    let mut stack = vec![(doc, Vec::new())];
    while let Some((node, path)) = stack.pop() {
        if path.len() > 32 {
            continue;
        }
        let at = |keys: &[&str]| {
            let mut p: Vec<Json> = path.clone();
            p.extend(keys.iter().map(|k| json!(k)));
            p
        };
        if let Some(map) = node.as_map() {
            let found = [
                (&["valueFrom", "secretKeyRef", "name"][..], "env"),
                (&["secretRef", "name"][..], "envFrom"),
                (&["secret", "secretName"][..], "volume"),
                // External Secrets: the secret-store key a Kubernetes Secret is synced from.
                (&["remoteRef", "key"][..], "external secret"),
                (&["extract", "key"][..], "external secret"),
            ]
            .into_iter()
            .find_map(|(keys, via)| {
                let name = keys.iter().try_fold(node, |n, k| n.get(k))?;
                Some((keys, via, name.as_str()?, name.span))
            });
            if let Some((keys, via, name, span)) = found {
                if !written.insert((span.start, span.end)) {
                    continue;
                }
                out.push(WorkloadSecret {
                    name: name.to_owned(),
                    env: env_of_secret_name(name),
                    via,
                    variable: node
                        .get("name")
                        .and_then(Node::as_str)
                        .filter(|_| via == "env")
                        .map(str::to_owned),
                    path: at(keys),
                });
                continue;
            }
            for (k, v) in map.iter().rev() {
                stack.push((v, at(&[k.name.as_str()])));
            }
        } else if let Some(seq) = node.as_seq() {
            for (i, v) in seq.iter().enumerate().rev() {
                let mut p = path.clone();
                p.push(json!(i));
                stack.push((v, p));
            }
        }
    }
    out
}

/// `[{name: X, value: Y}]` (Kubernetes and Helm `env:` lists) → `X = Y`, located at `Y`.
fn name_value_items(node: &Node, path: &[Json]) -> Vec<Setting> {
    node.as_seq()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let name = item.get("name")?.as_str()?;
            let value = item.get("value")?;
            let text = match &value.value {
                Value::Str(s) => s.clone(),
                Value::Map(_) | Value::Seq(_) | Value::Null => return None,
                other => Node::new(other.clone(), value.span).to_json().to_string(),
            };
            let mut at = path.to_vec();
            at.extend([json!(i), json!("value")]);
            Some(Setting {
                name: name.to_owned(),
                value: text,
                path: at,
                span: None,
            })
        })
        .collect()
}

/// Every scalar setting under `doc`, in document order.
pub fn settings(doc: &Node, source: &str) -> Vec<Setting> {
    let mut out = Vec::new();
    walk(
        doc,
        &mut Vec::new(),
        &mut Vec::new(),
        false,
        source,
        &mut out,
    );
    out
}

fn walk(
    node: &Node,
    path: &mut Vec<Json>,
    keys: &mut Vec<String>,
    in_seq: bool,
    source: &str,
    out: &mut Vec<Setting>,
) {
    if path.len() > 32 {
        return;
    }
    match &node.value {
        Value::Map(map) => {
            for (k, v) in map {
                path.push(json!(k.name));
                keys.push(k.name.clone());
                walk(v, path, keys, false, source, out);
                keys.pop();
                path.pop();
            }
        }
        Value::Seq(_) if keys.last().is_some_and(|k| k == "env") && is_name_value_list(node) => {
            out.extend(name_value_items(node, path));
        }
        Value::Seq(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(json!(i));
                walk(v, path, keys, true, source, out);
                path.pop();
            }
        }
        Value::Null => {}
        _ => {
            let text = match &node.value {
                Value::Str(s) => s.clone(),
                other => Node::new(other.clone(), node.span).to_json().to_string(),
            };
            // tox's `setenv`/`set_env` hold `NAME = value` lines like an `env` block, and
            // with a single line the INI value has no newline to tell them apart.
            let env_block = keys.last().is_some_and(|k| {
                ["env", "environment", "setenv", "set_env"]
                    .iter()
                    .any(|e| k.eq_ignore_ascii_case(e))
            });
            // tox's `passenv`/`pass_env` name variables the tests take from the machine
            // running them: one setting per name, named `passenv`, its value the variable.
            let passes = keys.last().is_some_and(|k| {
                k.eq_ignore_ascii_case("passenv") || k.eq_ignore_ascii_case("pass_env")
            });
            if passes {
                out.extend(passed_variables(&text, node, source, path));
                return;
            }
            if in_seq || env_block || text.contains('\n') {
                let lines = assignments(&text, node, source, path);
                if !lines.is_empty() {
                    out.extend(lines);
                    return;
                }
            }
            out.push(Setting {
                name: keys.join("."),
                value: text,
                path: path.clone(),
                span: None,
            });
        }
    }
}

fn is_name_value_list(node: &Node) -> bool {
    node.as_seq().unwrap_or_default().iter().any(|item| {
        item.get("name").is_some()
            && (item.get("value").is_some() || item.get("valueFrom").is_some())
    })
}

/// `KEY=value` lines (pytest-env also allows a `D:`/`R:` flag prefix), located in the source.
/// `passenv = CI GITHUB_* SHOP_PROD_DB_PASSWORD` (or one per line), each name located.
fn passed_variables(text: &str, node: &Node, source: &str, path: &[Json]) -> Vec<Setting> {
    let region = source.get(node.span.start..node.span.end).unwrap_or("");
    let mut cursor = 0;
    let names = text.split(|c: char| c.is_whitespace() || c == ',');
    names
        .filter(|name| !name.is_empty() && !name.starts_with('#'))
        .map(|name| {
            let span = region.get(cursor..).and_then(|r| r.find(name)).map(|o| {
                cursor += o + name.len();
                let start = node.span.start + cursor - name.len();
                [start, start + name.len()]
            });
            Setting {
                name: "passenv".to_owned(),
                value: name.to_owned(),
                path: path.to_vec(),
                span,
            }
        })
        .collect()
}

fn assignments(text: &str, node: &Node, source: &str, path: &[Json]) -> Vec<Setting> {
    let region = source.get(node.span.start..node.span.end).unwrap_or("");
    let mut cursor = 0;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let body = line
            .strip_prefix("D:")
            .or_else(|| line.strip_prefix("R:"))
            .unwrap_or(line);
        let Some((name, value)) = body.split_once('=') else {
            continue;
        };
        let name = name.trim();
        let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if !valid {
            continue;
        }
        let span = region.get(cursor..).and_then(|r| r.find(line)).map(|o| {
            cursor += o + line.len();
            let start = node.span.start + cursor - line.len();
            [start, start + line.len()]
        });
        out.push(Setting {
            name: name.to_owned(),
            value: value.trim().to_owned(),
            path: path.to_vec(),
            span,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml::parse_yaml;

    #[test]
    fn nested_keys_list_items_and_multiline_values() {
        let src = "spring:\n  profiles:\n    active: test\nservices:\n  app:\n    environment:\n      - DATABASE_URL=postgres://db/app\nenv: |\n  D:NODE_ENV=test\n  # OLD=1\n  API=http://x\n";
        let docs = parse_yaml(src).expect("parses");
        let got = settings(&docs[0], src);
        let names: Vec<&str> = got.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            vec!["spring.profiles.active", "DATABASE_URL", "NODE_ENV", "API"]
        );
        assert_eq!(got[1].value, "postgres://db/app");
        let [start, end] = got[3].span.expect("located");
        assert_eq!(&src[start..end], "API=http://x");
        let [start, end] = got[1].span.expect("located");
        assert_eq!(&src[start..end], "DATABASE_URL=postgres://db/app");
    }

    #[test]
    fn tox_setenv_lines_are_settings_even_alone() {
        let src = "[testenv]\nsetenv =\n    DJANGO_SETTINGS_MODULE = acme.settings.production\n[testenv:lint]\nset_env = PYTHONWARNINGS=error\n";
        let doc = crate::parse::lines::parse_ini(src);
        let got = settings(&doc, src);
        let pairs: Vec<(&str, &str)> = got
            .iter()
            .map(|s| (s.name.as_str(), s.value.as_str()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("DJANGO_SETTINGS_MODULE", "acme.settings.production"),
                ("PYTHONWARNINGS", "error")
            ]
        );
        let [start, end] = got[0].span.expect("located");
        assert_eq!(
            &src[start..end],
            "DJANGO_SETTINGS_MODULE = acme.settings.production"
        );
    }

    #[test]
    fn gradle_test_tasks_give_their_environment() {
        let src = "test {\n    systemProperty 'spring.profiles.active', 'test'\n}\ntasks.register('integrationTest', Test) {\n    environment 'AWS_PROFILE', 'billing-prod'\n    environment([DB_URL: 'jdbc:postgresql://db.prod.acme.io/app'])\n}\nbootRun {\n    environment 'AWS_PROFILE', 'billing-prod'\n}\n";
        let doc = crate::parse::groovy::parse_jenkinsfile(src).unwrap();
        let names: Vec<(String, String)> = gradle_test_settings(&doc)
            .into_iter()
            .map(|s| (s.name, s.value))
            .collect();
        let pairs: Vec<(&str, &str)> = names
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("spring.profiles.active", "test"),
                ("AWS_PROFILE", "billing-prod"),
                ("DB_URL", "jdbc:postgresql://db.prod.acme.io/app")
            ]
        );
    }

    #[test]
    fn kotlin_gradle_test_tasks_give_their_environment() {
        let src = "tasks.test {\n    systemProperty(\"spring.profiles.active\", \"test\")\n}\nval integrationTest by tasks.registering(Test::class) {\n    useJUnitPlatform()\n    environment(\"AWS_PROFILE\", \"payouts-prod\")\n}\nval bootJarName by extra(\"app.jar\")\ntasks.bootRun {\n    environment(\"AWS_PROFILE\", \"payouts-prod\")\n}\n";
        let doc = crate::parse::groovy::parse_jenkinsfile(src).unwrap();
        let pairs: Vec<(String, String)> = gradle_test_settings(&doc)
            .into_iter()
            .map(|s| (s.name, s.value))
            .collect();
        assert_eq!(
            pairs,
            [
                ("spring.profiles.active".to_owned(), "test".to_owned()),
                ("AWS_PROFILE".to_owned(), "payouts-prod".to_owned()),
            ]
        );
    }

    #[test]
    fn tox_passenv_names_each_variable_passed() {
        let src = "[testenv]\npassenv =\n    CI\n    SHOP_PROD_DB_PASSWORD\ncommands = pytest\n[testenv:py]\npass_env = HOME, AWS_PROFILE\n";
        let doc = crate::parse::parse(crate::parse::Format::Ini, src)
            .unwrap()
            .remove(0);
        let passed: Vec<(String, &str)> = tox_settings(&doc, src)
            .into_iter()
            .filter(|s| s.name == "passenv")
            .map(|s| {
                let [start, end] = s.span.expect("located");
                (s.value, &src[start..end])
            })
            .collect();
        let names: Vec<&str> = passed.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(
            names,
            ["CI", "SHOP_PROD_DB_PASSWORD", "HOME", "AWS_PROFILE"]
        );
        assert!(passed.iter().all(|(v, at)| v == at));
    }

    #[test]
    fn tox_task_environments_are_not_test_settings() {
        let src = "[testenv]\nsetenv = APP_ENV=test\ncommands = pytest\n[testenv:cov]\nsetenv = A=1\ncommands = coverage run -m pytest\n[testenv:django]\nsetenv = B=1\ncommands = python manage.py test\n[testenv:collectstatic]\nsetenv = DJANGO_SETTINGS_MODULE = acme.settings.production\ncommands = python manage.py collectstatic --noinput\n[testenv:inherits]\nsetenv = C=1\n";
        let doc = crate::parse::lines::parse_ini(src);
        let names: Vec<String> = tox_settings(&doc, src)
            .into_iter()
            .filter(|s| !s.name.ends_with("commands"))
            .map(|s| s.name)
            .collect();
        assert_eq!(names, vec!["APP_ENV", "A", "B", "C"]);
    }

    #[test]
    fn pyproject_pytest_env_only() {
        let src = "[project]\nname = \"prod-tools\"\nurls = { Homepage = \"https://prod.acme.io\" }\n\n[tool.pytest.ini_options]\naddopts = \"-q\"\nenv = [\n    \"DATABASE_URL=postgres://app@prod-db.acme.io/app\",\n    \"D:STRIPE_KEY=sk_test_1\",\n]\n\n[tool.pytest_env]\nAPI_URL = \"https://api.acme.io\"\nHOME = { value = \"/tmp/home\", transform = true }\n";
        let doc = crate::parse::toml::parse_toml(src).expect("parses");
        let got = pytest_env_settings(&doc, src);
        let names: Vec<&str> = got.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, vec!["DATABASE_URL", "STRIPE_KEY", "API_URL", "HOME"]);
        let [start, end] = got[0].span.expect("located");
        assert_eq!(
            &src[start..end],
            "DATABASE_URL=postgres://app@prod-db.acme.io/app"
        );
        assert_eq!(
            got[0].path,
            vec![
                json!("tool"),
                json!("pytest"),
                json!("ini_options"),
                json!("env"),
                json!(0)
            ]
        );
        assert_eq!(got[3].value, "/tmp/home");
        assert_eq!(
            got[3].path,
            vec![
                json!("tool"),
                json!("pytest_env"),
                json!("HOME"),
                json!("value")
            ]
        );
    }

    #[test]
    fn nested_test_environments_are_test_settings_but_qa_is_not() {
        let src = "environments:\n  production:\n    values:\n      - db: &prod\n          host: db.prod.internal\n  qa:\n    values:\n      - db:\n          host: db.qa.internal\n  integration-test:\n    values:\n      - db:\n          <<: *prod\n          name: it\n";
        let doc = &parse_yaml(src).unwrap()[0];
        let found = crate::model::stages::stages("yaml", "helmfile.yaml", doc);
        let names: Vec<(String, String)> = stage_settings(doc, src, &found)
            .into_iter()
            .map(|s| (s.name, s.value))
            .collect();
        assert_eq!(
            names,
            [
                ("values.db.name".to_owned(), "it".to_owned()),
                ("values.db.host".to_owned(), "db.prod.internal".to_owned())
            ]
        );
    }

    #[test]
    fn only_the_test_sections_of_per_environment_files() {
        let src = "default: &default\n  adapter: postgresql\ndevelopment:\n  <<: *default\n  host: localhost\ntest:\n  <<: *default\n  host: db.prod.internal\nproduction:\n  <<: *default\n  host: db.prod.internal\n";
        let docs = parse_yaml(src).expect("parses");
        let got = test_section_settings(&docs[0], src);
        let names: Vec<&str> = got.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, vec!["host", "adapter"]);
        assert_eq!(got[0].path, vec![json!("test"), json!("host")]);
        // One environment key is not a per-environment file.
        let docs = parse_yaml("test:\n  host: x\nimage: y\n").expect("parses");
        assert!(test_section_settings(&docs[0], "").is_empty());
    }

    #[test]
    fn kubernetes_and_helm_env_lists_are_named_settings() {
        let src = "kind: Job\nmetadata:\n  namespace: ci\nspec:\n  template:\n    spec:\n      containers:\n        - name: t\n          image: acme/app:1-prod\n          env:\n            - name: PGHOST\n              value: db.prod.acme.io\n            - name: PGPASSWORD\n              valueFrom: {secretKeyRef: {name: db, key: pw}}\n            - name: WORKERS\n              value: 4\n";
        let docs = parse_yaml(src).expect("parses");
        let got = container_env_settings(&docs[0]);
        let pairs: Vec<(&str, &str)> = got
            .iter()
            .map(|s| (s.name.as_str(), s.value.as_str()))
            .collect();
        assert_eq!(pairs, vec![("PGHOST", "db.prod.acme.io"), ("WORKERS", "4")]);
        assert_eq!(got[0].path.last(), Some(&json!("value")));
        // Helm values: the same list inside a whole-file walk.
        let values = "image: {tag: x}\nenv:\n  - name: API_URL\n    value: https://api.acme.io\n";
        let docs = parse_yaml(values).expect("parses");
        let names: Vec<String> = settings(&docs[0], values)
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, vec!["image.tag", "API_URL"]);
    }
    #[test]
    fn workload_secrets_by_env_envfrom_and_volume_not_pull_secrets() {
        let src = "spec:\n  template:\n    spec:\n      imagePullSecrets:\n        - name: prod-registry\n      containers:\n        - name: t\n          env:\n            - name: PGPASSWORD\n              valueFrom:\n                secretKeyRef: {name: prod-db-credentials, key: password}\n          envFrom:\n            - secretRef:\n                name: production-env\n      volumes:\n        - name: certs\n          secret:\n            secretName: orders-tls\n";
        let docs = parse_yaml(src).expect("parses");
        let got = workload_secrets(&docs[0]);
        let seen: Vec<(&str, &str, Option<&str>, Option<Env>)> = got
            .iter()
            .map(|s| (s.name.as_str(), s.via, s.variable.as_deref(), s.env))
            .collect();
        assert_eq!(
            seen,
            vec![
                (
                    "prod-db-credentials",
                    "env",
                    Some("PGPASSWORD"),
                    Some(Env::Prod)
                ),
                ("production-env", "envFrom", None, Some(Env::Prod)),
                ("orders-tls", "volume", None, None),
            ]
        );
        assert_eq!(
            got[1].path,
            [
                "spec",
                "template",
                "spec",
                "containers",
                "0",
                "envFrom",
                "0",
                "secretRef",
                "name"
            ]
            .iter()
            .map(|k| k.parse::<u64>().map_or_else(|_| json!(k), |i| json!(i)))
            .collect::<Vec<_>>()
        );
    }
}
