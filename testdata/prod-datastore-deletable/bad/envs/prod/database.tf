locals {
  name = "orders"
}

resource "aws_db_instance" "orders" {
  identifier              = "${local.name}-primary"
  engine                  = "postgres"
  instance_class          = "db.r6g.large"
  allocated_storage       = 200
  backup_retention_period = 7
  skip_final_snapshot     = true
}

resource "aws_rds_cluster" "ledger" {
  cluster_identifier      = "ledger"
  engine                  = "aurora-postgresql"
  backup_retention_period = 0
  deletion_protection     = true
}

resource "aws_dynamodb_table" "sessions" {
  name         = "sessions"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }
}
