"""Deploy the web-apps example: a Flask app (apig-wsgi) and a FastAPI app (Mangum), each a
function with its framework and adapter vendored into the zip, each behind a public
function URL (payload format 2.0), and each behind an HTTP API too: the FastAPI app's
sending 2.0 events, the Flask app's 1.0."""

from collections.abc import Mapping
from pathlib import Path

from nubes.examples_deploy import (
    FASTAPI_ASGI,
    FLASK_WSGI,
    Deployed,
    Deployer,
    distribution_trees,
    package,
)

HERE = Path(__file__).parent


def deploy(aws: Deployer, params: Mapping[str, str]) -> Deployed:
    flask_arn = aws.function("flask-app",
                             package([HERE / "flask_app.py"], distribution_trees(*FLASK_WSGI)),
                             handler="flask_app.handler", memory_mb=256,
                             description="A Flask (WSGI) app behind apig-wsgi")
    fastapi_arn = aws.function("fastapi-app",
                               package([HERE / "fastapi_app.py"],
                                       distribution_trees(*FASTAPI_ASGI)),
                               handler="fastapi_app.handler", memory_mb=256,
                               description="A FastAPI (ASGI) app behind Mangum")
    flask_url = aws.function_url("flask-app")
    fastapi_url = aws.function_url("fastapi-app")
    fastapi_api = aws.http_api("fastapi-app", fastapi_arn)
    # The same adapters read payload format 1.0 too (what REST APIs send).
    flask_api = aws.http_api("flask-app", flask_arn, payload_format="1.0")
    return Deployed(
        "web-apps", "a Flask app and a FastAPI app, each a function through a standard adapter",
        [f"function flask-app (Flask, apig-wsgi) at {flask_url}",
         f"function fastapi-app (FastAPI, Mangum) at {fastapi_url}",
         f"HTTP API fastapi-app at {fastapi_api} -> function fastapi-app (payload 2.0)",
         f"HTTP API flask-app at {flask_api} -> function flask-app (payload 1.0)"],
        [f"curl -X POST '{flask_url}echo/bob?z=1' -H 'content-type: application/json' "
         "-d '{\"a\": 1}'",
         f"curl '{fastapi_url}items/3?q=x'",
         f"curl -X POST {fastapi_api}items -H 'content-type: application/json' "
         "-d '{\"name\": \"pen\"}'"])
