//! Bad input never crashes and never loses the rest of the scan.

use std::fs;

use crate::common::blastwall;

#[test]
fn hostile_files_become_errors_and_good_files_are_still_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join(".github/workflows")).unwrap();
    fs::write(
        root.join(".github/workflows/test.yml"),
        "on: pull_request\njobs:\n  e2e:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npx playwright test\n        env:\n          TOKEN: ${{ secrets.PROD_TOKEN }}\n",
    )
    .unwrap();
    // Billion laughs.
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 9].join(", ")
        ));
    }
    fs::write(root.join("bomb.yml"), bomb).unwrap();
    fs::write(root.join("binary.yml"), b"\x00\x01\x02key: value\x00").unwrap();
    fs::write(root.join("latin1.env"), b"PASSWORD=caf\xe9\n").unwrap();
    fs::write(root.join("deep.json"), "[".repeat(50_000)).unwrap();
    fs::write(root.join("deep.yml"), "[".repeat(50_000)).unwrap();
    fs::write(root.join("deep.tf"), format!("a = {}", "[".repeat(50_000))).unwrap();
    fs::write(
        root.join("broken.tf"),
        "resource \"aws_instance\" \"x\" {\n  ami = \"abc\n}\n",
    )
    .unwrap();
    fs::write(
        root.join("pyproject.toml"),
        "[project]\nname = \"x\"\n\n[tool.pytest.ini_options]\nenv = [\"A=1\"\n[project]\n",
    )
    .unwrap();
    fs::create_dir_all(root.join("sam")).unwrap();
    fs::write(
        root.join("sam/samconfig.toml"),
        format!("a = {}", "{b = ".repeat(50_000)),
    )
    .unwrap();
    fs::write(root.join("huge.yml"), "k: v\n".repeat(1_000_000)).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root, root.join("loop")).unwrap();

    let run = blastwall(root, &["lint", "--format", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    assert_eq!(json["findings"].as_array().unwrap().len(), 1, "{json:#}");
    let errors: Vec<(String, String)> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let message_for = |file: &str| {
        errors
            .iter()
            .find(|(f, _)| f == file)
            .map(|(_, m)| m.clone())
            .unwrap_or_else(|| panic!("no error for {file}: {errors:?}"))
    };
    assert!(message_for("bomb.yml").contains("alias"));
    assert!(message_for("binary.yml").contains("binary"));
    assert!(message_for("latin1.env").contains("UTF-8"));
    assert!(message_for("deep.json").contains("nesting"));
    assert!(!message_for("deep.yml").is_empty());
    assert!(!message_for("deep.tf").is_empty());
    assert!(!message_for("broken.tf").is_empty());
    assert!(message_for("huge.yml").contains("limit"));
    assert!(message_for("pyproject.toml").contains("TOML"));
    assert!(message_for("sam/samconfig.toml").contains("TOML"));
    let pyproject = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == "pyproject.toml")
        .unwrap();
    assert!(pyproject["line"].as_u64().unwrap() >= 5, "{pyproject}");
}

