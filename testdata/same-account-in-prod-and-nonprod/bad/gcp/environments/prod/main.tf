locals {
  project = "acme-platform-prod"
  region  = "europe-west1"
}

provider "google" {
  project = local.project
  region  = local.region
}
