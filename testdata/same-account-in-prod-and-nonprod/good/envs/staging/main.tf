# Staging shares the non-production account with dev: accepted by default.
provider "aws" {
  region              = "us-east-1"
  allowed_account_ids = [local.nonprod_account]
}

locals {
  nonprod_account = "222222222222"
}
