"""Deploy the url-shortener example: its table, the Chalice app as a function packaged as
``chalice deploy`` packages it (the app, and Chalice's own runtime module), and the REST
API ``chalice deploy`` would create: the Swagger document Chalice generates for the app,
imported, permitted to invoke the function and deployed to the stage ``api``."""

import importlib.util
import inspect
import io
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import chalice
import chalice.app
from chalice.deploy.swagger import SwaggerGenerator

from nubes.examples_deploy import Deployed, Deployer

HERE = Path(__file__).parent
STAGE = "api"  # Chalice's default api_gateway_stage


def chalice_package(app_py: Path) -> bytes:
    """The zip ``chalice deploy`` builds for an app with no requirements: ``app.py`` and
    ``chalice/__init__.py`` + ``chalice/app.py`` (Chalice's runtime is not on Lambda)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(inspect.getfile(chalice.app), "chalice/app.py")
        zf.write(inspect.getfile(chalice), "chalice/__init__.py")
        zf.write(app_py, "app.py")
    return buffer.getvalue()


def swagger(app_py: Path, region: str, function_arn: str) -> dict[str, Any]:
    """The API document ``chalice deploy`` imports for the app (Chalice's own generator)."""
    spec = importlib.util.spec_from_file_location("nubes_example_url_shortener_app", app_py)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    document: dict[str, Any] = SwaggerGenerator(
        region, {"api_handler_arn": function_arn}).generate_swagger(module.app)
    return document


def deploy(aws: Deployer, params: Mapping[str, str]) -> Deployed:
    table = aws.table(params.get("table", "short-urls"), [("code", "S")])
    base_url = params.get("base_url", "https://example.com/")
    # app.app: Chalice's handler is the app object itself, as chalice deploy configures it.
    arn = aws.function("url-shortener", chalice_package(HERE / "app.py"), handler="app.app",
                       environment={"TABLE_NAME": table, "BASE_URL": base_url},
                       description="A URL shortener written with Chalice")
    region, account = arn.split(":")[3], arn.split(":")[4]
    api_id = aws.rest_api(swagger(HERE / "app.py", region, arn), STAGE)
    aws.allow("url-shortener", "rest-api", "apigateway.amazonaws.com",
              f"arn:aws:execute-api:{region}:{account}:{api_id}/*")
    url = aws.execute_api_url(api_id, STAGE)
    return Deployed(
        "url-shortener", "POST / stores a URL under a short code; GET /{code} redirects to it",
        [f"REST API url-shortener ({api_id}) at {url} -> function url-shortener (Chalice)",
         f"table {table}"],
        [f"curl -d url=https://aws.amazon.com/lambda/ {url}",
         f"curl -i {url}<code>"])
