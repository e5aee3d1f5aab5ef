# Set common variables for the account. This is automatically pulled in by the
# root terragrunt.hcl configuration.
locals {
  account_name   = "acme-nonprod"
  aws_account_id = "222222222222"
}
