"""aws-chunked decoding: AWS's published example, a reference encoder, botocore's encoder."""

from __future__ import annotations

import hashlib
import hmac
import io
from datetime import UTC, datetime

import pytest
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum, Sha1Checksum, Sha256Checksum

from nubes.accounts import Credentials
from nubes.edge import checksums
from nubes.edge.chunked import (
    AwsChunkedStream,
    ChunkSigning,
    Framing,
    VerifyingStream,
    decoding_stream,
)
from nubes.edge.sigv4 import EMPTY_SHA256, AuthResult, signing_key, verify
from nubes.errors import ServiceError
from nubes.protocol.http import Request
from tests.edge.signing import Keys, Pieces, read_all, reads

# --- AWS's documented example (S3 API reference, "Example: PUT Object", chunked upload) ----

EXAMPLE_KEY = Credentials(
    "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "111111111111"
)
EXAMPLE_SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
EXAMPLE_CHUNK_SIGNATURES = (
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
)
EXAMPLE_DATA = b"a" * 66560
EXAMPLE_HEADERS = {
    "host": "s3.amazonaws.com",
    "x-amz-date": "20130524T000000Z",
    "x-amz-storage-class": "REDUCED_REDUNDANCY",
    "authorization": (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
        f"x-amz-decoded-content-length;x-amz-storage-class,Signature={EXAMPLE_SEED}"
    ),
    "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "content-encoding": "aws-chunked",
    "x-amz-decoded-content-length": "66560",
    "content-length": "66824",
}
EXAMPLE_TIME = datetime(2013, 5, 24, tzinfo=UTC)


def example_request() -> Request:
    return Request("PUT", "/examplebucket/chunkObject.txt", "", dict(EXAMPLE_HEADERS))


def example_body() -> bytes:
    sizes = (65536, 1024, 0)
    body = b""
    for size, signature in zip(sizes, EXAMPLE_CHUNK_SIGNATURES, strict=True):
        body += b"%x;chunk-signature=%s\r\n" % (size, signature.encode()) + b"a" * size + b"\r\n"
    return body


def example_auth() -> AuthResult:
    auth = verify(example_request(), Keys(EXAMPLE_KEY), flavour="s3", now=EXAMPLE_TIME)
    assert auth is not None
    return auth


def test_the_documented_seed_signature_verifies() -> None:
    auth = example_auth()
    assert auth.signature == EXAMPLE_SEED
    assert auth.signing_scope == "20130524/us-east-1/s3/aws4_request"


@pytest.mark.parametrize("seed", range(5))
def test_the_documented_chunked_body_decodes_in_any_split(seed: int) -> None:
    body = example_body()
    assert len(body) == 66824  # the example's Content-Length
    stream = decoding_stream(example_request(), example_auth(), Pieces(body, seed=seed))
    assert isinstance(stream, AwsChunkedStream)
    assert read_all(stream) == EXAMPLE_DATA


def test_signed_chunks_are_handed_on_whole_once_verified() -> None:
    stream = decoding_stream(example_request(), example_auth(), Pieces(example_body(), largest=999))
    assert [len(piece) for piece in reads(stream)] == [65536, 1024]


def test_the_reference_encoder_reproduces_the_documented_signatures() -> None:
    auth = example_auth()
    body = encode_signed([b"a" * 65536, b"a" * 1024], signing(auth))
    assert body == example_body()


@pytest.mark.parametrize("position", [0, 30, 100, 40000, 65700, 66000, 66700])
def test_a_flipped_byte_fails(position: int) -> None:
    body = bytearray(example_body())
    body[position] ^= 0x01
    stream = decoding_stream(example_request(), example_auth(), Pieces(bytes(body), largest=4096))
    with pytest.raises(ServiceError) as caught:
        read_all(stream)
    assert caught.value.code in ("SignatureDoesNotMatch", "InvalidRequest", "IncompleteBody")


def test_a_data_byte_flipped_is_a_signature_mismatch() -> None:
    body = bytearray(example_body())
    body[body.index(b"\r\n") + 2 + 100] = ord("b")  # the 101st data byte of the first chunk
    stream = decoding_stream(example_request(), example_auth(), Pieces(bytes(body), largest=4096))
    with pytest.raises(ServiceError) as caught:
        read_all(stream)
    assert (caught.value.code, caught.value.status) == ("SignatureDoesNotMatch", 403)


def test_a_truncated_body() -> None:
    body = example_body()[:-40]
    stream = decoding_stream(example_request(), example_auth(), Pieces(body, largest=4096))
    with pytest.raises(ServiceError) as caught:
        read_all(stream)
    assert (caught.value.code, caught.value.status) == ("IncompleteBody", 400)


