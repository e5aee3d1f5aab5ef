resource "aws_s3_bucket" "state" {
  bucket = "acme-production-tfstate"
}

# Lock table for the S3 backend: holds only in-flight locks.
resource "aws_dynamodb_table" "state_locks" {
  name         = "acme-production-tflocks"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "LockID"

  attribute {
    name = "LockID"
    type = "S"
  }
}
