terraform {
  source = "../../../modules//api"
}

remote_state {
  backend = "gcs"
  config = {
    project  = "acme-tfstate"
    location = "eu"
    bucket   = "acme-tfstate-bucket"
    prefix   = "api"
  }
}

inputs = {
  replicas = 2
}
