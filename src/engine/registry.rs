//! The policy set: built-in policies embedded from `policies/`, plus user
//! directories, with the METADATA block each rule declares.
//!
//! regorus drops comments, so the `# METADATA` block (OPA's annotation syntax,
//! YAML in comments) is read here from the source text.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use super::testing::test_rules;

include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"));

#[derive(Clone, Debug)]
pub struct PolicyFile {
    /// Shown in errors and test output (`policies/unbounded_delete/…rego`).
    pub path: String,
    pub source: String,
    /// Holds Rego unit tests (`test_*` rules) rather than a rule; set by [`PolicySet::add`].
    pub is_test: bool,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }

    /// Higher is more severe.
    pub fn rank(self) -> u8 {
        match self {
            Severity::Error => 2,
            Severity::Warning => 1,
            Severity::Note => 0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Evaluated once per document of a selected kind; `input` is that document.
    #[default]
    Document,
    /// Evaluated once per scan; `input.facts` holds every collected fact.
    Repository,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Custom {
    pub id: Option<String>,
    pub category: Option<String>,
    pub severity: Option<Severity>,
    /// Document kinds the rule runs on (`["*"]` for all).
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub scope: Scope,
    /// Default remediation, used when a result carries no `help`.
    pub help: Option<String>,
    /// Example of flagged config and its fixed form, for `explain` and docs.
    pub bad: Option<String>,
    pub good: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Metadata {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub custom: Custom,
}

/// A rule (emits findings) or a fact collector (emits facts for repository rules).
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub category: String,
    pub severity: Severity,
    pub package: String,
    pub title: String,
    pub description: String,
    pub help: String,
    pub kinds: Vec<String>,
    pub scope: Scope,
    /// The rule's `programs` set, read by [`Engine::new`](super::Engine::new):
    /// when not empty, the rule runs on a kind with commands only if one of
    /// them runs a listed program.
    pub programs: Vec<String>,
    /// The rule's `reads` set (top-level input fields): when not empty, the
    /// rule runs only on documents where one of them is not empty.
    pub reads: Vec<String>,
    pub bad: Option<String>,
    pub good: Option<String>,
    pub file: String,
}

#[derive(Clone, Debug)]
pub struct Collector {
    pub package: String,
    /// The policy file defining it.
    pub file: String,
    pub kinds: Vec<String>,
    /// As a rule's `reads`: when not empty, it collects only from documents where one
    /// of these input fields is not empty.
    pub reads: Vec<String>,
}

/// What dispatch knows of a document before any policy runs on it.
pub struct Dispatch<'a> {
    pub kind: &'a str,
    pub input: &'a serde_json::Value,
    /// A Kubernetes manifest's own `kind` (`ClusterRole`), for `kubernetes/ClusterRole` in `kinds`.
    pub resource: Option<&'a str>,
    /// The programs its commands run, gathered when a rule first asks.
    programs: std::cell::OnceCell<Option<BTreeSet<&'a str>>>,
}

impl<'a> Dispatch<'a> {
    pub fn of(kind: &'a str, input: &'a serde_json::Value) -> Dispatch<'a> {
        let resource = (kind == "kubernetes")
            .then(|| input.pointer("/content/kind")?.as_str())
            .flatten();
        Dispatch {
            kind,
            input,
            resource,
            programs: std::cell::OnceCell::new(),
        }
    }

    /// The programs its commands run; `None` for kinds without commands.
    fn programs(&self) -> Option<&BTreeSet<&'a str>> {
        let gather = || {
            crate::kinds::has_commands(self.kind).then(|| {
                let commands = self
                    .input
                    .get("commands")
                    .and_then(serde_json::Value::as_array);
                (commands.into_iter().flatten())
                    .filter_map(|command| command.get("program")?.as_str())
                    .collect()
            })
        };
        self.programs.get_or_init(gather).as_ref()
    }
}

/// A field with something in it: not absent, null, false, `""`, `[]` or `{}`.
fn filled(value: Option<&serde_json::Value>) -> bool {
    use serde_json::Value;
    match value {
        None | Some(Value::Null | Value::Bool(false)) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(items)) => !items.is_empty(),
        Some(Value::Object(map)) => !map.is_empty(),
        Some(_) => true,
    }
}

/// An entry of `kinds`: a document kind or `*`, optionally narrowed to a
/// Kubernetes resource kind (`kubernetes/ClusterRole` → `("kubernetes", Some("ClusterRole"))`).
pub fn listed_kind(listed: &str) -> (&str, Option<&str>) {
    match listed.split_once('/') {
        Some((kind, resource)) => (kind, Some(resource)),
        None => (listed, None),
    }
}

