locals {
  # Reviewers: the notes field is free text, not a suppression.
  notes = "// blastwall: ignore[same-account-in-prod-and-nonprod] not a comment"
}
