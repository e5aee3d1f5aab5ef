terraform {
  backend "s3" {
    bucket = "acme-terraform-state-prod"
    key    = "orders/terraform.tfstate"
    region = "eu-west-1"
  }
}

provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["111122223333"]
}
