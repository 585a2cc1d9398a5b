"""The issue's acceptance example: a handler written for AWS runs on Nubes unmodified.

``examples/thumbnail/app.py`` is zipped the way a Lambda user zips it — the handler plus
Pillow vendored beside it (copied from this venv, compiled parts and their bundled
libraries included) — created with boto3 under the runtime of this venv's interpreter,
and invoked with an S3 event shaped exactly as S3 sends it. The function downloads the
image with its own ``boto3.client("s3")``, halves it and uploads the result.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import urllib.parse
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import PIL
import pytest
from PIL import Image

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).parents[2] / "examples" / "thumbnail"
RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"  # Pillow is compiled
ROLE = "arn:aws:iam::000000000000:role/thumbnail"


def add_tree(zf: zipfile.ZipFile, root: Path) -> None:
    """``root`` into the zip under its own name, as ``pip install --target`` would lay it."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            zf.write(path, path.relative_to(root.parent).as_posix())


def deployment_package() -> bytes:
    """app.py plus PIL/ and pillow.libs/ (if the wheel has one) at the zip's root."""
    site_packages = Path(PIL.__file__).parent.parent
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(EXAMPLE / "app.py", "app.py")
        add_tree(zf, site_packages / "PIL")
        if (site_packages / "pillow.libs").is_dir():
            add_tree(zf, site_packages / "pillow.libs")
    return buffer.getvalue()


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
def thumbnail(make_client: Callable[..., Any]) -> str:
    lam = make_client("lambda")
    name = f"thumbnail-{uuid.uuid4().hex[:8]}"
    lam.create_function(FunctionName=name, Runtime=RUNTIME, Handler="app.handler", Role=ROLE,
                        Code={"ZipFile": deployment_package()}, MemorySize=256, Timeout=30)
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    return name


@pytest.mark.parametrize(("fmt", "size"), [("PNG", (640, 480)), ("JPEG", (333, 201))])
def test_an_s3_event_halves_the_image_into_the_resized_bucket(
        make_client: Callable[..., Any], thumbnail: str, fmt: str, size: tuple[int, int]
) -> None:
    s3, lam = make_client("s3"), make_client("lambda")
    source = f"photos-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=source)
    s3.create_bucket(Bucket=f"{source}resized")
    key = f"holiday/my cat (1)+{fmt.lower()}.{fmt.lower()}"
    body = picture(size, fmt)
    s3.put_object(Bucket=source, Key=key, Body=body)

    response = lam.invoke(FunctionName=thumbnail,
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


def test_the_destination_bucket_can_be_set_in_the_environment(
        make_client: Callable[..., Any], thumbnail: str) -> None:
    s3, lam = make_client("s3"), make_client("lambda")
    source, target = f"in-{uuid.uuid4().hex[:12]}", f"out-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=source)
    s3.create_bucket(Bucket=target)
    body = picture((100, 60), "PNG")
    s3.put_object(Bucket=source, Key="a.png", Body=body)
    name = f"{thumbnail}-env"
    lam.create_function(FunctionName=name, Runtime=RUNTIME, Handler="app.handler", Role=ROLE,
                        Code={"ZipFile": deployment_package()}, MemorySize=256, Timeout=30,
                        Environment={"Variables": {"DESTINATION_BUCKET": target}})
    lam.get_waiter("function_active_v2").wait(FunctionName=name)

    response = lam.invoke(FunctionName=name,
                          Payload=json.dumps(s3_event(source, "a.png", body)).encode())

    assert "FunctionError" not in response, response["Payload"].read()
    with Image.open(io.BytesIO(s3.get_object(Bucket=target, Key="a.png")["Body"].read())) as im:
        assert im.size == (50, 30)
