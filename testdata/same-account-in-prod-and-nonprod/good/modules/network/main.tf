variable "cidr" {
  type = string
}

provider "aws" {
  alias               = "shared"
  allowed_account_ids = ["111111111111"]
}