def test_a_decoded_length_that_does_not_match() -> None:
    framing = Framing(signing(example_auth()), decoded_length=66561)
    stream = AwsChunkedStream(Pieces(example_body(), largest=4096), framing)
    with pytest.raises(ServiceError) as caught:
        read_all(stream)
    assert caught.value.code == "IncompleteBody"


# --- A reference encoder, following AWS's documented algorithm -----------------------------


def signing(auth: AuthResult) -> ChunkSigning:
    return ChunkSigning(auth.signing_key, auth.signing_scope, auth.amz_date, auth.signature, False)


def _hmac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def encode_signed(
    chunks: list[bytes], how: ChunkSigning, trailers: dict[str, str] | None = None
) -> bytes:
    previous, out = how.seed_signature, bytearray()
    for chunk in [*chunks, b""]:
        string_to_sign = "\n".join(
            [
                "AWS4-HMAC-SHA256-PAYLOAD",
                how.amz_date,
                how.signing_scope,
                previous,
                EMPTY_SHA256,
                hashlib.sha256(chunk).hexdigest(),
            ]
        )
        previous = _hmac(how.signing_key, string_to_sign)
        out += b"%x;chunk-signature=%s\r\n" % (len(chunk), previous.encode()) + chunk
        if chunk or trailers is None:
            out += b"\r\n"
    if trailers is not None:
        canonical = "".join(f"{name}:{value}\n" for name, value in trailers.items())
        out += canonical.replace("\n", "\r\n").encode()
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        string_to_sign = "\n".join(
            ["AWS4-HMAC-SHA256-TRAILER", how.amz_date, how.signing_scope, previous, digest]
        )
        out += f"x-amz-trailer-signature:{_hmac(how.signing_key, string_to_sign)}\r\n\r\n".encode()
    return bytes(out)


def checksum_of(algorithm: str, data: bytes) -> str:
    checksum = checksums.new_checksum(algorithm)
    assert checksum is not None
    checksum.update(data)
    return checksums.encode(checksum.digest())


TRAILER_HOW = ChunkSigning(
    signing_key(EXAMPLE_KEY.secret_key, "20130524", "us-east-1", "s3"),
    "20130524/us-east-1/s3/aws4_request",
    "20130524T000000Z",
    EXAMPLE_SEED,
    signed_trailer=True,
)
PAYLOAD = bytes(range(256)) * 300


def trailer_stream(body: bytes, algorithm: str = "crc32", seed: int = 0) -> AwsChunkedStream:
    framing = Framing(TRAILER_HOW, len(PAYLOAD), (f"x-amz-checksum-{algorithm}",))
    return AwsChunkedStream(Pieces(body, seed=seed, largest=300), framing)


def signed_trailer_body(algorithm: str = "crc32", value: str | None = None) -> bytes:
    value = value or checksum_of(algorithm, PAYLOAD)
    chunks = [PAYLOAD[:40000], PAYLOAD[40000:70000], PAYLOAD[70000:]]
    return encode_signed(chunks, TRAILER_HOW, {f"x-amz-checksum-{algorithm}": value})


@pytest.mark.parametrize("algorithm", checksums.ALGORITHMS)
def test_signed_chunks_with_a_signed_checksum_trailer(algorithm: str) -> None:
    stream = trailer_stream(signed_trailer_body(algorithm), algorithm)
    assert read_all(stream) == PAYLOAD
    assert stream.trailers == {f"x-amz-checksum-{algorithm}": checksum_of(algorithm, PAYLOAD)}


def test_a_wrong_trailer_signature() -> None:
    body = bytearray(signed_trailer_body())
    at = body.index(b"x-amz-trailer-signature:") + 30
    body[at] = ord("0") if body[at] != ord("0") else ord("1")
    with pytest.raises(ServiceError) as caught:
        read_all(trailer_stream(bytes(body)))
    assert caught.value.code == "SignatureDoesNotMatch"


@pytest.mark.parametrize("algorithm", checksums.ALGORITHMS)
def test_a_signed_but_wrong_checksum_is_a_bad_digest(algorithm: str) -> None:
    wrong = checksum_of(algorithm, b"something else")
    with pytest.raises(ServiceError) as caught:
        read_all(trailer_stream(signed_trailer_body(algorithm, wrong), algorithm))
    assert (caught.value.code, caught.value.status) == ("BadDigest", 400)
    assert caught.value.message == (
        f"The {algorithm.upper()} you specified did not match the calculated checksum."
    )


def test_a_checksum_that_is_not_base64() -> None:
    with pytest.raises(ServiceError) as caught:
        read_all(trailer_stream(signed_trailer_body("crc32", "not base64!")))
    assert caught.value.code == "InvalidRequest"


def test_an_announced_trailer_that_never_comes() -> None:
    body = encode_signed([PAYLOAD], replace_trailer(TRAILER_HOW, signed_trailer=False))
    framing = Framing(replace_trailer(TRAILER_HOW, False), len(PAYLOAD), ("x-amz-checksum-crc32",))
    with pytest.raises(ServiceError) as caught:
        read_all(AwsChunkedStream(Pieces(body, largest=500), framing))
    assert caught.value.code == "MalformedTrailerError"


