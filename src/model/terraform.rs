//! Reader-level resolution of Terraform values: what someone reading a
//! directory of `.tf` files resolves at a glance, and nothing more.
//!
//! The parser keeps every non-literal expression as `"${…}"` text. Policies
//! that compare account ids or state buckets across environments need
//! `var.account_id` and `local.role_arn` resolved, and resolution is cross-file:
//! a module's variables, their defaults, its `*.tfvars` and its `locals` are
//! spread over the files of one directory. [`Scopes::collect`] reads those once
//! before documents are modelled; [`Scopes::annotate`] then adds
//! `input.resolved` (a copy of `input.content` with references substituted) so
//! a policy reads a value from `resolved` and reports the same path under
//! `content`, whose span is the original expression.
//!
//! Resolved: `var.x` (when every way of running the directory gives one
//! value), `local.x`, attribute and index steps on them (`local.ids["prod"]`),
//! and such references interpolated into strings. Anything else (functions,
//! conditionals, `terraform.workspace`, data sources) stays as written: an
//! unresolvable value is never guessed.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::parse::{self, Format};

/// How deep `local` → `local` → `var` chains are followed; also ends cycles.
const MAX_DEPTH: usize = 8;

/// What one directory (one Terraform module) defines.
#[derive(Default)]
struct Module {
    /// `variable "x" { default = … }`.
    defaults: BTreeMap<String, Json>,
    /// Values from `terraform.tfvars` and `*.auto.tfvars` (or their `.json`
    /// forms), loaded on every run.
    auto: BTreeMap<String, Json>,
    /// Values from other `*.tfvars` / `*.tfvars.json` (passed with `-var-file`), per file.
    var_files: BTreeMap<String, Vec<Json>>,
    locals: BTreeMap<String, Json>,
}

impl Module {
    /// A variable's value if every run of the directory sees the same one.
    fn variable(&self, name: &str) -> Option<&Json> {
        match self.var_files.get(name) {
            Some(values) => {
                let first = values.first()?;
                values.iter().all(|v| v == first).then_some(first)
            }
            None => self.auto.get(name).or_else(|| self.defaults.get(name)),
        }
    }
}

/// Terraform modules of the scan, by directory.
#[derive(Default)]
pub struct Scopes {
    modules: BTreeMap<String, Module>,
}

impl Scopes {
    /// Whether [`Scopes::collect`] reads the file at `path`: `.tf`, `.tfvars`
    /// and `.tfvars.json` (Terraform reads the JSON form exactly like `.tfvars`).
    pub fn reads(path: &str) -> bool {
        path.ends_with(".tf") || vars_file(path).is_some()
    }

