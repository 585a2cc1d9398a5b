"""Deploy the CSV ingestion example: the upload bucket, the table, the function, and the
bucket notification that runs it for every ``.csv`` object created."""

from collections.abc import Mapping
from pathlib import Path

from nubes.examples_deploy import Deployed, Deployer, package

HERE = Path(__file__).parent


def deploy(aws: Deployer, params: Mapping[str, str]) -> Deployed:
    bucket = aws.bucket(params.get("bucket", "csv-uploads"))
    table = aws.table(params.get("table", "csv-rows"), [("file", "S"), ("line", "N")])
    arn = aws.function("csv-ingest", package([HERE / "app.py"]), timeout_s=60,
                       environment={"TABLE_NAME": table},
                       description="Writes the rows of CSV files uploaded to S3 to DynamoDB")
    aws.allow("csv-ingest", "s3-invoke", "s3.amazonaws.com", f"arn:aws:s3:::{bucket}",
              source_account=arn.split(":")[4])
    aws.client("s3").put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"LambdaFunctionConfigurations": [{
            "Id": "csv-ingest", "LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".csv"}]}}}]})
    return Deployed(
        "csv-ingest", f"a .csv put in s3://{bucket} is loaded row by row into table {table}",
        [f"function csv-ingest <- s3://{bucket} (ObjectCreated, *.csv)",
         f"bucket {bucket}, table {table} (key: file, line)"],
        ["printf 'city,population\\nLyon,522250\\nNantes,320732\\n' > cities.csv",
         f"aws s3 cp cities.csv s3://{bucket}/",
         f"aws dynamodb scan --table-name {table}"])
