use super::*;
use crate::model::environment::Env;
use crate::parse::yaml::parse_yaml;

fn model(kind: &str, src: &str) -> CiModel {
    let docs = parse_yaml(src).expect("parses");
    ci_model(kind, &docs[0], src, ".gitlab-ci.yml", &Linked::default())
}

/// What a GitLab pipeline of `files` (path, text) links across them.
fn gitlab_pipeline(files: &[(&str, &str)]) -> Linked {
    let paths: Vec<&str> = files.iter().map(|(p, _)| *p).collect();
    Linked {
        gitlab: GitlabIncludes::collect(&paths, |p| {
            (files.iter())
                .find(|(f, _)| *f == p)
                .map(|(_, t)| t.to_string())
        }),
        ..Linked::default()
    }
}

fn job<'a>(m: &'a CiModel, id: &str) -> &'a Job {
    m.jobs.iter().find(|j| j.id == id).expect("job")
}

#[test]
fn test_contexts_from_names_triggers_and_runners() {
    let src = "on: pull_request\njobs:\n  check:\n    steps:\n      - run: go test ./...\n  plan:\n    steps:\n      - run: terraform plan\n  deploy:\n    environment: production\n    steps:\n      - run: npm test && ./deploy.sh\n";
    let m = model("github-actions", src);
    let check = job(&m, "check");
    assert!(check.test);
    assert_eq!(check.test_commands, vec![0]);
    assert!(check.test_reasons.iter().any(|r| r == "runs `go test`"));
    // A plan on a pull request is not a test suite; a deploy that runs tests stays a deploy.
    assert!(!job(&m, "plan").test);
    let deploy = job(&m, "deploy");
    assert!(!deploy.test && deploy.deploy);
    assert_eq!(deploy.env, Some(Env::Prod));
}

#[test]
fn gitlab_scheduled_pipelines_mark_jobs_scheduled() {
    let src = "nightly-cleanup:\n  script: [./cleanup.sh]\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"schedule\"\nbuild:\n  script: [make]\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"schedule\"\n      when: never\n    - when: always\n";
    let m = model("gitlab-ci", src);
    assert!(job(&m, "nightly-cleanup").scheduled);
    assert!(!job(&m, "build").scheduled);
}

#[test]
fn gitlab_template_references_are_located_in_the_template() {
    let src = ".db:\n  variables:\n    DATABASE_URL: $PROD_DATABASE_URL\nrspec:\n  extends: .db\n  stage: test\n  script:\n    - |\n      # $PROD_TOKEN is for deploys only\n      bundle exec rspec\n";
    let m = model("gitlab-ci", src);
    let spec = job(&m, "rspec");
    assert!(spec.test);
    let names: Vec<&str> = spec.secrets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["PROD_DATABASE_URL"]);
    let [start, end] = spec.secrets[0].span;
    assert_eq!(&src[start..end], "PROD_DATABASE_URL");
    assert_eq!(spec.secrets[0].path[0], json!(".db"));
}

#[test]
fn gitlab_templates_from_included_files_are_located_there() {
    let root = "include:\n  - local: /ci/db.yml\n  - remote: https://x.io/t.yml\nrspec:\n  extends: .db\n  stage: test\n  script: [bundle exec rspec]\n";
    let db = ".db:\n  variables:\n    DATABASE_URL: $PROD_DATABASE_URL\n";
    let files = [
        ("app/.gitlab-ci.yml", root),
        ("app/ci/db.yml", db),
        ("other/ci/db.yml", db),
    ];
    let includes = gitlab_pipeline(&files);
    assert!(includes.gitlab.is_included("app/ci/db.yml"));
    assert!(!includes.gitlab.is_included("other/ci/db.yml"));
    let docs = parse_yaml(root).expect("parses");
    let m = ci_model("gitlab-ci", &docs[0], root, "app/.gitlab-ci.yml", &includes);
    let spec = job(&m, "rspec");
    assert!(spec.test);
    let secret = &spec.secrets[0];
    assert_eq!(secret.name, "PROD_DATABASE_URL");
    // Reported at the job's `extends:`, with the template's reference as its origin.
    assert_eq!(&root[secret.span[0]..secret.span[1]], ".db");
    let origin = secret.origin.as_ref().expect("origin");
    assert_eq!(origin.file, "app/ci/db.yml");
    assert_eq!(&db[origin.span[0]..origin.span[1]], "PROD_DATABASE_URL");
    assert_eq!((origin.line, origin.column), (3, 20));
    // Another repository's pipeline does not see these templates.
    let alone = ci_model("gitlab-ci", &docs[0], root, "x/.gitlab-ci.yml", &includes);
    assert!(job(&alone, "rspec").secrets.is_empty());
}

