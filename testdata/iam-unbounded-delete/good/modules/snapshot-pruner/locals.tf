locals {
  name = "snapshot-pruner-${var.environment}"

  # Recovery points and manual snapshots older than var.retention_days are pruned nightly.
  prune_actions = [
    "backup:DeleteRecoveryPoint",
    "rds:DeleteDBSnapshot",
    "rds:DeleteDBClusterSnapshot",
  ]
}
