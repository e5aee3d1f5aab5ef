//! Generates a deterministic synthetic monorepo for benchmarks.
//!
//! `cargo run --release --example gen_corpus -- --files 10000 --out /tmp/corpus-10k [--seed 1]`
//!
//! The tree mixes every format blastwall reads, in the shapes real teams
//! write: per-service CI pipelines (GitHub Actions, GitLab, CircleCI, Azure),
//! Terraform environments with modules and tfvars, multi-document Kubernetes
//! manifests, CloudFormation, compose, dotenv, INI and shell. About one
//! service in forty carries a violation of each built-in rule, so a scan has
//! findings to locate and render. The same seed and size give the same bytes.

use std::fmt::Write as _;
use std::path::PathBuf;

/// splitmix64: tiny, seedable, and stable across platforms and Rust versions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "billing",
    "checkout",
    "ledger",
    "search",
    "identity",
    "payments",
    "catalog",
    "orders",
    "inventory",
    "notify",
    "reports",
    "gateway",
    "profile",
    "auth",
    "media",
    "pricing",
];
const REGIONS: &[&str] = &["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"];
const IMAGES: &[&str] = &[
    "python:3.12-slim",
    "node:20-alpine",
    "golang:1.22",
    "eclipse-temurin:21",
];

struct Corpus {
    root: PathBuf,
    rng: Rng,
    written: usize,
    limit: usize,
}

impl Corpus {
    fn write(&mut self, rel: &str, text: &str) {
        if self.written >= self.limit {
            return;
        }
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create directory");
        }
        std::fs::write(&path, text).expect("write file");
        self.written += 1;
    }

    fn full(&self) -> bool {
        self.written >= self.limit
    }
}

fn main() {
    let mut files = 1000usize;
    let mut out = PathBuf::from("corpus");
    let mut seed = 1u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--files" => files = value.parse().unwrap_or_else(|_| usage()),
            "--out" => out = PathBuf::from(value),
            "--seed" => seed = value.parse().unwrap_or_else(|_| usage()),
            _ => usage(),
        }
    }
    if out.exists() {
        eprintln!("{} exists; remove it first", out.display());
        std::process::exit(2);
    }
    std::fs::create_dir_all(out.join(".git")).expect("create .git");
    let mut corpus = Corpus {
        root: out.clone(),
        rng: Rng(seed),
        written: 0,
        limit: files,
    };
    let mut service = 0;
    while !corpus.full() {
        gen_service(&mut corpus, service);
        service += 1;
    }
    println!(
        "wrote {} files ({} services) under {}",
        corpus.written,
        service,
        out.display()
    );
}

fn usage() -> ! {
    eprintln!("usage: gen_corpus --files N --out DIR [--seed S]");
    std::process::exit(2);
}

