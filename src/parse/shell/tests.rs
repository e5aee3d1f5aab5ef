use super::*;

fn argv(c: &Command) -> Vec<&str> {
    c.argv.iter().map(String::as_str).collect()
}

fn text(script: &str, span: Span) -> &str {
    &script[span.start..span.end]
}

/// Every span of every command slices the script without panicking.
fn check_spans(script: &str, parsed: &Script) {
    for c in &parsed.commands {
        let spans = c.words.iter().map(|w| w.span);
        for s in spans
            .chain(c.assignments.iter().map(|a| a.span))
            .chain([c.span])
        {
            assert!(script.get(s.start..s.end).is_some(), "{s:?} in {script:?}");
        }
    }
}

#[test]
fn ci_script_with_continuations() {
    let s = "set -euo pipefail\n\
             # deploy the bundle, removing stale files\n\
             aws s3 sync ./dist \"s3://$BUCKET/app\" \\\n  --delete \\\n  --exclude '*.map'\n\
             echo done\n";
    let p = parse_script(s);
    assert_eq!(p.commands.len(), 3);
    let [set, sync, echo] = &p.commands[..] else {
        unreachable!()
    };
    assert_eq!(argv(set), ["set", "-euo", "pipefail"]);
    assert_eq!(
        argv(sync),
        [
            "aws",
            "s3",
            "sync",
            "./dist",
            "s3://$BUCKET/app",
            "--delete",
            "--exclude",
            "*.map"
        ]
    );
    assert_eq!(
        text(s, sync.span),
        "aws s3 sync ./dist \"s3://$BUCKET/app\" \\\n  --delete \\\n  --exclude '*.map'"
    );
    assert_eq!((set.line, sync.line, echo.line), (1, 3, 6));
    assert_eq!(sync.words[4].expansions, ["BUCKET"]);
    assert!(sync.words[7].quoted && !sync.words[7].glob);
    assert_eq!(text(s, sync.words[7].span), "'*.map'");
    assert_ne!(set.pipeline, sync.pipeline);
}

#[test]
fn xargs_inner_command_reads_the_producer() {
    let s = "aws ec2 describe-instances --query 'Reservations[].Instances[].InstanceId' \
             --output text | xargs -n1 aws ec2 terminate-instances --instance-ids";
    let p = parse_script(s);
    assert_eq!(p.commands.len(), 3);
    let [describe, xargs, inner] = &p.commands[..] else {
        unreachable!()
    };
    assert_eq!(
        describe.argv[3..5],
        ["--query", "Reservations[].Instances[].InstanceId"]
    );
    assert_eq!(argv(xargs)[..2], ["xargs", "-n1"]);
    assert_eq!(
        argv(inner),
        ["aws", "ec2", "terminate-instances", "--instance-ids"]
    );
    assert_eq!(
        text(s, inner.span),
        "aws ec2 terminate-instances --instance-ids"
    );
    assert_eq!(inner.via.as_deref(), Some("xargs"));
    assert_eq!((inner.pipeline, inner.stage), (xargs.pipeline, 1));
    assert_eq!(describe.pipeline, xargs.pipeline);
    assert_eq!(inner.inputs, [0]);
    assert_eq!(xargs.inputs, [0]);
    assert_eq!((xargs.stdin_from, inner.stdin_from), (Some(0), Some(0)));
}

#[test]
fn xargs_option_forms() {
    let cases = [
        ("xargs -n 1 -P 4 rm -f", vec!["rm", "-f"]),
        ("xargs -I {} aws s3 rm {}", vec!["aws", "s3", "rm", "{}"]),
        (
            "xargs -I{} -0 -r -t kubectl delete ns {}",
            vec!["kubectl", "delete", "ns", "{}"],
        ),
        (
            "xargs --no-run-if-empty -L 1 docker rm",
            vec!["docker", "rm"],
        ),
        ("xargs -0rn1 -- rm", vec!["rm"]),
        ("xargs --max-args 2 echo", vec!["echo"]),
    ];
    for (s, expected) in cases {
        let p = parse_script(s);
        assert_eq!(p.commands.len(), 2, "{s}");
        assert_eq!(argv(&p.commands[1]), expected, "{s}");
    }
    // Bare xargs runs echo implicitly: nothing to emit.
    assert_eq!(parse_script("ls | xargs -0").commands.len(), 2);
}