#[test]
fn malformed_and_binary_makefiles_become_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for sub in ["binary", "define", "endif", "reference", "good"] {
        fs::create_dir_all(root.join(sub)).unwrap();
    }
    fs::write(
        root.join("binary/Makefile"),
        b"all:\n\t\x00\x7fELF\x00rm -rf /\n",
    )
    .unwrap();
    fs::write(
        root.join("define/Makefile"),
        "clean:\n\trm -rf build\n\ndefine HELP\nclean: remove build output\n",
    )
    .unwrap();
    fs::write(root.join("endif/GNUmakefile"), "ifeq ($(CI),true)\nX = 1\n").unwrap();
    fs::write(
        root.join("reference/rules.mk"),
        "x:\n\techo ok\n\trm -rf $(BUILD_DIR/\n",
    )
    .unwrap();
    // Still scanned: a well-formed Makefile beside the broken ones.
    fs::write(
        root.join("good/Makefile"),
        "reset: ; kubectl delete ns --all\n",
    )
    .unwrap();

    let run = blastwall(root, &["lint", "--format", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{json:#}");
    assert_eq!(findings[0]["rule"], "kubectl-delete-all");
    assert_eq!(findings[0]["file"], "good/Makefile");
    let error = |file: &str| {
        json["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["file"] == file)
            .unwrap_or_else(|| panic!("no error for {file}: {json:#}"))
            .clone()
    };
    assert!(error("binary/Makefile")["message"]
        .as_str()
        .unwrap()
        .contains("binary"));
    for (file, line, message) in [
        ("define/Makefile", 4, "endef"),
        ("endif/GNUmakefile", 1, "endif"),
        ("reference/rules.mk", 3, "unterminated"),
    ] {
        let e = error(file);
        assert_eq!(e["line"], line, "{e}");
        assert!(e["message"].as_str().unwrap().contains(message), "{e}");
    }
}

#[test]
fn unrendered_templates_are_not_errors_but_broken_config_is() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write(
        "charts/api/Chart.yaml",
        "apiVersion: v2\nname: api\nversion: 0.1.0\n",
    );
    // A Helm template is Go text until rendered: `{{-` is not YAML.
    write(
        "charts/api/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"api.fullname\" . }}\n  labels:\n    {{- include \"api.labels\" . | nindent 4 }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n",
    );
    write(
        "ansible/roles/app/templates/config.yml",
        "{% for host in groups['db'] %}\n- {{ host }}\n{% endfor %}\n",
    );
    // Broken config, even with GitHub's `${{ }}` in it, is still reported.
    write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  test:\n    steps: [\n      - run: echo ${{ secrets.TOKEN }}\n",
    );
    write("k8s/broken.yaml", "kind: Service\nmetadata: [\n");
    // CircleCI reads its own file as it is: `{{ checksum }}` in a flow sequence breaks it.
    write(
        ".circleci/config.yml",
        "version: 2.1\njobs:\n  test:\n    steps:\n      - restore_cache:\n          keys: [deps-{{ checksum \"package-lock.json\" }}]\n",
    );
    // A CI file inside a cookiecutter template is rendered before any CI reads it.
    write(
        "{{cookiecutter.slug}}/.github/workflows/ci.yml",
        "on: push\njobs:\n  {% if cookiecutter.docker %}docker:{% endif %}\n    runs-on: [\n",
    );
    // A Terraform `templatefile()` template: `%{ for }` directives are not YAML.
    write(
        "modules/bastion/templates/cloud-init.yaml",
        "#cloud-config\nusers:\n%{ for user in users ~}\n  - name: ${user}\n%{ endfor ~}\n",
    );
    let run = blastwall(root, &["lint", "--format", "json"]);
    let json = run.json();
    let errors: Vec<&str> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        errors,
        [
            ".circleci/config.yml",
            ".github/workflows/ci.yml",
            "k8s/broken.yaml"
        ],
        "{json:#}"
    );
    assert_eq!(json["summary"]["files_scanned"], 8);
}

/// Non-ASCII text (emoji, umlauts, CJK) in the scripts and variables of every CI system, each
/// file also holding a production secret read by a test job: nothing crashes, every file is
/// read, and the findings of all of them are reported.
#[test]
fn non_ascii_ci_text_in_every_ci_system_is_scanned() {
    let files = [
        (
            ".gitlab-ci.yml",
            "unit-tests:\n  stage: test\n  variables:\n    GREETING: \"Grüße ☠️\"\n  script:\n    - echo \"Build failed ☠️ — 失敗\" \"$PROD_DATABASE_URL\"\n    - pytest\n",
        ),
        (
            ".circleci/config.yml",
            "version: 2.1\njobs:\n  test:\n    docker: [{image: cimg/python:3.12}]\n    steps:\n      - run: echo \"Grüße ☠️\" $PROD_DATABASE_URL && pytest\nworkflows:\n  ci:\n    jobs: [test]\n",
        ),
        (
            "azure-pipelines.yml",
            "trigger: none\npr: [main]\njobs:\n  - job: tests\n    steps:\n      - script: echo \"Ünïcödé ✓ $(PROD_DATABASE_URL)\" && pytest\n",
        ),
        (
            "bitbucket-pipelines.yml",
            "pipelines:\n  pull-requests:\n    '**':\n      - step:\n          name: tests\n          script:\n            - echo \"Grüße ☠️\" $PROD_DATABASE_URL\n            - pytest\n",
        ),
        (
            ".buildkite/pipeline.yml",
            "steps:\n  - label: \":test_tube: tests — ünïcode\"\n    command: echo \"☠️\" $PROD_DATABASE_URL && pytest\n",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let run = blastwall(
        dir.path(),
        &["lint", "--format", "json", "--fail-on", "never"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["errors"], serde_json::json!([]), "{json:#}");
    let reported: std::collections::BTreeSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["file"].as_str())
        .collect();
    let expected: std::collections::BTreeSet<&str> = files.iter().map(|(path, _)| *path).collect();
    assert_eq!(reported, expected, "{json:#}");
}

/// Exit codes say whether the scan could check what it was asked to: 2 for a
/// mistake in the command or a scan failure, 1 for findings or for files that
/// could not be read or parsed (unless allowed), 0 only for a clean, complete scan.
#[test]
fn exit_codes_are_honest() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let missing = blastwall(root, &["lint", "does/not/exist"]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("does not exist"),
        "{}",
        missing.stderr
    );

    fs::create_dir_all(root.join(".github/workflows")).unwrap();
    fs::write(
        root.join(".github/workflows/ci.yml"),
        "on: push\njobs:\n  build:\n    runs-on: [ubuntu-latest\n",
    )
    .unwrap();
    let broken = blastwall(root, &["lint", "--format", "json"]);
    assert_eq!(broken.code, 1, "{}", broken.stdout);
    assert_eq!(broken.json()["errors"][0]["kind"], "parse");
    let allowed = blastwall(root, &["lint", "--allow-file-errors"]);
    assert_eq!(allowed.code, 0, "{}", allowed.stdout);
    assert!(
        allowed.stdout.contains("could not be read"),
        "{}",
        allowed.stdout
    );
    fs::write(root.join(".blastwall.yaml"), "allow-file-errors: true\n").unwrap();
    assert_eq!(blastwall(root, &["lint"]).code, 0);

    // A pull request's `.blastwall.yaml` cannot load policies from elsewhere.
    fs::write(root.join(".blastwall.yaml"), "policies: [\"../..\"]\n").unwrap();
    let outside = blastwall(root, &["lint"]);
    assert_eq!(outside.code, 2, "{}", outside.stderr);
    assert!(
        outside.stderr.contains("outside the directory"),
        "{}",
        outside.stderr
    );
}

/// A FIFO or a device named on the command line is never opened for reading
/// (it would block or never end); the other files' findings are kept.
#[cfg(unix)]
#[test]
fn special_files_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(
        root.join("reset.sh"),
        "psql -h orders.prod.acme.io -c 'TRUNCATE orders'\n",
    )
    .unwrap();
    let fifo = root.join("pipe.yml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", root.join(".env.test")).unwrap();
    let run = blastwall(
        root,
        &[
            "lint",
            "--format",
            "json",
            "pipe.yml",
            ".env.test",
            "reset.sh",
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    assert_eq!(json["findings"][0]["file"], "reset.sh", "{json:#}");
    let errors: Vec<&str> = (json["errors"].as_array().unwrap().iter())
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors.iter().all(|m| m.contains("not a regular file")),
        "{errors:?}"
    );
}

/// A Jenkinsfile nested far deeper than any pipeline is a located error.
#[test]
fn deep_jenkinsfiles_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let deep = format!(
        "pipeline {}{}",
        "{ stage('x') ".repeat(5_000),
        "}".repeat(5_000)
    );
    fs::write(root.join("Jenkinsfile"), deep).unwrap();
    let run = blastwall(root, &["lint", "--format", "json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let error = &run.json()["errors"][0];
    assert_eq!(error["file"], "Jenkinsfile");
    assert!(
        error["message"].as_str().unwrap().contains("too deep"),
        "{error}"
    );
}

/// Thousands of findings in one file are each located on their own line in every
/// format (locating them used to rescan the file from its start: quadratic).
#[test]
fn thousands_of_findings_in_one_file_are_each_located() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let deletes: String = (0..2_000)
        .map(|i| format!("rm -rf \"$DIR{i}/\"\n"))
        .collect();
    fs::write(root.join("clean.sh"), format!("#!/bin/sh\n{deletes}")).unwrap();
    let jobs: Vec<String> = (0..2_000)
        .map(|i| {
            format!("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: clean-{i}\nspec:\n  template:\n    spec:\n      containers:\n        - name: clean\n          image: busybox\n          command: [\"sh\", \"-c\", \"rm -rf $CACHE/\"]\n")
        })
        .collect();
    fs::write(root.join("jobs.yaml"), jobs.join("---\n")).unwrap();

    let json = blastwall(root, &["lint", "--format", "json"]).json();
    let findings = json["findings"].as_array().unwrap();
    let lines = |file: &str| -> Vec<u64> {
        (findings.iter())
            .filter(|f| f["file"] == file && f["rule"] == "rm-rf-empty-expansion")
            .map(|f| f["line"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(lines("clean.sh"), (2..2_002).collect::<Vec<u64>>());
    let job_lines = lines("jobs.yaml");
    assert_eq!(job_lines.len(), 2_000);
    assert_eq!(job_lines.last(), Some(&(2_000 * 12 - 1)));

    let sarif = blastwall(root, &["lint", "--format", "sarif"]).json();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 4_000);
    let human = blastwall(root, &["lint"]).stdout;
    assert!(
        human.contains("╭─[clean.sh:2001:8]"),
        "{}",
        &human[human.len() - 2000..]
    );
    assert!(human.contains(&format!("╭─[jobs.yaml:{}:", 2_000 * 12 - 1)));
}

/// A 100k-deep `.blastwall.yaml` is a located configuration error at once (serde_yaml
/// alone took minutes and gigabytes before its own).
#[test]
fn a_deep_config_file_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let deep = format!("environments: {}\n", "[".repeat(100_000));
    fs::write(root.join(".blastwall.yaml"), deep).unwrap();
    let run = blastwall(root, &["lint"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(".blastwall.yaml:"), "{}", run.stderr);
    assert!(run.stderr.contains("limit"), "{}", run.stderr);
}

/// Text saved as UTF-16 with a byte-order mark is read like UTF-8; a file named with
/// control characters is shown with them escaped in human and annotation output.
#[test]
fn utf16_files_are_read_and_control_characters_in_names_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join(".github/workflows")).unwrap();
    let workflow = "on: pull_request\njobs:\n  e2e:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npx playwright test\n        env:\n          TOKEN: ${{ secrets.PROD_TOKEN }}\n";
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(workflow.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    fs::write(root.join(".github/workflows/e2e.yml"), utf16).unwrap();
    fs::write(root.join("evil\u{1b}[2Jname.yml"), "a: [\n").unwrap();

    let json = blastwall(root, &["lint", "--format", "json"]).json();
    let finding = &json["findings"][0];
    assert_eq!(finding["file"], ".github/workflows/e2e.yml", "{json:#}");
    assert_eq!(finding["line"], 8, "{json:#}");
    for format in ["human", "github"] {
        let run = blastwall(root, &["lint", "--format", format]);
        assert!(!run.stdout.contains('\u{1b}'), "{format}: {}", run.stdout);
        assert!(
            run.stdout.contains("evil\\u{1b}[2Jname.yml"),
            "{format}: {}",
            run.stdout
        );
    }
}

/// A policy that runs away is stopped on each document and named in an error; the other
/// rules' findings are kept and the run exits 2.
#[test]
fn a_runaway_policy_is_stopped_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("policies")).unwrap();
    fs::write(
        root.join("policies/runaway.rego"),
        "# METADATA\n# title: Counts forever\n# description: A product of ranges nobody can wait for.\n# custom:\n#   id: counts-forever\n#   category: team\n#   severity: warning\n#   kinds: [shell]\npackage team.runaway\n\nimport rego.v1\n\ndeny contains {\"msg\": sprintf(\"%d\", [n])} if {\n\tn := count([1 | some a in numbers.range(1, 100000); some b in numbers.range(1, 100000); a != b])\n}\n",
    )
    .unwrap();
    fs::write(root.join(".blastwall.yaml"), "policies: [policies]\n").unwrap();
    fs::write(root.join("clean.sh"), "rm -rf \"$BUILD_DIR/\"\n").unwrap();
    let run = blastwall(root, &["lint", "--format", "json"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    let rules: Vec<&str> = (json["findings"].as_array().unwrap().iter())
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["rm-rf-empty-expansion"], "{json:#}");
    let error = &json["errors"][0];
    assert_eq!(error["file"], "clean.sh", "{json:#}");
    assert!(
        error["message"].as_str().unwrap().contains("team.runaway"),
        "{json:#}"
    );
    // The summary says a check failed, not that the file could not be read.
    let human = blastwall(root, &["lint"]).stdout;
    assert!(
        human.contains("; 1 check failed (see the errors above)"),
        "{human}"
    );
    assert!(!human.contains("could not be read"), "{human}");
}
