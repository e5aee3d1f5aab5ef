provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["444455556666"]
}
