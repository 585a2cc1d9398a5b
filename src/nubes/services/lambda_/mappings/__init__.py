"""Event source mappings: SQS queues, Kinesis streams and DynamoDB streams polled for
records that are handed to functions in batches."""
