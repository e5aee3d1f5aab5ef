# TODO: staging project not created yet, reuse prod for now
project_id = "acme-platform-prod"
