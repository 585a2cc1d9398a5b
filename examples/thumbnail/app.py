"""Halve an image uploaded to S3: an AWS Lambda handler, written for AWS, run unchanged.

Triggered by an S3 "ObjectCreated" event, it downloads the object with boto3, resizes it
to half its width and height with Pillow (vendored in the deployment package), and
uploads the result under the same key to ``DESTINATION_BUCKET`` (default: the source
bucket's name followed by ``resized``, as in AWS's own tutorial).
"""

import io
import os
import urllib.parse

import boto3
from PIL import Image

s3 = boto3.client("s3")  # created once per sandbox, reused by warm invocations


def halve(data: bytes) -> tuple[bytes, str, tuple[int, int], tuple[int, int]]:
    """The image at half size, in its own format: (bytes, MIME type, old size, new size)."""
    with Image.open(io.BytesIO(data)) as image:
        fmt = image.format or "PNG"
        width, height = image.size
        smaller = image.resize((max(1, width // 2), max(1, height // 2)))
        out = io.BytesIO()
        smaller.save(out, format=fmt)
    mime = Image.MIME.get(fmt, "application/octet-stream")
    return out.getvalue(), mime, (width, height), smaller.size


def handler(event, context):
    record = event["Records"][0]["s3"]
    bucket = record["bucket"]["name"]
    # Keys arrive URL-encoded in S3 events ("my+cat+%281%29.png" for "my cat (1).png").
    key = urllib.parse.unquote_plus(record["object"]["key"])
    destination = os.environ.get("DESTINATION_BUCKET") or f"{bucket}resized"

    original = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    body, mime, before, after = halve(original)
    s3.put_object(Bucket=destination, Key=key, Body=body, ContentType=mime)
    print(f"resized s3://{bucket}/{key} {before[0]}x{before[1]} -> "
          f"s3://{destination}/{key} {after[0]}x{after[1]}")
    return {"source": f"s3://{bucket}/{key}", "destination": f"s3://{destination}/{key}",
            "original_size": list(before), "new_size": list(after), "bytes": len(body)}
