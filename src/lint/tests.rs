use super::*;
use crate::discover::format_of;
use crate::engine::registry::PolicySet;

#[test]
fn a_panic_in_one_file_is_that_files_internal_error() {
    let engine = Engine::new(PolicySet::default(), Default::default(), false).unwrap();
    let mut worker = engine.worker();
    let file = SourceFile {
        display: "ci/deploy.sh".into(),
        path: "ci/deploy.sh".into(),
        format: Format::Shell,
        reported: true,
        stamp: None,
    };
    let outcome = isolated(&engine, &mut worker, &file, |_| panic!("boom at byte 7"));
    let error = &outcome.errors[0];
    assert_eq!(
        (error.file.as_str(), error.kind),
        ("ci/deploy.sh", ErrorKind::Internal)
    );
    assert!(
        error.message.contains("boom at byte 7"),
        "{}",
        error.message
    );
    let fine = isolated(&engine, &mut worker, &file, |_| FileOutcome::default());
    assert!(fine.errors.is_empty());
}

/// `may_hold_facts` skips unread context files on the promise that the
/// path alone decides the kind outside YAML and JSON.
#[test]
fn kinds_outside_yaml_and_json_come_from_the_path_alone() {
    let samples = [
        (
            "envs/prod/main.tf",
            "provider \"aws\" {\n  region = \"x\"\n}\n",
        ),
        ("live/prod/terragrunt.hcl", "inputs = {\n  a = 1\n}\n"),
        ("envs/prod/prod.tfvars", "account_id = \"111111111111\"\n"),
        ("scripts/deploy.sh", "kubectl delete pods --all\n"),
        (".env.test", "DATABASE_URL=postgres://db\n"),
        ("config/app.env", "A=1\n"),
        ("setup.cfg", "[tool:pytest]\naddopts = -q\n"),
        ("config/app.ini", "[db]\nhost = x\n"),
        (
            "pyproject.toml",
            "[tool.pytest.ini_options]\naddopts = \"-q\"\n",
        ),
        (
            "samconfig.toml",
            "[default.deploy.parameters]\nstack_name = \"x\"\n",
        ),
    ];
    for (path, text) in samples {
        let format = format_of(Path::new(path)).expect(path);
        assert!(!matches!(format, Format::Yaml | Format::Json), "{path}");
        let nodes = parse::parse(format, text).expect(path);
        let unread = Node::str("", Span::default());
        assert_eq!(
            classify(path, format, &nodes[0]),
            classify(path, format, &unread),
            "{path}"
        );
    }
}
