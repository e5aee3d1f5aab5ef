include "root" {
  path = find_in_parent_folders()
}

terraform {
  source = "git::git@github.com:acme/infra-modules.git//app?ref=v1.4.0"
}

locals {
  account_id = "444444444444"
}

inputs = {
  account_id     = local.account_id
  instance_count = 1
}
