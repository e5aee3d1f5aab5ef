locals {
  account_name   = "acme-nonprod"
  aws_account_id = "222222222222"
}
