data "aws_iam_policy_document" "pruner" {
  statement {
    sid       = "Describe"
    actions   = ["rds:DescribeDBSnapshots", "backup:ListRecoveryPointsByBackupVault"]
    resources = ["*"]
  }

  # Only snapshots this pruner's own backup plan created (tagged at creation).
  statement {
    sid       = "Prune"
    actions   = local.prune_actions
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/managed-by"
      values   = [local.name]
    }
  }
}

resource "aws_iam_role_policy" "pruner" {
  name   = local.name
  role   = aws_iam_role.pruner.id
  policy = data.aws_iam_policy_document.pruner.json
}
