# METADATA
# title: rm -rf on a path that becomes / when a variable is empty
# description: |
#   A recursive `rm` whose target is a variable followed only by `/` or `/*`
#   (`rm -rf "$BUILD_DIR/"*`, `rm -rf $PREFIX/`, `rm -rf "$1"/*`), with nothing
#   that stops an empty or unset variable: no `${VAR:?}`, no `[ -n "$VAR" ]`
#   check, no constant value or `$(mktemp …)` assigned in the script, no
#   `set -u` for variables from the environment, no `set -e` for variables
#   from a command substitution (a failed `$(…)` then aborts), and not a
#   `for` variable over words that cannot be empty. In a Makefile, `$(VAR)`
#   is a variable like `$VAR`: its definitions in the file (`VAR := build`)
#   count as assignments, and one the file does not define is unknown, not
#   empty, when the file includes other makefiles or is itself an included
#   `*.mk` fragment.
#
#   Why is this bad? When the variable is empty (a typo, a missing CI
#   variable, a `cd` that failed inside `$(…)`) the command becomes
#   `rm -rf /*` and deletes everything the user can write. Steam's Linux
#   client shipped exactly this (`rm -rf "$STEAMROOT/"*`) and wiped users'
#   home directories. Scheduled jobs get severity error.
# custom:
#   id: rm-rf-empty-expansion
#   category: unbounded-delete
#   severity: warning
#   kinds: [shell, ci, kubernetes]
#   help: >-
#     Make an empty value fail instead of widening the delete: `rm -rf
#     "${BUILD_DIR:?}/"*`, or check it first (`[ -n "$BUILD_DIR" ] || exit 1`).
#   bad: |
#     rm -rf "$STEAMROOT/"*
#   good: |
#     rm -rf "${STEAMROOT:?}/"*
package blastwall.unbounded_delete.rm_rf_empty_expansion

import rego.v1

import data.blastwall.lib.shell

# The programs this rule reads: blastwall skips documents whose commands run none of them.
programs := {"rm"}

deny contains result if {
	some c, cmd in input.commands
	cmd.program in programs
	a := cmd.args
	recursive(a)
	p := shell.program_index(cmd) # once per command, not per word
	some i, word in a
	i > 0
	not startswith(word, "-")
	w := p + i
	text := cmd.words[w].text
	# Cheap tests first: a leading variable starts the word, and one regex tells whether
	# the rest widens to `/` before two more find the variable.
	startswith(text, "$")
	rest := constant_rest(text)
	widens_to_root(rest, cmd.words[w].glob)
	var := leading_variable(text)
	not guarded(cmd, var)
	result := {
		"msg": sprintf("`rm -rf %s` deletes `%s` when `$%s` is empty or unset: everything on the machine the job can write", [cmd.words[w].text, rest, var]),
		"path": ["commands", c, "words", w],
		"severity": shell.severity(cmd, "warning"),
		"help": help(var, rest),
	}
}

# A recipe's `${X}` may be a make variable (`$(X)`) or a shell one (`$${X}`); make has no `:?`.
help(var, rest) := sprintf("Fail on an empty value instead: `rm -rf $(or $(%s),$(error %s is empty))%s` for a make variable (or define it in the Makefile), `rm -rf \"$${%s:?}\"%s` for a shell one.", [var, var, rest, var, rest]) if {
	input.format == "make"
} else := sprintf("Fail on an empty value instead: `rm -rf \"${%s:?}%s\"`, or check it first (`[ -n \"$%s\" ] || exit 1`).", [var, rest, var])

recursive(a) if {
	some w in a
	startswith(w, "-") # before the regex, which needs it
	regex.match(`^-[a-zA-Z]*[rR][a-zA-Z]*$`, w)
}

recursive(a) if "--recursive" in a

# `$DIR/*`, `${DIR}/`, `$1/*` → the variable's name; `${DIR:?}` and `${DIR:-x}` do not count.
leading_variable(text) := name if {
	m := regex.find_all_string_submatch_n(`^\$\{?([A-Za-z_][A-Za-z0-9_]*|[0-9])\}?`, text, 1)
	name := m[0][1]
	not regex.match(`^\$\{[^}]*[:?=+-]`, text)
}

