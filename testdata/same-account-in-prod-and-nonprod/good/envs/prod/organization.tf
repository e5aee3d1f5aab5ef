# The management account attaches guardrails to the member accounts.
resource "aws_organizations_policy_attachment" "dev_guardrails" {
  policy_id = aws_organizations_policy.guardrails.id
  target_id = "222222222222"
}

resource "aws_organizations_policy" "guardrails" {
  name    = "guardrails"
  content = jsonencode({ Version = "2012-10-17", Statement = [] })
}
