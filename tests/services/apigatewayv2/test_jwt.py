"""JWT authorizers over plain HTTP: tokens signed with a locally generated RSA key, the
issuer's JWKS served by a small HTTP server in the test."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.services.apigatewayv2.conftest import Answer
from tests.services.apigatewayv2.test_data_plane import _lambda_api


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _number(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@dataclass
class Issuer:
    url: str
    key: rsa.RSAPrivateKey
    fetches: list[str]

    def token(self, claims: dict[str, Any], kid: str | None = "k1",
              key: rsa.RSAPrivateKey | None = None, alg: str = "RS256") -> str:
        fields = {"alg": alg, "typ": "JWT", **({"kid": kid} if kid else {})}
        header = _b64(json.dumps(fields).encode())
        payload = _b64(json.dumps(claims).encode())
        signed = f"{header}.{payload}".encode()
        signature = (key or self.key).sign(signed, padding.PKCS1v15(), hashes.SHA256())
        return f"{header}.{payload}.{_b64(signature)}"

    def claims(self, **extra: Any) -> dict[str, Any]:
        now = int(time.time())
        return {"iss": self.url, "aud": "my-app", "sub": "user-1", "iat": now,
                "exp": now + 600, "scope": "read write", **extra}


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = key.public_key().public_numbers()
    jwks = {"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
                      "n": _number(numbers.n), "e": _number(numbers.e)}]}
    fetches: list[str] = []
    base: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            fetches.append(self.path)
            body: Any
            if self.path == "/.well-known/openid-configuration":
                body = {"issuer": base["url"], "jwks_uri": f"{base['url']}/keys"}
            elif self.path == "/keys":
                body = jwks
            else:
                self.send_response(404)
                self.end_headers()
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base["url"] = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Issuer(base["url"], key, fetches)
    server.shutdown()
    server.server_close()


def test_jwt_authorizer(apigw: Any, call: Callable[..., Answer], http_api: Callable[..., str],
                        echo_arn: str, issuer: Issuer) -> None:
    api_id = http_api()
    authorizer = apigw.create_authorizer(
        ApiId=api_id, Name="jwt", AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Issuer": issuer.url, "Audience": ["my-app", "other"]}
    )["AuthorizerId"]
    target = _lambda_api(apigw, api_id, echo_arn)
    apigw.create_route(ApiId=api_id, RouteKey="GET /me", AuthorizationType="JWT",
                       AuthorizerId=authorizer, Target=target)
    apigw.create_route(ApiId=api_id, RouteKey="GET /admin", AuthorizationType="JWT",
                       AuthorizerId=authorizer, AuthorizationScopes=["admin"], Target=target)
    apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)

    def status(token: str | None, path: str = "/me") -> int:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        got = call(api_id, "GET", path, headers)
        if got.status in (401, 403):
            assert got.json()["message"] in ("Unauthorized", "Forbidden")
        return got.status

    good = issuer.token(issuer.claims(groups=["a", "b"]))
    answer = call(api_id, "GET", "/me", {"authorization": f"Bearer {good}"})
    assert answer.status == 200, answer.body
    jwt = answer.json()["requestContext"]["authorizer"]["jwt"]
    assert jwt["claims"]["sub"] == "user-1" and jwt["claims"]["groups"] == "[a b]"
    assert jwt["scopes"] == ["read", "write"]
    assert status(None) == 401
    assert status("not.a.jwt") == 401
    now = int(time.time())
    assert status(issuer.token(issuer.claims(exp=now - 10))) == 401
    assert status(issuer.token(issuer.claims(nbf=now + 600))) == 401
    assert status(issuer.token(issuer.claims(aud="someone-else"))) == 401
    refused = call(api_id, "GET", "/me", {
        "authorization": issuer.token(issuer.claims(aud="someone-else"))})
    assert refused.header("www-authenticate") == (
        'Bearer scope="" error="invalid_token" '
        'error_description="the token does not have a valid audience"')
    assert status(issuer.token(issuer.claims(iss="https://elsewhere"))) == 401
    no_aud = issuer.claims(client_id="other")
    del no_aud["aud"]
    assert status(issuer.token(no_aud)) == 200  # client_id stands for aud
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert status(issuer.token(issuer.claims(), key=stranger)) == 401
    assert status(issuer.token(issuer.claims(), kid="unknown")) == 401
    assert status(issuer.token(issuer.claims(), kid=None)) == 401
    assert status(issuer.token(issuer.claims(), alg="ES256")) == 401  # RSA only
    assert status(issuer.token(issuer.claims(), alg="RS512")) == 401  # not what signed it
    assert status(good, "/admin") == 403
    assert status(issuer.token(issuer.claims(scope="admin")), "/admin") == 200
    fetched = issuer.fetches.count("/keys")
    assert status(good) == 200
    assert issuer.fetches.count("/keys") == fetched  # the JWKS is kept
