"""PutLogEvents' batch rules and the name, retention and tag checks, without a server."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nubes.services.logs import exceptions as exc
from nubes.services.logs.models import (
    DAY_MS,
    HOUR_MS,
    check_batch,
    check_group_name,
    check_retention,
    check_tags,
    group_name_from_arn,
)

NOW = 1_700_000_000_000


def events(*stamps: int) -> list[dict[str, object]]:
    return [{"timestamp": stamp, "message": f"m{i}"} for i, stamp in enumerate(stamps)]


def test_a_batch_in_the_windows_is_accepted_whole() -> None:
    batch = check_batch(events(NOW - 1, NOW, NOW + HOUR_MS), NOW, 0)
    assert [stamp for stamp, _ in batch.accepted] == [NOW - 1, NOW, NOW + HOUR_MS]
    assert batch.rejected == {}


def test_windows_reject_a_prefix_and_a_suffix() -> None:
    old = NOW - 14 * DAY_MS - 1
    batch = check_batch(events(old - 1, old, NOW - 14 * DAY_MS + 20 * HOUR_MS), NOW, 0)
    assert batch.rejected == {"tooOldLogEventEndIndex": 1}
    batch = check_batch(events(NOW, NOW + 2 * HOUR_MS + 1, NOW + 3 * HOUR_MS), NOW, 0)
    assert batch.rejected == {"tooNewLogEventStartIndex": 1}
    assert len(batch.accepted) == 1
    batch = check_batch(events(NOW - 2 * DAY_MS, NOW - DAY_MS), NOW, NOW - DAY_MS - 10)
    assert batch.rejected == {"expiredLogEventEndIndex": 0}


@given(st.lists(st.integers(NOW - 20 * HOUR_MS, NOW + 3 * HOUR_MS), min_size=1,
                max_size=30).map(sorted))
def test_accepted_and_rejected_partition_the_batch(stamps: list[int]) -> None:
    batch = check_batch(events(*stamps), NOW, 0)
    first_new = batch.rejected.get("tooNewLogEventStartIndex", len(stamps))
    assert [stamp for stamp, _ in batch.accepted] == stamps[:first_new]
    assert all(stamp > NOW + 2 * HOUR_MS for stamp in stamps[first_new:])


@pytest.mark.parametrize(("batch", "message"), [
    (events(NOW, NOW - 1), "chronological"),
    (events(NOW - DAY_MS - 1, NOW), "24 hours"),
    ([], "empty"),
    (events(*[NOW] * 10_001), "10000"),
    ([{"timestamp": NOW, "message": "x" * 600_000}] * 2, "Upload too large"),
])
def test_malformed_batches_are_invalid(batch: list[dict[str, object]], message: str) -> None:
    with pytest.raises(exc.InvalidParameterException, match=message):
        check_batch(batch, NOW, 0)


def test_names_retention_and_tags() -> None:
    check_group_name("/aws/lambda/my-fn_1.#x")
    for bad in ("", "has space", "aws/x", "a" * 513, "ü"):
        with pytest.raises(exc.InvalidParameterException):
            check_group_name(bad)
    check_retention(3653)
    with pytest.raises(exc.InvalidParameterException):
        check_retention(2)
    with pytest.raises(exc.TooManyTagsException):
        check_tags({"new": "v"}, {f"k{i}": "v" for i in range(50)})
    check_tags({"k0": "changed"}, {f"k{i}": "v" for i in range(50)})


def test_group_arns() -> None:
    arn = "arn:aws:logs:us-east-1:000000000000:log-group:/a/b"
    assert group_name_from_arn(arn, "000000000000", "us-east-1") == "/a/b"
    assert group_name_from_arn(arn + ":*", "000000000000", "us-east-1") == "/a/b"
    with pytest.raises(exc.ResourceNotFoundException):
        group_name_from_arn(arn, "000000000000", "eu-west-1")
