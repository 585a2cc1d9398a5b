"""Amazon DynamoDB (and DynamoDB Streams): tables, items, indexes, expressions, streams.

How the package divides the work (each module owns one noun):

- ``types.py``: attribute values in their wire form (``{"S": "x"}``, ``{"N": "1.50"}``,
  sets, lists, maps): validation with AWS's messages, number normalisation (38 digits,
  ``decimal.Decimal``, never float), item size as AWS computes it, and the
  order-preserving byte encoding of key values (S and B by bytes, N numerically) that
  the store sorts by.
- ``expressions/``: the expression languages (condition/filter, key condition,
  projection, update) with a lexer and parser, ExpressionAttributeNames/Values
  resolution and AWS's validation errors, and their evaluation against items in wire
  form.
- ``store.py`` (+ ``streams_store.py``): tables, items and secondary indexes in SQLite,
  keyed by the encoded keys so a Query is an index range read; index rows and stream
  records written in the item's transaction.
- ``provider.py``: the DynamoDB API, assembled from per-resource groups over
  ``core.DynamoCore`` (the store, a table cache, the expression parse cache): ``tables``,
  ``table_updates``, ``table_meta`` (TTL, tags, limits, endpoints), ``items``, ``query``
  (Query/Scan, with ``read_plan``), ``batch``, ``transactions`` (with ``idempotency``);
  input rules in ``table_spec`` and ``item_requests``, ``legacy`` for the pre-expression
  parameters, ``capacity`` for ReturnConsumedCapacity, ``describe`` for TableDescription.
  ``streams/``: the DynamoDB Streams API.
- ``exceptions.py``: AWS's error codes.
"""
