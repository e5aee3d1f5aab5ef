//! Test, deploy and environment inference shared by every CI system.

use super::Job;
use crate::model::environment::{env_of_name, words, Env};
use crate::model::script::ModelCommand;

pub(crate) const TEST_WORDS: &[&str] = &[
    "test",
    "tests",
    "testing",
    "e2e",
    "integration",
    "spec",
    "specs",
    "unit",
    "unittest",
    "rspec",
    "pytest",
    "jest",
    "cypress",
    "playwright",
    "acceptance",
    "functional",
];
const DEPLOY_WORDS: &[&str] = &[
    "deploy",
    "deployment",
    "release",
    "publish",
    "promote",
    "rollout",
    "ship",
    "provision",
    "apply",
];
/// Pull-request jobs that are not tests by their trigger alone.
const NON_TEST_PR_WORDS: &[&str] = &["plan", "preview", "diff", "label", "labeler", "triage"];
const PR_TRIGGERS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "merge_request_event",
    "merge_group",
];

/// Named for a deploy or release (`deploy-prod`, `Release`), whatever it declares.
pub(super) fn named_deploy(job: &Job) -> bool {
    (words(&job.id).into_iter().chain(words(&job.name))).any(|w| DEPLOY_WORDS.contains(&w.as_str()))
}

/// Test, deploy and environment inference shared by every CI system.
pub(super) fn infer_contexts(job: &mut Job) {
    let name_words: Vec<String> = words(&job.id).into_iter().chain(words(&job.name)).collect();
    let env_from_key = job.environment.as_deref().and_then(env_of_name);
    let name_env = env_of_name(&job.id).or_else(|| env_of_name(&job.name));
    // A stage named for an environment (Azure `Production`, GitLab `staging`) is where its
    // jobs run against, unless their own names say where; `test` in a name or stage says
    // what a job does, not where (`SmokeTests` in stage `Production` checks production).
    let stage_env = job
        .stage
        .as_deref()
        .and_then(env_of_name)
        .filter(|e| *e != Env::Test);
    job.env = env_from_key.or(match name_env {
        None | Some(Env::Test) => stage_env.or(name_env),
        named => named,
    });
    job.deploy = job.environment.is_some() || named_deploy(job);

    if name_words.iter().any(|w| TEST_WORDS.contains(&w.as_str())) {
        job.test_reasons.push(format!("job name `{}`", job.name));
    }
    if let Some(stage) = &job.stage {
        if words(stage)
            .iter()
            .any(|w| TEST_WORDS.contains(&w.as_str()))
        {
            job.test_reasons.push(format!("stage `{stage}`"));
        }
    }
    // A pull-request trigger alone makes checks tests, not previews, plans or deploys
    // (`terraform plan` on a pull request is not a test suite).
    let not_a_check = job.deploy
        || name_words
            .iter()
            .any(|w| NON_TEST_PR_WORDS.contains(&w.as_str()));
    if !not_a_check
        && !job.triggers.is_empty()
        && job
            .triggers
            .iter()
            .all(|t| PR_TRIGGERS.contains(&t.as_str()))
    {
        job.test_reasons
            .push(format!("triggered by `{}`", job.triggers.join("`, `")));
    }
    // An explicit deployment environment that is not a test one makes it a deploy, not a test.
    let deploys_to_non_test = env_from_key.is_some_and(|e| e != Env::Test);
    job.test = !job.test_reasons.is_empty() && !deploys_to_non_test;
    if env_from_key == Some(Env::Test) && job.test_reasons.is_empty() {
        job.test_reasons.push(format!(
            "environment `{}`",
            job.environment.as_deref().unwrap_or_default()
        ));
        job.test = true;
    }
}

