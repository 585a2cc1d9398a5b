"""Listing logic as pure logic: prefixes, delimiters, MaxKeys, markers and seeks."""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

from nubes.services.s3.paging import Page, common_prefix, paginate, start_after, url_encode


class Keys:
    """A sorted key list that counts the seeks and reads paging makes."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = sorted(set(keys))
        self.seeks = 0
        self.reads = 0

    def scan(self, start: str, below: str | None) -> Iterator[str]:
        self.seeks += 1
        for key in self.keys[bisect.bisect_left(self.keys, start):]:
            if below is not None and key >= below:
                return
            self.reads += 1
            yield key


def page(keys: Keys, **kwargs: object) -> Page[str]:
    return paginate(keys.scan, lambda k: k, **kwargs)  # type: ignore[arg-type]


def test_delimiter_rolls_up_and_seeks_past_common_prefixes() -> None:
    keys = Keys([f"photos/{i:05}.jpg" for i in range(10_000)] + ["a.txt", "z.txt"])
    result = page(keys, delimiter="/")
    assert result.entries == ["a.txt", "z.txt"]
    assert result.prefixes == ["photos/"]
    assert not result.truncated
    assert keys.reads == 3  # one key under photos/, not ten thousand


def test_prefix_and_max_keys_truncate() -> None:
    keys = Keys(["a/1", "a/2", "a/3", "b/1"])
    result = page(keys, prefix="a/", max_keys=2)
    assert result.entries == ["a/1", "a/2"] and result.truncated
    assert result.last_key == "a/2"
    rest = page(keys, prefix="a/", start=result.resume_key() or "", max_keys=2)
    assert rest.entries == ["a/3"] and not rest.truncated


def test_common_prefixes_count_towards_max_keys_and_resume_after_them() -> None:
    keys = Keys(["a/1", "a/2", "b/1", "c"])
    first = page(keys, delimiter="/", max_keys=1)
    assert first.prefixes == ["a/"] and first.truncated and first.ended_on_prefix
    second = page(keys, delimiter="/", max_keys=1, start=start_after("a/", "", "/"))
    assert second.prefixes == ["b/"]
    third = page(keys, delimiter="/", max_keys=5, start=second.resume_key() or "")
    assert third.entries == ["c"] and not third.truncated


def test_max_keys_zero_lists_nothing() -> None:
    result = page(Keys(["a"]), max_keys=0)
    assert result.count == 0 and not result.truncated


def test_exactly_max_keys_is_not_truncated() -> None:
    result = page(Keys(["a", "b"]), max_keys=2)
    assert result.entries == ["a", "b"] and not result.truncated


def test_multi_character_delimiter_and_prefix() -> None:
    keys = Keys(["logs--2024--a", "logs--2024--b", "logs--2025--a", "logs--x"])
    result = page(keys, prefix="logs--", delimiter="--")
    assert result.prefixes == ["logs--2024--", "logs--2025--"]
    assert result.entries == ["logs--x"]
    assert common_prefix("logs--2024--a", "logs--", "--") == "logs--2024--"


def test_url_encoding() -> None:
    assert url_encode("a b/c+d&é", "url") == "a+b/c%2Bd%26%C3%A9"
    assert url_encode("a b", None) == "a b"


@given(
    st.lists(st.text(alphabet="ab/é\U0001f600", min_size=1, max_size=6), max_size=40),
    st.sampled_from(["", "a", "a/", "é"]),
    st.sampled_from([None, "/", "b"]),
    st.integers(min_value=1, max_value=5),
)
def test_paging_through_everything_matches_a_naive_listing(
    keys: list[str], prefix: str, delimiter: str | None, max_keys: int
) -> None:
    source = Keys(keys)
    expected_entries, expected_prefixes = [], []
    for key in source.keys:
        if not key.startswith(prefix):
            continue
        rolled = common_prefix(key, prefix, delimiter)
        if rolled is None:
            expected_entries.append(key)
        elif rolled not in expected_prefixes:
            expected_prefixes.append(rolled)
    entries: list[str] = []
    prefixes: list[str] = []
    start = ""
    for _ in range(100):
        result = page(source, prefix=prefix, delimiter=delimiter, start=start,
                      max_keys=max_keys)
        entries += result.entries
        prefixes += result.prefixes
        if not result.truncated:
            break
        start = result.resume_key() or ""
    assert entries == expected_entries
    assert prefixes == expected_prefixes
