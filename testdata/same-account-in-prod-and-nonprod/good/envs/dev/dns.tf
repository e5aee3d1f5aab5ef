# dev.example.com is delegated from the apex zone, which lives in the prod
# account; dev only assumes the narrow record-writer role there.
module "dev_subzone" {
  source = "../../modules/subzone"

  zone_name          = "dev.example.com"
  dns_role_arn       = "arn:aws:iam::111111111111:role/apex-zone-delegation"
  create_writer_role = true
}

module "ci_roles" {
  source = "terraform-aws-modules/iam/aws//modules/iam-assumable-roles"

  create_admin_role       = true
  admin_role_requires_mfa = true
  trusted_role_arns       = ["arn:aws:iam::222222222222:root"]
}
