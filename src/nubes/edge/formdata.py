"""A streaming multipart/form-data reader (RFC 7578 over RFC 2046), for S3's POST uploads.

The stdlib's ``email`` and ``cgi`` read a body whole; an upload may be gigabytes. This reader
keeps at most one chunk plus a delimiter's length in memory: small fields are gathered as
bytes (bounded by the caller), and one part (the file) can be read as a stream that ends
where its closing delimiter begins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nubes.protocol.http import BodyStream
from nubes.services.s3 import exceptions as exc

MAX_HEADER_BYTES = 16 * 1024
_PARAM = re.compile(r';\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def boundary_of(content_type: str) -> bytes | None:
    """The boundary parameter of a multipart/form-data Content-Type, or None."""
    kind, _, rest = content_type.partition(";")
    if kind.strip().lower() != "multipart/form-data":
        return None
    for name, value in _PARAM.findall(";" + rest):
        if name.lower() == "boundary":
            boundary = value.strip('"')
            return boundary.encode("latin-1") if 0 < len(boundary) <= 70 else None
    return None


@dataclass(frozen=True, slots=True)
class PartHeaders:
    name: str
    filename: str | None
    content_type: str | None


def _malformed() -> exc.S3Error:
    return exc.MalformedPOSTRequest()


def parse_part_headers(raw: bytes) -> PartHeaders:
    """The name (and filename) of a part, from its Content-Disposition header."""
    name: str | None = None
    filename: str | None = None
    content_type: str | None = None
    for line in raw.decode("utf-8", "replace").split("\r\n"):
        header, _, value = line.partition(":")
        header = header.strip().lower()
        if header == "content-type":
            content_type = value.strip()
        elif header == "content-disposition":
            kind, _, params = value.partition(";")
            if kind.strip().lower() != "form-data":
                continue
            for key, raw_value in _PARAM.findall(";" + params):
                text = raw_value.strip()
                if text.startswith('"'):
                    text = re.sub(r"\\(.)", r"\1", text[1:-1])
                if key.lower() == "name":
                    name = text
                elif key.lower() == "filename":
                    filename = text
    if name is None:
        raise _malformed()
    return PartHeaders(name, filename, content_type)


class FormReader:
    """Reads the parts of a multipart/form-data body in order.

    ``next_part`` moves to the next part's headers (None after the close delimiter);
    ``read_value`` gathers the current part's content, ``stream`` yields it chunk by chunk.
    ``consumed`` counts the bytes taken from the body so far.
    """

    def __init__(self, body: BodyStream, boundary: bytes) -> None:
        self._body = body
        self._delimiter = b"\r\n--" + boundary
        # A CRLF in front lets the first boundary (with no CRLF before it) be found as a
        # delimiter like the others; anything before it is the preamble, ignored.
        self._buffer = bytearray(b"\r\n")
        self._eof = False
        self._in_part = False
        self.consumed = -2

    async def _fill(self) -> bool:
        if self._eof:
            return False
        data = await self._body.read()
        if not data:
            self._eof = True
            return False
        self._buffer += data
        return True

    def _take(self, count: int) -> bytes:
        data = bytes(self._buffer[:count])
        del self._buffer[:count]
        self.consumed += count
        return data

    async def _skip_to_delimiter(self) -> None:
        while (at := self._buffer.find(self._delimiter)) < 0:
            keep = len(self._delimiter) - 1
            if len(self._buffer) > keep:
                self._take(len(self._buffer) - keep)
            if not await self._fill():
                raise _malformed()
        self._take(at + len(self._delimiter))

    async def _line(self, limit: int) -> bytes:
        while (end := self._buffer.find(b"\r\n")) < 0:
            if len(self._buffer) > limit or not await self._fill():
                raise _malformed()
        line = self._take(end)
        self._take(2)
        return line

    async def next_part(self) -> PartHeaders | None:
        """Skip what is left of the current part; the next part's headers, or None."""
        while self._in_part:
            await self.chunk()
        await self._skip_to_delimiter()
        while len(self._buffer) < 2 and await self._fill():
            pass
        if self._buffer.startswith(b"--"):
            return None  # the close delimiter (its line end is optional)
        if (await self._line(MAX_HEADER_BYTES)).strip(b" \t"):
            raise _malformed()
        headers = parse_part_headers(await self._headers())
        self._in_part = True
        return headers

    async def _headers(self) -> bytes:
        while True:
            if self._buffer.startswith(b"\r\n"):
                self._take(2)
                return b""  # a part without headers
            end = self._buffer.find(b"\r\n\r\n")
            if end >= 0:
                raw = self._take(end)
                self._take(4)
                return raw
            if len(self._buffer) > MAX_HEADER_BYTES or not await self._fill():
                raise _malformed()

    async def chunk(self) -> bytes:
        """The next piece of the current part's content; b"" at its end (the delimiter
        that ends it is left for ``next_part``)."""
        while self._in_part:
            at = self._buffer.find(self._delimiter)
            if at == 0:
                self._in_part = False
            elif at > 0:
                return self._take(at)
            elif (safe := len(self._buffer) - len(self._delimiter) + 1) > 0:
                return self._take(safe)
            elif not await self._fill():
                raise _malformed()
        return b""

    async def read_value(self, limit: int) -> bytes:
        """The content of the current part (a field); reading stops once it passes
        ``limit`` bytes, so a caller that sees ``consumed`` past its budget must refuse."""
        parts = []
        size = 0
        while size <= limit and (chunk := await self.chunk()):
            size += len(chunk)
            parts.append(chunk)
        return b"".join(parts)

    def stream(self) -> PartStream:
        return PartStream(self)

    async def drain(self) -> None:
        """Read the rest of the body (what follows the file is ignored, as S3 does)."""
        self._buffer.clear()
        while await self._fill():
            self._buffer.clear()


class PartStream:
    """The current part's content as a ``BodyStream``."""

    def __init__(self, reader: FormReader) -> None:
        self._reader = reader

    async def read(self) -> bytes:
        return await self._reader.chunk()
