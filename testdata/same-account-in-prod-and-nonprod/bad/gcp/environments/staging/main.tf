provider "google" {
  project = var.project_id
  region  = var.region
}

resource "google_compute_network" "vpc" {
  name                    = "staging-vpc"
  auto_create_subnetworks = false
}
