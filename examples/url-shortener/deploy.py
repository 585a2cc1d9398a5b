"""Deploy the url-shortener example: its table, and the Chalice app as a function packaged
as ``chalice deploy`` packages it (the app, and Chalice's own runtime module)."""

import inspect
import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

import chalice
import chalice.app

from nubes.examples_deploy import Deployed, Deployer

HERE = Path(__file__).parent


def chalice_package(app_py: Path) -> bytes:
    """The zip ``chalice deploy`` builds for an app with no requirements: ``app.py`` and
    ``chalice/__init__.py`` + ``chalice/app.py`` (Chalice's runtime is not on Lambda)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(inspect.getfile(chalice.app), "chalice/app.py")
        zf.write(inspect.getfile(chalice), "chalice/__init__.py")
        zf.write(app_py, "app.py")
    return buffer.getvalue()


def deploy(aws: Deployer, params: Mapping[str, str]) -> Deployed:
    table = aws.table(params.get("table", "short-urls"), [("code", "S")])
    base_url = params.get("base_url", "https://example.com/")
    # app.app: Chalice's handler is the app object itself, as chalice deploy configures it.
    aws.function("url-shortener", chalice_package(HERE / "app.py"), handler="app.app",
                 environment={"TABLE_NAME": table, "BASE_URL": base_url},
                 description="A URL shortener written with Chalice")
    return Deployed(
        "url-shortener", "POST / stores a URL under a short code; GET /{code} redirects to it",
        [f"function url-shortener (Chalice) -> table {table}"], [])