#[test]
fn azure_macros_are_references_but_shell_substitutions_are_not() {
    let src = "jobs:\n  - job: Test\n    steps:\n      - script: pytest --url $(ProdApiUrl) --date $(date)\n";
    let m = model("azure-pipelines", src);
    let names: Vec<&str> = m.jobs[0].secrets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["ProdApiUrl", "date"]);
    assert_eq!(m.jobs[0].secrets[0].env, Some(Env::Prod));
    let gitlab = model("gitlab-ci", "t:\n  script:\n    - echo $(date)\n");
    assert!(gitlab.jobs[0].secrets.is_empty());
}

#[test]
fn azure_service_connections_are_contexts_registries_are_not() {
    let src = "jobs:\n  - job: Test\n    steps:\n      - task: AzureCLI@2\n        inputs:\n          azureSubscription: sc-prod-subscription\n          inlineScript: pytest\n      - task: Docker@2\n        inputs:\n          containerRegistry: acr-prod\n      - task: Kubernetes@1\n        inputs:\n          kubernetesServiceEndpoint: aks-staging\n";
    let m = model("azure-pipelines", src);
    let got: Vec<(&str, Option<Env>, &str)> = m.jobs[0]
        .contexts
        .iter()
        .map(|c| (c.name.as_str(), c.env, c.via))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "sc-prod-subscription",
                Some(Env::Prod),
                "service connection"
            ),
            ("aks-staging", Some(Env::Staging), "service connection"),
        ]
    );
    assert_eq!(
        m.jobs[0].contexts[0].path,
        vec![
            json!("jobs"),
            json!(0),
            json!("steps"),
            json!(0),
            json!("inputs"),
            json!("azureSubscription")
        ]
    );
    let deploy = "jobs:\n  - deployment: Deploy\n    environment: production\n    strategy:\n      runOnce:\n        deploy:\n          steps:\n            - task: AzureWebApp@1\n              inputs:\n                azureSubscription: sc-prod\n";
    let m = model("azure-pipelines", deploy);
    let path: Vec<Json> = [
        "jobs",
        "0",
        "strategy",
        "runOnce",
        "deploy",
        "steps",
        "0",
        "inputs",
        "azureSubscription",
    ]
    .iter()
    .map(|s| s.parse::<u64>().map_or_else(|_| json!(s), |i| json!(i)))
    .collect();
    assert_eq!(m.jobs[0].contexts[0].path, path);
}

#[test]
fn azure_inline_bash_tasks_are_scripts() {
    let src = "jobs:\n  - job: Infra\n    steps:\n      - task: AzureCLI@2\n        inputs:\n          azureSubscription: sc-dev\n          scriptType: bash\n          scriptLocation: inlineScript\n          inlineScript: |\n            terraform init\n            pytest tests/infra\n      - task: AzureCLI@2\n        inputs:\n          scriptType: pscore\n          inlineScript: Remove-Item -Recurse C:/x\n      - task: Bash@3\n        inputs:\n          targetType: inline\n          script: kubectl get pods\n      - task: Bash@3\n        inputs:\n          filePath: scripts/run.sh\n";
    let m = model("azure-pipelines", src);
    let argv: Vec<String> = m
        .commands
        .iter()
        .map(|c| c.command.argv.join(" "))
        .collect();
    // A task's script file is the command that runs it (so the script's callers know the job).
    assert_eq!(
        argv,
        vec![
            "terraform init",
            "pytest tests/infra",
            "kubectl get pods",
            "scripts/run.sh"
        ]
    );
    assert!(m.jobs[0].test_commands == vec![1]);
    let span = m.commands[1].command.span;
    assert_eq!(&src[span.start..span.end], "pytest tests/infra");
}

