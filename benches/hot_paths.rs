//! Micro-benchmarks of the hot functions: parse per format, shell tokenizing,
//! modelling, policy compilation and rule evaluation per kind.
//!
//! `cargo bench --bench hot_paths` (whole-process figures: `scripts/bench.sh`).

use blastwall::engine::registry::PolicySet;
use blastwall::engine::Engine;
use blastwall::model::build_document;
use blastwall::parse::{self, Format};

fn main() {
    divan::main();
}

const WORKFLOW: &str =
    include_str!("../testdata/prod-secret-in-test-job/bad/.github/workflows/pr.yml");
const GITLAB: &str = include_str!("../testdata/kubectl-delete-all/bad/.gitlab-ci.yml");
const TERRAFORM: &str =
    include_str!("../testdata/same-account-in-prod-and-nonprod/bad/envs/dev/main.tf");
const SHELL: &str = include_str!("../testdata/kubectl-delete-all/bad/scripts/reset-cluster.sh");
const KUBERNETES: &str = r#"apiVersion: v1
kind: ConfigMap
metadata: {name: app, namespace: shop}
data: {LOG_LEVEL: info}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  labels: &labels {app: shop}
spec:
  replicas: 3
  selector: {matchLabels: *labels}
  template:
    metadata: {labels: *labels}
    spec:
      containers:
        - name: app
          image: registry.example.com/shop:1.2.3
          args: ["--port", "8080"]
        - name: cleanup
          image: bitnami/kubectl:1.29
          command: ["sh", "-c", "kubectl delete jobs -n shop -l stage=done"]
"#;
const JSON: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::bucket/*"}]}"#;
const DOTENV: &str =
    "# local\nDATABASE_URL=postgres://localhost/app\nexport API_TOKEN='x'\nLOG_LEVEL=debug\n";
const INI: &str = "[metadata]\nname = shop\n\n[tool:pytest]\ntestpaths = tests\naddopts = -q\n";

/// `(path, format, text)`: the path decides the kind, as in a real tree.
const INPUTS: &[(&str, Format, &str)] = &[
    (".github/workflows/pr.yml", Format::Yaml, WORKFLOW),
    (".gitlab-ci.yml", Format::Yaml, GITLAB),
    ("envs/dev/main.tf", Format::Hcl, TERRAFORM),
    ("scripts/reset-cluster.sh", Format::Shell, SHELL),
    ("deploy/app.yaml", Format::Yaml, KUBERNETES),
    ("iam/policy.json", Format::Json, JSON),
    (".env", Format::Dotenv, DOTENV),
    ("setup.cfg", Format::Ini, INI),
];

fn input(path: &str) -> (&'static str, Format, &'static str) {
    *INPUTS
        .iter()
        .find(|(p, _, _)| *p == path)
        .expect("bench input")
}

const PATHS: &[&str] = &[
    ".github/workflows/pr.yml",
    ".gitlab-ci.yml",
    "envs/dev/main.tf",
    "scripts/reset-cluster.sh",
    "deploy/app.yaml",
    "iam/policy.json",
    ".env",
    "setup.cfg",
];

#[divan::bench(args = PATHS)]
fn parse(path: &str) {
    let (_, format, text) = input(path);
    divan::black_box(parse::parse(format, divan::black_box(text)).ok());
}

#[divan::bench]
fn shell_tokenize() {
    divan::black_box(parse::shell::parse_script(divan::black_box(SHELL)));
}

/// Parse + model: everything `blastwall inspect` does per file.
#[divan::bench(args = PATHS)]
fn model(path: &str) {
    let (path, format, text) = input(path);
    for (i, node) in parse::parse(format, text)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        divan::black_box(build_document(path, format, text, i, node));
    }
}

#[divan::bench(sample_count = 20)]
fn compile_policies() -> Engine {
    Engine::new(
        PolicySet::builtin().expect("built-in policies"),
        Default::default(),
        false,
    )
    .expect("compile")
}

/// Every rule and collector selecting the document's kind, on one worker.
#[divan::bench(args = PATHS)]
fn evaluate(bencher: divan::Bencher, path: &str) {
    let engine = Engine::new(
        PolicySet::builtin().expect("built-in policies"),
        Default::default(),
        false,
    )
    .expect("compile");
    let (path, format, text) = input(path);
    let documents: Vec<_> = parse::parse(format, text)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, node)| build_document(path, format, text, i, node))
        .collect();
    let mut worker = engine.worker();
    let mut profile = blastwall::engine::Profile::default();
    bencher.bench_local(|| {
        for document in &documents {
            divan::black_box(engine.eval_document(
                &mut worker,
                document.kind,
                &document.input,
                true,
                &mut profile,
            ));
        }
    });
}
