package blastwall.unbounded_delete.rm_rf_empty_expansion_test

import rego.v1

import data.blastwall.unbounded_delete.rm_rf_empty_expansion as rule

word(text, glob) := {"text": text, "glob": glob, "span": [0, 1]}

# `program` and `args` as the model computes them (src/model/script.rs); these argv have no wrappers.
rm(target, glob) := {"argv": ["rm", "-rf", target], "program": "rm", "args": ["rm", "-rf", target], "words": [word("rm", false), word("-rf", false), word(target, glob)], "assignments": [], "span": [0, 1]}

assign(name, value) := {"argv": [], "words": [], "assignments": [{"name": name, "value": value}], "span": [0, 1]}

test_flags_glob_under_a_variable if {
	results := rule.deny with input as {"commands": [rm("$STEAMROOT/*", true)]}
	count(results) == 1
	some r in results
	r.path == ["commands", 0, "words", 2]
	contains(r.msg, "`$STEAMROOT`")
	contains(r.help, "${STEAMROOT:?}")
}

test_flags_trailing_slash_and_positional if {
	count(rule.deny) == 1 with input as {"commands": [rm("${PREFIX}/", false)]}
	count(rule.deny) == 1 with input as {"commands": [rm("$1/*", true)]}
}

test_flags_variable_from_a_substitution_even_under_set_u if {
	set_u := {"argv": ["set", "-u"], "words": [], "assignments": [], "span": [0, 1]}
	count(rule.deny) == 1 with input as {"commands": [set_u, assign("ROOT", "$(cd x && pwd)"), rm("$ROOT/*", true)]}
}

test_errexit_and_mktemp_guard_substitutions if {
	set_e := {"argv": ["set", "-eo", "pipefail"], "words": [], "assignments": [], "span": [0, 1]}
	count(rule.deny) == 0 with input as {"commands": [set_e, assign("ROOT", "$(git rev-parse --show-toplevel)"), rm("$ROOT/*", true)]}
	count(rule.deny) == 0 with input as {"commands": [assign("TMP", "$(mktemp -d)"), rm("$TMP/*", true)]}
}

test_loop_variables_take_the_list_words if {
	count(rule.deny) == 0 with input as {"commands": [object.union(rm("$d/*", true), {"in_loop": true})]}
	count(rule.deny) == 1 with input as {"commands": [object.union(rm("$BUILD_DIR/*", true), {"in_loop": true})]}
}

test_ignores_guards if {
	count(rule.deny) == 0 with input as {"commands": [rm("${DIR:?}/*", true)]}
	count(rule.deny) == 0 with input as {"commands": [rm("$HOME/*", true)]}
	count(rule.deny) == 0 with input as {"commands": [assign("DIR", "build/out"), rm("$DIR/*", true)]}
	check := {"argv": ["[", "-n", "$DIR", "]"], "words": [], "assignments": [], "span": [0, 1]}
	count(rule.deny) == 0 with input as {"commands": [check, rm("$DIR/*", true)]}
	set_u := {"argv": ["set", "-o", "nounset"], "words": [], "assignments": [], "span": [0, 1]}
	count(rule.deny) == 0 with input as {"commands": [set_u, rm("$DIR/*", true)]}
}

test_ignores_bounded_paths_and_quoted_globs if {
	count(rule.deny) == 0 with input as {"commands": [rm("$DIR/build", false)]}
	count(rule.deny) == 0 with input as {"commands": [rm("$DIR/*", false)]}
	count(rule.deny) == 0 with input as {"commands": [{"argv": ["rm", "-f", "$DIR/*"], "program": "rm", "args": ["rm", "-f", "$DIR/*"], "words": [word("rm", false), word("-f", false), word("$DIR/*", true)], "assignments": [], "span": [0, 1]}]}
}

test_ci_variables_with_constant_values_guard if {
	c := object.union(rm("$OUT/*", true), {"job": 0})
	count(rule.deny) == 0 with input as {"commands": [c], "jobs": [{"variables": [{"name": "OUT", "value": "dist"}]}]}
	count(rule.deny) == 1 with input as {"commands": [c], "jobs": [{"variables": [{"name": "OUT", "value": "${{ inputs.out }}"}]}]}
}

test_values_with_a_constant_part_are_never_empty if {
	count(rule.deny) == 0 with input as {"commands": [assign("OUT", "${ROOT_DIR}/.build/lambda"), rm("$OUT/*", true)]}
	count(rule.deny) == 0 with input as {"commands": [assign("OUT", "$(dirname \"$(pwd)\")/dist"), rm("$OUT/*", true)]}
	count(rule.deny) == 1 with input as {"commands": [assign("OUT", "$PREFIX/"), rm("$OUT/*", true)]}
	count(rule.deny) == 1 with input as {"commands": [assign("OUT", "${1:-}"), rm("$OUT/*", true)]}
	count(rule.deny) == 1 with input as {"commands": [assign("OUT", "build"), assign("OUT", "$2"), rm("$OUT/*", true)]}
}

list_word(text, quoted) := {"text": text, "quoted": quoted}

in_for(cmd, var, list) := object.union(cmd, {"in_loop": true, "loops": [{"var": var, "list": list}]})

test_for_variables_take_one_word_of_the_list if {
	words := [list_word("build", false), list_word("$EXTRA_DIRS", false), list_word("${ROOT}/dist", true), list_word("$@", true)]
	count(rule.deny) == 0 with input as {"commands": [in_for(rm("$DIR/*", true), "DIR", words)]}
	count(rule.deny) == 1 with input as {"commands": [in_for(rm("$d/*", true), "d", [list_word("build", false), list_word("$OUT", true)])]}
	count(rule.deny) == 1 with input as {"commands": [in_for(rm("$d/*", true), "d", [])]}
}

# Makefiles: `$(DIR)` reaches the rule as `${DIR}`, definitions as assignment statements.
makefile(file, includes, commands) := {"format": "make", "file": file, "includes": includes, "commands": commands}

test_makefile_variables_defined_in_the_file_guard if {
	count(rule.deny) == 0 with input as makefile("Makefile", [], [assign("BUILD_DIR", "build"), rm("${BUILD_DIR}/", false)])
	count(rule.deny) == 0 with input as makefile("Makefile", [], [assign("OUT", "${CURDIR}/dist"), rm("${OUT}/*", true)])
	# `VAR := $(shell cmd)` is empty when the command fails; make does not stop.
	count(rule.deny) == 1 with input as makefile("Makefile", [], [assign("CACHE", "$(go env GOCACHE)"), rm("${CACHE}/*", true)])
}

test_makefile_undefined_variables_are_unknown_only_when_defined_elsewhere if {
	# A self-contained Makefile: the value comes from the environment or the command line.
	results := rule.deny with input as makefile("Makefile", [], [rm("${RELEASE_DIR}/", false)])
	count(results) == 1
	some r in results
	contains(r.help, "$(or $(RELEASE_DIR),$(error RELEASE_DIR is empty))/")
	count(rule.deny) == 0 with input as makefile("Makefile", ["config.mk"], [rm("${RELEASE_DIR}/", false)])
	count(rule.deny) == 0 with input as makefile("make/clean.mk", [], [rm("${OUT_DIR}/*", true)])
	# A definition in the file is still checked, includes or not.
	count(rule.deny) == 1 with input as makefile("Makefile", [".env"], [assign("D", ""), rm("${D}/", false)])
	# Shell scripts have no includes.
	count(rule.deny) == 1 with input as {"format": "shell", "file": "x.mk.sh", "commands": [rm("${D}/", false)]}
}
