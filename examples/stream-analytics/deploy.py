"""Deploy the stream analytics example: the stream, the table, the function, and the
Kinesis event source mapping that feeds it the stream's records."""

from collections.abc import Mapping
from pathlib import Path

from nubes.examples_deploy import Deployed, Deployer, package

HERE = Path(__file__).parent


def deploy(aws: Deployer, params: Mapping[str, str]) -> Deployed:
    stream = params.get("stream", "page-views")
    stream_arn = aws.stream(stream, shards=2)
    table = aws.table(params.get("table", "page-stats"), [("page", "S")])
    aws.function("stream-analytics", package([HERE / "app.py"]), timeout_s=60,
                 environment={"TABLE_NAME": table},
                 description="Sums page views from Kinesis into DynamoDB")
    # From the stream's oldest record: nothing put before the mapping existed is lost.
    aws.event_source_mapping("stream-analytics", stream_arn, StartingPosition="TRIM_HORIZON",
                             BatchSize=100, MaximumBatchingWindowInSeconds=1)
    view = '{"page": "/pricing", "user": "u-17", "ms": 120}'
    key = '{"page": {"S": "/pricing"}}'
    return Deployed(
        "stream-analytics",
        f"page views put to Kinesis stream {stream} are summed per page into table {table}",
        [f"function stream-analytics <- kinesis {stream} (2 shards, event source mapping)",
         f"table {table} (key: page; views, total_ms)"],
        [f"aws kinesis put-record --stream-name {stream} --partition-key u-17 "
         f"--data '{view}'   # CLI v2: add --cli-binary-format raw-in-base64-out",
         f"aws dynamodb get-item --table-name {table} --key '{key}'"])