/// Whether `kinds` names documents of `kind` at all (whatever their resource kind).
pub fn names_kind(kinds: &[String], kind: &str) -> bool {
    kinds.iter().any(|listed| {
        let (listed, _) = listed_kind(listed);
        listed == "*" || listed == kind
    })
}

fn kinds_select(kinds: &[String], document: &Dispatch) -> bool {
    kinds.iter().any(|listed| match listed_kind(listed) {
        ("*", None) => true,
        (kind, resource) => {
            kind == document.kind && resource.is_none_or(|r| document.resource == Some(r))
        }
    })
}

impl Rule {
    /// Whether the rule runs on `document`: its kind is listed, on a kind with
    /// commands one of them runs a program of its `programs`, and one of the
    /// fields its `reads` names is not empty.
    pub fn selects(&self, document: &Dispatch) -> bool {
        let runs_program = || {
            self.programs.is_empty()
                || (document.programs())
                    .is_none_or(|run| self.programs.iter().any(|p| run.contains(p.as_str())))
        };
        kinds_select(&self.kinds, document)
            && runs_program()
            && reads_something(&self.reads, document)
    }
}

/// No `reads`, or one of the fields it names is not empty in `document`.
fn reads_something(reads: &[String], document: &Dispatch) -> bool {
    reads.is_empty() || (reads.iter()).any(|field| filled(document.input.get(field.as_str())))
}

impl Collector {
    pub fn selects(&self, document: &Dispatch) -> bool {
        kinds_select(&self.kinds, document) && reads_something(&self.reads, document)
    }

    /// Whether the collector may select some document of `kind`, before its content is known.
    pub fn may_select(&self, kind: &str) -> bool {
        names_kind(&self.kinds, kind)
    }
}

/// A problem in a policy file, located in that file.
#[derive(Clone, Debug)]
pub struct PolicyError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    pub files: Vec<PolicyFile>,
    pub rules: Vec<Rule>,
    pub collectors: Vec<Collector>,
}

impl PolicySet {
    /// The built-in set. `BLASTWALL_BUILTIN_POLICIES=DIR` swaps it for a
    /// directory on disk, for policy development without rebuilding.
    pub fn builtin() -> Result<PolicySet, Vec<PolicyError>> {
        let mut set = PolicySet::default();
        match std::env::var_os("BLASTWALL_BUILTIN_POLICIES") {
            Some(dir) => set.add_dir(Path::new(&dir))?,
            None => {
                for (path, source) in BUILTIN_POLICIES {
                    set.add(PolicyFile {
                        is_test: false,
                        path: (*path).to_owned(),
                        source: (*source).to_owned(),
                    })?;
                }
            }
        }
        Ok(set)
    }

