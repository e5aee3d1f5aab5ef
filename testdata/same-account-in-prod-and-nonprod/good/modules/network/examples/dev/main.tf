# Example usage; copy into an environment and set your own account.
provider "aws" {
  allowed_account_ids = ["111111111111"]
}

module "network" {
  source = "../.."
  cidr   = "10.0.0.0/16"
}