/// One service: ~40 files across every format.
fn gen_service(c: &mut Corpus, index: usize) {
    let name = format!("{}-{index}", WORDS[index % WORDS.len()]);
    let base = format!("services/{name}");
    // One service in forty carries each kind of violation.
    let bad = |c: &mut Corpus| c.rng.chance(40);
    let (prod_account, nonprod_account) = (account(index, 0), account(index, 1));

    for env in ["dev", "staging", "prod"] {
        let account = if env == "prod" {
            &prod_account
        } else {
            &nonprod_account
        };
        let account = if env == "dev" && bad(c) {
            &prod_account
        } else {
            account
        };
        let text = terraform_env(c, &name, env, account);
        c.write(&format!("{base}/infra/envs/{env}/main.tf"), &text);
        let text = tfvars(c, env);
        c.write(&format!("{base}/infra/envs/{env}/{env}.tfvars"), &text);
        let text = variables_tf(c);
        c.write(&format!("{base}/infra/envs/{env}/variables.tf"), &text);
    }
    for module in ["network", "database", "queue"] {
        let text = terraform_module(c, module);
        c.write(&format!("{base}/infra/modules/{module}/main.tf"), &text);
        let text = variables_tf(c);
        c.write(
            &format!("{base}/infra/modules/{module}/variables.tf"),
            &text,
        );
    }
    for env in ["dev", "staging", "prod"] {
        let text = kubernetes(c, &name, env);
        c.write(&format!("{base}/deploy/k8s/{env}/app.yaml"), &text);
        let text = kubernetes_jobs(c, &name, env);
        c.write(&format!("{base}/deploy/k8s/{env}/jobs.yaml"), &text);
    }
    let prod_secret = bad(c);
    let text = github_actions(c, &name, prod_secret);
    c.write(&format!("{base}/.github/workflows/ci.yml"), &text);
    let text = github_release(c, &name);
    c.write(&format!("{base}/.github/workflows/release.yml"), &text);
    let ci = c.rng.below(3);
    let text = match ci {
        0 => gitlab_ci(c, &name),
        1 => circleci(c, &name),
        _ => azure_pipelines(c, &name),
    };
    let path = [
        "/.gitlab-ci.yml",
        "/.circleci/config.yml",
        "/azure-pipelines.yml",
    ][ci];
    c.write(&format!("{base}{path}"), &text);
    let text = cloudformation(c, &name);
    c.write(&format!("{base}/cfn/stack.yaml"), &text);
    let text = cloudformation_json(c, &name);
    c.write(&format!("{base}/cfn/bucket.json"), &text);
    let text = compose(c, &name);
    c.write(&format!("{base}/docker-compose.yml"), &text);
    for env in ["", ".test", ".staging"] {
        let text = dotenv(c, &name);
        c.write(&format!("{base}/.env{env}"), &text);
    }
    let text = ini(c, &name);
    c.write(&format!("{base}/setup.cfg"), &text);
    let text = ini(c, &name);
    c.write(&format!("{base}/config/app.ini"), &text);
    let unbounded = bad(c);
    for script in ["deploy", "migrate", "cleanup", "smoke-test", "bootstrap"] {
        let text = shell(c, &name, script, unbounded && script == "cleanup");
        c.write(&format!("{base}/scripts/{script}.sh"), &text);
    }
    let text = iam_policy(c, &name);
    c.write(&format!("{base}/iam/ci-policy.json"), &text);
    // Non-config files discovery must skip.
    c.write(&format!("{base}/README.md"), &format!("# {name}\n"));
    c.write(&format!("{base}/src/main.py"), "print('hello')\n");
    let count = c.rng.range(2, 8);
    for i in 0..count {
        let text = kubernetes(c, &name, ["dev", "staging", "prod"][i % 3]);
        c.write(&format!("{base}/deploy/k8s/extra/extra-{i}.yaml"), &text);
    }
}

fn account(service: usize, env: usize) -> String {
    format!(
        "{:012}",
        100_000_000_000u64 + (service as u64) * 7919 + env as u64
    )
}

fn terraform_env(c: &mut Corpus, name: &str, env: &str, account: &str) -> String {
    let region = c.rng.pick(REGIONS);
    let mut s = format!(
        r#"terraform {{
  required_version = ">= 1.5"
  backend "s3" {{
    bucket = "acme-terraform-state"
    key    = "{name}/{env}/terraform.tfstate"
    region = "{region}"
  }}
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }}
  }}
}}

provider "aws" {{
  region              = var.region
  allowed_account_ids = ["{account}"]

  assume_role {{
    role_arn     = "arn:aws:iam::{account}:role/terraform-{env}"
    session_name = "terraform-{env}"
  }}

  default_tags {{
    tags = {{
      Service     = "{name}"
      Environment = "{env}"
    }}
  }}
}}

locals {{
  name = "{name}-{env}"
  tags = merge(var.tags, {{ Environment = "{env}" }})
}}

module "network" {{
  source = "../../modules/network"
  cidr   = "10.{}.0.0/16"
  name   = local.name
}}