#[test]
fn environment_stages_name_the_target_of_their_jobs() {
    let src = "stages:\n  - stage: Production\n    jobs:\n      - job: SmokeTests\n        steps:\n          - script: npx playwright test\n      - job: DeployDev\n        steps:\n          - script: ./deploy.sh dev\n  - stage: Test\n    jobs:\n      - job: IntegrationTests\n        steps:\n          - script: dotnet test\n      - job: Lint\n        steps:\n          - script: make lint\n";
    let m = model("azure-pipelines", src);
    let envs: Vec<(&str, Option<Env>, bool)> = m
        .jobs
        .iter()
        .map(|j| (j.id.as_str(), j.env, j.test))
        .collect();
    assert_eq!(
        envs,
        vec![
            ("SmokeTests", Some(Env::Prod), true),
            ("DeployDev", Some(Env::Dev), false),
            ("IntegrationTests", Some(Env::Test), true),
            ("Lint", None, true),
        ]
    );
}

#[test]
fn azure_pipeline_and_stage_variables_reach_their_jobs() {
    let src = "variables:\n  - group: shared-tools\nstages:\n  - stage: Test\n    variables:\n      - group: prod-secrets\n      - name: SPRING_PROFILES_ACTIVE\n        value: prod\n      - name: DB\n        value: $(ProdDbUrl)\n    jobs:\n      - job: Verify\n        variables:\n          LOG_LEVEL: debug\n        steps:\n          - script: mvn verify\n  - stage: Other\n    jobs:\n      - job: Lint\n        steps:\n          - script: make lint\n";
    let m = model("azure-pipelines", src);
    let verify = job(&m, "Verify");
    let groups: Vec<&str> = verify.contexts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(groups, vec!["shared-tools", "prod-secrets"]);
    assert_eq!(
        verify.contexts[1].path,
        vec![
            json!("stages"),
            json!(0),
            json!("variables"),
            json!(0),
            json!("group")
        ]
    );
    let vars: Vec<(&str, &Json)> = verify
        .variables
        .iter()
        .map(|v| (v.name.as_str(), &v.value))
        .collect();
    assert_eq!(
        vars,
        vec![
            ("SPRING_PROFILES_ACTIVE", &json!("prod")),
            ("DB", &json!("$(ProdDbUrl)")),
            ("LOG_LEVEL", &json!("debug"))
        ]
    );
    assert_eq!(
        verify
            .secrets
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        vec!["ProdDbUrl"]
    );
    let lint = job(&m, "Lint");
    assert_eq!(
        lint.contexts
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        vec!["shared-tools"]
    );
    assert!(lint.variables.is_empty() && lint.secrets.is_empty());
}

#[test]
fn circleci_orb_jobs_are_jobs_with_their_own_contexts() {
    let src = "version: 2.1\norbs:\n  node: circleci/node@5.1.0\nworkflows:\n  ci:\n    jobs:\n      - node/test:\n          context: production\n      - node/test:\n          name: test-staging\n          context: [staging-aws]\n      - aws-ecr/build-and-push-image:\n          context: prod-aws\n";
    let m = model("circleci", src);
    let ids: Vec<(&str, &str, bool)> = m
        .jobs
        .iter()
        .map(|j| (j.id.as_str(), j.name.as_str(), j.test))
        .collect();
    assert_eq!(
        ids,
        vec![
            ("node/test", "node/test", true),
            ("node/test", "test-staging", true),
            (
                "aws-ecr/build-and-push-image",
                "aws-ecr/build-and-push-image",
                false
            )
        ]
    );
    let contexts: Vec<&str> = m.jobs[1].contexts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(contexts, vec!["staging-aws"]);
    assert_eq!(
        m.jobs[0].contexts[0].path,
        vec![
            json!("workflows"),
            json!("ci"),
            json!("jobs"),
            json!(0),
            json!("node/test"),
            json!("context")
        ]
    );
}

