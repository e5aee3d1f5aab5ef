data "aws_iam_policy_document" "github_ci" {
  statement {
    sid       = "Deploy"
    actions   = ["ecs:UpdateService", "ecs:DescribeServices"]
    resources = ["*"]
  }

  statement {
    sid     = "TearDownStacks"
    actions = ["cloudformation:DeleteStack"]
    resources = [
      "arn:aws:cloudformation:*:${data.aws_caller_identity.current.account_id}:stack/*",
    ]
  }
}

resource "aws_iam_policy" "janitor" {
  name = "janitor"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:*"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_iam_role_policy" "integration_tests" {
  name = "integration-tests"
  role = aws_iam_role.integration_tests.id

  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}
      ]
    }
  EOF
}
