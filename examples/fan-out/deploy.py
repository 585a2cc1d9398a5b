"""Deploy the fan-out example: the topic, two queues whose policies let the topic send to
them, the audit function (with a permission for SNS), and the three subscriptions."""

import json
from collections.abc import Mapping
from pathlib import Path

from nubes.examples_deploy import Deployed, Deployer, package

HERE = Path(__file__).parent


def sns_may_send(queue_arn: str, topic_arn: str) -> str:
    """A queue policy letting the topic (and only it) send to the queue, as AWS requires."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "topic", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage", "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]})


def deploy(aws: Deployer, params: Mapping[str, str]) -> Deployed:
    sns = aws.client("sns")
    topic = params.get("topic", "orders")
    topic_arn: str = sns.create_topic(Name=topic)["TopicArn"]
    billing_url, billing_arn = aws.queue(f"{topic}-billing")
    shipping_url, shipping_arn = aws.queue(f"{topic}-shipping")
    for arn, url in ((billing_arn, billing_url), (shipping_arn, shipping_url)):
        aws.client("sqs").set_queue_attributes(
            QueueUrl=url, Attributes={"Policy": sns_may_send(arn, topic_arn)})
    function_arn = aws.function("order-audit", package([HERE / "app.py"]),
                                description="Logs every order published to the topic")
    aws.allow("order-audit", "sns-invoke", "sns.amazonaws.com", topic_arn)

    # Billing gets the order as published (raw); shipping gets SNS's JSON envelope.
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=billing_arn,
                  Attributes={"RawMessageDelivery": "true"})
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=shipping_arn)
    sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=function_arn)
    order = '{"order": 1001, "item": "widget", "qty": 3}'
    return Deployed(
        "fan-out",
        f"a message published to SNS topic {topic} reaches two SQS queues and a function",
        [f"topic {topic} -> queues {topic}-billing (raw), {topic}-shipping (envelope), "
         "function order-audit", f"topic ARN {topic_arn}"],
        [f"aws sns publish --topic-arn {topic_arn} --message '{order}'",
         # (AWS CLI v1 sends SQS commands to queue.amazonaws.com without --endpoint-url)
         f"aws sqs receive-message --queue-url {billing_url} --endpoint-url $AWS_ENDPOINT_URL",
         f"aws sqs receive-message --queue-url {shipping_url} --endpoint-url $AWS_ENDPOINT_URL",
         "aws logs filter-log-events --log-group-name /aws/lambda/order-audit "
         "--query 'events[].message'"])
