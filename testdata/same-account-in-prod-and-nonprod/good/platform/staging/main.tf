variable "account_id" {
  type = string
}

provider "aws" {
  region = "eu-central-1"

  assume_role {
    role_arn = "arn:aws:iam::${var.account_id}:role/platform-terraform"
  }
}