    /// Adds every `.rego` file under `dir` (sorted, so ids resolve deterministically).
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), Vec<PolicyError>> {
        let mut paths: Vec<_> = walk_rego(dir);
        paths.sort();
        if paths.is_empty() && !dir.is_dir() {
            return Err(vec![PolicyError {
                file: dir.display().to_string(),
                line: 1,
                column: 1,
                message: "policy directory not found".into(),
            }]);
        }
        let mut errors = Vec::new();
        for path in paths {
            let shown = path.to_string_lossy().replace('\\', "/");
            match std::fs::read_to_string(&path) {
                Ok(source) => {
                    if let Err(e) = self.add(PolicyFile {
                        is_test: false,
                        path: shown,
                        source,
                    }) {
                        errors.extend(e);
                    }
                }
                Err(e) => errors.push(PolicyError {
                    file: shown,
                    line: 1,
                    column: 1,
                    message: format!("cannot read: {e}"),
                }),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    pub fn add(&mut self, file: PolicyFile) -> Result<(), Vec<PolicyError>> {
        let package = package_of(&file.source).ok_or_else(|| {
            vec![PolicyError {
                file: file.path.clone(),
                line: 1,
                column: 1,
                message: "no `package` declaration".into(),
            }]
        })?;
        // A unit-test file defines `test_*` rules and carries no METADATA. Its
        // name is no guide: `prod_runtime_env_in_test.rego` is a rule.
        let is_test = !file.source.contains("# METADATA") && !test_rules(&file.source).is_empty();
        let file = PolicyFile { is_test, ..file };
        if !is_test && !package.starts_with("blastwall.lib") {
            match metadata_of(&file.source) {
                Some(Ok((meta, line))) if package.starts_with("blastwall.facts.") => {
                    let kinds = crate::kinds::expand_all(&meta.custom.kinds)
                        .map_err(|message| at_metadata(&file, line, message))?;
                    self.collectors.push(Collector {
                        package: package.clone(),
                        file: file.path.clone(),
                        kinds,
                        reads: Vec::new(),
                    });
                }
                Some(Ok((meta, line))) => {
                    let rule = rule_from(&file, &package, meta)
                        .map_err(|message| at_metadata(&file, line, message))?;
                    if self.rules.iter().any(|r| r.id == rule.id) {
                        return Err(vec![PolicyError {
                            file: file.path.clone(),
                            line,
                            column: 1,
                            message: format!("rule id `{}` is already defined", rule.id),
                        }]);
                    }
                    self.rules.push(rule);
                }
                Some(Err((message, line))) => {
                    return Err(vec![PolicyError {
                        file: file.path.clone(),
                        line,
                        column: 1,
                        message,
                    }]);
                }
                None => {
                    return Err(vec![PolicyError {
                        file: file.path.clone(),
                        line: 1,
                        column: 1,
                        message: "policy has no `# METADATA` block (needs title and custom.id/category/severity/kinds)".into(),
                    }]);
                }
            }
        }
        self.files.push(file);
        Ok(())
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// A problem with a policy's METADATA, located at its `# METADATA` line.
fn at_metadata(file: &PolicyFile, line: usize, message: String) -> Vec<PolicyError> {
    vec![PolicyError {
        file: file.path.clone(),
        line,
        column: 1,
        message,
    }]
}

fn rule_from(file: &PolicyFile, package: &str, meta: Metadata) -> Result<Rule, String> {
    let custom = meta.custom;
    let id = custom.id.ok_or("METADATA custom.id is required")?;
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(format!("rule id `{id}` must be kebab-case"));
    }
    let category = custom
        .category
        .ok_or("METADATA custom.category is required")?;
    if category.is_empty() {
        return Err("METADATA custom.category must not be empty".into());
    }
    let severity = custom
        .severity
        .ok_or("METADATA custom.severity is required (error, warning or note)")?;
    if custom.kinds.is_empty() && custom.scope == Scope::Document {
        return Err("METADATA custom.kinds is required (document kinds, or [\"*\"])".into());
    }
    let kinds = crate::kinds::expand_all(&custom.kinds)?;
    Ok(Rule {
        id,
        category,
        severity,
        package: package.to_owned(),
        title: meta.title,
        description: meta.description.trim().to_owned(),
        help: custom.help.unwrap_or_default().trim().to_owned(),
        kinds,
        scope: custom.scope,
        programs: Vec::new(),
        reads: Vec::new(),
        bad: custom.bad,
        good: custom.good,
        file: file.path.clone(),
    })
}

fn walk_rego(dir: &Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "rego"))
        .map(|e| e.into_path())
        .collect()
}

/// `package a.b.c` → `a.b.c`.
pub fn package_of(source: &str) -> Option<String> {
    source.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("package ")?;
        Some(rest.trim().to_owned())
    })
}