#[test]
fn bitbucket_stage_deployment_and_name_hold_for_its_steps() {
    let src = "pipelines:\n  branches:\n    main:\n      - stage:\n          name: Deploy to production\n          deployment: production\n          steps:\n            - step:\n                name: Smoke tests\n                script: [npm run test:smoke]\n      - step:\n          name: Notify\n          script: [./notify.sh]\n";
    let m = model("bitbucket-pipelines", src);
    let smoke = job(&m, "Smoke tests");
    assert_eq!(smoke.environment.as_deref(), Some("production"));
    assert_eq!(smoke.stage.as_deref(), Some("Deploy to production"));
    assert_eq!(smoke.env, Some(Env::Prod));
    let notify = job(&m, "Notify");
    assert!(notify.environment.is_none() && notify.stage.is_none());
}

#[test]
fn buildkite_group_steps_are_jobs() {
    let src = "steps:\n  - group: Tests\n    steps:\n      - label: rspec\n        command: bundle exec rspec\n        env:\n          DATABASE_URL: $PROD_DATABASE_URL\n  - wait\n  - label: deploy\n    command: bin/deploy\n";
    let m = model("buildkite", src);
    let rspec = job(&m, "rspec");
    assert!(rspec.test);
    assert_eq!(
        rspec.path,
        vec![json!("steps"), json!(0), json!("steps"), json!(0)]
    );
    assert_eq!(rspec.secrets[0].name, "PROD_DATABASE_URL");
    assert_eq!(m.commands[0].command.argv, vec!["bundle", "exec", "rspec"]);
    assert!(!job(&m, "deploy").test);
}

#[test]
fn buildkite_pipeline_env_reaches_every_step() {
    let src = "env:\n  RAILS_ENV: production\n  TOKEN: $PROD_TOKEN\nsteps:\n  - label: specs\n    command: bundle exec rspec\n    env:\n      CI_NODE: \"1\"\n";
    let m = model("buildkite", src);
    let names: Vec<&str> = m.jobs[0]
        .variables
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(names, vec!["RAILS_ENV", "TOKEN", "CI_NODE"]);
    assert_eq!(m.jobs[0].secrets[0].name, "PROD_TOKEN");
    assert_eq!(
        m.jobs[0].secrets[0].path,
        vec![json!("env"), json!("TOKEN")]
    );
}

fn jenkins(text: &str) -> CiModel {
    let doc = crate::parse::groovy::parse_jenkinsfile(text).expect("parses");
    ci_model("jenkins", &doc, text, "Jenkinsfile", &Linked::default())
}

#[test]
fn jenkins_stages_are_jobs_with_bound_credentials() {
    let text = "pipeline {\n  agent any\n  triggers { cron('H 2 * * *') }\n  environment {\n    DB_URL = credentials('orders-db-prod')\n    APP_ENV = 'ci'\n  }\n  stages {\n    stage('Integration tests') {\n      when { changeRequest() }\n      steps {\n        withCredentials([usernamePassword(credentialsId: 'nexus', usernameVariable: 'U', passwordVariable: 'P')]) {\n          sh './gradlew integrationTest'\n        }\n      }\n    }\n    stage('Deploy') {\n      stages {\n        stage('production') {\n          steps {\n            withAWS(credentials: 'aws-deployer', region: 'eu-west-1') { sh 'terraform apply -auto-approve' }\n          }\n        }\n      }\n    }\n  }\n}\n";
    let m = jenkins(text);
    let it = job(&m, "Integration tests");
    assert!(it.test && it.scheduled);
    assert_eq!(it.triggers, ["pull_request"]);
    let names: Vec<(&str, Option<&str>)> = (it.secrets.iter())
        .map(|s| (s.name.as_str(), s.variable.as_deref()))
        .collect();
    assert_eq!(
        names,
        [("orders-db-prod", Some("DB_URL")), ("nexus", Some("P"))]
    );
    assert_eq!(it.secrets[0].env, Some(Env::Prod));
    let span = it.secrets[0].span;
    assert_eq!(&text[span[0]..span[1]], "orders-db-prod");
    assert_eq!(it.variables[0].name, "APP_ENV");
    let production = job(&m, "production");
    assert_eq!(production.stage.as_deref(), Some("Deploy"));
    assert_eq!(production.env, Some(Env::Prod));
    assert!(production.secrets.iter().any(|s| s.name == "aws-deployer"));
    let commands: Vec<(Option<usize>, &str)> = (m.commands.iter())
        .map(|c| (c.job, c.command.argv[0].as_str()))
        .collect();
    assert_eq!(commands, [(Some(0), "./gradlew"), (Some(1), "terraform")]);
}

