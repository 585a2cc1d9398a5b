"""The DynamoDB Streams API (botocore service ``dynamodbstreams``) over the stream records
the DynamoDB store writes in each item's transaction.

- ``provider.py``: ListStreams, DescribeStream, GetShardIterator, GetRecords.
- ``iterators.py``: shard iterators — opaque, checksummed, expiring after 15 minutes.
- ``wire.py``: streams, shards and records in the shapes the API returns.
- ``exceptions.py``: the Streams API's error codes.

Each stream has one shard, open while the stream is enabled and closed (with an
``EndingSequenceNumber``) once it is disabled. Sequence numbers are the store's: they grow
across all streams, so a shard's numbers have gaps but always increase.
"""
