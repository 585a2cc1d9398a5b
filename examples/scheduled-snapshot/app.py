"""Fetch a feed on a schedule and keep a timestamped snapshot: an AWS Lambda handler.

Run by an EventBridge schedule rule, it fetches the JSON document at ``FEED_URL`` and
writes it, with when and where it was fetched, to ``SNAPSHOT_BUCKET`` under
``snapshots/<the event's time>.json``. The event's ``time`` is the schedule's tick (not
the moment the function happens to run), so a tick delivered twice writes one object.

``FEED_URL`` is an ``http(s)://`` URL (a public API, fetched with urllib) or an
``s3://bucket/key`` URL (read with boto3): the deployed example reads a feed kept in a
bucket, standing in for a third-party API.
"""

import json
import os
import time
import urllib.parse
import urllib.request

import boto3

s3 = boto3.client("s3")


def fetch(url):
    """The feed's document, from HTTP or S3."""
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "s3":
        body = s3.get_object(Bucket=parsed.netloc, Key=parsed.path.lstrip("/"))["Body"]
        return json.loads(body.read())
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def handler(event, context):
    url = os.environ["FEED_URL"]
    bucket = os.environ["SNAPSHOT_BUCKET"]
    tick = event.get("time") or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    snapshot = {
        "tick": tick,
        "fetched_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "source": url,
        "rule": (event.get("resources") or [None])[0],
        "data": fetch(url),
    }
    key = f"snapshots/{tick}.json"
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(snapshot, indent=2).encode(),
                  ContentType="application/json")
    print(f"snapshot of {url} stored as s3://{bucket}/{key}")
    return {"snapshot": f"s3://{bucket}/{key}"}
