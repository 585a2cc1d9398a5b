"""The rest router: S3's quirks, specificity, label decoding and misses."""

from __future__ import annotations

import pytest

from nubes.errors import UnknownOperation
from nubes.protocol.catalog import service_by_target_prefix, service_model, services_by_signing_name
from nubes.protocol.router import RestRouter

S3 = RestRouter(service_model("s3"))
COPY = {"x-amz-copy-source": "src/key"}
PART = {"partNumber": "1", "uploadId": "u"}


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "expected"),
    [
        ("PUT", "/b/k", {}, {}, "PutObject"),
        ("PUT", "/b/k", {}, COPY, "CopyObject"),
        ("PUT", "/b/k", PART, {}, "UploadPart"),
        ("PUT", "/b/k", PART, COPY, "UploadPartCopy"),
        ("GET", "/b/k", {}, {}, "GetObject"),
        ("GET", "/b/k", {"uploadId": "u"}, {}, "ListParts"),
        ("POST", "/b/k", {"uploadId": "u"}, {}, "CompleteMultipartUpload"),
        ("POST", "/b/k", {"uploads": ""}, {}, "CreateMultipartUpload"),
        ("DELETE", "/b/k", {"uploadId": "u"}, {}, "AbortMultipartUpload"),
        ("DELETE", "/b/k", {}, {}, "DeleteObject"),
        ("GET", "/", {}, {}, "ListBuckets"),
        ("GET", "/b", {}, {}, "ListObjects"),
        ("GET", "/b/", {}, {}, "ListObjects"),
        ("GET", "/b", {"list-type": "2"}, {}, "ListObjectsV2"),
        ("GET", "/b", {"lifecycle": ""}, {}, "GetBucketLifecycleConfiguration"),
        ("PUT", "/b", {"lifecycle": ""}, {}, "PutBucketLifecycleConfiguration"),
        ("GET", "/b", {"notification": ""}, {}, "GetBucketNotificationConfiguration"),
        ("PUT", "/b", {"notification": ""}, {}, "PutBucketNotificationConfiguration"),
        ("GET", "/b", {"analytics": ""}, {}, "ListBucketAnalyticsConfigurations"),
        ("GET", "/b", {"analytics": "", "id": "a"}, {}, "GetBucketAnalyticsConfiguration"),
        ("GET", "/b/k", {"tagging": ""}, {}, "GetObjectTagging"),
        ("GET", "/b", {"tagging": ""}, {}, "GetBucketTagging"),
        ("POST", "/b/k", {"select": "", "select-type": "2"}, {}, "SelectObjectContent"),
        ("POST", "/b", {"delete": ""}, {}, "DeleteObjects"),
        ("PUT", "/b", {}, {}, "CreateBucket"),
        ("HEAD", "/b/a/b/c", {}, {}, "HeadObject"),
    ],
)
def test_s3_routes(
    method: str, path: str, query: dict[str, str], headers: dict[str, str], expected: str
) -> None:
    operation, _ = S3.match(method, path, query, headers)
    assert operation.name == expected


def test_labels_are_decoded_and_greedy() -> None:
    _, params = S3.match("GET", "/my-bucket/a%20b/c%2Bd/%E4%B8%AD", {}, {})
    assert params == {"Bucket": "my-bucket", "Key": "a b/c+d/中"}


def test_literal_query_value_must_match() -> None:
    operation, _ = S3.match("GET", "/b", {"list-type": "1"}, {})
    assert operation.name == "ListObjects"


def test_no_match_names_method_and_path() -> None:
    with pytest.raises(UnknownOperation, match="PATCH /b"):
        S3.match("PATCH", "/b", {}, {})


def test_lambda_routes() -> None:
    router = RestRouter(service_model("lambda"))
    operation, params = router.match("POST", "/2015-03-31/functions/f%3A1/invocations", {}, {})
    assert (operation.name, params) == ("Invoke", {"FunctionName": "f:1"})
    operation, _ = router.match("GET", "/2015-03-31/functions/", {}, {})
    assert operation.name == "ListFunctions"


def test_catalog_maps() -> None:
    assert services_by_signing_name("dynamodb") == ["dynamodb", "dynamodbstreams"]
    assert services_by_signing_name("states") == ["stepfunctions"]
    assert service_by_target_prefix("DynamoDB_20120810") == "dynamodb"
    assert service_by_target_prefix("DynamoDBStreams_20120810") == "dynamodbstreams"
    assert service_by_target_prefix("AmazonSQS") == "sqs"
    assert service_by_target_prefix("Nope") is None
    assert service_model("s3") is service_model("s3")
