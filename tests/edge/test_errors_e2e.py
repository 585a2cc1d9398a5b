"""What a client sees when it asks for something Nubes does not do: a clear AWS error.

Every protocol answers in its own error shape, names the operation, and never says 500:
S3 (rest-xml), the json protocol (DynamoDB, SQS), the query protocol (SNS, STS, SQS's old
API) and rest-json (Lambda).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError

import boto3
import pytest
import uvicorn
from botocore import xform_name
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from nubes.config import Settings
from nubes.server import build_app
from nubes.services.base import Provider, RequestContext
from nubes.services.registry import open_services
from nubes.services.s3.provider import S3Provider
from tests.server import NubesServer, free_port

JSON_10 = {"Content-Type": "application/x-amz-json-1.0"}
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def xml(self) -> ET.Element:
        root = ET.fromstring(self.body)
        for element in root.iter():  # the query protocol's xmlns is not what we test
            element.tag = element.tag.rpartition("}")[2]
        return root


def signed(endpoint: str, method: str, path: str, service: str, body: bytes = b"",
           headers: dict[str, str] | None = None) -> Answer:
    """Send a request signed by botocore's own SigV4 signer, as a hand-made client would."""
    request = AWSRequest(method=method, url=f"{endpoint}{path}", data=body, headers=headers or {})
    signer = S3SigV4Auth if service == "s3" else SigV4Auth
    signer(Credentials("test", "test"), service, "us-east-1").add_auth(request)
    prepared = request.prepare()
    sent = urllib.request.Request(prepared.url, data=body or None, method=method,
                                  headers=dict(prepared.headers))
    try:
        with urllib.request.urlopen(sent, timeout=10) as resp:
            return Answer(resp.status, {k.lower(): v for k, v in resp.headers.items()},
                          resp.read())
    except HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()},
                      error.read())


def client_error(call: Callable[[], Any]) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """The status, the error and the response headers boto3 surfaces for a failing call."""
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    metadata = response["ResponseMetadata"]
    return metadata["HTTPStatusCode"], response["Error"], metadata["HTTPHeaders"]


# -- S3 (rest-xml) ----------------------------------------------------------------------


# Operations S3 has and Nubes may not (yet): each is tested while Nubes lacks it.
S3_CANDIDATES: dict[str, Callable[[Any, str], Any]] = {
    "GetBucketAcl": lambda s3, b: s3.get_bucket_acl(Bucket=b),
    "PutBucketLifecycleConfiguration": lambda s3, b: s3.put_bucket_lifecycle_configuration(
        Bucket=b, LifecycleConfiguration={"Rules": [{
            "ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""},
            "Expiration": {"Days": 1}}]}),
    "GetBucketReplication": lambda s3, b: s3.get_bucket_replication(Bucket=b),
    "GetBucketMetricsConfiguration": lambda s3, b: s3.get_bucket_metrics_configuration(
        Bucket=b, Id="all"),
    "GetBucketInventoryConfiguration": lambda s3, b: s3.get_bucket_inventory_configuration(
        Bucket=b, Id="all"),
    "GetObjectLegalHold": lambda s3, b: s3.get_object_legal_hold(Bucket=b, Key="k"),
    "GetObjectRetention": lambda s3, b: s3.get_object_retention(Bucket=b, Key="k"),
}


def s3_lacks(operation: str) -> bool:
    """Whether the S3 provider has no method for ``operation`` (how the edge decides)."""
    return not callable(getattr(S3Provider, xform_name(operation), None))


def test_some_s3_operation_is_still_missing() -> None:
    """Keeps the test below meaningful: add candidates as Nubes implements these."""
    assert any(s3_lacks(operation) for operation in S3_CANDIDATES)


@pytest.mark.parametrize("operation", sorted(S3_CANDIDATES))
def test_an_s3_operation_nubes_lacks_is_501_naming_it(
    s3: Any, bucket: str, operation: str
) -> None:
    if not s3_lacks(operation):
        pytest.skip(f"Nubes implements s3:{operation} now")
    status, error, headers = client_error(lambda: S3_CANDIDATES[operation](s3, bucket))
    assert status == 501
    assert error["Code"] == "NotImplemented"
    assert f"s3:{operation}" in error["Message"]
    assert headers["content-type"] == "application/xml"
    assert "x-amz-request-id" in headers