#[test]
fn for_loop_over_substitution() {
    let s = "for id in $(aws ec2 describe-instances --filters \"Name=tag:owner,Values=ci\" \
             --query 'Reservations[].Instances[].InstanceId' --output text); do\n  \
             aws ec2 terminate-instances --instance-ids \"$id\"\ndone\necho \"$id\"";
    let p = parse_script(s);
    assert_eq!(p.commands.len(), 3);
    let [list, term, after] = &p.commands[..] else {
        unreachable!()
    };
    assert_eq!(list.via.as_deref(), Some("loop-list"));
    assert_eq!(list.argv[3..5], ["--filters", "Name=tag:owner,Values=ci"]);
    assert!(!list.in_loop);
    assert_eq!(
        argv(term),
        ["aws", "ec2", "terminate-instances", "--instance-ids", "$id"]
    );
    assert_eq!(term.inputs, [0]);
    assert!(term.in_loop && term.via.is_none());
    assert_eq!(term.line, 2);
    assert_eq!(term.words[4].expansions, ["id"]);
    assert!(!after.in_loop);
    assert!(list.span.end <= s.find("); do").unwrap_or(0));
}

#[test]
fn for_loop_over_variable_and_literals() {
    let s = "LIST=$(kubectl get ns -o name)\nfor ns in $LIST; do kubectl delete \"$ns\"; done\n\
             for ns in a b; do kubectl delete \"$ns\"; done";
    let p = parse_script(s);
    assert_eq!(argv(&p.commands[2]), ["kubectl", "delete", "$ns"]);
    assert_eq!(p.commands[2].inputs, [0]);
    assert!(p.commands[3].inputs.is_empty());
}

#[test]
fn variable_from_substitution_flows_into_later_command() {
    let s = "IDS=$(gcloud compute instances list --format='value(name)')\n\
             gcloud compute instances delete $IDS --quiet\n";
    let p = parse_script(s);
    assert_eq!(p.commands.len(), 3);
    let [list, assign, delete] = &p.commands[..] else {
        unreachable!()
    };
    assert_eq!(
        argv(list),
        [
            "gcloud",
            "compute",
            "instances",
            "list",
            "--format=value(name)"
        ]
    );
    assert_eq!(list.via.as_deref(), Some("substitution"));
    assert_eq!(
        text(s, list.span),
        "gcloud compute instances list --format='value(name)'"
    );
    assert!(assign.argv.is_empty());
    assert_eq!(assign.assignments[0].name, "IDS");
    assert_eq!(
        assign.assignments[0].value,
        "$(gcloud compute instances list --format='value(name)')"
    );
    assert_eq!(assign.inputs, [0]);
    assert_eq!(
        argv(delete),
        [
            "gcloud",
            "compute",
            "instances",
            "delete",
            "$IDS",
            "--quiet"
        ]
    );
    assert_eq!((delete.inputs.as_slice(), delete.line), (&[0][..], 2));
    assert!(!delete.words[4].quoted);
}

#[test]
fn variables_propagate_transitively() {
    let s = "RAW=$(aws ec2 describe-instances)\nexport IDS=\"$(echo \"$RAW\" | jq -r .id)\"\n\
             aws ec2 terminate-instances --instance-ids ${IDS}";
    let p = parse_script(s);
    let last = p.commands.last().unwrap();
    assert_eq!(last.argv[4], "${IDS}");
    assert_eq!(last.words[4].expansions, ["IDS"]);
    // describe (0), echo (2) and jq (3); the assignment statement is 1.
    assert_eq!(last.inputs, [0, 2, 3]);
    assert_eq!(p.commands[2].inputs, [0]);
}