module "database" {{
  source            = "../../modules/database"
  instance_class    = var.db_instance_class
  subnet_ids        = module.network.private_subnet_ids
  deletion_protection = {}
}}
"#,
        c.rng.below(250),
        env == "prod"
    );
    for i in 0..c.rng.range(2, 8) {
        let _ = write!(
            s,
            r#"
resource "aws_s3_bucket" "data_{i}" {{
  bucket = "${{local.name}}-data-{i}"
  tags   = local.tags
}}

resource "aws_iam_role" "worker_{i}" {{
  name = "${{local.name}}-worker-{i}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ Service = "ecs-tasks.amazonaws.com" }}
    }}]
  }})
}}
"#
        );
    }
    s
}

fn tfvars(c: &mut Corpus, env: &str) -> String {
    let class = c
        .rng
        .pick(&["db.t3.medium", "db.r6g.large", "db.r6g.xlarge"]);
    format!(
        "region            = \"{}\"\ndb_instance_class = \"{class}\"\nreplicas          = {}\ntags = {{\n  Team = \"platform\"\n  Env  = \"{env}\"\n}}\n",
        c.rng.pick(REGIONS),
        c.rng.range(1, 6)
    )
}

fn variables_tf(c: &mut Corpus) -> String {
    let mut s = String::new();
    for name in [
        "region",
        "db_instance_class",
        "replicas",
        "tags",
        "cidr",
        "name",
    ]
    .iter()
    .take(c.rng.range(3, 6))
    {
        let _ = write!(
            s,
            "variable \"{name}\" {{\n  description = \"The {name} to use.\"\n  type        = {}\n}}\n\n",
            if *name == "tags" { "map(string)" } else { "string" }
        );
    }
    s
}

fn terraform_module(c: &mut Corpus, module: &str) -> String {
    let mut s = String::new();
    for i in 0..c.rng.range(3, 10) {
        let _ = write!(
            s,
            r#"resource "aws_security_group" "{module}_{i}" {{
  name_prefix = "${{var.name}}-{module}-{i}"
  vpc_id      = var.vpc_id

  dynamic "ingress" {{
    for_each = var.ports
    content {{
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = [var.cidr]
    }}
  }}

  lifecycle {{
    create_before_destroy = true
  }}
}}

"#
        );
    }
    s.push_str("output \"id\" {\n  value = aws_security_group.");
    s.push_str(module);
    s.push_str("_0.id\n}\n");
    s
}

fn kubernetes(c: &mut Corpus, name: &str, env: &str) -> String {
    let replicas = c.rng.range(1, 6);
    let image = c.rng.pick(IMAGES);
    let mut s = format!(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-config
  namespace: {name}-{env}
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: "search,checkout"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {name}-{env}
  labels: &labels
    app: {name}
    env: {env}
spec:
  replicas: {replicas}
  selector:
    matchLabels: *labels
  template:
    metadata:
      labels: *labels
    spec:
      containers:
        - name: app
          image: registry.example.com/{name}:{image_tag}
          args: ["--port", "8080", "--env", "{env}"]
          ports:
            - containerPort: 8080
          envFrom:
            - configMapRef:
                name: {name}-config
          resources:
            limits: {{ cpu: 500m, memory: 512Mi }}
        - name: sidecar
          image: {image}
          command: ["sh", "-c", "while true; do sleep 30; done"]
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {name}-{env}
spec:
  selector:
    app: {name}
  ports:
    - port: 80
      targetPort: 8080
"#,
        image_tag = c.rng.range(100, 999),
    );
    if c.rng.chance(2) {
        let _ = write!(
            s,
            r#"---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  namespace: {name}-{env}
spec:
  rules:
    - host: {name}.{env}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {name}
                port:
                  number: 80
"#
        );
    }
    s
}

fn kubernetes_jobs(c: &mut Corpus, name: &str, env: &str) -> String {
    format!(
        r#"apiVersion: batch/v1
kind: CronJob
metadata:
  name: {name}-cleanup
  namespace: {name}-{env}
spec:
  schedule: "{} 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: cleanup
              image: bitnami/kubectl:1.29
              command:
                - /bin/sh
                - -c
                - |
                  kubectl delete jobs -n {name}-{env} -l app={name},stage=done \
                    --ignore-not-found
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {name}-migrate
  namespace: {name}-{env}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: registry.example.com/{name}-migrate:latest
          command: ["./migrate", "up", "--env", "{env}"]
"#,
        c.rng.below(60)
    )
}

