"""Request bodies checked while they stream: ``aws-chunked`` decoding and payload hashes.

An ``aws-chunked`` body (S3 uploads by SDKs) is a series of
``<hex size>[;chunk-signature=<sig>]\\r\\n<data>\\r\\n`` chunks ending with a chunk of size 0,
then optional trailers (``x-amz-checksum-crc32:<base64>``, ``x-amz-trailer-signature:...``)
and a blank line. ``AwsChunkedStream`` yields the decoded data, verifying each chunk's
signature (chained from the request's seed signature), the trailer signature, the
trailing checksum and ``x-amz-decoded-content-length``. A signed chunk is handed on only
once verified, so at most one chunk is held in memory; unsigned chunks are passed on as
they arrive. ``VerifyingStream`` checks a hex ``x-amz-content-sha256`` over a plain body.
``decoding_stream`` picks the right one for a request.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import Enum

from nubes.edge import checksums
from nubes.edge.sigv4 import (
    EMPTY_SHA256,
    STREAMING_SIGNED,
    STREAMING_SIGNED_TRAILER,
    AuthResult,
    same_signature,
    sign,
)
from nubes.errors import (
    BadDigest,
    ContentSHA256Mismatch,
    IncompleteBody,
    InvalidRequest,
    MalformedTrailer,
    SignatureDoesNotMatch,
)
from nubes.protocol.http import BodyStream, Request

MAX_SIGNED_CHUNK = 16 * 1024 * 1024  # a signed chunk is held whole until verified
MAX_LINE = 4096  # a chunk header or trailer line
_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_CHUNK_SIZE = re.compile(rb"[0-9a-fA-F]{1,16}")
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)
_TRUNCATED = "You did not provide the number of bytes specified by the Content-Length HTTP header."


@dataclass(frozen=True, slots=True)
class ChunkSigning:
    """What verifying chunk signatures needs, from the request's verified signature."""

    signing_key: bytes
    signing_scope: str
    amz_date: str
    seed_signature: str
    signed_trailer: bool


@dataclass(frozen=True, slots=True)
class Framing:
    """How an aws-chunked body was announced by its request."""

    signing: ChunkSigning | None = None  # None: chunks carry no signatures
    decoded_length: int | None = None  # x-amz-decoded-content-length
    trailer_names: tuple[str, ...] = ()  # x-amz-trailer, lower-case


class _State(Enum):
    HEADER = "header"
    DATA = "data"
    DATA_END = "data-end"
    TRAILER = "trailer"
    DONE = "done"


