locals {
  account_name   = "acme-dev"
  aws_account_id = "222222222222"
  # The shared-services account holds the ECR registry and the parent DNS zone.
  ecr_role_arn = "arn:aws:iam::555555555555:role/ecr-pull"
  dns_role_arn = "arn:aws:iam::555555555555:role/route53-delegation"
}