fn github_actions(c: &mut Corpus, name: &str, prod_secret: bool) -> String {
    let secret = if prod_secret {
        "PROD_DATABASE_URL"
    } else {
        "TEST_DATABASE_URL"
    };
    let python = c.rng.pick(&["3.11", "3.12"]);
    format!(
        r#"name: {name} CI

on:
  pull_request:
    paths: ["services/{name}/**"]
  push:
    branches: [main]

env:
  PYTHON_VERSION: "{python}"

jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install ruff && ruff check services/{name}

  integration-tests:
    runs-on: ubuntu-latest
    needs: lint
    services:
      postgres:
        image: postgres:16
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{{{ env.PYTHON_VERSION }}}}
      - name: Run integration suite
        run: |
          pip install -r services/{name}/requirements-dev.txt
          pytest services/{name}/tests/integration \
            --maxfail=1 -q
        env:
          DATABASE_URL: ${{{{ secrets.{secret} }}}}

  build:
    runs-on: ubuntu-latest
    needs: integration-tests
    steps:
      - uses: actions/checkout@v4
      - run: docker build -t {name}:${{{{ github.sha }}}} services/{name}
"#
    )
}

fn github_release(c: &mut Corpus, name: &str) -> String {
    let region = c.rng.pick(REGIONS);
    format!(
        r#"name: {name} release
on:
  workflow_dispatch:
  push:
    tags: ["{name}-v*"]

jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    permissions:
      id-token: write
      contents: read
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: ${{{{ secrets.PROD_DEPLOY_ROLE }}}}
          aws-region: {region}
      - name: Deploy
        run: |
          kubectl config use-context prod
          kubectl apply -f services/{name}/deploy/k8s/prod/
          kubectl rollout status deployment/{name} -n {name}-prod
        env:
          API_TOKEN: ${{{{ secrets.PROD_API_TOKEN }}}}
"#
    )
}

fn gitlab_ci(c: &mut Corpus, name: &str) -> String {
    let image = c.rng.pick(IMAGES);
    format!(
        r#"stages: [test, build, deploy]

.defaults: &defaults
  image: {image}
  before_script:
    - make deps

unit-tests:
  <<: *defaults
  stage: test
  script:
    - make test SERVICE={name}
  variables:
    DATABASE_URL: $TEST_DATABASE_URL

build:
  stage: build
  image: docker:24
  script:
    - docker build -t $CI_REGISTRY_IMAGE/{name}:$CI_COMMIT_SHORT_SHA .
    - docker push $CI_REGISTRY_IMAGE/{name}:$CI_COMMIT_SHORT_SHA

deploy-prod:
  stage: deploy
  environment: production
  script:
    - kubectl apply -f deploy/k8s/prod/
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
"#
    )
}

fn circleci(c: &mut Corpus, name: &str) -> String {
    let image = c.rng.pick(IMAGES);
    format!(
        r#"version: 2.1

executors:
  default:
    docker:
      - image: {image}

jobs:
  test:
    executor: default
    steps:
      - checkout
      - run:
          name: Unit tests
          command: |
            make deps
            make test SERVICE={name}
  deploy:
    executor: default
    steps:
      - checkout
      - run: ./scripts/deploy.sh prod

workflows:
  main:
    jobs:
      - test
      - deploy:
          requires: [test]
          filters:
            branches:
              only: main
"#
    )
}

fn azure_pipelines(c: &mut Corpus, name: &str) -> String {
    let pool = c.rng.pick(&["ubuntu-latest", "ubuntu-22.04"]);
    format!(
        r#"trigger:
  branches:
    include: [main]

pool:
  vmImage: {pool}

stages:
  - stage: Test
    jobs:
      - job: UnitTests
        steps:
          - script: |
              make deps
              make test SERVICE={name}
            displayName: Run tests
  - stage: Deploy
    dependsOn: Test
    jobs:
      - deployment: Production
        environment: production
        strategy:
          runOnce:
            deploy:
              steps:
                - script: ./scripts/deploy.sh prod
"#
    )
}