/// Parses the first `# METADATA` block. Returns the metadata and its 1-based line.
fn metadata_of(source: &str) -> Option<Result<(Metadata, usize), (String, usize)>> {
    let lines: Vec<&str> = source.lines().collect();
    let start = lines.iter().position(|l| l.trim() == "# METADATA")?;
    let mut yaml = String::new();
    for line in &lines[start + 1..] {
        let Some(rest) = line.trim_start().strip_prefix('#') else {
            break;
        };
        yaml.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        yaml.push('\n');
    }
    let line = start + 1;
    Some(match serde_yaml::from_str::<Metadata>(&yaml) {
        Ok(meta) => Ok((meta, line)),
        Err(e) => {
            let at = e.location().map_or(line, |l| line + l.line());
            Err((format!("invalid METADATA: {e}"), at))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "# METADATA\n# title: Prod runtime in tests\n# custom:\n#   id: prod-runtime-env-in-test\n#   category: prod-credentials-in-test\n#   severity: warning\n#   kinds: [\"*\"]\npackage blastwall.prod_credentials_in_test.prod_runtime_env_in_test\n\ndeny contains \"x\" if false\n";
    const TESTS: &str = "package blastwall.prod_credentials_in_test.prod_runtime_env_in_test_test\n\ntest_nothing if true\n";

    fn rule_on(kinds: &[&str], programs: &[&str]) -> Rule {
        let mut set = PolicySet::default();
        set.add(PolicyFile {
            path: "r.rego".into(),
            source: RULE.into(),
            is_test: false,
        })
        .unwrap();
        let mut rule = set.rules.remove(0);
        rule.kinds = kinds.iter().map(|k| k.to_string()).collect();
        rule.programs = programs.iter().map(|p| p.to_string()).collect();
        rule
    }

    #[test]
    fn kubernetes_kinds_narrow_to_resource_kinds() {
        let manifest = |kind: &str| serde_json::json!({"content": {"kind": kind}, "commands": []});
        let (role, service) = (manifest("ClusterRole"), manifest("Service"));
        let rule = rule_on(&["kubernetes/ClusterRole"], &[]);
        assert!(rule.selects(&Dispatch::of("kubernetes", &role)));
        assert!(!rule.selects(&Dispatch::of("kubernetes", &service)));
        // A resource kind narrows Kubernetes documents only.
        assert!(!rule.selects(&Dispatch::of("helm-values", &role)));
        assert!(rule_on(&["kubernetes"], &[]).selects(&Dispatch::of("kubernetes", &service)));
        let collector = Collector {
            package: "p".into(),
            file: "p.rego".into(),
            kinds: vec!["kubernetes/Application".into()],
            reads: Vec::new(),
        };
        assert!(collector.may_select("kubernetes") && !collector.may_select("helm-values"));
    }

    #[test]
    fn programs_narrow_only_kinds_with_commands() {
        let script = |program: &str| serde_json::json!({"commands": [{"program": program}]});
        let config = serde_json::json!({"content": {"accounts": {}}, "commands": []});
        let rule = rule_on(&["shell", "kubernetes", "yaml"], &["cloud-nuke"]);
        assert!(rule.selects(&Dispatch::of("shell", &script("cloud-nuke"))));
        assert!(!rule.selects(&Dispatch::of("shell", &script("make"))));
        assert!(!rule.selects(&Dispatch::of("kubernetes", &config)));
        // A plain YAML file has no commands: the rule still reads it.
        assert!(rule.selects(&Dispatch::of("yaml", &config)));
    }

    #[test]
    fn reads_skips_documents_whose_fields_are_all_empty() {
        let mut rule = rule_on(&["kubernetes"], &[]);
        rule.reads = vec!["secret_refs".into(), "settings".into()];
        let document = |refs: serde_json::Value| serde_json::json!({"secret_refs": refs, "settings": [], "commands": []});
        let (plain, test) = (
            document(serde_json::json!([])),
            document(serde_json::json!([{"name": "db"}])),
        );
        assert!(!rule.selects(&Dispatch::of("kubernetes", &plain)));
        assert!(rule.selects(&Dispatch::of("kubernetes", &test)));
        let absent = serde_json::json!({"commands": []});
        assert!(!rule.selects(&Dispatch::of("kubernetes", &absent)));
        // Collectors too.
        let collector = Collector {
            package: "p".into(),
            file: "p.rego".into(),
            kinds: vec!["kubernetes".into()],
            reads: vec!["secret_refs".into()],
        };
        assert!(!collector.selects(&Dispatch::of("kubernetes", &plain)));
        assert!(collector.selects(&Dispatch::of("kubernetes", &test)));
    }

    #[test]
    fn rule_and_test_files_are_told_apart_by_content_not_name() {
        let mut set = PolicySet::default();
        let file = |path: &str, source: &str| PolicyFile {
            path: path.into(),
            source: source.into(),
            is_test: false,
        };
        set.add(file("p/prod_runtime_env_in_test.rego", RULE))
            .unwrap();
        set.add(file("p/prod_runtime_env_in_test_test.rego", TESTS))
            .unwrap();
        assert_eq!(set.rules.len(), 1);
        assert_eq!(set.rules[0].id, "prod-runtime-env-in-test");
        assert_eq!(
            set.files.iter().map(|f| f.is_test).collect::<Vec<_>>(),
            vec![false, true]
        );
    }

    #[test]
    fn kind_families_expand_and_unknown_kinds_fail_at_the_metadata() {
        let policy = |kinds: &str| PolicyFile {
            path: "p/r.rego".into(),
            source: format!("\n\n{}", RULE.replace("[\"*\"]", kinds)),
            is_test: false,
        };
        let mut set = PolicySet::default();
        set.add(policy("[ci, shell]")).unwrap();
        assert!(set.rules[0].kinds.contains(&"jenkins".to_owned()));
        assert!(set.rules[0].kinds.contains(&"shell".to_owned()));
        let errors = PolicySet::default()
            .add(policy("[githb-actions]"))
            .expect_err("unknown kind");
        assert_eq!(errors[0].line, 3, "the METADATA line");
        assert!(errors[0].message.contains("`githb-actions`"));
    }
}
