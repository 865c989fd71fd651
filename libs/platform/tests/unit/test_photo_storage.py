"""The photo stores: AWS Signature V4 against AWS's published vectors, the S3-compatible store's
requests (path-style, signed over the body's SHA-256) answered by a stand-in transport, and the
local directory store."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from simpul_platform.sigv4 import EMPTY_SHA256, sign
from simpul_platform.storage import (
    BlobMissing,
    LocalPhotoStore,
    S3Config,
    S3PhotoStore,
    StoreFailed,
    check_key,
    photo_store,
)

pytestmark = pytest.mark.unit

# The SigV4 test suite's credentials and instant (docs.aws.amazon.com, "signature-v4-test-suite").
SUITE = {"access_key": "AKIDEXAMPLE", "secret_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
SUITE_AT = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
SUITE_SCOPE = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"


@pytest.mark.parametrize(
    ("method", "url", "signature"),
    [
        (
            "GET",
            "https://example.amazonaws.com/",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
        (  # get-vanilla-query-order-key-case: parameters sorted by name
            "GET",
            "https://example.amazonaws.com/?Param2=value2&Param1=value1",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        ),
        (
            "POST",
            "https://example.amazonaws.com/",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        ),
    ],
)
def test_sigv4_reproduces_the_aws_test_suite(method: str, url: str, signature: str) -> None:
    headers = sign(
        method=method,
        url=url,
        headers={},
        payload_sha256=EMPTY_SHA256,
        region="us-east-1",
        service="service",
        moment=SUITE_AT,
        **SUITE,
    )
    assert headers["x-amz-date"] == "20150830T123600Z"
    assert headers["host"] == "example.amazonaws.com"
    assert headers["authorization"] == (
        f"{SUITE_SCOPE}, SignedHeaders=host;x-amz-date, Signature={signature}"
    )


def test_sigv4_reproduces_s3s_documented_get_object() -> None:
    """Amazon S3 API Reference, "Signature Calculations for the Authorization Header",
    Example: GET Object (the first ten bytes of test.txt)."""
    headers = sign(
        method="GET",
        url="https://examplebucket.s3.amazonaws.com/test.txt",
        headers={"Range": "bytes=0-9", "x-amz-content-sha256": EMPTY_SHA256},
        payload_sha256=EMPTY_SHA256,
        access_key="AKIAIOSFODNN7EXAMPLE",
        secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region="us-east-1",
        service="s3",
        moment=datetime(2013, 5, 24, tzinfo=UTC),
    )
    assert headers["authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )


class FakeS3:
    """An S3 stand-in: objects by path; every request must be signed for this bucket."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = request.content
        auth = request.headers["authorization"]
        assert auth.startswith("AWS4-HMAC-SHA256 Credential=minio-key/")
        assert "/ap-southeast-3/s3/aws4_request" in auth
        assert request.headers["x-amz-content-sha256"] == hashlib.sha256(body).hexdigest()
        path = request.url.path
        if request.method == "PUT":
            self.objects[path] = body
            return httpx.Response(200)
        if path not in self.objects:
            return httpx.Response(404)
        if request.method == "DELETE":
            del self.objects[path]
            return httpx.Response(204)
        return httpx.Response(200, content=self.objects[path])


CONFIG = S3Config(
    endpoint="http://minio.local:9000/",
    bucket="simpul",
    region="ap-southeast-3",
    access_key="minio-key",
    secret_key="minio-secret",
    prefix="housing/",
)


async def test_the_s3_store_puts_gets_and_deletes_signed_path_style_objects() -> None:
    fake = FakeS3()
    store = S3PhotoStore(CONFIG, transport=httpx.MockTransport(fake))
    await store.put("houses/h-1/abc.jpg", b"\xff\xd8photo", "image/jpeg")
    assert list(fake.objects) == ["/simpul/housing/houses/h-1/abc.jpg"]
    assert fake.requests[0].headers["content-type"] == "image/jpeg"
    assert (
        "content-type;host;x-amz-content-sha256;x-amz-date"
        in (fake.requests[0].headers["authorization"])
    )
    assert await store.get("houses/h-1/abc.jpg") == b"\xff\xd8photo"
    await store.delete("houses/h-1/abc.jpg")
    await store.delete("houses/h-1/abc.jpg")  # already gone: what was asked
    with pytest.raises(BlobMissing):
        await store.get("houses/h-1/abc.jpg")


async def test_the_s3_store_reports_a_refusal_or_an_outage_as_a_store_failure() -> None:
    refusing = S3PhotoStore(CONFIG, transport=httpx.MockTransport(lambda _: httpx.Response(403)))
    with pytest.raises(StoreFailed, match="HTTP 403"):
        await refusing.put("a.jpg", b"x", "image/jpeg")

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    down = S3PhotoStore(CONFIG, transport=httpx.MockTransport(unreachable))
    with pytest.raises(StoreFailed, match="connection refused"):
        await down.get("a.jpg")


async def test_the_local_store_keeps_files_under_its_directory(tmp_path: Path) -> None:
    store = photo_store("local", str(tmp_path / "photos"))
    assert isinstance(store, LocalPhotoStore)
    await store.put("houses/h-1/abc.png", b"\x89PNG", "image/png")
    assert (tmp_path / "photos/houses/h-1/abc.png").read_bytes() == b"\x89PNG"
    assert await store.get("houses/h-1/abc.png") == b"\x89PNG"
    assert [p.name for p in (tmp_path / "photos/houses/h-1").iterdir()] == ["abc.png"]
    await store.delete("houses/h-1/abc.png")
    await store.delete("houses/h-1/abc.png")
    with pytest.raises(BlobMissing):
        await store.get("houses/h-1/abc.png")


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs.jpg", "a//b.jpg", "a/../b", "", "ü.jpg"])
def test_keys_are_plain_relative_paths(key: str) -> None:
    with pytest.raises(ValueError, match="not a storage key"):
        check_key(key)


def test_an_s3_store_needs_its_configuration() -> None:
    with pytest.raises(ValueError, match="endpoint, bucket"):
        photo_store("s3", "unused")
    assert isinstance(photo_store("s3", "unused", CONFIG), S3PhotoStore)