class AwsChunkedStream:
    """The decoded data of an aws-chunked body, verified as it streams."""

    def __init__(self, inner: BodyStream, framing: Framing) -> None:
        self._inner = inner
        self._framing = framing
        self._signing = framing.signing
        self._previous = framing.signing.seed_signature if framing.signing else ""
        self._buffer = bytearray()
        self._state = _State.HEADER
        self._remaining = 0  # bytes of the current chunk still to come
        self._chunk_signature = ""
        self._chunk_hash = hashlib.sha256()
        self._held: list[bytes] = []  # the current signed chunk, until verified
        self._decoded = 0
        self._checksums = _checksums_for(framing.trailer_names)
        self.trailers: dict[str, str] = {}

    async def read(self) -> bytes:
        """The next piece of decoded data; b"" once the body ended and was verified."""
        while self._state is not _State.DONE:
            data = self._step()
            if data:
                return data
            if data is None:
                more = await self._inner.read()
                if more:
                    self._buffer += more
                else:
                    self._end_of_input()
        return b""

    def _step(self) -> bytes | None:
        """Advance over the buffered input: data to hand on, b"" if none yet, None for more."""
        state = self._state
        if state is _State.HEADER:
            return self._chunk_header()
        if state is _State.DATA:
            return self._chunk_data()
        if state is _State.DATA_END:
            return self._chunk_end()
        if state is _State.TRAILER:
            return self._trailer_lines()
        return b""

    # --- chunks ---------------------------------------------------------------------

    def _chunk_header(self) -> bytes | None:
        line = self._line()
        if line is None:
            return None
        size_text, _, extensions = line.partition(b";")
        if not _CHUNK_SIZE.fullmatch(size_text):
            raise InvalidRequest(f"Invalid aws-chunked chunk header: {line[:80]!r}")
        size = int(size_text, 16)
        if self._signing is not None:
            self._chunk_signature = _chunk_signature(extensions)
            if size > MAX_SIGNED_CHUNK:
                raise InvalidRequest(f"Signed chunks are limited to {MAX_SIGNED_CHUNK} bytes.")
        if size == 0:
            self._verify_chunk(EMPTY_SHA256)
            self._state = _State.TRAILER
        else:
            self._remaining = size
            self._chunk_hash = hashlib.sha256()
            self._state = _State.DATA
        return b""

    def _chunk_data(self) -> bytes | None:
        """Chunk data as it arrives when unsigned; held back (b"") until verified when signed."""
        take = min(self._remaining, len(self._buffer))
        if take == 0:
            return None
        data = bytes(self._buffer[:take])
        del self._buffer[:take]
        self._remaining -= take
        self._account(data)
        if self._remaining == 0:
            self._state = _State.DATA_END
        if self._signing is None:
            return data
        self._chunk_hash.update(data)
        self._held.append(data)
        return b""

    def _chunk_end(self) -> bytes | None:
        """The CRLF after a chunk's data; then the verified chunk (b"" if unsigned)."""
        if len(self._buffer) < 2:
            return None
        if self._buffer[:2] != b"\r\n":
            raise InvalidRequest("Invalid aws-chunked body: chunk data is not followed by CRLF.")
        del self._buffer[:2]
        self._state = _State.HEADER
        if self._signing is None:
            return b""
        self._verify_chunk(self._chunk_hash.hexdigest())
        data, self._held = b"".join(self._held), []
        return data

    def _verify_chunk(self, data_hash: str) -> None:
        signing = self._signing
        if signing is None:
            return
        string_to_sign = "\n".join(
            (
                "AWS4-HMAC-SHA256-PAYLOAD",
                signing.amz_date,
                signing.signing_scope,
                self._previous,
                EMPTY_SHA256,
                data_hash,
            )
        )
        expected = sign(signing.signing_key, string_to_sign)
        if not same_signature(expected, self._chunk_signature):
            raise SignatureDoesNotMatch(_MISMATCH, fields={"StringToSign": string_to_sign})
        self._previous = self._chunk_signature

    def _account(self, data: bytes) -> None:
        self._decoded += len(data)
        limit = self._framing.decoded_length
        if limit is not None and self._decoded > limit:
            raise IncompleteBody(_TRUNCATED)
        for checksum in self._checksums.values():
            checksum.update(data)

    # --- trailers and the end -------------------------------------------------------

    def _trailer_lines(self) -> bytes | None:
        """Trailer lines up to the blank line that ends the body: b"" when ended, else None."""
        while (line := self._line()) is not None:
            if line:
                self._trailer(line)
            elif self.trailers or not self._framing.trailer_names:
                self._finish()
                return b""
            # else: a blank line before the trailers (some clients send one); skip it
        return None

    def _trailer(self, line: bytes) -> None:
        name, sep, value = line.decode("latin-1").partition(":")
        if not sep or not name.strip():
            raise MalformedTrailer(
                "The request contained trailing data that was not well-formed or did not "
                "conform to our published schema."
            )
        self.trailers[name.strip().lower()] = value.strip()

    def _end_of_input(self) -> None:
        if self._state is _State.TRAILER:
            self._buffer += b"\r\n"  # the final blank line may be missing
            if self._trailer_lines() is None:
                self._finish()
            return
        raise IncompleteBody(_TRUNCATED)

    def _finish(self) -> None:
        if self._state is _State.DONE:
            return
        self._state = _State.DONE
        self._verify_trailer_signature()
        missing = [name for name in self._framing.trailer_names if name not in self.trailers]
        if missing:
            raise MalformedTrailer(f"The trailer {missing[0]} was announced but not sent.")
        for algorithm, checksum in self._checksums.items():
            _check_checksum(algorithm, checksum, self.trailers[checksums.HEADER_PREFIX + algorithm])
        limit = self._framing.decoded_length
        if limit is not None and self._decoded != limit:
            raise IncompleteBody(_TRUNCATED)

    def _verify_trailer_signature(self) -> None:
        signing = self._signing
        if signing is None or not signing.signed_trailer:
            return
        provided = self.trailers.pop("x-amz-trailer-signature", "")
        canonical = "".join(f"{name}:{value}\n" for name, value in sorted(self.trailers.items()))
        string_to_sign = "\n".join(
            (
                "AWS4-HMAC-SHA256-TRAILER",
                signing.amz_date,
                signing.signing_scope,
                self._previous,
                hashlib.sha256(canonical.encode("latin-1")).hexdigest(),
            )
        )
        if not same_signature(sign(signing.signing_key, string_to_sign), provided):
            raise SignatureDoesNotMatch(_MISMATCH, fields={"StringToSign": string_to_sign})

    def _line(self) -> bytes | None:
        """One CRLF-terminated line taken from the buffer, None while incomplete."""
        end = self._buffer.find(b"\r\n", 0, MAX_LINE + 2)
        if end < 0:
            if len(self._buffer) > MAX_LINE:
                raise InvalidRequest("Invalid aws-chunked body: a chunk header is too long.")
            return None
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 2]
        return line


