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

import data.blastwall.lib.expansion
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
	rest := expansion.constant_rest(text)
	widens_to_root(rest, cmd.words[w].glob)
	var := leading_variable(text)
	not expansion.guarded(cmd, var)
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

widens_to_root("/", _) := true

widens_to_root(rest, true) if rest in {"/*", "/.*", "/**", "/*/"}
