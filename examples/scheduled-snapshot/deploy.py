"""Deploy the scheduled snapshot example: the stand-in feed, the snapshot bucket, the
function, and the EventBridge schedule rule that runs it."""

import json
from collections.abc import Mapping
from pathlib import Path

from botocore.exceptions import ClientError

from nubes.examples_deploy import Deployed, Deployer, package

HERE = Path(__file__).parent
# Every 5 minutes, on the minute (UTC). Six fields: minutes hours day-of-month month
# day-of-week year, one of the two day fields being "?".
SCHEDULE = "cron(0/5 * * * ? *)"
# What the stand-in feed holds: prices, as a public price API would answer.
FEED = {"currency": "EUR", "prices": {"widget": 4.2, "gadget": 17.0, "gizmo": 0.99}}


def deploy(aws: Deployer, params: Mapping[str, str]) -> Deployed:
    feed_bucket = aws.bucket(params.get("feed_bucket", "snapshot-feed"))
    snapshots = aws.bucket(params.get("bucket", "snapshots"))
    s3 = aws.client("s3")
    try:  # the feed is the user's to edit: only written if absent
        s3.head_object(Bucket=feed_bucket, Key="prices.json")
    except ClientError:
        s3.put_object(Bucket=feed_bucket, Key="prices.json",
                      Body=json.dumps(FEED).encode(), ContentType="application/json")
    feed_url = f"s3://{feed_bucket}/prices.json"
    function_arn = aws.function(
        "scheduled-snapshot", package([HERE / "app.py"]),
        environment={"FEED_URL": feed_url, "SNAPSHOT_BUCKET": snapshots},
        description="Stores a timestamped snapshot of a feed, on a schedule")

    schedule = params.get("schedule", SCHEDULE)
    events = aws.client("events")
    rule_arn = events.put_rule(Name="scheduled-snapshot", ScheduleExpression=schedule,
                               State="ENABLED",
                               Description="Runs scheduled-snapshot")["RuleArn"]
    aws.allow("scheduled-snapshot", "events-invoke", "events.amazonaws.com", rule_arn)
    events.put_targets(Rule="scheduled-snapshot",
                       Targets=[{"Id": "snapshot", "Arn": function_arn}])
    return Deployed(
        "scheduled-snapshot",
        f"rule {schedule} fetches {feed_url} into s3://{snapshots}/snapshots/<time>.json",
        [f"function scheduled-snapshot <- EventBridge rule scheduled-snapshot ({schedule})",
         f"buckets {feed_bucket} (the stand-in feed), {snapshots}"],
        [f"aws s3 ls s3://{snapshots}/snapshots/   # one object per tick",
         "aws lambda invoke --function-name scheduled-snapshot out.json   # one now",
         f"aws s3 cp s3://{feed_bucket}/prices.json -   # edit and cp back to change the feed"])
