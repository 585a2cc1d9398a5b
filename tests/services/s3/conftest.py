"""S3 test fixtures: a client of a second account, for cross-account behaviour."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

OTHER_ACCOUNT = "111122223333"


@pytest.fixture(scope="session")
def other_s3(nubes_server: Any, make_client: Callable[..., Any]) -> Any:
    """An S3 client signed with the keys of another account (made with `nubes keys`)."""
    access_key, secret = "other-account-key", "other-account-secret"
    subprocess.run(
        [sys.executable, "-m", "nubes", "keys", "create", "--data-dir",
         str(nubes_server.data_dir), "--account", OTHER_ACCOUNT, "--access-key", access_key,
         "--secret", secret],
        check=True, capture_output=True,
    )
    return make_client("s3", aws_access_key_id=access_key, aws_secret_access_key=secret)