#[test]
fn package_scripts_are_jobs_and_env_file_loaders_run_their_tests() {
    let text = "{\n  \"scripts\": {\n    \"build\": \"next build\",\n    \"test:contract\": \"STRIPE_API_KEY=$STRIPE_LIVE_SECRET_KEY vitest run tests/contract\",\n    \"test:e2e\": \"dotenv -e .env.production -- playwright test\"\n  }\n}\n";
    let doc = crate::parse::json::parse_json(text)
        .expect("parses")
        .expect("a document");
    let m = ci_model(
        "package-json",
        &doc,
        text,
        "package.json",
        &Linked::default(),
    );
    assert!(!job(&m, "build").test);
    let contract = job(&m, "test:contract");
    assert!(contract.test);
    assert_eq!(contract.secrets[0].name, "STRIPE_LIVE_SECRET_KEY");
    assert_eq!(contract.secrets[0].env, Some(Env::Prod));
    let e2e = job(&m, "test:e2e");
    assert!(
        e2e.test_reasons
            .iter()
            .any(|r| r == "runs `playwright test`"),
        "{:?}",
        e2e.test_reasons
    );
}

#[test]
fn build_lifecycle_tasks_run_tests_unless_told_to_skip_them() {
    let src = "on: push\njobs:\n  gradle:\n    steps:\n      - run: ./gradlew check --no-daemon\n  maven:\n    steps:\n      - run: mvn -B package\n  skipped:\n    steps:\n      - run: ./mvnw -B install -DskipTests\n  assemble:\n    steps:\n      - run: ./gradlew build -x test\n  verify:\n    steps:\n      - run: gradle integrationTest\n";
    let m = model("github-actions", src);
    assert_eq!(job(&m, "gradle").test_reasons, ["runs `gradlew check`"]);
    assert_eq!(job(&m, "maven").test_reasons, ["runs `mvn package`"]);
    assert_eq!(
        job(&m, "verify").test_reasons,
        ["runs `gradle integrationTest`"]
    );
    assert!(!job(&m, "skipped").test && !job(&m, "assemble").test);
}

#[test]
fn secret_store_reads_are_secrets_of_their_job() {
    let src = "on: pull_request\njobs:\n  e2e:\n    steps:\n      - run: |\n          export STRIPE_KEY=$(aws ssm get-parameter --name /shop/prod/stripe_key --with-decryption --query Parameter.Value --output text)\n          DB=$(aws secretsmanager get-secret-value --secret-id \"staging/orders/db\" --query SecretString)\n          gcloud secrets versions access latest --secret=api-key-prod\n          vault kv get -field=password secret/prod/db\n          aws ssm get-parameter --name \"$PARAM\"\n          npx playwright test\n";
    let m = model("github-actions", src);
    let secrets: Vec<(&str, Option<Env>, &str)> = m.jobs[0]
        .secrets
        .iter()
        .map(|s| (s.name.as_str(), s.env, &src[s.span[0]..s.span[1]]))
        .collect();
    assert_eq!(
        secrets,
        [
            (
                "/shop/prod/stripe_key",
                Some(Env::Prod),
                "/shop/prod/stripe_key"
            ),
            (
                "staging/orders/db",
                Some(Env::Staging),
                "\"staging/orders/db\""
            ),
            ("api-key-prod", Some(Env::Prod), "--secret=api-key-prod"),
            ("secret/prod/db", Some(Env::Prod), "secret/prod/db"),
        ]
    );
}

