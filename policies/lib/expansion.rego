# What an expansion can be: whether a shell variable can be empty when a command
# runs, from the script (guards, assignments, loops, shell options) and the CI job
# around it. Delete rules ask before they call a path or key "empty".
package blastwall.lib.expansion

import rego.v1

# The word with every variable removed: what is left when they are all empty.
constant_rest(text) := regex.replace(text, `\$\{[A-Za-z_0-9]+\}|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9]`, "")

# Each guard is a set of variable names computed once per document, so that a
# script with thousands of deletes is checked in linear time.
guarded(_, var) if var in platform_variables

# `${VAR:?}`, `: "${VAR:=x}"` or a test of the variable anywhere in the script.
guarded(_, var) if var in required

guarded(_, var) if var in tested

# Every assignment in the script has a constant part other than `/` (`build`,
# `"$ROOT_DIR/build"`, `"$(dirname "$0")/out"`): the value is never empty nor `/`.
guarded(_, var) if {
	var in assigned
	not var in assigned_maybe_empty
}

# A Makefile variable the file does not define, in a Makefile that includes others or in an
# included fragment (`*.mk`): it may be defined there, out of sight. (Definitions in the
# file itself are assignment statements, checked above; undefined ones in a self-contained
# Makefile come from the environment or the command line, like a script's.)
guarded(_, var) if {
	input.format == "make"
	not var in assigned
	defined_elsewhere
}

# Set to a constant by the CI job or workflow (`env:`, `variables:`).
guarded(cmd, var) if {
	some v in input.jobs[cmd.job].variables
	v.name == var
	is_string(v.value)
	v.value != ""
	not contains(v.value, "$")
}

# `set -u` stops unset variables, not ones a failed `$(…)` left empty; `set -e` stops those.
guarded(_, var) if {
	nounset
	not var in assigned_from_command
}

guarded(_, var) if {
	errexit
	var in assigned_from_command
}

# `tmp=$(mktemp -d)`: never empty when it succeeds.
guarded(_, var) if {
	var in assigned
	not var in assigned_not_mktemp
}

# `for d in build "$ROOT/dist" $DIRS`: each value is one word of the list. Unquoted
# expansions split into non-empty words; `"$@"`/`"${dirs[@]}"` elements are arguments
# or array entries; a quoted word needs a constant part (`"$OUT"` can be empty).
guarded(cmd, var) if {
	some loop in cmd.loops
	loop.var == var
	count(loop.list) > 0
	every w in loop.list {
		non_empty_list_word(w)
	}
}

# A lower-case variable never assigned, used inside a `while read` loop: a line of the input.
guarded(cmd, var) if {
	cmd.in_loop
	not regex.match(`^[A-Z0-9_]+$`, var)
	not var in assigned
	not for_variable(cmd, var)
}

variable_name := `([A-Za-z_][A-Za-z0-9_]*|[0-9]+)`

# Variables some word requires or defaults: `${VAR:?}`, `${VAR?}`, `${VAR:=x}`.
required contains m[1] if {
	some other in input.commands
	some word in other.argv
	contains(word, "${") # most words hold none: tested before the regex
	some m in regex.find_all_string_submatch_n(concat("", [`\$\{`, variable_name, `:?[?=]`]), word, -1)
}

# Variables a `[ -n "$VAR" ]`, `test -z …`, `[[ -d … ]]` checks.
tested contains m[0][1] if {
	some other in input.commands
	other.argv[0] in {"[", "[[", "test"}
	some flag in other.argv
	flag in {"-n", "-z", "-d", "-e"}
	some word in other.argv
	startswith(word, "$")
	m := regex.find_all_string_submatch_n(concat("", [`^\$\{?`, variable_name, `\}?$`]), word, 1)
}

assigned contains x.name if {
	some other in input.commands
	some x in other.assignments
}

assigned_maybe_empty contains x.name if {
	some other in input.commands
	some x in other.assignments
	not constant_part(x.value)
}

constant_part(v) if {
	not contains(v, "`")
	regex.match(`[^/]`, constant_rest(without_substitutions(v)))
}

assigned_not_mktemp contains x.name if {
	some other in input.commands
	some x in other.assignments
	not startswith(x.value, "$(mktemp")
}

assigned_from_command contains x.name if {
	some other in input.commands
	some x in other.assignments
	regex.match("[$][(]|`", x.value)
}

# `$(…)` (one level of nesting) and `${…}` removed: what is left is written out in the value.
without_substitutions(v) := regex.replace(regex.replace(v, `\$\((?:[^()]|\([^()]*\))*\)`, ""), `\$\{[^}]*\}`, "")

defined_elsewhere if count(input.includes) > 0

defined_elsewhere if endswith(input.file, ".mk")

non_empty_list_word(w) if not w.quoted

non_empty_list_word(w) if regex.match(`^\$(@|\{@\}|\{[A-Za-z_][A-Za-z0-9_]*\[@\]\})$`, w.text)

non_empty_list_word(w) if regex.match(`[^/]`, constant_rest(without_substitutions(w.text)))

for_variable(cmd, var) if {
	some loop in cmd.loops
	loop.var == var
}

nounset if shell_option("u", "nounset")

errexit if shell_option("e", "errexit")

shell_option(letter, _) if {
	some other in input.commands
	other.argv[0] == "set"
	some flag in other.argv
	regex.match(sprintf(`^-[a-zA-Z]*%s[a-zA-Z]*$`, [letter]), flag)
}

shell_option(_, name) if {
	some other in input.commands
	other.argv[0] == "set"
	some i, flag in other.argv
	flag == "-o"
	other.argv[i + 1] == name
}

# Set by the platform on every run; never empty.
platform_variables := {
	"HOME", "PWD", "TMPDIR", "GITHUB_WORKSPACE", "RUNNER_TEMP", "RUNNER_TOOL_CACHE",
	"CI_PROJECT_DIR", "CI_BUILDS_DIR", "BUILD_SOURCESDIRECTORY", "AGENT_TEMPDIRECTORY",
	"BUILD_ARTIFACTSTAGINGDIRECTORY", "BITBUCKET_CLONE_DIR", "CIRCLE_WORKING_DIRECTORY",
	"BUILDKITE_BUILD_CHECKOUT_PATH", "WORKSPACE",
}
