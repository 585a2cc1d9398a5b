"""Wire protocols (query, json, rest-json, rest-xml), driven by botocore's service models."""
