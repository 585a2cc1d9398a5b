"""SNS's SubscribeURL (``GET /?Action=ConfirmSubscription&TopicArn=...&Token=...``) and
UnsubscribeURL (``GET /?Action=Unsubscribe&SubscriptionArn=...``).

An http(s) subscriber confirms by visiting the URL SNS sent it, unsigned; AWS accepts
exactly that request without credentials (the token is the secret). Likewise a
subscription confirmed that way can be ended by visiting the UnsubscribeURL every
message carries; one confirmed by a signed request (and sqs and lambda subscriptions,
confirmed by their owner's signed Subscribe) needs a signed Unsubscribe. These URLs carry
no ``Version``, so routing takes them for S3; this handler answers them before routing's
guess matters. Every other SNS request must be signed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nubes.edge.exchange import Exchange
from nubes.protocol.catalog import service_model
from nubes.protocol.serializers import serialize_response
from nubes.services.base import RequestContext
from nubes.services.sns.models import parse_topic_arn
from nubes.services.sns.provider import SnsProvider

if TYPE_CHECKING:
    from nubes.edge.chain import Edge


async def sns_subscribe_url(edge: Edge, ex: Exchange) -> None:
    """Answer an unsigned ConfirmSubscription GET; leave every other request alone."""
    request = ex.request
    if request.method != "GET" or "authorization" in request.headers:
        return
    query = request.query_dict()
    if any(key.lower().startswith("x-amz-") for key in query):
        return
    if query.get("Action") == "Unsubscribe":
        await _unsubscribe(edge, ex, query.get("SubscriptionArn", ""))
        return
    if query.get("Action") != "ConfirmSubscription":
        return
    provider = edge.providers.get("sns")
    topic = parse_topic_arn(query.get("TopicArn", ""))
    if not isinstance(provider, SnsProvider) or topic is None or not query.get("Token"):
        return
    model = ex.model = service_model("sns")
    ex.service, ex.provider = "sns", provider
    operation = model.operation_model("ConfirmSubscription")
    ex.context = RequestContext(
        request=request, request_id=ex.request_id, service="sns",
        account_id=topic.account_id, region=topic.region, access_key=None,
        operation=operation, endpoint=f"{request.scheme}://{request.host}")
    params = {"TopicArn": str(topic), "Token": query["Token"]}
    output = provider.confirm_subscription(ex.context, params)
    ex.response = serialize_response(operation, output, ex.request_id)


async def _unsubscribe(edge: Edge, ex: Exchange, arn: str) -> None:
    """End a subscription whose confirmation was not authenticated, unsigned."""
    provider = edge.providers.get("sns")
    if not isinstance(provider, SnsProvider):
        return
    sub = provider.store.get_subscription(arn)
    if sub is None or sub.authenticated:
        return  # left to the signed path (which asks for credentials)
    topic = parse_topic_arn(sub.topic_arn)
    if topic is None:
        return
    model = ex.model = service_model("sns")
    ex.service, ex.provider = "sns", provider
    operation = model.operation_model("Unsubscribe")
    ex.context = RequestContext(
        request=ex.request, request_id=ex.request_id, service="sns",
        account_id=topic.account_id, region=topic.region, access_key=None,
        operation=operation, endpoint=f"{ex.request.scheme}://{ex.request.host}")
    provider.store.delete_subscription(sub.arn)
    ex.response = serialize_response(operation, {}, ex.request_id)