def test_malformed_xml_to_s3_is_malformed_xml(nubes_server: NubesServer, bucket: str) -> None:
    answer = signed(nubes_server.endpoint, "PUT", f"/{bucket}?tagging", "s3",
                    b"<Tagging><TagSet><Tag><Key>k</Key>", {"Content-Type": "application/xml"})
    assert answer.status == 400
    error = answer.xml()
    assert error.tag == "Error"
    assert error.findtext("Code") == "MalformedXML"
    assert error.findtext("RequestId") == answer.headers["x-amz-request-id"]


def test_an_s3_request_matching_no_operation_is_a_client_error(
    nubes_server: NubesServer, bucket: str
) -> None:
    answer = signed(nubes_server.endpoint, "PATCH", f"/{bucket}/key", "s3")
    assert answer.status == 400
    assert answer.xml().findtext("Code") == "UnknownOperationException"
    assert "PATCH" in (answer.xml().findtext("Message") or "")


# -- services not implemented yet, through boto3 ----------------------------------------


@pytest.mark.parametrize(
    ("service", "operation", "call", "content_type"),
    [
        ("events", "ListArchives", lambda c: c.list_archives(), "application/x-amz-json-1.1"),
        ("stepfunctions", "ListStateMachines", lambda c: c.list_state_machines(),
         "application/x-amz-json-1.0"),
        ("sts", "GetCallerIdentity", lambda c: c.get_caller_identity(), "text/xml"),
        ("apigateway", "GetDomainNames", lambda c: c.get_domain_names(), "application/json"),
    ],
)
def test_a_service_not_implemented_yet_is_501_naming_the_operation(
    make_client: Callable[..., Any], service: str, operation: str,
    call: Callable[[Any], Any], content_type: str,
) -> None:
    status, error, headers = client_error(lambda: call(make_client(service)))
    assert status == 501
    assert error["Code"] == "NotImplemented"
    assert f"{service}:{operation}" in error["Message"]
    assert headers["content-type"] == content_type
    assert headers["x-amzn-requestid"]


