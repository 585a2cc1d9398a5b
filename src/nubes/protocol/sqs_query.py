"""SQS's older query/XML protocol, derived from botocore's (json) SQS model.

botocore's SQS model is json now but marked ``awsQueryCompatible``; older SDKs still send
``Action=SendMessage&Version=2012-11-05`` forms and expect XML back. The two protocols
share operations and shapes; only the wire names differ: the query API's lists and maps
are flattened under singular names (``Attribute.1.Name``, ``MessageAttribute.1.Value.
StringValue``, ``SendMessageBatchRequestEntry.1.Id``) and its results are wrapped
(``<SendMessageResponse><SendMessageResult>``). This module is that mapping, in one
place: ``query_model`` is the json model rewritten with those names, so the generic query
parser and serializer read and write it.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from botocore.loaders import Loader
from botocore.model import ServiceModel

XML_NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/"

# List shape -> the singular name its flattened items are sent and answered under.
LIST_NAMES: dict[str, str] = {
    "AWSAccountIdList": "AWSAccountId",
    "ActionNameList": "ActionName",
    "AttributeNameList": "AttributeName",
    "MessageSystemAttributeList": "MessageSystemAttributeName",
    "MessageAttributeNameList": "MessageAttributeName",
    "QueueUrlList": "QueueUrl",
    "MessageList": "Message",
    "StringList": "StringListValue",
    "BinaryList": "BinaryListValue",
    "TagKeyList": "TagKey",
    "SendMessageBatchRequestEntryList": "SendMessageBatchRequestEntry",
    "SendMessageBatchResultEntryList": "SendMessageBatchResultEntry",
    "BatchResultErrorEntryList": "BatchResultErrorEntry",
    "DeleteMessageBatchRequestEntryList": "DeleteMessageBatchRequestEntry",
    "DeleteMessageBatchResultEntryList": "DeleteMessageBatchResultEntry",
    "ChangeMessageVisibilityBatchRequestEntryList": "ChangeMessageVisibilityBatchRequestEntry",
    "ChangeMessageVisibilityBatchResultEntryList": "ChangeMessageVisibilityBatchResultEntry",
    "ListMessageMoveTasksResultEntryList": "ListMessageMoveTasksResultEntry",
}

# Map shape -> (its singular name, the key's name, the value's name).
MAP_NAMES: dict[str, tuple[str, str, str]] = {
    "QueueAttributeMap": ("Attribute", "Name", "Value"),
    "MessageSystemAttributeMap": ("Attribute", "Name", "Value"),
    "MessageBodyAttributeMap": ("MessageAttribute", "Name", "Value"),
    "MessageBodySystemAttributeMap": ("MessageSystemAttribute", "Name", "Value"),
    "TagMap": ("Tag", "Key", "Value"),
}


def is_query_request(model: ServiceModel, has_target: bool) -> bool:
    """Whether a request to a json service is in the old query protocol (no X-Amz-Target)."""
    return not has_target and model.metadata.get("awsQueryCompatible") is not None


@functools.cache
def query_model(service_name: str) -> ServiceModel:
    """The query-protocol twin of a query-compatible json service's botocore model."""
    data: dict[str, Any] = copy.deepcopy(Loader().load_service_model(service_name, "service-2"))
    metadata = data["metadata"]
    metadata.update(protocol="query", protocols=["query"], xmlNamespace=XML_NAMESPACE)
    for operation in data["operations"].values():
        if "output" in operation:
            operation["output"]["resultWrapper"] = f"{operation['name']}Result"
    shapes = data["shapes"]
    for name, singular in LIST_NAMES.items():
        shape = shapes[name]
        shape.update(flattened=True, locationName=singular)
        shape["member"]["locationName"] = singular
    for name, (singular, key, value) in MAP_NAMES.items():
        shape = shapes[name]
        shape.update(flattened=True, locationName=singular)
        shape["key"]["locationName"] = key
        shape["value"]["locationName"] = value
    return ServiceModel(data, service_name=service_name)
