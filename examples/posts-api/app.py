"""A posts API behind an API key: ``GET /posts`` lists the posts in DynamoDB (newest
first), ``POST /posts`` creates one from ``{"title": ..., "body": ...}``.

A Lambda proxy integration's handler (payload format 1.0, as REST APIs send it). The API
key is checked by API Gateway before the function runs, so the function never sees a
request without one.
"""

import base64
import json
import os
import time
import uuid

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ.get("TABLE_NAME", "posts"))
MAX_TITLE = 200
MAX_BODY = 10_000


def respond(status: int, body: object) -> dict:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(body)}


def list_posts() -> dict:
    items, start = [], {}
    while True:
        page = TABLE.scan(**start)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    posts = sorted(({"id": i["id"], "title": i["title"], "body": i.get("body", ""),
                     "created": int(i["created"])} for i in items),
                   key=lambda post: (post["created"], post["id"]), reverse=True)
    return respond(200, {"posts": posts})


def create_post(raw: str | None) -> dict:
    try:
        data = json.loads(raw or "")
    except ValueError:
        return respond(400, {"message": "the body is not JSON"})
    title = data.get("title") if isinstance(data, dict) else None
    body = data.get("body", "") if isinstance(data, dict) else None
    if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
        return respond(400, {"message": f"title: a non-empty string of at most {MAX_TITLE}"})
    if not isinstance(body, str) or len(body) > MAX_BODY:
        return respond(400, {"message": f"body: a string of at most {MAX_BODY}"})
    post = {"id": uuid.uuid4().hex, "title": title, "body": body,
            "created": time.time_ns() // 1_000_000}
    TABLE.put_item(Item=post)
    return respond(201, post)


def handler(event, context):
    method = event.get("httpMethod")
    if event.get("resource") == "/posts" and method == "GET":
        return list_posts()
    if event.get("resource") == "/posts" and method == "POST":
        raw = event.get("body")
        if raw is not None and event.get("isBase64Encoded"):
            raw = base64.b64decode(raw).decode("utf-8", "replace")
        return create_post(raw)
    return respond(404, {"message": "Not Found"})