#[test]
fn circleci_invocations_run_the_defined_job_in_their_own_environment() {
    let src = "version: 2.1\njobs:\n  e2e:\n    parameters:\n      target: {type: string}\n    steps:\n      - run: npx playwright test --project << parameters.target >>\n  deploy:\n    parameters:\n      env: {type: string}\n    steps:\n      - run: ./deploy.sh $DEPLOY_ROLE_ARN\nworkflows:\n  main:\n    jobs:\n      - e2e:\n          target: production\n          context: shared\n      - deploy:\n          name: ship-<< matrix.env >>\n          matrix:\n            parameters:\n              env: [staging, production]\n          context: aws-deploy\n";
    let m = model("circleci", src);
    let summary: Vec<(&str, Option<Env>, bool, bool, usize)> = (m.jobs.iter())
        .map(|j| (j.id.as_str(), j.env, j.test, j.deploy, j.contexts.len()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("e2e", Some(Env::Test), true, false, 0),
            ("deploy", None, false, true, 0),
            ("e2e", Some(Env::Prod), true, false, 1),
            ("ship-staging", Some(Env::Staging), false, true, 1),
            ("ship-production", Some(Env::Prod), false, true, 1),
        ]
    );
    // The definition's secrets are the invocation's, located where the definition reads them.
    let staging = job(&m, "ship-staging");
    assert_eq!(staging.secrets[0].name, "DEPLOY_ROLE_ARN");
    assert_eq!(staging.secrets[0].path, job(&m, "deploy").secrets[0].path);
    assert_eq!(
        staging.path[..4],
        [key("workflows"), key("main"), key("jobs"), json!(1)]
    );
    // Commands stay with the definition, so each is reported once.
    assert!(m.commands.iter().all(|c| c.job.is_some_and(|j| j < 2)));
}

#[test]
fn a_deploy_targets_the_environment_its_variables_and_flags_select() {
    let src = "jobs:\n  publish:\n    env:\n      DEPLOY_ENV: staging\n    steps:\n      - run: ./ship.sh\n  promote:\n    steps:\n      - run: gcloud run deploy web --set-env-vars=LOG=info,APP_ENV=production\n  rollout:\n    steps:\n      - run: serverless deploy --stage prod && serverless deploy --stage dev\n  release:\n    steps:\n      - run: NODE_ENV=production npm run build && ./release.sh\n";
    let m = model("github-actions", src);
    assert_eq!(job(&m, "publish").env, Some(Env::Staging));
    assert_eq!(job(&m, "promote").env, Some(Env::Prod));
    // Two targets in one job, or a build mode, say no one environment.
    assert_eq!(job(&m, "rollout").env, None);
    assert_eq!(job(&m, "release").env, None);
}

#[test]
fn cloud_build_steps_have_the_substitutions_they_use() {
    let src = "substitutions:\n  _PROJECT_ID: acme-web\n  _REGION: eu\nsteps:\n  - id: unit\n    name: node\n    entrypoint: npm\n    args: [test]\n  - id: deploy\n    name: gcr.io/cloud-builders/gcloud\n    args: [run, deploy, web, '--project=${_PROJECT_ID}', --region=$_REGION]\n";
    let docs = parse_yaml(src).expect("parses");
    let m = ci_model(
        "cloud-build",
        &docs[0],
        src,
        "cloudbuild.yaml",
        &Linked::default(),
    );
    let names = |id: &str| -> Vec<String> {
        job(&m, id)
            .variables
            .iter()
            .map(|v| v.name.clone())
            .collect()
    };
    assert!(names("unit").is_empty());
    assert_eq!(names("deploy"), ["_PROJECT_ID", "_REGION"]);
}

#[test]
fn literal_values_a_script_exports_are_job_variables() {
    let src = "jobs:\n  deploy:\n    steps:\n      - run: |\n          export AWS_ROLE_ARN=arn:aws:iam::111111111111:role/deploy REGION=eu-west-1\n          STAGE=prod\n          export TOKEN=$(vault read -field=t x) DIR=\"$HOME/x\"\n          FOO=1 ./run.sh\n";
    let m = model("github-actions", src);
    let set: Vec<(&str, &str)> = (job(&m, "deploy").variables.iter())
        .map(|v| (v.name.as_str(), v.value.as_str().unwrap_or_default()))
        .collect();
    // Computed values and a command's own prefix (`FOO=1 ./run.sh`) are not the job's.
    assert_eq!(
        set,
        [
            ("AWS_ROLE_ARN", "arn:aws:iam::111111111111:role/deploy"),
            ("REGION", "eu-west-1"),
            ("STAGE", "prod")
        ]
    );
    let role = &job(&m, "deploy").variables[0];
    let span = role.span.expect("located at the assignment");
    assert_eq!(
        &src[span[0]..span[1]],
        "AWS_ROLE_ARN=arn:aws:iam::111111111111:role/deploy"
    );
}