def test_sqs_json_errors_also_carry_the_query_error_code(
    make_client: Callable[..., Any],
) -> None:
    status, error, headers = client_error(lambda: make_client("sqs").get_queue_url(
        QueueName="no-such-queue"))
    assert headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"
    assert error["QueryErrorCode"] == "QueueDoesNotExist"
    status, error, headers = client_error(lambda: make_client("sqs").create_queue(
        QueueName="not a valid name"))
    assert headers["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    assert error["QueryErrorCode"] == "InvalidParameterValue"


def test_an_sqs_query_protocol_request_gets_an_xml_error_response(
    nubes_server: NubesServer,
) -> None:
    answer = signed(nubes_server.endpoint, "POST", "/", "sqs",
                    b"Action=GetQueueUrl&QueueName=no-such-queue&Version=2012-11-05", FORM)
    assert answer.headers["content-type"].startswith("text/xml")
    error = answer.xml()
    assert error.tag == "ErrorResponse"
    assert error.findtext("Error/Code") == "AWS.SimpleQueueService.NonExistentQueue"
    assert error.findtext("Error/Type") == "Sender"
    assert answer.status == 400


# -- services and operations that do not exist ------------------------------------------


def test_a_service_nubes_does_not_serve_is_501_naming_it(
    make_client: Callable[..., Any], nubes_server: NubesServer
) -> None:
    ec2 = make_client("ec2")
    status, error, _ = client_error(lambda: ec2.describe_instances())
    assert status == 501
    answer = signed(nubes_server.endpoint, "POST", "/", "glue", b"{}",
                    {"Content-Type": "application/x-amz-json-1.1",
                     "X-Amz-Target": "AWSGlue.GetDatabases"})
    assert answer.status == 501
    body = answer.json()
    assert body["__type"] == "NotImplemented" and "'glue'" in body["message"]


def test_an_unknown_x_amz_target_is_unknown_operation(nubes_server: NubesServer) -> None:
    answer = signed(nubes_server.endpoint, "POST", "/", "dynamodb", b"{}",
                    {**JSON_10, "X-Amz-Target": "DynamoDB_20120810.MakeItSo"})
    assert answer.status == 400
    assert answer.headers["content-type"] == "application/x-amz-json-1.0"
    body = answer.json()
    assert body["__type"] == "UnknownOperationException"
    assert "MakeItSo" in body["message"]


def test_an_unknown_query_action_is_unknown_operation(nubes_server: NubesServer) -> None:
    answer = signed(nubes_server.endpoint, "POST", "/", "sns",
                    b"Action=MakeItSo&Version=2010-03-31", FORM)
    assert answer.status == 400
    error = answer.xml()
    assert error.tag == "ErrorResponse"
    assert error.findtext("Error/Code") == "UnknownOperationException"
    assert error.findtext("Error/Type") == "Sender"
    assert "MakeItSo" in (error.findtext("Error/Message") or "")


def test_an_unknown_rest_json_path_is_unknown_operation(nubes_server: NubesServer) -> None:
    answer = signed(nubes_server.endpoint, "GET", "/2015-03-31/no-such-resource", "lambda")
    assert answer.status == 400
    assert answer.headers["x-amzn-errortype"].startswith("UnknownOperationException")
    assert "/2015-03-31/no-such-resource" in answer.json()["message"]


def test_malformed_json_to_an_operation_not_implemented_is_still_a_clear_error(
    nubes_server: NubesServer,
) -> None:
    # The operation exists, so Nubes says it does not do it before reading the body.
    answer = signed(nubes_server.endpoint, "POST", "/", "events", b"{not json",
                    {"Content-Type": "application/x-amz-json-1.1",
                     "X-Amz-Target": "AWSEvents.ListArchives"})
    assert answer.status == 501
    assert answer.json()["__type"] == "NotImplemented"


def test_malformed_json_to_dynamodb_is_serialization_exception(
    nubes_server: NubesServer,
) -> None:
    answer = signed(nubes_server.endpoint, "POST", "/", "dynamodb", b"{not json",
                    {**JSON_10, "X-Amz-Target": "DynamoDB_20120810.ListTables"})
    assert answer.status == 400
    assert answer.json()["__type"] == "SerializationException"


# -- malformed JSON, against an edge serving a JSON-protocol operation ------------------


class StandInDynamoDB(Provider):
    """Just ListTables, until DynamoDB exists: the body is parsed by the real edge."""

    service_name = "dynamodb"

    def list_tables(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"TableNames": [f"limit-{params['Limit']}"] if "Limit" in params else []}


@pytest.fixture(scope="module")
def json_edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Nubes' edge on 127.0.0.1, in this process, with the stand-in DynamoDB."""
    settings = Settings.build({"data_dir": tmp_path_factory.mktemp("json-edge"),
                               "port": free_port()}, env={})
    services = open_services(settings)
    services.providers["dynamodb"] = StandInDynamoDB()
    config = uvicorn.Config(build_app(settings, services), host="127.0.0.1",
                            port=settings.port, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "the in-process edge did not start"
    yield f"http://127.0.0.1:{settings.port}"
    server.should_exit = True
    thread.join(10)
    services.close()


def test_the_stand_in_answers_boto3(json_edge: str) -> None:
    ddb = boto3.client("dynamodb", endpoint_url=json_edge, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test",
                       config=Config(retries={"max_attempts": 1}))
    assert ddb.list_tables(Limit=3)["TableNames"] == ["limit-3"]


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe"],
                         ids=["not-json", "a-list", "not-utf8"])
def test_malformed_json_is_serialization_exception(json_edge: str, body: bytes) -> None:
    answer = signed(json_edge, "POST", "/", "dynamodb", body,
                    {**JSON_10, "X-Amz-Target": "DynamoDB_20120810.ListTables"})
    assert answer.status == 400
    assert answer.headers["content-type"] == "application/x-amz-json-1.0"
    assert answer.json()["__type"] == "SerializationException"


def test_a_member_of_the_wrong_type_is_a_client_error(json_edge: str) -> None:
    answer = signed(json_edge, "POST", "/", "dynamodb", b'{"Limit": "ten"}',
                    {**JSON_10, "X-Amz-Target": "DynamoDB_20120810.ListTables"})
    assert answer.status == 400
    body = answer.json()
    assert body["__type"] == "SerializationException"
    assert "'ten'" in body["message"]

