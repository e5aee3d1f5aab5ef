package blastwall.lib.expansion_test

import rego.v1

import data.blastwall.lib.expansion

cmd(argv) := {"argv": argv, "program": argv[0], "args": argv, "job": null, "in_loop": false, "loops": [], "assignments": []}

test_checked_and_platform_variables_cannot_be_empty if {
	check := cmd([":", "${TARGET:?TARGET must be set}"])
	expansion.guarded(cmd(["rm", "-rf", "$TARGET/"]), "TARGET") with input as {"commands": [check]}
	expansion.guarded(cmd(["rm", "-rf", "$HOME/"]), "HOME") with input as {"commands": []}
	not expansion.guarded(cmd(["rm", "-rf", "$TARGET/"]), "TARGET") with input as {"commands": []}
}

test_assignments_need_a_constant_part if {
	assigned := object.union(cmd(["true"]), {"assignments": [{"name": "OUT", "value": "$ROOT/build"}]})
	expansion.guarded(cmd(["rm", "-rf", "$OUT/"]), "OUT") with input as {"commands": [assigned]}
	bare := object.union(cmd(["true"]), {"assignments": [{"name": "OUT", "value": "$ROOT"}]})
	not expansion.guarded(cmd(["rm", "-rf", "$OUT/"]), "OUT") with input as {"commands": [bare]}
}

test_read_lines_are_not_empty_but_unset_upper_case_variables_may_be if {
	in_loop := object.union(cmd(["rm", "-rf", "$dir/"]), {"in_loop": true})
	expansion.guarded(in_loop, "dir") with input as {"commands": [in_loop]}
	not expansion.guarded(in_loop, "DIR") with input as {"commands": [in_loop]}
}

test_constant_rest_drops_every_variable if {
	expansion.constant_rest("${ROOT}/$SUB/dist") == "//dist"
}
