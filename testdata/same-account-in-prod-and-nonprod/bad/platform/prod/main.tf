terraform {
  backend "s3" {
    bucket = "acme-platform-tfstate-prod"
    key    = "platform/terraform.tfstate"
    region = "eu-central-1"
  }
}

variable "account_id" {
  type        = string
  description = "AWS account the platform stack deploys into"
}

variable "region" {
  type    = string
  default = "eu-central-1"
}

provider "aws" {
  region = var.region

  assume_role {
    role_arn = "arn:aws:iam::${var.account_id}:role/platform-terraform"
  }
}
