locals {
  account_name   = "acme-staging"
  aws_account_id = "333333333333"
  ecr_role_arn   = "arn:aws:iam::555555555555:role/ecr-pull"
  dns_role_arn   = "arn:aws:iam::555555555555:role/route53-delegation"
}
