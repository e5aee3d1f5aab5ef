data "aws_iam_policy_document" "github_ci" {
  statement {
    actions   = ["rds:DeleteDBInstance"]
    resources = ["arn:aws:rds:us-east-1:123456789012:db:ci-*"]
  }

  statement {
    actions   = ["ec2:TerminateInstances"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "ec2:ResourceTag/ci-run"
      values   = ["$${aws:PrincipalTag/ci-run}"]
    }
  }
}

resource "aws_iam_policy" "artifacts" {
  name = "artifacts"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:DeleteBucket", "s3:DeleteObject"]
      Resource = ["arn:aws:s3:::ci-artifacts-${var.run_id}", "arn:aws:s3:::ci-artifacts-${var.run_id}/*"]
    }]
  })
}

resource "aws_iam_role_policy" "readonly" {
  role   = aws_iam_role.auditor.id
  policy = <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ec2:Describe*", "s3:Get*"], "Resource": "*"}]}
EOF
}
