locals {
  env = terraform.workspace

  # `terraform workspace select <env>`, then `terraform apply -var-file=env/<env>.tfvars`.
  deploy_role_arns = {
    dev     = "arn:aws:iam::381492066530:role/search-deploy"
    staging = local.shared_deploy_role
    prod    = local.shared_deploy_role
  }

  shared_deploy_role = "arn:aws:iam::772015384619:role/search-deploy"

  common_tags = {
    Service     = "search"
    Environment = local.env
  }
}
