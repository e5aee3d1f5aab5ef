//! The job model every CI system is read into.

use serde::Serialize;
use serde_json::Value as Json;

use crate::model::environment::Env;
use crate::model::identities::Identity;
use crate::model::script::ModelCommand;

#[derive(Debug, Default, Serialize)]
pub struct Job {
    pub id: String,
    pub name: String,
    /// Content path of the job's mapping.
    pub path: Vec<Json>,
    /// Where a job without a content path is declared (a Makefile rule's targets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<[usize; 2]>,
    /// The raw `environment:` name, when declared.
    pub environment: Option<String>,
    /// The deployment environment this job targets: from `environment:`, else its name.
    pub env: Option<Env>,
    /// A test context: runs tests, is named or staged as a test, or is triggered only by pull requests.
    pub test: bool,
    pub test_reasons: Vec<String>,
    /// Indices into `input.commands` of the test-runner invocations this job makes.
    pub test_commands: Vec<usize>,
    /// Deploys or releases: declares an environment or is named deploy/release/publish.
    pub deploy: bool,
    /// Runs unattended on a schedule (cron).
    pub scheduled: bool,
    pub triggers: Vec<String>,
    pub needs: Vec<String>,
    pub stage: Option<String>,
    pub steps: Vec<Step>,
    /// Secrets and CI variables referenced by the job (`${{ secrets.X }}`, `$X`).
    pub secrets: Vec<SecretRef>,
    /// Variables the job sets (`env:`, `variables:`), own or inherited.
    pub variables: Vec<Variable>,
    /// CircleCI contexts / Azure variable groups attached to the job.
    pub contexts: Vec<Reference>,
    /// IAM roles and service accounts written anywhere in the job's configuration (a
    /// plugin's `service-account:`, a role in a login step).
    pub identities: Vec<Identity>,
    /// The defined job this one runs, when it is one of several invocations of it.
    #[serde(skip)]
    pub invokes: Option<Invocation>,
}

/// A workflow's invocation of a job defined once (a CircleCI workflow entry that renames
/// the job, passes it parameters or expands a matrix): it runs the definition's steps,
/// secrets and tests in its own environment and with its own contexts.
#[derive(Clone, Copy, Debug)]
pub struct Invocation {
    /// Index of the defined job in `input.jobs`.
    pub definition: usize,
    /// The environment a passed parameter names (`environment_name: staging`).
    pub passed_env: Option<Env>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Step {
    pub path: Vec<Json>,
    pub name: Option<String>,
    pub uses: Option<String>,
    pub with: Json,
}

#[derive(Clone, Debug, Serialize)]
pub struct SecretRef {
    pub name: String,
    /// Content path of the scalar that references it.
    pub path: Vec<Json>,
    /// Exact byte span of the reference (e.g. `secrets.PROD_DB_URL`).
    pub span: [usize; 2],
    pub env: Option<Env>,
    /// The variable a secret store binds the secret to, when `name` is the secret's own
    /// id (CodeBuild `env.secrets-manager`, Cloud Build `secretEnv`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
    /// Where an inherited reference is written when that is another file (a GitLab
    /// template from `include: local`); `path`/`span` then name the job's `extends:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Variable {
    pub name: String,
    pub value: Json,
    pub path: Vec<Json>,
    /// Exact byte span of the assignment, when it is part of a script (`export X=1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<[usize; 2]>,
    pub env: Option<Env>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// A location in another file.
#[derive(Clone, Debug, Serialize)]
pub struct Origin {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub span: [usize; 2],
}

#[derive(Clone, Debug, Serialize)]
pub struct Reference {
    pub name: String,
    pub path: Vec<Json>,
    pub env: Option<Env>,
    /// What the CI system calls it: `context`, `variable group`, `service connection`, or
    /// `environment` when a template binds the deployment environment to a passed value.
    pub via: &'static str,
    /// Where the binding is written when that is another file: a template's
    /// `group: ${{ parameters.variableGroup }}`, `path` then naming the value passed to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// What a CI document contributes to the input model.
#[derive(Default)]
pub struct CiModel {
    pub jobs: Vec<Job>,
    pub commands: Vec<ModelCommand>,
}
