locals {
  account_name   = "prod"
  aws_account_id = "444444444444"
}
