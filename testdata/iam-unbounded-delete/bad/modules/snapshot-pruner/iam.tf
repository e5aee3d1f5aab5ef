data "aws_iam_policy_document" "pruner" {
  statement {
    sid       = "Describe"
    actions   = ["rds:DescribeDBSnapshots", "backup:ListRecoveryPointsByBackupVault"]
    resources = ["*"]
  }

  statement {
    sid       = "Prune"
    actions   = local.prune_actions
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "pruner" {
  name   = local.name
  role   = aws_iam_role.pruner.id
  policy = data.aws_iam_policy_document.pruner.json
}