/// Invocations of a defined job run its secrets, variables and tests: they are tests when
/// it is, unless they deploy, and target the environment their name, its name or a passed
/// parameter names.
pub(super) fn run_definitions(jobs: &mut [Job]) {
    for i in 0..jobs.len() {
        let Some(invokes) = jobs[i].invokes else {
            continue;
        };
        let Some(definition) = jobs
            .get(invokes.definition)
            .filter(|_| invokes.definition != i)
        else {
            continue;
        };
        let steps = definition.steps.clone();
        let secrets = definition.secrets.clone();
        let variables = definition.variables.clone();
        let reasons = definition.test_reasons.clone();
        let (env, deploy, triggers) = (
            definition.env,
            definition.deploy,
            definition.triggers.clone(),
        );
        let job = &mut jobs[i];
        if job.steps.is_empty() {
            job.steps = steps;
        }
        job.secrets.extend(secrets);
        job.variables.extend(variables);
        if job.triggers.is_empty() {
            job.triggers = triggers;
        }
        // As with stages, a test word in a name says what the job does, not where.
        job.env = match job.env {
            Some(named) if named != Env::Test => Some(named),
            named => invokes.passed_env.or(named).or(env),
        };
        job.deploy |= deploy;
        for reason in reasons {
            if !job.test_reasons.contains(&reason) {
                job.test_reasons.push(reason);
            }
        }
        job.test = !job.test_reasons.is_empty() && !job.deploy;
    }
}

/// Variables and flags that select the environment a deploy targets, without a leading `_`
/// (Cloud Build substitutions) or `--`. `NODE_ENV`/`RAILS_ENV` are not among them: staging
/// runs production builds.
const TARGET_SELECTORS: &[&str] = &[
    "ENV",
    "ENVIRONMENT",
    "APP_ENV",
    "APP_ENVIRONMENT",
    "DEPLOY_ENV",
    "DEPLOY_ENVIRONMENT",
    "TARGET_ENV",
    "TARGET_ENVIRONMENT",
    "STAGE",
    "DEPLOY_STAGE",
    "TF_WORKSPACE",
    "PULUMI_STACK",
];

fn is_target_selector(name: &str) -> bool {
    let name = name.trim_start_matches(['_', '-']).replace('-', "_");
    TARGET_SELECTORS.contains(&name.to_ascii_uppercase().as_str())
}

/// A deploy job whose name and environment say nowhere deploys where its variables and
/// commands select (`APP_ENV: staging`, `--set-env-vars=APP_ENV=production`,
/// `--stage prod`), when all of those that name an environment agree.
pub(super) fn deploy_targets(jobs: &mut [Job], commands: &[ModelCommand]) {
    let mut named: Vec<Vec<Env>> = vec![Vec::new(); jobs.len()];
    for (j, job) in jobs.iter().enumerate() {
        for variable in &job.variables {
            if let (true, Some(value)) =
                (is_target_selector(&variable.name), variable.value.as_str())
            {
                named[j].extend(env_of_name(value));
            }
        }
    }
    for command in commands {
        let Some(j) = command.job.filter(|&j| j < jobs.len()) else {
            continue;
        };
        let argv = &command.command.argv;
        for (i, word) in argv.iter().enumerate() {
            // `--stage prod`, `--environment=production`, `APP_ENV=staging`, and the
            // pairs of `--set-env-vars=APP_ENV=staging,REGION=eu`.
            if word.starts_with("--") && !word.contains('=') && is_target_selector(word) {
                named[j].extend(argv.get(i + 1).and_then(|v| env_of_name(v)));
                continue;
            }
            for part in word.split([',', ' ']) {
                let Some((left, value)) = part.rsplit_once('=') else {
                    continue;
                };
                if is_target_selector(left.rsplit('=').next().unwrap_or(left)) {
                    named[j].extend(env_of_name(value));
                }
            }
        }
    }
    for (job, envs) in jobs.iter_mut().zip(named) {
        if !job.deploy || job.env.is_some() {
            continue;
        }
        if let Some((first, rest)) = envs.split_first() {
            if rest.iter().all(|e| e == first) {
                job.env = Some(*first);
            }
        }
    }
}

