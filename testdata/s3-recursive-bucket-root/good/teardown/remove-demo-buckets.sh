#!/bin/sh
# Tear down the demo: a bucket must be empty before `s3 rb` accepts it.
. "$(dirname "$0")/demo.env" || exit 1

for bucket in "$UPLOAD_BUCKET" "$AUDIT_BUCKET"; do
  [ -n "$bucket" ] || continue
  aws s3 rm --recursive "s3://$bucket/"
  aws s3 rb "s3://$bucket"
done

aws s3 rm "s3://$REPORTS_BUCKET" --recursive
aws s3api delete-bucket --bucket "$REPORTS_BUCKET" --region "$AWS_REGION"