#[test]
fn array_assignment_keeps_its_substitution() {
    let s = "IDS=($(aws ec2 describe-instances --output text))\n\
             aws ec2 terminate-instances --instance-ids \"${IDS[@]}\"";
    let p = parse_script(s);
    assert_eq!(p.commands.len(), 3);
    assert_eq!(
        p.commands[1].assignments[0].value,
        "($(aws ec2 describe-instances --output text))"
    );
    assert_eq!(p.commands[2].words[4].expansions, ["IDS"]);
    assert!(!p.commands[2].words[4].glob);
    assert_eq!(p.commands[2].inputs, [0]);
}

#[test]
fn kubectl_grep_xargs_pipeline() {
    let s = "kubectl get ns -o name | grep preview- | xargs kubectl delete";
    let p = parse_script(s);
    assert_eq!(p.commands.len(), 4);
    let stages: Vec<_> = p
        .commands
        .iter()
        .map(|c| (c.pipeline, c.stage, c.stdin_from))
        .collect();
    assert_eq!(
        stages,
        [
            (0, 0, None),
            (0, 1, Some(0)),
            (0, 2, Some(1)),
            (0, 2, Some(1))
        ]
    );
    assert_eq!(argv(&p.commands[3]), ["kubectl", "delete"]);
    assert_eq!(p.commands[3].inputs, [1]);
    assert!(p.commands[1].inputs.is_empty());
    assert_eq!(text(s, p.commands[2].span), "xargs kubectl delete");
}

#[test]
fn rm_with_quoted_variable_and_glob() {
    let s = "rm -rf \"$BUILD_DIR/\"*";
    let p = parse_script(s);
    let w = &p.commands[0].words[2];
    assert_eq!(w.text, "$BUILD_DIR/*");
    assert_eq!(
        (w.expansions.as_slice(), w.glob, w.quoted),
        (&["BUILD_DIR".to_string()][..], true, true)
    );
    assert_eq!(text(s, w.span), "\"$BUILD_DIR/\"*");
    // A quoted star is not a glob; brackets are.
    let p = parse_script("rm -f '*.log' logs/app-[0-9].log");
    assert!(!p.commands[0].words[2].glob);
    assert!(p.commands[0].words[3].glob);
    assert!(!parse_script("[ -f x ]").commands[0].words[0].glob);
}

#[test]
fn heredoc_body_is_captured_not_tokenized() {
    let s = "psql \"$DATABASE_URL\" <<'SQL'\nDROP DATABASE app;\nSELECT 'x' | y;\nSQL\necho ok\n\
             cat <<-EOF | kubectl apply -f -\n\tkind: Namespace\n\tEOF\n";
    let p = parse_script(s);
    assert_eq!(p.commands.len(), 4);
    let psql = &p.commands[0];
    assert_eq!(argv(psql), ["psql", "$DATABASE_URL"]);
    assert_eq!(text(s, psql.span), "psql \"$DATABASE_URL\"");
    assert_eq!(
        psql.heredoc.as_deref(),
        Some("DROP DATABASE app;\nSELECT 'x' | y;\n")
    );
    assert_eq!(
        (argv(&p.commands[1]), p.commands[1].line),
        (vec!["echo", "ok"], 5)
    );
    assert_eq!(p.commands[2].heredoc.as_deref(), Some("kind: Namespace\n"));
    assert_eq!(argv(&p.commands[3]), ["kubectl", "apply", "-f", "-"]);
    assert_eq!(p.commands[3].stdin_from, Some(2));
}

