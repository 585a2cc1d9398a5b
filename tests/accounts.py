"""Clients of other accounts, for the tests of what one account may do to another's
resources."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from typing import Any

from tests.server import NubesServer


def other_account(server: NubesServer, make_client: Callable[..., Any], account: str,
                  service: str = "sns") -> Any:
    """A client of a new key of ``account`` (made with ``nubes keys create``)."""
    key = f"AKIA{uuid.uuid4().hex[:16].upper()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUBES_", "AWS_"))}
    done = subprocess.run([sys.executable, "-m", "nubes", "keys", "create", "--data-dir",
                           str(server.data_dir), "--account", account, "--access-key", key,
                           "--secret", "other-secret"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return make_client(service, aws_access_key_id=key, aws_secret_access_key="other-secret")