/// Marks jobs that run test commands (`pytest`, `go test`, …); called once commands exist.
pub(super) fn mark_test_runners(jobs: &mut [Job], commands: &[ModelCommand]) {
    for (c, command) in commands.iter().enumerate() {
        let Some(job) = command.job.and_then(|j| jobs.get_mut(j)) else {
            continue;
        };
        if let Some(runner) = test_runner(&command.command.argv) {
            job.test_commands.push(c);
            let reason = format!("runs `{runner}`");
            if !job.test_reasons.contains(&reason) {
                job.test_reasons.push(reason);
            }
            let deploys_to_non_test = job
                .environment
                .as_deref()
                .and_then(env_of_name)
                .is_some_and(|e| e != Env::Test);
            job.test = !deploys_to_non_test && !job.deploy;
        }
    }
}

/// `-x test`, `-DskipTests`, `-Dmaven.test.skip=true`: a build told not to run its tests.
fn skips_tests(args: &[&str]) -> bool {
    args.windows(2).any(|w| w == ["-x", "test"])
        || args
            .iter()
            .any(|a| a.starts_with("-DskipTests") || a.starts_with("-Dmaven.test.skip"))
}

/// The test runner an argv invokes, if it is one.
fn test_runner(argv: &[String]) -> Option<String> {
    let mut args: Vec<&str> = argv.iter().map(String::as_str).collect();
    // `dotenv -e .env.test -- playwright test`, `env-cmd -f .env.ci jest`: an env-file
    // loader runs what follows its options.
    if matches!(args.first(), Some(&("dotenv" | "env-cmd" | "dotenvx"))) {
        let rest = match args.iter().position(|a| *a == "--") {
            Some(dashes) => dashes + 1,
            None => (1..args.len())
                .find(|&i| {
                    !args[i].starts_with('-') && !args[i - 1].starts_with('-') && args[i] != "run"
                })
                .unwrap_or(args.len()),
        };
        args.drain(..rest);
    }
    while let Some(first) = args.first() {
        if matches!(
            *first,
            "sudo" | "env" | "bundle" | "poetry" | "pipenv" | "uv" | "npx" | "pnpx" | "time"
        ) || first.contains('=')
        {
            args.remove(0);
            if args.first() == Some(&"exec") || args.first() == Some(&"run") {
                args.remove(0);
            }
        } else {
            break;
        }
    }
    let program = args.first()?.rsplit('/').next()?;
    let sub = args.get(1).copied().unwrap_or("");
    let runner = match program {
        "pytest" | "py.test" | "rspec" | "jest" | "vitest" | "mocha" | "phpunit" | "tox"
        | "nox" | "ctest" | "karma" => program.to_owned(),
        "go" | "cargo" | "dotnet" | "mix" | "swift" if sub == "test" => format!("{program} test"),
        "npm" | "yarn" | "pnpm" | "bun"
            if sub == "test"
                || (sub == "run" && args.get(2).is_some_and(|s| s.starts_with("test"))) =>
        {
            format!("{program} test")
        }
        // Maven's and Gradle's lifecycle tasks past `test` run the tests too, unless skipped.
        "mvn" | "mvnw" | "gradle" | "gradlew" if !skips_tests(&args) => {
            let task = args.iter().skip(1).find(|a| {
                matches!(
                    **a,
                    "test" | "verify" | "package" | "install" | "check" | "build"
                ) || a.ends_with("test")
                    || a.ends_with("Test")
            })?;
            format!("{program} {task}")
        }
        "make"
            if args
                .iter()
                .skip(1)
                .any(|a| a.starts_with("test") || *a == "check") =>
        {
            "make test".to_owned()
        }
        "python" | "python3"
            if args
                .windows(2)
                .any(|w| w == ["-m", "pytest"] || w == ["-m", "unittest"]) =>
        {
            "python -m pytest".to_owned()
        }
        "cypress" if sub == "run" => "cypress run".to_owned(),
        "playwright" if sub == "test" => "playwright test".to_owned(),
        _ => return None,
    };
    Some(runner)
}