#[test]
fn nested_substitutions_have_script_spans() {
    let s = "echo \"built $(echo $(date +%s))\"";
    let p = parse_script(s);
    let names: Vec<_> = p.commands.iter().map(|c| text(s, c.span)).collect();
    assert_eq!(names, ["date +%s", "echo $(date +%s)", s]);
    assert_eq!(p.commands[1].inputs, [0]);
    assert_eq!(p.commands[2].inputs, [0, 1]);
    assert_eq!(p.commands[2].argv[1], "built $(echo $(date +%s))");
    assert!(p.commands[..2]
        .iter()
        .all(|c| c.via.as_deref() == Some("substitution")));
}

#[test]
fn backticks_are_reparsed_with_script_offsets() {
    let s = "for f in `find . -name \\`cat pattern\\``; do rm \"$f\"; done";
    let p = parse_script(s);
    let srcs: Vec<_> = p.commands.iter().map(|c| text(s, c.span)).collect();
    assert_eq!(
        srcs,
        ["cat pattern", "find . -name \\`cat pattern\\`", "rm \"$f\""]
    );
    assert_eq!(
        argv(&p.commands[1]),
        ["find", ".", "-name", "`cat pattern`"]
    );
    assert_eq!(p.commands[2].inputs, [0, 1]);
}

#[test]
fn comments_with_quotes_do_not_open_strings() {
    let s = "# don't \"touch\" this\necho a # it's fine\necho b#c 'x # y'\n";
    let p = parse_script(s);
    assert_eq!(p.commands.len(), 2);
    assert_eq!(argv(&p.commands[0]), ["echo", "a"]);
    assert_eq!(argv(&p.commands[1]), ["echo", "b#c", "x # y"]);
    assert_eq!((p.commands[0].line, p.commands[1].line), (2, 3));
}

#[test]
fn wrappers_stay_in_argv() {
    let s = "sudo -E kubectl delete pods --all -n \"$NS\"";
    let p = parse_script(s);
    assert_eq!(
        argv(&p.commands[0]),
        ["sudo", "-E", "kubectl", "delete", "pods", "--all", "-n", "$NS"]
    );
    assert_eq!(p.commands[0].words[7].expansions, ["NS"]);
    assert_eq!(text(s, p.commands[0].span), s);
}

