"""The events a mapping hands its function, in AWS's exact shapes: SQS, Kinesis and
DynamoDB records, the on-failure record of a stream batch given up on, and what a filter
pattern is matched against."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from nubes.services.lambda_.mappings.models import Kind, Mapping
from nubes.services.lambda_.mappings.sources import QueueMessage, StreamItem


def sqs_record(mapping: Mapping, message: QueueMessage) -> dict[str, Any]:
    return {
        "messageId": message.message_id,
        "receiptHandle": message.receipt_handle,
        "body": message.body,
        "attributes": dict(message.attributes),
        "messageAttributes": {name: _attribute(value)
                              for name, value in message.message_attributes.items()},
        "md5OfBody": message.md5_of_body,
        "eventSource": "aws:sqs",
        "eventSourceARN": mapping.source_arn,
        "awsRegion": mapping.region,
    }


def _attribute(stored: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "StringValue" in stored:
        out["stringValue"] = stored["StringValue"]
    if "BinaryValue" in stored:
        out["binaryValue"] = stored["BinaryValue"]  # base64, as AWS sends it
    out.update(stringListValues=[], binaryListValues=[], dataType=stored["DataType"])
    return out


def kinesis_record(mapping: Mapping, item: StreamItem, shard: str, role: str
                   ) -> dict[str, Any]:
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": item.partition_key,
            "sequenceNumber": item.sequence_number,
            "data": base64.b64encode(item.data).decode(),
            "approximateArrivalTimestamp": round(item.arrival, 3),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard}:{item.sequence_number}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": role,
        "awsRegion": mapping.region,
        "eventSourceARN": mapping.source_arn,
    }


def dynamodb_record(mapping: Mapping, item: StreamItem) -> dict[str, Any]:
    record = {**(item.change or {}), "eventSourceARN": mapping.source_arn}
    body = record.get("dynamodb")
    if isinstance(body, dict) and "ApproximateCreationDateTime" in body:
        # Whole seconds, written as an integer in Lambda's events (1479499740).
        body = {**body, "ApproximateCreationDateTime": int(body["ApproximateCreationDateTime"])}
        record["dynamodb"] = body
    return record


def stream_record(mapping: Mapping, item: StreamItem, shard: str, role: str
                  ) -> dict[str, Any]:
    if mapping.kind is Kind.KINESIS:
        return kinesis_record(mapping, item, shard, role)
    return dynamodb_record(mapping, item)


def event(records: list[dict[str, Any]]) -> bytes:
    return json.dumps({"Records": records}).encode()


# -- filtering --------------------------------------------------------------------------

def filterable_sqs(record: dict[str, Any]) -> dict[str, Any]:
    """An SQS record as a filter sees it: ``body`` parsed when it is a JSON object."""
    return {**record, "body": _parsed(record["body"])}


def filterable_stream(record: dict[str, Any]) -> dict[str, Any]:
    """A stream record as a filter sees it: a DynamoDB record as it is; a Kinesis record
    as its ``data`` only (the one key AWS filters Kinesis records on), decoded and parsed
    when it is a JSON object."""
    kinesis = record.get("kinesis")
    if kinesis is None:
        return record
    try:
        text = base64.b64decode(kinesis["data"]).decode()
    except (ValueError, UnicodeDecodeError):
        return {"data": kinesis["data"]}
    return {"data": _parsed(text)}


def _parsed(text: str) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, dict) else text


# -- on-failure records -----------------------------------------------------------------

def on_failure(mapping: Mapping, shard: str, items: list[StreamItem], condition: str,
               invokes: int, request_id: str, response: dict[str, Any] | None
               ) -> dict[str, Any]:
    """The record a stream batch given up on sends to its OnFailure destination."""
    info = {
        "shardId": shard,
        "startSequenceNumber": items[0].sequence_number,
        "endSequenceNumber": items[-1].sequence_number,
        "approximateArrivalOfFirstRecord": _iso(items[0].arrival),
        "approximateArrivalOfLastRecord": _iso(items[-1].arrival),
        "batchSize": len(items),
        "streamArn": mapping.source_arn,
    }
    out: dict[str, Any] = {
        "requestContext": {"requestId": request_id, "functionArn": mapping.function_arn,
                           "condition": condition, "approximateInvokeCount": invokes},
        "responseContext": response or {"statusCode": 0, "executedVersion": "",
                                        "functionError": ""},
        "version": "1.0",
        "timestamp": _iso(datetime.now(UTC).timestamp()),
    }
    key = "KinesisBatchInfo" if mapping.kind is Kind.KINESIS else "DDBStreamBatchInfo"
    out[key] = info
    return out


def _iso(seconds: float) -> str:
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
