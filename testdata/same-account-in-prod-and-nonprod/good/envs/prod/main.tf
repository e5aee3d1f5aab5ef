provider "aws" {
  region              = "us-east-1"
  allowed_account_ids = ["111111111111"]
}
