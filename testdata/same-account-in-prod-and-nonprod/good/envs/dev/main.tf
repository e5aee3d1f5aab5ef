# The prod account is 111111111111; dev has its own.
provider "aws" {
  region              = "us-east-1"
  allowed_account_ids = ["222222222222"]

  assume_role {
    role_arn = "arn:aws:iam::222222222222:role/terraform"
  }
}
