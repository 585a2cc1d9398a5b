"""Deploy the posts-api example: the table of posts and the function serving them."""

from collections.abc import Mapping
from pathlib import Path

from nubes.examples_deploy import Deployed, Deployer, package

HERE = Path(__file__).parent


def deploy(aws: Deployer, params: Mapping[str, str]) -> Deployed:
    table = aws.table(params.get("table", "posts"), [("id", "S")])
    aws.function("posts-api", package([HERE / "app.py"]), environment={"TABLE_NAME": table},
                 description="GET /posts and POST /posts on a DynamoDB table")
    return Deployed("posts-api", "GET /posts lists posts, POST /posts creates one",
                    [f"function posts-api -> table {table}"], [])
