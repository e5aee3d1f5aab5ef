resource "aws_db_instance" "billing" {
  identifier                = "billing-production"
  engine                    = "mysql"
  engine_version            = "8.0"
  instance_class            = "db.r6g.xlarge"
  allocated_storage         = 200
  deletion_protection       = true
  backup_retention_period   = 30
  final_snapshot_identifier = "billing-production-final"
}

# Reporting reads go to a replica; RDS keeps no final snapshot of a replica and its
# data lives in the source above.
resource "aws_db_instance" "billing_reports" {
  count = 2

  identifier             = "billing-production-reports-${count.index}"
  replicate_source_db    = aws_db_instance.billing.identifier
  instance_class         = "db.r6g.large"
  skip_final_snapshot    = true
  backup_retention_period = 0
  publicly_accessible    = false
}
