locals {
  env = terraform.workspace

  # `terraform workspace select <env>`, then `terraform apply -var-file=env/<env>.tfvars`.
  deploy_role_arns = {
    dev     = "arn:aws:iam::381492066530:role/search-deploy"
    staging = "arn:aws:iam::529104837261:role/search-deploy"
    prod    = "arn:aws:iam::772015384619:role/search-deploy"
  }

  # Instance sizes differ per workspace; nothing here is an identity.
  instance_types = {
    staging = "r6g.large.search"
    prod    = "r6g.large.search"
  }

  common_tags = {
    Service     = "search"
    Environment = local.env
  }
}
