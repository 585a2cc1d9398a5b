"""Message signatures: an RSA key and a self-signed certificate made once per data
directory, and SNS's signatures over them (SignatureVersion 1: SHA1withRSA, 2:
SHA256withRSA), so subscribers can verify messages as they verify AWS's.

The certificate is served by the edge at ``SigningCertURL``
(``/_nubes/sns/SimpleNotificationService-<fingerprint>.pem``).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

# The fields signed, in order, by message type ("Subject" only when present).
_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token",
                        "TopicArn", "Type")


def string_to_sign(message: Mapping[str, str]) -> str:
    """AWS's string to sign: each present field's name and value, one per line."""
    fields = (_NOTIFICATION_FIELDS if message.get("Type") == "Notification"
              else _CONFIRMATION_FIELDS)
    return "".join(f"{name}\n{message[name]}\n" for name in fields
                   if message.get(name) is not None)


class Signer:
    """The key pair of one data directory (``<data-dir>/sns/``), made on first use."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        key_path, cert_path = directory / "signing-key.pem", directory / "signing-cert.pem"
        if not key_path.exists() or not cert_path.exists():
            _create(key_path, cert_path)
        self._key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(self._key, rsa.RSAPrivateKey)
        self.certificate = cert_path.read_bytes()
        self.cert_name = ("SimpleNotificationService-"
                          f"{hashlib.sha256(self.certificate).hexdigest()[:32]}.pem")
        # A message fanned out to many subscribers is signed once (an RSA signature costs
        # about a millisecond); only the last few texts are kept.
        self._recent: dict[tuple[str, str], str] = {}

    def cert_url(self, endpoint: str) -> str:
        return f"{endpoint}/_nubes/sns/{self.cert_name}"

    def sign(self, message: Mapping[str, str], version: str) -> str:
        """The base64 signature of a message (version "1" or "2")."""
        text = string_to_sign(message)
        found = self._recent.get((text, version))
        if found is not None:
            return found
        algorithm: hashes.HashAlgorithm = hashes.SHA256() if version == "2" else hashes.SHA1()
        assert isinstance(self._key, rsa.RSAPrivateKey)
        signature = base64.b64encode(
            self._key.sign(text.encode(), padding.PKCS1v15(), algorithm)).decode()
        if len(self._recent) >= 64:
            self._recent.clear()
        self._recent[(text, version)] = signature
        return signature


def _create(key_path: Path, cert_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.nubes.local")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .sign(key, hashes.SHA256()))
    _write(key_path, key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()), 0o600)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)


def _write(path: Path, data: bytes, mode: int) -> None:
    """Written to a temporary file and renamed, so a crash leaves no half key."""
    temporary = path.with_suffix(f".tmp{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(temporary, path)
