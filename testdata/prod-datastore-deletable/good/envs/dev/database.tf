resource "aws_db_instance" "orders" {
  identifier          = "orders-dev"
  engine              = "postgres"
  instance_class      = "db.t4g.micro"
  skip_final_snapshot = true
}
