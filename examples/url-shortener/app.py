"""A URL shortener written with Chalice: ``POST /`` stores a URL under a new short code,
``GET /{code}`` redirects (302) to it, or to ``BASE_URL`` for a code it does not know.
``GET /`` is a page with a form posting to ``POST /``, for browsers.

Plain Chalice, as deployed to AWS: the table's name comes from the environment
(``TABLE_NAME``, set in ``.chalice/config.json`` or by ``deploy.py``), and boto3 is used
with no endpoint configured (inside a Nubes sandbox ``AWS_ENDPOINT_URL`` points at Nubes).
"""

import functools
import html
import json
import os
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
from chalice import BadRequestError, Chalice, Response

app = Chalice(app_name="url-shortener")
BASE_URL = os.environ.get("BASE_URL", "https://example.com/")
# application/json from scripts; curl -d and HTML forms send a form; text/plain: just the URL.
CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "text/plain"]


@functools.cache
def table() -> Any:
    """Made on first use, not at import: ``chalice deploy`` imports the app locally to
    build its API, where no region may be configured."""
    return boto3.resource("dynamodb").Table(os.environ.get("TABLE_NAME", "short-urls"))


def submitted_url() -> str:
    request = app.current_request
    raw = (request.raw_body or b"").decode("utf-8", "replace")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            body = json.loads(raw or "null")
        except ValueError:
            raise BadRequestError("the body is not JSON") from None
        url = body.get("url") if isinstance(body, dict) else None
    elif content_type == "application/x-www-form-urlencoded":
        url = (parse_qs(raw).get("url") or [None])[0]
    else:
        url = raw.strip()
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") \
            or not urlsplit(url).netloc:
        raise BadRequestError('send {"url": "http(s)://..."}')
    return url


FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>URL shortener</title></head>
<body><h1>URL shortener</h1>
<form method="post"><input name="url" type="url" size="60" placeholder="https://..." required>
<button>Shorten</button></form>{result}</body></html>
"""


def wants_html() -> bool:
    """A browser's form post (it accepts text/html) gets a page back; scripts get JSON."""
    return "text/html" in app.current_request.headers.get("accept", "")


@app.route("/", methods=["GET"])
def form() -> Response:
    """A page with a form, so the shortener works from a browser too."""
    return Response(status_code=200, body=FORM.format(result=""),
                    headers={"Content-Type": "text/html; charset=utf-8"})


@app.route("/", methods=["POST"], content_types=CONTENT_TYPES)
def shorten() -> Response:
    url = submitted_url()
    while True:  # a fresh code; a collision (1 in 2**48 per pair) just draws again
        code = secrets.token_urlsafe(6)
        try:
            table().put_item(Item={"code": code, "url": url},
                             ConditionExpression="attribute_not_exists(code)")
            break
        except table().meta.client.exceptions.ConditionalCheckFailedException:
            continue
    context = app.current_request.context
    stage = context.get("stage")
    host = app.current_request.headers.get("host", context.get("domainName", ""))
    proto = app.current_request.headers.get("x-forwarded-proto", "https")
    prefix = f"/{stage}" if stage and stage != "$default" else ""
    short = f"{proto}://{host}{prefix}/{code}"
    if wants_html():
        link = html.escape(short)
        page = FORM.format(result=f'<p><a href="{link}">{link}</a> &rarr; '
                                  f"{html.escape(url)}</p>")
        return Response(status_code=201, body=page,
                        headers={"Content-Type": "text/html; charset=utf-8",
                                 "Location": short})
    return Response(status_code=201, body={"code": code, "url": url, "short_url": short},
                    headers={"Location": short})


@app.route("/{code}", methods=["GET"])
def follow(code: str) -> Response:
    item = table().get_item(Key={"code": code}).get("Item")
    target = str(item["url"]) if item else BASE_URL
    return Response(status_code=302, body="", headers={"Location": target})