def _chunk_signature(extensions: bytes) -> str:
    for extension in extensions.split(b";"):
        name, _, value = extension.partition(b"=")
        if name.strip() == b"chunk-signature":
            return value.strip().decode("latin-1")
    raise SignatureDoesNotMatch(_MISMATCH + " (a chunk has no chunk-signature)")


def _checksums_for(trailer_names: tuple[str, ...]) -> dict[str, checksums.Checksum]:
    out: dict[str, checksums.Checksum] = {}
    for name in trailer_names:
        if not name.startswith(checksums.HEADER_PREFIX):
            continue
        algorithm = name.removeprefix(checksums.HEADER_PREFIX)
        checksum = checksums.new_checksum(algorithm)
        if checksum is None:
            raise InvalidRequest("The value specified in the x-amz-trailer header is not supported")
        out[algorithm] = checksum
    return out


def _check_checksum(algorithm: str, checksum: checksums.Checksum, sent: str) -> None:
    expected = checksums.decode(sent)
    computed = checksum.digest()
    if expected is None or len(expected) != len(computed):
        raise InvalidRequest(
            f"Value for {checksums.HEADER_PREFIX}{algorithm} trailing header is invalid."
        )
    if expected != computed:
        raise BadDigest(
            f"The {algorithm.upper()} you specified did not match the calculated checksum."
        )


class VerifyingStream:
    """A body passed on as it is read, checked against its hex x-amz-content-sha256 at the end."""

    def __init__(self, inner: BodyStream, expected_sha256: str) -> None:
        self._inner = inner
        self._expected = expected_sha256.lower()
        self._hash = hashlib.sha256()
        self._done = False

    async def read(self) -> bytes:
        if self._done:
            return b""
        data = await self._inner.read()
        if data:
            self._hash.update(data)
            return data
        self._done = True
        computed = self._hash.hexdigest()
        if computed != self._expected:
            raise ContentSHA256Mismatch(
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
                fields={
                    "ClientComputedContentSHA256": self._expected,
                    "S3ComputedContentSHA256": computed,
                },
            )
        return b""


def decoding_stream(request: Request, auth: AuthResult | None, inner: BodyStream) -> BodyStream:
    """The body of ``request`` as its operation should see it: decoded and verified."""
    payload = auth.payload_hash if auth else request.headers.get("x-amz-content-sha256", "")
    if _HEX_SHA256.fullmatch(payload):
        inner = VerifyingStream(inner, payload)  # the hash of the body as sent
    if payload.startswith("STREAMING-") or "aws-chunked" in request.headers.get(
        "content-encoding", ""
    ):
        return AwsChunkedStream(inner, framing(request, auth, payload))
    return inner


def framing(request: Request, auth: AuthResult | None, payload_hash: str) -> Framing:
    """The framing an aws-chunked request announces in its headers and signature."""
    signing = None
    if payload_hash in (STREAMING_SIGNED, STREAMING_SIGNED_TRAILER):
        if auth is None:
            raise InvalidRequest(f"{payload_hash} needs a request signed with SigV4.")
        signing = ChunkSigning(
            auth.signing_key,
            auth.signing_scope,
            auth.amz_date,
            auth.signature,
            signed_trailer=payload_hash == STREAMING_SIGNED_TRAILER,
        )
    decoded = request.headers.get("x-amz-decoded-content-length")
    if decoded is not None and not decoded.isdigit():
        raise InvalidRequest(f"Invalid x-amz-decoded-content-length: {decoded!r}")
    names = request.headers.get("x-amz-trailer", "")
    trailers = tuple(name.strip().lower() for name in names.split(",") if name.strip())
    return Framing(signing, int(decoded) if decoded is not None else None, trailers)