#[test]
fn case_branches_and_functions() {
    let s = "cleanup() {\n  case \"$ENV\" in\n    prod|production) echo refusing; exit 1 ;;\n    \
             staging) helm uninstall app \\\n      -n staging ;;\n    *) ;;\n  esac\n}\n\
             function nuke {\n  for b in $(aws s3 ls); do aws s3 rb \"s3://$b\" --force; done\n}\n\
             cleanup\n";
    let p = parse_script(s);
    let found: Vec<_> = p
        .commands
        .iter()
        .map(|c| {
            (
                argv(c).join(" "),
                c.line,
                c.in_function.as_deref(),
                c.in_loop,
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("echo refusing".to_string(), 3, Some("cleanup"), false),
            ("exit 1".to_string(), 3, Some("cleanup"), false),
            (
                "helm uninstall app -n staging".to_string(),
                4,
                Some("cleanup"),
                false
            ),
            ("aws s3 ls".to_string(), 10, Some("nuke"), false),
            (
                "aws s3 rb s3://$b --force".to_string(),
                10,
                Some("nuke"),
                true
            ),
            ("cleanup".to_string(), 12, None, false),
        ]
    );
    assert_eq!(
        text(s, p.commands[2].span),
        "helm uninstall app \\\n      -n staging"
    );
    assert_eq!(p.commands[4].inputs, [3]);
}

#[test]
fn keywords_never_reach_argv() {
    let s = "if ! kubectl get ns prod; then\n  kubectl create ns prod\nelif true; then :\n\
             else\n  time -p make\nfi\nwhile true; do sleep 1; done\nuntil false; do break; done\n\
             { echo a; echo b; } > log 2>&1\n( cd /tmp && rm -rf build )\n[[ -n \"$X\" && $Y > 1 ]]";
    let p = parse_script(s);
    let all: Vec<_> = p.commands.iter().map(|c| argv(c).join(" ")).collect();
    assert_eq!(
        all,
        [
            "kubectl get ns prod",
            "kubectl create ns prod",
            "true",
            ":",
            "make",
            "true",
            "sleep 1",
            "false",
            "break",
            "echo a",
            "echo b",
            "cd /tmp",
            "rm -rf build",
            "[[ -n $X && $Y > 1 ]]",
        ]
    );
    assert!(p.commands[6].in_loop && !p.commands[5].in_loop);
    assert_eq!(text(s, p.commands[12].span), "rm -rf build");
}

#[test]
fn redirections_are_removed() {
    let s = "terraform destroy -auto-approve >out.log 2>&1 </dev/null; cat <<< \"$X\" &> /dev/null";
    let p = parse_script(s);
    assert_eq!(
        argv(&p.commands[0]),
        ["terraform", "destroy", "-auto-approve"]
    );
    assert_eq!(
        text(s, p.commands[0].span),
        "terraform destroy -auto-approve"
    );
    assert_eq!(argv(&p.commands[1]), ["cat"]);
}

#[test]
fn prefix_assignments_and_ansi_c_strings() {
    let s = "AWS_PROFILE=prod FORCE=1 terraform apply\nIFS=$'\\n\\t' read -r a";
    let p = parse_script(s);
    let c = &p.commands[0];
    assert_eq!(argv(c), ["terraform", "apply"]);
    let names: Vec<_> = c
        .assignments
        .iter()
        .map(|a| (a.name.as_str(), a.value.as_str()))
        .collect();
    assert_eq!(names, [("AWS_PROFILE", "prod"), ("FORCE", "1")]);
    assert_eq!(text(s, c.span), "AWS_PROFILE=prod FORCE=1 terraform apply");
    assert_eq!(text(s, c.assignments[1].span), "FORCE=1");
    assert_eq!(p.commands[1].assignments[0].value, "\n\t");
    // After the command name, NAME=value is an ordinary argument.
    assert_eq!(
        argv(&parse_script("env A=1 make").commands[0]),
        ["env", "A=1", "make"]
    );
}

#[test]
fn while_read_over_pipe_and_process_substitution() {
    let s = "kubectl get pods -o name | while read -r pod; do\n  kubectl delete \"$pod\"\n  echo hi\ndone\n\
             while read -r b; do aws s3 rb \"s3://$b\"; done < <(aws s3 ls)";
    let p = parse_script(s);
    assert_eq!(p.commands.len(), 7);
    let [get, read, delete, echo, read2, rb, ls] = &p.commands[..] else {
        unreachable!()
    };
    assert_eq!(
        (read.stdin_from, read.inputs.as_slice()),
        (Some(0), &[0][..])
    );
    assert_eq!(argv(delete), ["kubectl", "delete", "$pod"]);
    assert_eq!((delete.inputs.as_slice(), delete.in_loop), (&[0][..], true));
    assert!(echo.inputs.is_empty());
    assert_eq!(get.stage, 0);
    assert_eq!(argv(ls), ["aws", "s3", "ls"]);
    assert_eq!(
        (read2.inputs.as_slice(), rb.inputs.as_slice()),
        (&[6][..], &[6][..])
    );
}

#[test]
fn sh_c_scripts_are_parsed_in_place() {
    let s = "docker run --rm img sh -c 'rm -rf /cache/* && echo \"cleared\"'\n\
             find . -name '*.tmp' | xargs -I{} bash -ec \"rm -f {} \\\"\\$HOME/x\\\"\"";
    let p = parse_script(s);
    let all: Vec<_> = p
        .commands
        .iter()
        .map(|c| (text(s, c.span), c.via.as_deref()))
        .collect();
    assert_eq!(
        all,
        [
            (
                "docker run --rm img sh -c 'rm -rf /cache/* && echo \"cleared\"'",
                None
            ),
            ("rm -rf /cache/*", Some("sh-c")),
            ("echo \"cleared\"", Some("sh-c")),
            ("find . -name '*.tmp'", None),
            ("xargs -I{} bash -ec \"rm -f {} \\\"\\$HOME/x\\\"\"", None),
            ("bash -ec \"rm -f {} \\\"\\$HOME/x\\\"\"", Some("xargs")),
            ("rm -f {} \\\"\\$HOME/x\\\"", Some("sh-c")),
        ]
    );
    assert!(p.commands[1].words[2].glob);
    assert_eq!(argv(&p.commands[6]), ["rm", "-f", "{}", "$HOME/x"]);
    assert_eq!(p.commands[6].words[3].expansions, ["HOME"]);
    // The inner rm inherits the xargs feed.
    assert_eq!(p.commands[6].inputs, [3]);
}

#[test]
fn and_or_lists_get_separate_pipelines() {
    let s = "a | b && c | d || e &\nf";
    let p = parse_script(s);
    let ids: Vec<_> = p.commands.iter().map(|c| (c.pipeline, c.stage)).collect();
    assert_eq!(ids, [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (3, 0)]);
}

#[test]
fn serializes_with_user_facing_field_names() {
    let json = serde_json::to_value(parse_script("rm -rf \"$D\"/*")).unwrap_or_default();
    let c = &json["commands"][0];
    assert_eq!(c["span"], serde_json::json!([0, 13]));
    assert_eq!(c["words"][2]["expansions"], serde_json::json!(["D"]));
    assert_eq!(c["via"], serde_json::Value::Null);
}

#[test]
fn adversarial_input_does_not_panic() {
    let nested = "$(".repeat(10_000) + "rm -rf /" + &")".repeat(10_000);
    let open = "echo $(".repeat(10_000);
    let backticks = "`\\`".repeat(5_000);
    let groups = "{ ( if for while case ".repeat(2_000);
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let random: Vec<u8> = (0..20_000)
        .map(|_| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let table = b"$(){}'\"`\\|&;<>\n #*?[]=abcxyz-\xc3\xa9";
            table[(rng % table.len() as u64) as usize]
        })
        .collect();
    let random = String::from_utf8_lossy(&random).into_owned();
    let inputs = [
        "echo 'unterminated",
        "echo \"unterminated $(ls",
        "cat <<EOF\nno end",
        "for x in",
        "case x in a) echo",
        "f() {",
        "xargs -n",
        "bash -c",
        "${",
        "$((1+",
        "é$'\\xff' é\\é `é",
        ")))) ;; fi done }",
        &nested,
        &open,
        &backticks,
        &groups,
        &random,
    ];
    for s in inputs {
        let p = parse_script(s);
        check_spans(s, &p);
    }
    let p = parse_script(&nested);
    assert!(p.commands.len() <= MAX_DEPTH + 1);
    assert_eq!(p.commands.last().map(|c| c.span.end), Some(nested.len()));
}

#[test]
fn for_loops_record_their_variable_and_list_for_the_body() {
    let p = parse_script(
        "for d in build \"$OUT\"; do\n  for f in $(ls); do rm -rf \"$d/$f\"; done\ndone\nrm x\n",
    );
    let rm = p.commands.iter().find(|c| c.argv[0] == "rm").unwrap();
    let vars: Vec<&str> = rm.loops.iter().map(|l| l.var.as_str()).collect();
    assert_eq!(vars, ["d", "f"]);
    let outer: Vec<(&str, bool)> = rm.loops[0]
        .list
        .iter()
        .map(|w| (w.text.as_str(), w.quoted))
        .collect();
    assert_eq!(outer, [("build", false), ("$OUT", true)]);
    assert!(p.commands.last().unwrap().loops.is_empty());
    let f = parse_script("f() { rm -rf \"$x\"; }\nfor x in a; do f; done\n");
    assert!(f.commands[0].loops.is_empty());
}
