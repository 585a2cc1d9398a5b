"""S3 PUT and GET of 1 KiB and 1 MiB objects: Nubes against moto's server, same run.

    python benchmarks/s3.py [--count N] [--concurrency C] [--seconds S] [--only nubes]

Each server gets the same pre-signed requests, replayed over keep-alive connections;
the table gives ops/s, p50/p99 latency and the ratio to moto.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid

import boto3

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.harness import (  # noqa: E402
    REGION,
    Peer,
    Result,
    machine,
    moto_peer,
    nubes_peer,
    replay,
    report,
    signed_request,
)

SIZES = {"1 KiB": 1024, "1 MiB": 1024 * 1024}


def bench_peer(peer: Peer, size: int, count: int, concurrency: int,
               seconds: float) -> tuple[Result, Result]:
    s3 = boto3.client("s3", endpoint_url=peer.endpoint, region_name=REGION,
                      aws_access_key_id="test", aws_secret_access_key="test")
    bucket = f"bench-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    body = os.urandom(size)
    keys = [f"obj/{i:06d}" for i in range(count)]
    puts = [signed_request("PUT", f"{peer.endpoint}/{bucket}/{k}", body) for k in keys]
    gets = [signed_request("GET", f"{peer.endpoint}/{bucket}/{k}") for k in keys]
    # Warm up both paths (first requests load models, open files).
    replay(peer.name, peer.endpoint, puts[:20], 1, seconds)
    put = replay(peer.name, peer.endpoint, puts, concurrency, seconds)
    get = replay(peer.name, peer.endpoint, gets[: put.count], concurrency, seconds)
    return put, get


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=3000, help="requests per 1 KiB test")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0, help="time bound per test")
    parser.add_argument("--only", choices=["nubes", "moto"], help="run one server only")
    args = parser.parse_args()

    peers = [p for p in (nubes_peer(), moto_peer()) if args.only in (None, p.name)]
    tables: dict[str, dict[str, Result]] = {}
    try:
        for peer in peers:
            peer.start()
        for label, size in SIZES.items():
            count = args.count if size <= 64 * 1024 else max(50, args.count // 20)
            for peer in peers:
                put, get = bench_peer(peer, size, count, args.concurrency, args.seconds)
                tables.setdefault(f"PUT {label}", {})[peer.name] = put
                tables.setdefault(f"GET {label}", {})[peer.name] = get
    finally:
        for peer in peers:
            peer.stop()
    print(f"Machine: {machine()}; concurrency {args.concurrency}\n")
    for title, results in tables.items():
        print(report(title, results, "moto"))


if __name__ == "__main__":
    main()
