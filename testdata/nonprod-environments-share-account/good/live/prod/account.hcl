locals {
  account_name   = "acme-prod"
  aws_account_id = "111111111111"
}
