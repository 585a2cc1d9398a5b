"""The issue's acceptance example: a handler written for AWS runs on Nubes unmodified.

``examples/thumbnail`` is deployed by its ``deploy.py`` (what ``make up`` runs): the
handler zipped the way a Lambda user zips it, with Pillow vendored beside it (copied
from this venv, compiled parts and their bundled libraries included), and a bucket
notification on ``photos``. The function downloads the image with its own
``boto3.client("s3")``, halves it and uploads the result.
"""

from __future__ import annotations

import hashlib
import io
import json
import urllib.parse
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from PIL import Image

from nubes.examples_deploy import Deployed, Deployer, package, pillow_trees
from tests.e2e.conftest import EXAMPLES, eventually

pytestmark = pytest.mark.slow


def picture(size: tuple[int, int], fmt: str) -> bytes:
    image = Image.new("RGB", size)
    for x in range(size[0]):  # a gradient, so the encoders have something to encode
        for y in range(0, size[1], 7):
            image.putpixel((x, y), (x % 256, y % 256, (x * y) % 256))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def s3_event(bucket: str, key: str, body: bytes) -> dict[str, Any]:
    """An ObjectCreated:Put notification exactly as S3 sends it (one record)."""
    return {"Records": [{
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": "2026-11-22T12:00:00.000Z",
        "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "AWS:AIDAEXAMPLE"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810",
                             "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWer"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "thumbnails",
            "bucket": {"name": bucket, "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                       "arn": f"arn:aws:s3:::{bucket}"},
            "object": {"key": urllib.parse.quote_plus(key, safe="/"), "size": len(body),
                       "eTag": hashlib.md5(body).hexdigest(), "sequencer": "0055AED6DCD90281E5"},
        },
    }]}


@pytest.fixture(scope="module")
def thumbnail(deploy: Callable[..., Deployed]) -> Deployed:
    return deploy("thumbnail")


def test_an_image_put_in_photos_gets_a_half_size_copy(aws: Deployer, thumbnail: Deployed
                                                      ) -> None:
    s3 = aws.client("s3")
    key = "album/my cat (1).png"
    s3.put_object(Bucket="photos", Key=key, Body=picture((320, 200), "PNG"))

    def resized() -> bytes | None:
        try:
            body: bytes = s3.get_object(Bucket="photosresized", Key=key)["Body"].read()
            return body
        except ClientError:
            return None

    body = eventually(resized, wait_s=30)
    assert body, "no thumbnail appeared in photosresized"
    with Image.open(io.BytesIO(body)) as image:
        assert (image.format, image.size) == ("PNG", (160, 100))


@pytest.mark.parametrize(("fmt", "size"), [("PNG", (640, 480)), ("JPEG", (333, 201))])
def test_an_s3_event_halves_the_image_into_the_resized_bucket(
        aws: Deployer, thumbnail: Deployed, fmt: str, size: tuple[int, int]) -> None:
    s3, lam = aws.client("s3"), aws.client("lambda")
    source = f"photos-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=source)
    s3.create_bucket(Bucket=f"{source}resized")
    key = f"holiday/my cat (1)+{fmt.lower()}.{fmt.lower()}"
    body = picture(size, fmt)
    s3.put_object(Bucket=source, Key=key, Body=body)

    response = lam.invoke(FunctionName="thumbnail",
                          Payload=json.dumps(s3_event(source, key, body)).encode())
    result = json.loads(response["Payload"].read())

    assert "FunctionError" not in response, result
    half = [size[0] // 2, size[1] // 2]
    assert result["new_size"] == half
    assert result["destination"] == f"s3://{source}resized/{key}"
    resized = s3.get_object(Bucket=f"{source}resized", Key=key)
    assert resized["ContentType"] == Image.MIME[fmt]
    with Image.open(io.BytesIO(resized["Body"].read())) as image:
        assert image.format == fmt
        assert list(image.size) == half


def test_the_destination_bucket_can_be_set_in_the_environment(aws: Deployer) -> None:
    s3, lam = aws.client("s3"), aws.client("lambda")
    source, target = f"in-{uuid.uuid4().hex[:12]}", f"out-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=source)
    s3.create_bucket(Bucket=target)
    body = picture((100, 60), "PNG")
    s3.put_object(Bucket=source, Key="a.png", Body=body)
    name = "thumbnail-env"
    aws.function(name, package([EXAMPLES / "thumbnail" / "app.py"], pillow_trees()),
                 memory_mb=256, environment={"DESTINATION_BUCKET": target})

    response = lam.invoke(FunctionName=name,
                          Payload=json.dumps(s3_event(source, "a.png", body)).encode())

    assert "FunctionError" not in response, response["Payload"].read()
    with Image.open(io.BytesIO(s3.get_object(Bucket=target, Key="a.png")["Body"].read())) as im:
        assert im.size == (50, 30)
