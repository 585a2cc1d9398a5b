"""The AWS CLI against a real server: `aws s3` high-level commands and `aws s3api`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow


def aws(server: Any, *args: str, cwd: Path | None = None, ok: tuple[int, ...] = (0,)) -> str:
    executable = shutil.which("aws", path=str(Path(sys.executable).parent)) or "aws"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=server.endpoint, AWS_ACCESS_KEY_ID="test",
               AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    done = subprocess.run([executable, *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode in ok, done.stderr
    return done.stdout


def test_cp_ls_sync_rm(nubes_server: Any, bucket: str, tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "nested").mkdir(parents=True)
    (source / "a.txt").write_text("alpha")
    (source / "nested" / "b.txt").write_text("beta")
    big = os.urandom(9 * 1024 * 1024)  # above the CLI's 8 MiB multipart threshold
    (source / "big.bin").write_bytes(big)

    aws(nubes_server, "s3", "cp", str(source / "a.txt"), f"s3://{bucket}/one/a.txt")
    listing = aws(nubes_server, "s3", "ls", f"s3://{bucket}/one/")
    assert "a.txt" in listing
    aws(nubes_server, "s3", "sync", str(source), f"s3://{bucket}/tree")
    recursive = aws(nubes_server, "s3", "ls", "--recursive", f"s3://{bucket}/tree/")
    assert {line.split()[-1] for line in recursive.splitlines()} == {
        "tree/a.txt", "tree/big.bin", "tree/nested/b.txt"}
    again = aws(nubes_server, "s3", "sync", str(source), f"s3://{bucket}/tree")
    assert again.strip() == ""  # nothing changed, nothing copied

    target = tmp_path / "back"
    aws(nubes_server, "s3", "sync", f"s3://{bucket}/tree", str(target))
    assert (target / "nested" / "b.txt").read_text() == "beta"
    assert (target / "big.bin").read_bytes() == big
    aws(nubes_server, "s3", "rm", "--recursive", f"s3://{bucket}/tree")
    # `aws s3 ls` exits 1 when it lists nothing.
    empty = aws(nubes_server, "s3", "ls", "--recursive", f"s3://{bucket}/tree/", ok=(1,))
    assert empty.strip() == ""


def test_mb_and_rb(nubes_server: Any) -> None:
    aws(nubes_server, "s3", "mb", "s3://cli-made-bucket")
    assert "cli-made-bucket" in aws(nubes_server, "s3", "ls")
    aws(nubes_server, "s3", "rb", "s3://cli-made-bucket")
    assert "cli-made-bucket" not in aws(nubes_server, "s3", "ls")


def test_s3api(nubes_server: Any, bucket: str, tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text("hello")
    put = json.loads(aws(nubes_server, "s3api", "put-object", "--bucket", bucket, "--key", "k",
                         "--body", str(body), "--content-type", "text/plain"))
    assert put["ETag"] == '"5d41402abc4b2a76b9719d911017c592"'
    head = json.loads(aws(nubes_server, "s3api", "head-object", "--bucket", bucket,
                          "--key", "k"))
    assert head["ContentType"] == "text/plain" and head["ContentLength"] == 5
    out = tmp_path / "out.txt"
    aws(nubes_server, "s3api", "get-object", "--bucket", bucket, "--key", "k",
        "--range", "bytes=1-3", str(out))
    assert out.read_text() == "ell"
    listed = json.loads(aws(nubes_server, "s3api", "list-objects-v2", "--bucket", bucket))
    assert [c["Key"] for c in listed["Contents"]] == ["k"]
    aws(nubes_server, "s3api", "delete-object", "--bucket", bucket, "--key", "k")
    listed = aws(nubes_server, "s3api", "list-objects-v2", "--bucket", bucket)
    assert "Contents" not in (json.loads(listed) if listed.strip() else {})
