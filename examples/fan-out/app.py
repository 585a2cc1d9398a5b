"""Audit every order published to an SNS topic: an AWS Lambda handler, run unchanged.

Subscribed to the topic (SNS invokes it asynchronously, one message per event), it
logs each order it is given, with the topic and the message id, to CloudWatch Logs
through its output; the two queues subscribed to the same topic get the same orders.
"""

import json


def handler(event, context):
    audited = []
    for record in event["Records"]:
        sns = record["Sns"]
        order = json.loads(sns["Message"])
        kind = sns.get("MessageAttributes", {}).get("kind", {}).get("Value", "-")
        print(f"audit {sns['MessageId']} from {sns['TopicArn']}: kind={kind} "
              f"order={json.dumps(order, sort_keys=True)}")
        audited.append(sns["MessageId"])
    return {"audited": audited}
