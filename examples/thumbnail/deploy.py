"""Deploy the thumbnail example: buckets, the function (with Pillow vendored), and the
bucket notification that runs it for every object created in ``photos``."""

from collections.abc import Mapping
from pathlib import Path

from nubes.examples_deploy import Deployed, Deployer, package, pillow_trees

HERE = Path(__file__).parent


def deploy(aws: Deployer, params: Mapping[str, str]) -> Deployed:
    source = params.get("bucket", "photos")
    destination = aws.bucket(f"{source}resized")
    aws.bucket(source)
    arn = aws.function("thumbnail", package([HERE / "app.py"], pillow_trees()),
                       memory_mb=256, timeout_s=30,
                       description="Halves images uploaded to S3 (Pillow)")
    # S3 may invoke the function only once its policy says so (AWS checks it when the
    # notification is configured).
    aws.allow("thumbnail", "s3-invoke", "s3.amazonaws.com", f"arn:aws:s3:::{source}",
              source_account=arn.split(":")[4])
    aws.client("s3").put_bucket_notification_configuration(
        Bucket=source, NotificationConfiguration={"LambdaFunctionConfigurations": [{
            "Id": "thumbnail", "LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    return Deployed(
        "thumbnail",
        f"an image put in s3://{source} gets a half-size copy in s3://{destination}",
        [f"function thumbnail <- s3://{source} (ObjectCreated)",
         f"buckets {source}, {destination}"],
        [f"aws s3 cp ./cat.png s3://{source}/", f"aws s3 ls s3://{destination}/"])
