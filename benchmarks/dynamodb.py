"""DynamoDB PutItem, GetItem and 100-item Query: Nubes against moto's server, same run;
then 100-item Query latency on a table of 1,000,000 items (Nubes).

    python benchmarks/dynamodb.py [--count N] [--queries Q] [--concurrency C]
                                  [--latency-count L] [--seconds S] [--big-items M]
                                  [--only nubes]

Every request is signed once ahead of time (SigV4 for service ``dynamodb``, the
``X-Amz-Target`` header, ``application/x-amz-json-1.0``, as boto3 sends them) and
replayed over keep-alive connections by the harness's small asyncio client. Each PutItem
writes a distinct key; GetItem reads the keys the PutItems wrote; Query reads one
partition of 100 items. Each runs on ``--concurrency`` connections (throughput), then
on one connection (latency without queueing). The big table is loaded through the API,
with many concurrent BatchWriteItem requests of 25 items, and the time it took is
printed with its size (DescribeTable's ItemCount). Bounded: fixed counts, and every
replay stops after ``--seconds`` (the load after ``--load-seconds``); loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.harness import (  # noqa: E402
    CREDENTIALS,
    REGION,
    Peer,
    Result,
    machine,
    moto_peer,
    nubes_peer,
    replay,
    report,
)

TABLE, BIG = "bench", "big"
PARTITION = 100  # items per partition: what one Query reads
BATCH = 25  # BatchWriteItem's limit
PAYLOAD = "x" * 64  # a small document attribute, so items are ~100 bytes


def signed(endpoint: str, operation: str, body: dict[str, Any]) -> bytes:
    """The raw bytes of one DynamoDB request, signed as boto3 signs it."""
    data = json.dumps(body, separators=(",", ":")).encode()
    headers = {"X-Amz-Target": f"DynamoDB_20120810.{operation}",
               "Content-Type": "application/x-amz-json-1.0"}
    request = AWSRequest(method="POST", url=endpoint + "/", data=data, headers=headers)
    SigV4Auth(CREDENTIALS, "dynamodb", REGION).add_auth(request)
    lines = ["POST / HTTP/1.1", f"Host: {endpoint.split('//', 1)[1]}"]
    lines += [f"{k}: {v}" for k, v in request.prepare().headers.items()
              if k.lower() not in ("host", "content-length")]
    lines.append(f"Content-Length: {len(data)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def item(pk: str, sk: int) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}, "data": {"S": PAYLOAD},
            "n": {"N": str(sk * 7)}}


def client(peer: Peer) -> Any:
    return boto3.client("dynamodb", endpoint_url=peer.endpoint, region_name=REGION,
                        aws_access_key_id="test", aws_secret_access_key="test")


def create_table(ddb: Any, name: str) -> None:
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}])
    ddb.get_waiter("table_exists").wait(TableName=name,
                                        WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})


def batch_requests(endpoint: str, table: str, partitions: range) -> Iterator[bytes]:
    """Signed BatchWriteItem requests putting ``PARTITION`` items in each partition."""
    puts: list[dict[str, Any]] = []
    for p in partitions:
        for sk in range(PARTITION):
            puts.append({"PutRequest": {"Item": item(f"p{p:06d}", sk)}})
            if len(puts) == BATCH:
                yield signed(endpoint, "BatchWriteItem", {"RequestItems": {table: puts}})
                puts = []
    if puts:
        yield signed(endpoint, "BatchWriteItem", {"RequestItems": {table: puts}})


def query_request(endpoint: str, table: str, partition: int) -> bytes:
    return signed(endpoint, "Query", {
        "TableName": table, "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": f"p{partition:06d}"}}})


def check_query(ddb: Any, table: str, partition: int) -> None:
    """Make sure the replayed Query really answers 100 items (not an error or a page)."""
    out = ddb.query(TableName=table, KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": f"p{partition:06d}"}})
    if out["Count"] != PARTITION or "LastEvaluatedKey" in out:
        raise RuntimeError(f"Query answered {out['Count']} items, not {PARTITION}")


def bench_peer(peer: Peer, args: argparse.Namespace) -> dict[str, Result]:
    """PutItem, GetItem and Query (100 items) on one server."""
    ddb, end = client(peer), peer.endpoint
    create_table(ddb, TABLE)
    puts = [signed(end, "PutItem", {"TableName": TABLE, "Item": item(f"u{i:07d}", 0)})
            for i in range(args.count)]
    warm = [signed(end, "PutItem", {"TableName": TABLE, "Item": item(f"w{i:03d}", 0)})
            for i in range(50)]
    replay(peer.name, end, warm, 1, args.seconds)  # first requests load models, open files
    put = replay(peer.name, end, puts, args.concurrency, args.seconds)
    gets = [signed(end, "GetItem", {"TableName": TABLE,
                                    "Key": {"pk": {"S": f"u{i:07d}"}, "sk": {"N": "0"}}})
            for i in range(put.count)]  # the keys the PutItems wrote
    get = replay(peer.name, end, gets, args.concurrency, args.seconds)
    partitions = 20
    load = replay(peer.name, end, list(batch_requests(end, TABLE, range(partitions))), 4,
                  args.load_seconds)
    if load.errors:
        raise RuntimeError(f"{peer.name}: {load.errors} BatchWriteItem requests failed")
    check_query(ddb, TABLE, 0)
    queries = [query_request(end, TABLE, i % partitions) for i in range(args.queries)]
    query = replay(peer.name, end, queries, args.concurrency, args.seconds)
    results = {"PutItem": put, "GetItem": get, "Query (100 items)": query}
    return results | one_connection(peer, args, put.count)


def one_connection(peer: Peer, args: argparse.Namespace, written: int) -> dict[str, Result]:
    """Latency with one client on one connection: no queueing behind other requests."""
    end, count = peer.endpoint, min(args.latency_count, written)
    puts = [signed(end, "PutItem", {"TableName": TABLE, "Item": item(f"s{i:07d}", 0)})
            for i in range(count)]
    gets = [signed(end, "GetItem", {"TableName": TABLE,
                                    "Key": {"pk": {"S": f"u{i:07d}"}, "sk": {"N": "0"}}})
            for i in range(count)]
    queries = [query_request(end, TABLE, i % 20) for i in range(count // 5)]
    return {f"{title}, 1 connection": replay(peer.name, end, requests, 1, args.seconds)
            for title, requests in (("PutItem", puts), ("GetItem", gets),
                                    ("Query (100 items)", queries))}


def load_big(peer: Peer, items: int, load_seconds: float) -> tuple[int, float, int]:
    """Fill the big table through BatchWriteItem, in chunks of signed requests replayed
    on 8 connections; returns (partitions, seconds, failed requests)."""
    partitions = items // PARTITION
    chunk = 2000  # partitions per chunk: 8,000 requests, signed just before they are sent
    failed, start = 0, time.perf_counter()
    for first in range(0, partitions, chunk):
        elapsed = time.perf_counter() - start
        if elapsed > load_seconds:
            raise RuntimeError(f"loading stopped at {first * PARTITION:,} items "
                               f"after {elapsed:.0f} s (--load-seconds)")
        requests = list(batch_requests(peer.endpoint, BIG,
                                       range(first, min(first + chunk, partitions))))
        sent = replay(peer.name, peer.endpoint, requests, 8, load_seconds)
        if sent.count < len(requests):
            raise RuntimeError(f"loading stopped after {load_seconds:.0f} s (--load-seconds)")
        failed += sent.errors
        done = min(first + chunk, partitions) * PARTITION
        print(f"  loaded {done:,} items in {time.perf_counter() - start:.0f} s",
              file=sys.stderr)
    return partitions, time.perf_counter() - start, failed


def bench_big(peer: Peer, args: argparse.Namespace) -> tuple[Result, Result, str]:
    """Query (100 items) on a table of ``--big-items`` items."""
    ddb = client(peer)
    create_table(ddb, BIG)
    partitions, seconds, failed = load_big(peer, args.big_items, args.load_seconds)
    size = ddb.describe_table(TableName=BIG)["Table"]["ItemCount"]
    note = (f"Big table: {size:,} items (DescribeTable ItemCount), loaded through the API "
            f"in {seconds:.0f} s ({size / seconds:,.0f} items/s; {failed} failed requests) "
            f"with concurrent BatchWriteItem of {BATCH} items on 8 connections")
    check_query(ddb, BIG, partitions - 1)
    chosen = random.Random(7).sample(range(partitions), min(args.queries, partitions))
    queries = [query_request(peer.endpoint, BIG, p) for p in chosen]
    replay(peer.name, peer.endpoint, queries[:50], 1, args.seconds)
    concurrent = replay(peer.name, peer.endpoint, queries, args.concurrency, args.seconds)
    alone = replay(peer.name, peer.endpoint, queries[: len(queries) // 2], 1, args.seconds)
    return concurrent, alone, note


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=3000, help="PutItem (and GetItem) requests")
    parser.add_argument("--queries", type=int, default=1000, help="Query requests per test")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--latency-count", type=int, default=1000,
                        help="PutItem and GetItem requests on one connection (Query: 1/5)")
    parser.add_argument("--seconds", type=float, default=20.0, help="time bound per test")
    parser.add_argument("--big-items", type=int, default=1_000_000,
                        help="items in the big table (0 to skip it)")
    parser.add_argument("--load-seconds", type=float, default=600.0,
                        help="time bound for loading the big table")
    parser.add_argument("--only", choices=["nubes", "moto"], help="run one server only")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    peers = [p for p in (nubes_peer(), moto_peer()) if args.only in (None, p.name)]
    tables: dict[str, dict[str, Result]] = {}
    notes: list[str] = []
    try:
        for peer in peers:
            peer.start()
            for title, result in bench_peer(peer, args).items():
                tables.setdefault(title, {})[peer.name] = result
        nubes = next((p for p in peers if p.name == "nubes"), None)
        if nubes is not None and args.big_items:
            big, alone, note = bench_big(nubes, args)
            title = f"Query (100 items) on {args.big_items:,} items"
            tables[title] = {"nubes": big}
            tables[f"{title}, 1 connection"] = {"nubes": alone}
            notes.append(note)
    finally:
        for peer in peers:
            peer.stop()
    print(f"Machine: {machine()}; concurrency {args.concurrency}\n")
    for title, results in tables.items():
        print(report(title, results, "moto"))
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