def replace_trailer(how: ChunkSigning, signed_trailer: bool) -> ChunkSigning:
    return ChunkSigning(
        how.signing_key, how.signing_scope, how.amz_date, how.seed_signature, signed_trailer
    )


# --- Unsigned chunks with a checksum trailer, as botocore sends them ------------------------


@pytest.mark.parametrize(
    ("algorithm", "checksum_cls"),
    [("crc32", Crc32Checksum), ("sha1", Sha1Checksum), ("sha256", Sha256Checksum)],
)
@pytest.mark.parametrize("seed", range(3))
def test_botocore_unsigned_trailer(algorithm: str, checksum_cls: type, seed: int) -> None:
    name = f"x-amz-checksum-{algorithm}"
    wrapper = AwsChunkedWrapper(
        io.BytesIO(PAYLOAD), checksum_cls=checksum_cls, checksum_name=name, chunk_size=10000
    )
    body = wrapper.read()
    request = Request(
        "PUT",
        "/b/k",
        "",
        {
            "content-encoding": "aws-chunked",
            "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            "x-amz-trailer": name,
            "x-amz-decoded-content-length": str(len(PAYLOAD)),
        },
    )
    stream = decoding_stream(request, None, Pieces(body, seed=seed, largest=5000))
    assert isinstance(stream, AwsChunkedStream)
    assert read_all(stream) == PAYLOAD
    assert stream.trailers == {name: checksum_of(algorithm, PAYLOAD)}

    corrupted = body.replace(PAYLOAD[5000:5010], bytes(10), 1)
    stream = decoding_stream(request, None, Pieces(corrupted, seed=seed, largest=5000))
    with pytest.raises(ServiceError) as caught:
        read_all(stream)
    assert caught.value.code == "BadDigest"


def test_unsigned_chunks_stream_without_waiting_for_a_whole_chunk() -> None:
    body = b"%x\r\n" % len(PAYLOAD) + PAYLOAD + b"\r\n0\r\n\r\n"
    stream = AwsChunkedStream(Pieces(body, largest=1000), Framing())
    pieces = reads(stream)
    assert b"".join(pieces) == PAYLOAD
    assert max(len(piece) for piece in pieces) <= 1000


def test_final_blank_line_may_be_missing_after_trailers() -> None:
    body = b"3\r\nabc\r\n0\r\nx-amz-checksum-crc32:" + checksum_of("crc32", b"abc").encode()
    framing = Framing(None, 3, ("x-amz-checksum-crc32",))
    assert read_all(AwsChunkedStream(Pieces(body), framing)) == b"abc"


def test_a_garbled_chunk_header() -> None:
    with pytest.raises(ServiceError) as caught:
        read_all(AwsChunkedStream(Pieces(b"zz\r\nabc\r\n0\r\n\r\n"), Framing()))
    assert caught.value.code == "InvalidRequest"


def test_signed_mode_needs_chunk_signatures() -> None:
    body = b"3\r\nabc\r\n0\r\n\r\n"
    with pytest.raises(ServiceError) as caught:
        read_all(AwsChunkedStream(Pieces(body), Framing(TRAILER_HOW)))
    assert caught.value.code == "SignatureDoesNotMatch"


# --- Plain bodies and the choice of stream -----------------------------------------------


def test_verifying_stream() -> None:
    digest = hashlib.sha256(b"payload").hexdigest()
    assert read_all(VerifyingStream(Pieces(b"payload"), digest)) == b"payload"
    with pytest.raises(ServiceError) as caught:
        read_all(VerifyingStream(Pieces(b"payloaf"), digest))
    assert (caught.value.code, caught.value.status) == ("XAmzContentSHA256Mismatch", 400)


def test_decoding_stream_passes_unsigned_payloads_through() -> None:
    inner = Pieces(b"x")
    request = Request("PUT", "/b/k", "", {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    assert decoding_stream(request, None, inner) is inner


def test_signed_streaming_needs_a_signature() -> None:
    headers = {"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}
    request = Request("PUT", "/b/k", "", headers)
    with pytest.raises(ServiceError):
        decoding_stream(request, None, Pieces(b""))


def test_checksum_check_values() -> None:
    expected = {
        "crc32": "cbf43926",
        "crc32c": "e3069283",
        "crc64nvme": "ae8b14860a799888",
        "sha1": "f7c3bc1d808e04732adf679965ccc34ca7ae3441",
    }
    for algorithm, digest in expected.items():
        checksum = checksums.new_checksum(algorithm)
        assert checksum is not None
        checksum.update(b"12345")
        checksum.update(b"6789")
        assert checksum.digest().hex() == digest
    assert checksums.new_checksum("md5") is None
