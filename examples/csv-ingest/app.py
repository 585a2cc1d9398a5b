"""Load a CSV file uploaded to S3 into DynamoDB: an AWS Lambda handler, run unchanged.

Triggered by S3 "ObjectCreated" events, it reads the object with boto3, parses it with
the csv module (the first line names the columns), and writes one item per row to the
table named by ``TABLE_NAME`` with BatchWriteItem: the item's key is the file
(``bucket/key``) and the row's line number, its other attributes the row's cells.
"""

import csv
import io
import os
import urllib.parse

import boto3

s3 = boto3.client("s3")
dynamodb = boto3.client("dynamodb")
BATCH = 25  # BatchWriteItem takes at most 25 requests


def write_all(table, requests):
    """BatchWriteItem in chunks, resending what DynamoDB answers as unprocessed."""
    for start in range(0, len(requests), BATCH):
        pending = {table: requests[start:start + BATCH]}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending)["UnprocessedItems"]


def items(bucket, key, text):
    """One PutRequest per row: file and line as the key, the cells as strings."""
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        item = {"file": {"S": f"{bucket}/{key}"}, "line": {"N": str(line)}}
        for column, value in row.items():
            if column and column not in item and value is not None:
                item[column] = {"S": value}
        yield {"PutRequest": {"Item": item}}


def handler(event, context):
    table = os.environ["TABLE_NAME"]
    loaded = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        # Keys arrive URL-encoded in S3 events ("sales+2026%2B.csv" for "sales 2026+.csv").
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        requests = list(items(bucket, key, body.decode("utf-8-sig")))
        write_all(table, requests)
        print(f"loaded {len(requests)} rows of s3://{bucket}/{key} into {table}")
        loaded.append({"file": f"{bucket}/{key}", "rows": len(requests)})
    return {"loaded": loaded}
