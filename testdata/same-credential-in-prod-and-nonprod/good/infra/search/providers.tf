provider "aws" {
  region = var.region

  assume_role {
    role_arn     = local.deploy_role_arns[local.env]
    session_name = "terraform-${local.env}"
  }

  default_tags {
    tags = local.common_tags
  }
}
