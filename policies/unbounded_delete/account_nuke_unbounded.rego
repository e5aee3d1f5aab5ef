# METADATA
# title: Account-wide nuke with no resource, region or ownership bound
# description: |
#   An aws-nuke configuration (`regions:` + `accounts:`) in which an account
#   has no `filters` or `presets` and the config limits no `resource-types`,
#   or has no `account-blocklist` to keep production accounts out; or a
#   `cloud-nuke aws`/`gcp` command with no `--resource-type`, no `--region`
#   and no `--config` filter file, outside `--dry-run`.
#
#   Why is this bad? These tools delete every resource they can list in the
#   account. They are meant for throwaway sandbox accounts; pointed at the
#   wrong credentials, or at an account shared with anything long-lived, they
#   reproduce cloud.gov's 2018 outage, where a cleanup task removed every VM
#   in an account that also held production. Scheduled jobs get severity error.
# custom:
#   id: account-nuke-unbounded
#   category: unbounded-delete
#   severity: warning
#   kinds: [yaml, shell, ci, kubernetes]
#   help: >-
#     List production accounts under `account-blocklist`, give each account
#     `filters` that keep what it does not own (e.g. `IAMRole: [{type: glob,
#     value: "OrganizationAccountAccessRole"}]`, tag filters), or limit
#     `resource-types.includes`; for cloud-nuke add `--resource-type`,
#     `--region` and a `--config` with tag filters.
#   bad: |
#     regions: [us-east-1, global]
#     account-blocklist: ["111111111111"]
#     accounts:
#       "222222222222": {}
#   good: |
#     regions: [us-east-1, global]
#     account-blocklist: ["111111111111"]
#     accounts:
#       "222222222222":
#         filters:
#           IAMRole:
#             - OrganizationAccountAccessRole
package blastwall.unbounded_delete.account_nuke_unbounded

import rego.v1

import data.blastwall.lib.shell

# ---- aws-nuke configuration files.

deny contains result if {
	nuke_config
	not resource_types_limited
	some id, account in input.content.accounts
	not bounded_account(account)
	result := {
		"msg": sprintf("aws-nuke account `%s` has no `filters` or `presets` and the config limits no `resource-types`: a run deletes every resource in that account%s", [id, blocklist_note]),
		"path": ["content", "accounts", id],
	}
}

deny contains result if {
	nuke_config
	not blocklist
	result := {
		"msg": "aws-nuke config has no `account-blocklist`: nothing keeps a production account out of a run pointed at the wrong credentials",
		"path": ["content", "accounts"],
	}
}

nuke_config if {
	input.kind == "yaml"
	is_object(input.content.accounts)
	is_array(input.content.regions)
}

blocklist if {
	some key in ["account-blocklist", "account-blacklist", "blocklist"]
	count(input.content[key]) > 0
}

blocklist_note := "" if blocklist

else := ", and no `account-blocklist` keeps production accounts out"

resource_types_limited if {
	some key in ["includes", "targets"]
	count(input.content["resource-types"][key]) > 0
}

bounded_account(account) if count(account.filters) > 0

bounded_account(account) if count(account.presets) > 0

bounded_account(account) if {
	some key in ["includes", "targets"]
	count(account["resource-types"][key]) > 0
}

# ---- cloud-nuke commands.

# On kinds with commands, blastwall runs this rule only where a command runs one of these.
programs := {"cloud-nuke"}

deny contains result if {
	some c, cmd in input.commands
	cmd.program in programs
	a := cmd.args
	a[1] in {"aws", "gcp"}
	not shell.dry_run(a)
	not cloud_nuke_bounded(a)
	result := {
		"msg": sprintf("`cloud-nuke %s` with no `--resource-type`, `--region` or `--config` deletes every supported resource in every region of the account the credentials reach%s", [a[1], unattended(cmd)]),
		"path": ["commands", c],
		"severity": shell.severity(cmd, "warning"),
	}
}

cloud_nuke_bounded(a) if {
	some flag in ["--resource-type", "--region", "--config"]
	shell.has_flag(a, flag)
}

unattended(cmd) := ", in a scheduled job" if shell.scheduled(cmd)

else := ""
