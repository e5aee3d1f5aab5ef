terraform {
  backend "s3" {
    bucket = "acme-terraform-state"
    key    = "dev/terraform.tfstate"
    region = "us-east-1"
  }
}

# "Separate" from prod by VPC only: same account.
provider "aws" {
  region = "us-east-1"

  assume_role {
    role_arn     = "arn:aws:iam::111111111111:role/terraform-dev"
    session_name = "terraform-dev"
  }
}

module "network" {
  source = "../../modules/network"
  cidr   = "10.10.0.0/16"
}
