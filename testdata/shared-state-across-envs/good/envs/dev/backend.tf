# One bucket and one lock table for every environment, a key per environment.
terraform {
  backend "s3" {
    bucket         = "acme-terraform-state"
    key            = "dev/platform/terraform.tfstate"
    region         = "us-east-1"
    dynamodb_table = "terraform-locks"
  }
}
