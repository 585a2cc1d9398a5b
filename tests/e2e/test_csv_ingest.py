"""examples/csv-ingest: a CSV uploaded to the bucket ends up, row by row, in the table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nubes.examples_deploy import Deployed, Deployer
from tests.e2e.conftest import eventually

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def csv_ingest(deploy: Callable[..., Deployed]) -> Deployed:
    return deploy("csv-ingest")


def rows(aws: Deployer, file: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = aws.client("dynamodb").query(
        TableName="csv-rows", KeyConditionExpression="#f = :f",
        ExpressionAttributeNames={"#f": "file"},
        ExpressionAttributeValues={":f": {"S": file}}, ConsistentRead=True)["Items"]
    return found


def test_an_uploaded_csv_is_written_to_the_table(aws: Deployer, csv_ingest: Deployed) -> None:
    # 60 rows: more than one BatchWriteItem (25 at most); a key S3 sends URL-encoded.
    key = "reports/sales 2026+q4.csv"
    lines = ["city,product,amount"] + [f"City {i},widget {i % 3},{i * 10}" for i in range(60)]
    aws.client("s3").put_object(Bucket="csv-uploads", Key=key,
                                Body="\n".join(lines).encode())

    items = eventually(lambda: len(rows(aws, f"csv-uploads/{key}")) == 60, wait_s=30)
    assert items, rows(aws, f"csv-uploads/{key}")
    by_line = {int(item["line"]["N"]): item for item in rows(aws, f"csv-uploads/{key}")}
    assert sorted(by_line) == list(range(2, 62))
    assert by_line[2] == {"file": {"S": f"csv-uploads/{key}"}, "line": {"N": "2"},
                          "city": {"S": "City 0"}, "product": {"S": "widget 0"},
                          "amount": {"S": "0"}}
    assert by_line[61]["amount"] == {"S": "590"}


def test_other_files_are_not_loaded(aws: Deployer, csv_ingest: Deployed) -> None:
    s3 = aws.client("s3")
    s3.put_object(Bucket="csv-uploads", Key="notes.txt", Body=b"a,b\n1,2\n")
    s3.put_object(Bucket="csv-uploads", Key="after.csv", Body=b"a,b\n1,2\n")
    # The .csv uploaded after the .txt is loaded; by then the .txt would have been too.
    assert eventually(lambda: rows(aws, "csv-uploads/after.csv"), wait_s=30)
    assert rows(aws, "csv-uploads/notes.txt") == []
