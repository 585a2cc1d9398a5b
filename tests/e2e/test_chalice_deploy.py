"""``chalice deploy``, unchanged, pointed at Nubes with ``AWS_ENDPOINT_URL``: the
url-shortener app is deployed by Chalice's own deployer, answers over plain HTTP, is
deployed again (Chalice's update path) and removed with ``chalice delete``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from nubes.examples_deploy import Deployer
from tests.e2e.conftest import EXAMPLES
from tests.plain_http import request
from tests.server import NubesServer

pytestmark = pytest.mark.slow


def test_chalice_deploy_then_http(examples_server: NubesServer, aws: Deployer,
                                  tmp_path: Path) -> None:
    project = tmp_path / "url-shortener"
    shutil.copytree(EXAMPLES / "url-shortener", project,
                    ignore=shutil.ignore_patterns("deploy.py", "__pycache__", "deployed",
                                                  "deployments"))
    aws.table("short-urls", [("code", "S")])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "NUBES_"))}
    env.update(AWS_ENDPOINT_URL=examples_server.endpoint, AWS_ACCESS_KEY_ID="test",
               AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
    chalice = [str(Path(sys.executable).parent / "chalice")]  # the console script users run
    done = subprocess.run([*chalice, "deploy"], cwd=project, env=env, capture_output=True,
                          text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    deployed = json.loads((project / ".chalice" / "deployed" / "dev.json").read_text())
    api_id = next(r["rest_api_id"] for r in deployed["resources"]
                  if r["resource_type"] == "rest_api")
    assert f"https://{api_id}.execute-api.us-east-1.amazonaws.com/api/" in done.stdout
    url = f"http://{api_id}.execute-api.localhost:{examples_server.port}/api/"
    created = request(examples_server, "POST", url, json.dumps({"url": "https://a.example/"}),
                      {"Content-Type": "application/json"})
    assert created.status == 201, created
    followed = request(examples_server, "GET", f"{url}{created.json()['code']}")
    assert followed.status == 302 and followed.header("location") == "https://a.example/"
    # Redeploying takes the update path (GetRestApi, PutRestApi, UpdateRestApi).
    again = subprocess.run([*chalice, "deploy"], cwd=project, env=env, capture_output=True,
                           text=True, timeout=240)
    assert again.returncode == 0, again.stdout + again.stderr
    assert request(examples_server, "GET", f"{url}{created.json()['code']}").status == 302
    # chalice delete removes what it made: the REST API, then the function.
    gone = subprocess.run([*chalice, "delete"], cwd=project, env=env, capture_output=True,
                          text=True, timeout=240)
    assert gone.returncode == 0, gone.stdout + gone.stderr
    with pytest.raises(ClientError) as no_api:
        aws.client("apigateway").get_rest_api(restApiId=api_id)
    assert no_api.value.response["Error"]["Code"] == "NotFoundException"
    with pytest.raises(ClientError) as no_function:
        aws.client("lambda").get_function(FunctionName="url-shortener-dev")
    assert no_function.value.response["Error"]["Code"] == "ResourceNotFoundException"
