"""Amazon Kinesis Data Streams (botocore service ``kinesis``, json protocol 1.1).

- ``provider.py``: the operation groups assembled into one provider, and the retention
  sweep.
- ``core.py``: what the groups share: the store, the clock, finding the caller's stream.
- ``streams.py``: CreateStream, DeleteStream, DescribeStream(Summary), ListStreams,
  retention; ``tags.py``: the tagging operations.
- ``shards.py``: ListShards and GetShardIterator; ``records.py``: PutRecord(s), GetRecords.
- ``models.py``: streams, shards, hash key ranges and sequence numbers (no HTTP, no SQL).
- ``iterators.py``: shard iterators, opaque and expiring after 5 minutes.
- ``store.py``: streams, shards and records in SQLite.
- ``exceptions.py``: Kinesis' error codes.
"""