fn cloudformation(c: &mut Corpus, name: &str) -> String {
    let mut s = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: {name} stack\nParameters:\n  Env:\n    Type: String\n    AllowedValues: [dev, staging, prod]\nResources:\n"
    );
    for i in 0..c.rng.range(2, 6) {
        let _ = write!(
            s,
            "  Queue{i}:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub \"{name}-${{Env}}-{i}\"\n      VisibilityTimeout: 60\n  Topic{i}:\n    Type: AWS::SNS::Topic\n    Properties:\n      Subscription:\n        - Endpoint: !GetAtt Queue{i}.Arn\n          Protocol: sqs\n"
        );
    }
    s.push_str("Outputs:\n  QueueArn:\n    Value: !GetAtt Queue0.Arn\n");
    s
}

fn cloudformation_json(c: &mut Corpus, name: &str) -> String {
    format!(
        r#"{{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {{
    "Bucket": {{
      "Type": "AWS::S3::Bucket",
      "Properties": {{
        "BucketName": "{name}-assets-{}",
        "VersioningConfiguration": {{ "Status": "Enabled" }}
      }}
    }}
  }}
}}
"#,
        c.rng.range(1000, 9999)
    )
}

fn compose(c: &mut Corpus, name: &str) -> String {
    let image = c.rng.pick(IMAGES);
    format!(
        r#"services:
  app:
    build: .
    image: {name}:dev
    ports: ["8080:8080"]
    environment:
      DATABASE_URL: postgres://app:app@db:5432/{name}
      REDIS_URL: redis://cache:6379/0
    depends_on: [db, cache]
  worker:
    image: {image}
    command: ["python", "-m", "{name}.worker"]
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: app
  cache:
    image: redis:7
"#
    )
}

fn dotenv(c: &mut Corpus, name: &str) -> String {
    let mut s = format!("# {name} local settings\nSERVICE_NAME={name}\n");
    for i in 0..c.rng.range(5, 20) {
        let _ = writeln!(s, "SETTING_{i}=value-{}", c.rng.below(1000));
    }
    s.push_str("DATABASE_URL=postgres://app:app@localhost:5432/app\n");
    s
}

fn ini(c: &mut Corpus, name: &str) -> String {
    format!(
        "[metadata]\nname = {name}\nversion = 1.{}.0\n\n[options]\npackages = find:\npython_requires = >=3.10\n\n[tool:pytest]\ntestpaths = tests\naddopts = -q --maxfail=5\n",
        c.rng.below(40)
    )
}

fn shell(c: &mut Corpus, name: &str, script: &str, unbounded: bool) -> String {
    let mut s = format!(
        "#!/usr/bin/env bash\n# {script} for {name}\nset -euo pipefail\n\nENV=\"${{1:-dev}}\"\nNAMESPACE=\"{name}-$ENV\"\n\n"
    );
    for i in 0..c.rng.range(3, 12) {
        let _ = write!(
            s,
            "if [[ \"$ENV\" == \"prod\" ]]; then\n  echo \"step {i} in production\"\nfi\naws s3 cp \"s3://acme-artifacts/{name}/build-{i}.tar.gz\" /tmp/ \\\n  --region {}\n\n",
            c.rng.pick(REGIONS)
        );
    }
    if unbounded {
        s.push_str("kubectl delete pods,jobs --all -n \"$NAMESPACE\"\n");
    } else {
        s.push_str("kubectl delete jobs -n \"$NAMESPACE\" -l \"run=${GITHUB_RUN_ID}\"\n");
    }
    s
}

fn iam_policy(c: &mut Corpus, name: &str) -> String {
    format!(
        r#"{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject"],
      "Resource": "arn:aws:s3:::{name}-artifacts-{}/*"
    }}
  ]
}}
"#,
        c.rng.range(1, 99)
    )
}
