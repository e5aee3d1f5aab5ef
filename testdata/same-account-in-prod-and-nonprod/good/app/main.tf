variable "account_id" {
  type = string
}

provider "aws" {
  region              = "us-east-1"
  allowed_account_ids = [var.account_id]
}
