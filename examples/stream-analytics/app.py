"""Aggregate page views streamed through Kinesis into DynamoDB: an AWS Lambda handler.

Run by a Kinesis event source mapping, it gets batches of records, each a JSON page
view such as ``{"page": "/pricing", "user": "u-17", "ms": 120}`` (base64 in the event, as
Kinesis delivers it). It sums the batch per page, then adds the sums to the page's
item in the table named by ``TABLE_NAME`` with one UpdateItem ``ADD`` per page: ``views``
(how many), ``total_ms`` (their summed time on page) and ``last_sequence`` (the last
record's sequence number seen for the page, for tracing).
"""

import base64
import json
import os
from collections import defaultdict

import boto3

dynamodb = boto3.client("dynamodb")


def handler(event, context):
    table = os.environ["TABLE_NAME"]
    views = defaultdict(int)
    total_ms = defaultdict(int)
    last = {}
    for record in event["Records"]:
        view = json.loads(base64.b64decode(record["kinesis"]["data"]))
        page = str(view["page"])
        views[page] += 1
        total_ms[page] += int(view.get("ms", 0))
        last[page] = record["kinesis"]["sequenceNumber"]
    for page, count in views.items():
        dynamodb.update_item(
            TableName=table, Key={"page": {"S": page}},
            UpdateExpression="ADD #views :n, #ms :ms SET last_sequence = :seq",
            ExpressionAttributeNames={"#views": "views", "#ms": "total_ms"},
            ExpressionAttributeValues={":n": {"N": str(count)},
                                       ":ms": {"N": str(total_ms[page])},
                                       ":seq": {"S": last[page]}})
    print(f"aggregated {len(event['Records'])} views of {len(views)} pages")
    return {"records": len(event["Records"]), "pages": len(views)}