# The word with every variable removed: what is left when they are all empty.
constant_rest(text) := regex.replace(text, `\$\{[A-Za-z_0-9]+\}|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9]`, "")

widens_to_root("/", _) := true

widens_to_root(rest, true) if rest in {"/*", "/.*", "/**", "/*/"}

guarded(_, var) if var in platform_variables

# `${VAR:?}`, `: "${VAR:=x}"` or a test of the variable anywhere in the script.
guarded(_, var) if {
	pattern := sprintf(`\$\{%s:?[?=]`, [var])
	prefix := concat("", ["${", var]) # a match holds it: tested before the regex
	some other in input.commands
	some word in other.argv
	contains(word, prefix)
	regex.match(pattern, word)
}

guarded(_, var) if {
	some other in input.commands
	other.argv[0] in {"[", "[[", "test"}
	some flag in ["-n", "-z", "-d", "-e"]
	flag in other.argv
	some word in other.argv
	contains(word, var) # a match holds it: tested before the regex
	regex.match(sprintf(`^\$\{?%s\}?$`, [var]), word)
}

# Every assignment in the script has a constant part other than `/` (`build`,
# `"$ROOT_DIR/build"`, `"$(dirname "$0")/out"`): the value is never empty nor `/`.
guarded(_, var) if {
	values := [x.value | some other in input.commands; some x in other.assignments; x.name == var]
	count(values) > 0
	every v in values {
		not contains(v, "`")
		regex.match(`[^/]`, constant_rest(without_substitutions(v)))
	}
}

# `$(…)` (one level of nesting) and `${…}` removed: what is left is written out in the value.
without_substitutions(v) := regex.replace(regex.replace(v, `\$\((?:[^()]|\([^()]*\))*\)`, ""), `\$\{[^}]*\}`, "")

# A Makefile variable the file does not define, in a Makefile that includes others or in an
# included fragment (`*.mk`): it may be defined there, out of sight. (Definitions in the
# file itself are assignment statements, checked above; undefined ones in a self-contained
# Makefile come from the environment or the command line, like a script's.)
guarded(_, var) if {
	input.format == "make"
	not assigned(var)
	defined_elsewhere
}

defined_elsewhere if count(input.includes) > 0

defined_elsewhere if endswith(input.file, ".mk")

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
	shell_option("u", "nounset")
	not assigned_from_command(var)
}

guarded(_, var) if {
	shell_option("e", "errexit")
	assigned_from_command(var)
}

# `tmp=$(mktemp -d)`: never empty when it succeeds.
guarded(_, var) if {
	values := [x.value | some other in input.commands; some x in other.assignments; x.name == var]
	count(values) > 0
	every v in values {
		startswith(v, "$(mktemp")
	}
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

non_empty_list_word(w) if not w.quoted

non_empty_list_word(w) if regex.match(`^\$(@|\{@\}|\{[A-Za-z_][A-Za-z0-9_]*\[@\]\})$`, w.text)

non_empty_list_word(w) if regex.match(`[^/]`, constant_rest(without_substitutions(w.text)))

# A lower-case variable never assigned, used inside a `while read` loop: a line of the input.
guarded(cmd, var) if {
	cmd.in_loop
	not regex.match(`^[A-Z0-9_]+$`, var)
	not assigned(var)
	not for_variable(cmd, var)
}

for_variable(cmd, var) if {
	some loop in cmd.loops
	loop.var == var
}

assigned(var) if {
	some other in input.commands
	some x in other.assignments
	x.name == var
}

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

assigned_from_command(var) if {
	some other in input.commands
	some x in other.assignments
	x.name == var
	regex.match("[$][(]|`", x.value)
}

# Set by the platform on every run; never empty.
platform_variables := {
	"HOME", "PWD", "TMPDIR", "GITHUB_WORKSPACE", "RUNNER_TEMP", "RUNNER_TOOL_CACHE",
	"CI_PROJECT_DIR", "CI_BUILDS_DIR", "BUILD_SOURCESDIRECTORY", "AGENT_TEMPDIRECTORY",
	"BUILD_ARTIFACTSTAGINGDIRECTORY", "BITBUCKET_CLONE_DIR", "CIRCLE_WORKING_DIRECTORY",
	"BUILDKITE_BUILD_CHECKOUT_PATH", "WORKSPACE",
}