    /// Reads the `.tf`, `.tfvars` and `.tfvars.json` files among `files`
    /// (display path, text). Files that do not parse contribute nothing; their
    /// own error is reported when they are scanned.
    pub fn collect<'a>(files: impl Iterator<Item = (&'a str, String)>) -> Scopes {
        let mut scopes = Scopes::default();
        for (path, text) in files {
            let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
            let format = if name.ends_with(".json") {
                Format::Json
            } else {
                Format::Hcl
            };
            let Ok(nodes) = parse::parse(format, &text) else {
                continue;
            };
            let Some(content) = nodes.first().map(|n| n.to_json()) else {
                continue;
            };
            let module = scopes.modules.entry(dir.to_owned()).or_default();
            if let Some(stem) = vars_file(name) {
                let Json::Object(values) = content else {
                    continue;
                };
                let auto = stem == "terraform" || stem.ends_with(".auto");
                for (k, v) in values {
                    if auto {
                        module.auto.insert(k, v);
                    } else {
                        module.var_files.entry(k).or_default().push(v);
                    }
                }
            } else if name.ends_with(".tf") {
                for (name, declarations) in object(&content["variable"]) {
                    if let Some(default) = declarations.get(0).and_then(|d| d.get("default")) {
                        module.defaults.insert(name.clone(), default.clone());
                    }
                }
                for block in content["locals"].as_array().into_iter().flatten() {
                    for (k, v) in object(block) {
                        module.locals.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        scopes
    }

    /// Adds `resolved` to the input of a Terraform, Terragrunt or HCL document.
    /// Terragrunt and other `.hcl` files (`account.hcl`, `env.hcl`) scope their
    /// `locals` to the file itself; `.tf` files share their directory's.
    pub fn annotate(&self, input: &mut Json) {
        let kind = input["kind"].as_str().unwrap_or_default();
        let path = input["file"].as_str().unwrap_or_default();
        let own;
        let module = match kind {
            "terraform" if path.ends_with(".tf") => {
                let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
                match self.modules.get(dir) {
                    Some(module) => module,
                    None => return,
                }
            }
            "terragrunt" | "hcl" => {
                own = Module {
                    locals: content_locals(&input["content"]),
                    ..Module::default()
                };
                &own
            }
            _ => return,
        };
        let resolved = resolve(module, &input["content"], 0);
        if let Json::Object(map) = input {
            map.insert("resolved".into(), resolved);
        }
    }
}

/// The stem of a variable file's name (`prod` for `prod.tfvars` and
/// `prod.tfvars.json`), or `None` for any other file.
fn vars_file(name: &str) -> Option<&str> {
    name.strip_suffix(".tfvars")
        .or_else(|| name.strip_suffix(".tfvars.json"))
}

fn object(value: &Json) -> impl Iterator<Item = (&String, &Json)> {
    value.as_object().into_iter().flatten()
}

fn content_locals(content: &Json) -> BTreeMap<String, Json> {
    content["locals"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(object)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// `value` with every resolvable reference substituted.
fn resolve(module: &Module, value: &Json, depth: usize) -> Json {
    match value {
        Json::String(s) if s.contains("${") => resolve_string(module, s, depth),
        Json::Array(items) => {
            Json::Array(items.iter().map(|v| resolve(module, v, depth)).collect())
        }
        Json::Object(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), resolve(module, v, depth)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn resolve_string(module: &Module, s: &str, depth: usize) -> Json {
    // A whole-expression reference takes the referenced value's type (a list of ids).
    if let Some(inner) = s.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        if !inner.contains("${") {
            if let Some(value) = reference(module, inner, depth) {
                return value;
            }
        }
    }
    // A template: substitute each `${ref}` that resolves to a scalar.
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Json::String(out);
        };
        let inner = &after[..end];
        match reference(module, inner, depth) {
            Some(Json::String(v)) => out.push_str(&v),
            Some(v @ (Json::Number(_) | Json::Bool(_))) => out.push_str(&v.to_string()),
            _ => out.push_str(&rest[start..start + 2 + end + 1]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Json::String(out)
}

/// The value of `var.x…` / `local.x…`, fully resolved, if a reader can tell it.
fn reference(module: &Module, expr: &str, depth: usize) -> Option<Json> {
    if depth >= MAX_DEPTH {
        return None;
    }
    let steps = traversal(expr.trim())?;
    let (root, rest) = steps.split_first()?;
    let Step::Attr(root) = root else { return None };
    let (Step::Attr(name), rest) = rest.split_first()? else {
        return None;
    };
    let mut value = match root.as_str() {
        "var" => module.variable(name)?,
        "local" => module.locals.get(name)?,
        _ => return None,
    };
    for step in rest {
        value = match step {
            Step::Attr(k) | Step::Key(k) => value.get(k)?,
            Step::Index(i) => value.get(i)?,
        };
    }
    let resolved = resolve(module, value, depth + 1);
    // Something left unresolved inside means the reader cannot tell either.
    (!contains_interpolation(&resolved)).then_some(resolved)
}

fn contains_interpolation(value: &Json) -> bool {
    match value {
        Json::String(s) => s.contains("${"),
        Json::Array(items) => items.iter().any(contains_interpolation),
        Json::Object(map) => map.values().any(contains_interpolation),
        _ => false,
    }
}

enum Step {
    Attr(String),
    Key(String),
    Index(usize),
}

/// Parses `a.b["c"][0]`; `None` for anything that is not a plain traversal.
fn traversal(expr: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    let mut rest = expr;
    let ident = |s: &str| -> usize {
        s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(s.len())
    };
    let len = ident(rest);
    if len == 0 {
        return None;
    }
    steps.push(Step::Attr(rest[..len].to_owned()));
    rest = &rest[len..];
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let len = ident(r);
            if len == 0 {
                return None;
            }
            steps.push(Step::Attr(r[..len].to_owned()));
            rest = &r[len..];
        } else if let Some(r) = rest.strip_prefix("[\"") {
            let end = r.find("\"]")?;
            steps.push(Step::Key(r[..end].to_owned()));
            rest = &r[end + 2..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            steps.push(Step::Index(r[..end].trim().parse().ok()?));
            rest = &r[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scopes(files: &[(&str, &str)]) -> Scopes {
        Scopes::collect(files.iter().map(|(p, t)| (*p, (*t).to_owned())))
    }

    fn resolved(scopes: &Scopes, file: &str, kind: &str, text: &str) -> Json {
        let node = &parse::parse(Format::Hcl, text).unwrap()[0];
        let mut input = json!({"file": file, "kind": kind, "content": node.to_json()});
        scopes.annotate(&mut input);
        input["resolved"].clone()
    }

    const VARS: &str = r#"
variable "account_id" { default = "111111111111" }
variable "region" {}
variable "ids" { default = { prod = "111111111111", dev = "222222222222" } }
locals {
  role_arn = "arn:aws:iam::${var.account_id}:role/deploy"
  chain    = local.role_arn
  loop     = local.loop
  env      = terraform.workspace
}
"#;

    #[test]
    fn variables_locals_and_templates() {
        let s = scopes(&[("envs/dev/variables.tf", VARS)]);
        let main = r#"provider "aws" {
  allowed_account_ids = [var.account_id, var.ids["dev"], var.ids.prod, var.region]
  assume_role { role_arn = local.chain }
  profile = "p-${local.env}-${var.account_id}"
}
x = local.loop
y = upper(var.account_id)
"#;
        let r = resolved(&s, "envs/dev/main.tf", "terraform", main);
        let aws = &r["provider"]["aws"][0];
        assert_eq!(
            aws["allowed_account_ids"],
            json!([
                "111111111111",
                "222222222222",
                "111111111111",
                "${var.region}"
            ])
        );
        assert_eq!(
            aws["assume_role"][0]["role_arn"],
            "arn:aws:iam::111111111111:role/deploy"
        );
        assert_eq!(aws["profile"], "p-${local.env}-111111111111");
        assert_eq!(r["x"], "${local.loop}");
        assert_eq!(r["y"], "${upper(var.account_id)}");
        // Another directory sees none of it.
        let other = resolved(&s, "envs/prod/main.tf", "terraform", main);
        assert_eq!(other, Json::Null);
    }

    #[test]
    fn tfvars_override_defaults_only_when_unambiguous() {
        let s = scopes(&[
            ("app/variables.tf", VARS),
            ("app/terraform.tfvars", "region = \"eu-west-1\"\n"),
            ("app/dev.tfvars", "account_id = \"222222222222\"\n"),
            ("app/prod.tfvars", "account_id = \"111111111111\"\n"),
        ]);
        let r = resolved(
            &s,
            "app/main.tf",
            "terraform",
            "a = var.region\nb = var.account_id\n",
        );
        assert_eq!(r["a"], "eu-west-1");
        // dev.tfvars and prod.tfvars disagree: which one applies depends on the run.
        assert_eq!(r["b"], "${var.account_id}");
    }

    #[test]
    fn json_variable_files_resolve_like_tfvars() {
        assert!(Scopes::reads("app/prod.tfvars.json"));
        assert!(!Scopes::reads("app/prod.json"));
        let s = scopes(&[
            ("app/variables.tf", VARS),
            ("app/region.auto.tfvars.json", "{\"region\": \"eu-west-1\"}"),
            ("app/prod.tfvars.json", "{\"account_id\": \"111111111111\"}"),
            ("app/dev.tfvars", "account_id = \"222222222222\"\n"),
            (
                "svc/terraform.tfvars.json",
                "{\"account_id\": \"333333333333\"}",
            ),
        ]);
        let main = "a = var.region\nb = var.account_id\n";
        let r = resolved(&s, "app/main.tf", "terraform", main);
        assert_eq!(r["a"], "eu-west-1");
        // prod.tfvars.json and dev.tfvars disagree: which one applies depends on the run.
        assert_eq!(r["b"], "${var.account_id}");
        let r = resolved(&s, "svc/main.tf", "terraform", main);
        assert_eq!(r["b"], "333333333333");
    }

    #[test]
    fn terragrunt_locals_are_per_file() {
        let s = scopes(&[]);
        let t = "locals {\n  account = \"333333333333\"\n}\ninputs = {\n  account_id = local.account\n  other = var.x\n}\n";
        let r = resolved(&s, "live/dev/terragrunt.hcl", "terragrunt", t);
        assert_eq!(r["inputs"]["account_id"], "333333333333");
        assert_eq!(r["inputs"]["other"], "${var.x}");
        // Variable files are never annotated.
        assert_eq!(
            resolved(&s, "dev.tfvars", "terraform-vars", "a = 1\n"),
            Json::Null
        );
    }

    #[test]
    fn odd_references_are_left_alone() {
        for expr in [
            "",
            "var",
            "var.",
            "var.x[",
            "var.x[\"k",
            "var.x[a]",
            "var.x + 1",
            "a..b",
        ] {
            assert!(
                traversal(expr).is_none() || reference(&Module::default(), expr, 0).is_none(),
                "{expr}"
            );
        }
        let m = Module::default();
        assert_eq!(resolve_string(&m, "a${b", 0), json!("a${b"));
        assert_eq!(resolve_string(&m, "${var.x}${", 0), json!("${var.x}${"));
    }
}
