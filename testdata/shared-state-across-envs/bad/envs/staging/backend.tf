# Copied from envs/prod when staging was created.
terraform {
  required_version = ">= 1.6"

  backend "s3" {
    bucket         = "acme-terraform-state"
    key            = "platform/terraform.tfstate"
    region         = "us-east-1"
    dynamodb_table = "terraform-locks"
    encrypt        = true
  }
}