#[test]
fn circleci_reusable_commands_run_in_the_invoking_job_with_its_parameters() {
    let src = "version: 2.1\ncommands:\n  env-pull:\n    parameters:\n      environment: {type: string, default: preview}\n    steps:\n      - run: npx vercel@34 pull --yes --environment=<< parameters.environment >>\n  pull-prod:\n    steps:\n      - env-pull:\n          environment: production\njobs:\n  e2e:\n    steps:\n      - env-pull\n      - pull-prod\n      - run: npx playwright test\nworkflows:\n  ci:\n    jobs: [e2e]\n";
    let m = model("circleci", src);
    let argv: Vec<String> = (m.commands.iter())
        .filter(|c| c.command.argv.get(2).is_some_and(|w| w == "pull"))
        .map(|c| c.command.argv[4].clone())
        .collect();
    assert_eq!(argv, ["--environment=preview", "--environment=production"]);
    // The pulled environments are read by the job, located at the invoking step.
    let e2e = job(&m, "e2e");
    let pulled: Vec<(&str, Option<Env>)> = (e2e.secrets.iter())
        .map(|s| (s.name.as_str(), s.env))
        .collect();
    assert_eq!(
        pulled,
        [
            ("vercel preview environment", None),
            ("vercel production environment", Some(Env::Prod))
        ]
    );
    let at = &e2e.secrets[1];
    assert_eq!(&src[at.span[0]..at.span[1]], "pull-prod");
}

#[test]
fn environment_pulls_of_hosted_env_tools_are_secret_reads() {
    let src = "jobs:\n  it:\n    steps:\n      - run: |\n          doppler run --config prd -- npm test\n          infisical export --env=staging > .env\n          railway run --environment production -- pytest\n          vercel deploy --prod\n          doppler run -- ./x --config prd\n";
    let m = model("github-actions", src);
    let names: Vec<&str> = job(&m, "it")
        .secrets
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "doppler prd environment",
            "infisical staging environment",
            "railway production environment"
        ]
    );
}

#[test]
fn gitlab_references_to_included_templates_bring_their_variables() {
    let root = "include:\n  - local: ci/shared.gitlab-ci.yml\n  - local: ci/envs.yml\nplan:\n  extends: .tf\n  environment: staging\n  script: [gitlab-terraform plan]\nintegration:\n  stage: test\n  variables: !reference [.env:production, variables]\n  script: [pytest tests/integration]\nranking-tests:\n  stage: test\n  variables:\n    DB: !reference [.env:production, variables, DB_PASSWORD]\n  script: [pytest tests/ranking]\n";
    let shared = ".tf:\n  variables:\n    TF_STATE_NAME: network\n.tf:apply:\n  extends: .tf\n";
    let envs = ".env:production:\n  variables:\n    APP_ENV: production\n    DB_PASSWORD: $PRODUCTION_DB_PASSWORD\n";
    let files = [
        (".gitlab-ci.yml", root),
        ("ci/shared.gitlab-ci.yml", shared),
        ("ci/envs.yml", envs),
    ];
    let linked = gitlab_pipeline(&files);
    // A file named like a pipeline that the root includes is part of the root's pipeline.
    assert!(linked.gitlab.is_included("ci/shared.gitlab-ci.yml"));
    let docs = parse_yaml(root).expect("parses");
    let m = ci_model("gitlab-ci", &docs[0], root, ".gitlab-ci.yml", &linked);
    assert_eq!(job(&m, "plan").variables[0].name, "TF_STATE_NAME");
    let it = job(&m, "integration");
    let names: Vec<&str> = it.variables.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["APP_ENV", "DB_PASSWORD"]);
    let secret = &it.secrets[0];
    assert_eq!(secret.name, "PRODUCTION_DB_PASSWORD");
    assert_eq!(
        &root[secret.span[0]..secret.span[1]],
        "!reference [.env:production, variables]"
    );
    assert_eq!(
        secret.origin.as_ref().map(|o| (o.file.as_str(), o.line)),
        Some(("ci/envs.yml", 4))
    );
    // One variable's reference: its value, and the secret it reads at the reference.
    let ranking = job(&m, "ranking-tests");
    assert_eq!(ranking.variables[0].value, json!("$PRODUCTION_DB_PASSWORD"));
    let read = &ranking.secrets[0];
    assert_eq!(read.name, "PRODUCTION_DB_PASSWORD");
    assert_eq!(
        &root[read.span[0]..read.span[1]],
        "!reference [.env:production, variables, DB_PASSWORD]"
    );
}

#[test]
fn matrix_selected_secrets_are_each_secret_the_matrix_names() {
    let src = "on: push\njobs:\n  it:\n    strategy:\n      matrix:\n        prefix: [DEV]\n        include:\n          - prefix: PROD\n        key: [SHARED_TOKEN]\n    steps:\n      - run: pytest\n        env:\n          A: ${{ secrets[format('{0}_API_TOKEN', matrix.prefix)] }}\n          B: ${{ secrets[matrix.key] }}\n";
    let m = model("github-actions", src);
    let it = job(&m, "it");
    let names: Vec<(&str, Option<Env>)> = (it.secrets.iter())
        .map(|s| (s.name.as_str(), s.env))
        .collect();
    assert_eq!(
        names,
        [
            ("DEV_API_TOKEN", Some(Env::Dev)),
            ("PROD_API_TOKEN", Some(Env::Prod)),
            ("SHARED_TOKEN", None)
        ]
    );
    let at = it.secrets[1].span;
    assert_eq!(
        &src[at[0]..at[1]],
        "secrets[format('{0}_API_TOKEN', matrix.prefix)]"
    );
}

#[test]
fn cloud_build_configs_are_read_by_name_or_directory() {
    use crate::model::classify::classify;
    use crate::parse::Format;
    let doc = &parse_yaml("steps:\n  - name: node\n    args: [test]\n").unwrap()[0];
    let other = &parse_yaml("steps: 3\n").unwrap()[0];
    assert_eq!(
        classify("cloudbuild-release.yaml", Format::Yaml, doc),
        "cloud-build"
    );
    assert_eq!(
        classify("cloudbuild/pr.yaml", Format::Yaml, doc),
        "cloud-build"
    );
    assert_eq!(
        classify("svc/cloudbuild/deploy.yaml", Format::Yaml, doc),
        "cloud-build"
    );
    assert_eq!(classify("cloudbuild/pr.yaml", Format::Yaml, other), "yaml");
    assert_eq!(classify("ci/pr.yaml", Format::Yaml, doc), "yaml");
}

#[test]
fn github_matrix_legs_deploy_to_the_environment_their_value_names() {
    let src = "on: push\njobs:\n  deploy:\n    strategy:\n      matrix:\n        target: [staging, production]\n    environment:\n      name: ${{ matrix.target }}\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: ${{ secrets.DEPLOY_ROLE }}\n      - run: ./deploy.sh\n";
    let m = model("github-actions", src);
    let legs: Vec<String> = (m.jobs.iter())
        .map(|j| {
            let environment = j.environment.as_deref().unwrap_or_default();
            format!(
                "{} | {environment} | {:?} | {} steps",
                j.id,
                j.env,
                j.steps.len()
            )
        })
        .collect();
    assert_eq!(
        legs,
        [
            "deploy | ${{ matrix.target }} | None | 2 steps",
            "deploy (staging) | staging | Some(Staging) | 2 steps",
            "deploy (production) | production | Some(Prod) | 2 steps"
        ]
    );
    assert!(m.jobs.iter().all(|j| j.secrets.len() == 1));
    // The legs' commands stay with the job that writes them.
    assert!(m.commands.iter().all(|c| c.job == Some(0)));
}
