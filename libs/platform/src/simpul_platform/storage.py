"""Where a service keeps files its rows name by key (a house's photos): a ``PhotoStore``.

Two stores: a local directory (the default, for the quick start and a single server) and an
S3-compatible object store (production: AWS S3, MinIO, Ceph…), spoken to over httpx with
AWS Signature V4 (``simpul_platform.sigv4``), path-style (``<endpoint>/<bucket>/<key>``) so
a self-hosted store needs no wildcard DNS. A service picks one from its settings with
``photo_store``.

Keys are relative paths of plain ASCII segments; a key is never built from user input.
Objects are immutable once written: a key names one content (callers put the SHA-256 in it),
so writing it again is harmless.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import quote

import httpx

from simpul_platform.clock import now
from simpul_platform.sigv4 import sign

StoreKind = Literal["local", "s3"]
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


class BlobMissing(LookupError):
    """The store holds nothing under the key."""


class StoreFailed(RuntimeError):
    """The store refused or could not be reached (a 503 for the caller, not its fault)."""


class PhotoStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None:
        """Remove the object; a key already absent is not an error."""
        ...


def check_key(key: str) -> str:
    if len(key) > 512 or not _KEY.match(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalPhotoStore:
    """Files under a directory; written to a temporary file and renamed, so a reader never
    sees half a photo."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, self._path(key), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError as exc:
            raise BlobMissing(key) from exc

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)


@dataclass(frozen=True)
class S3Config:
    endpoint: str  # https://s3.ap-southeast-3.amazonaws.com, http://minio:9000, …
    bucket: str
    region: str
    access_key: str
    secret_key: str
    prefix: str = ""  # keys are stored under it (e.g. "housing/")
    timeout_s: float = 30.0


class S3PhotoStore:
    """Objects in an S3-compatible bucket: PUT, GET and DELETE, each signed with SigV4 over
    the body's SHA-256. ``transport`` lets tests answer without a server."""

    def __init__(self, config: S3Config, transport: httpx.AsyncBaseTransport | None = None):
        self.config = config
        self.transport = transport

    def _url(self, key: str) -> str:
        path = quote(f"{self.config.prefix}{check_key(key)}", safe="/-_.~")
        return f"{self.config.endpoint.rstrip('/')}/{quote(self.config.bucket, safe='')}/{path}"

    async def _send(
        self, method: str, key: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> httpx.Response:
        url = self._url(key)
        digest = hashlib.sha256(body).hexdigest()
        signed = sign(
            method=method,
            url=url,
            headers={**(headers or {}), "x-amz-content-sha256": digest},
            payload_sha256=digest,
            access_key=self.config.access_key,
            secret_key=self.config.secret_key,
            region=self.config.region,
            service="s3",
            moment=now(),
        )
        try:
            async with httpx.AsyncClient(
                transport=self.transport, timeout=self.config.timeout_s
            ) as client:
                return await client.request(method, url, content=body, headers=signed)
        except httpx.HTTPError as exc:
            raise StoreFailed(f"{method} {key}: {exc}") from exc

    @staticmethod
    def _check(response: httpx.Response, method: str, key: str) -> None:
        if response.status_code == 404:
            raise BlobMissing(key)
        if response.status_code >= 300:
            raise StoreFailed(f"{method} {key}: HTTP {response.status_code}")

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        headers = {"content-type": content_type, "content-length": str(len(data))}
        response = await self._send("PUT", key, data, headers)
        self._check(response, "PUT", key)

    async def get(self, key: str) -> bytes:
        response = await self._send("GET", key)
        self._check(response, "GET", key)
        return response.content

    async def delete(self, key: str) -> None:
        response = await self._send("DELETE", key)
        if response.status_code != 404:  # already gone is what was asked
            self._check(response, "DELETE", key)


def photo_store(kind: StoreKind, directory: str, s3: S3Config | None = None) -> PhotoStore:
    """The store a service's settings choose."""
    if kind == "s3":
        if s3 is None:
            raise ValueError("an s3 photo store needs its endpoint, bucket and keys")
        return S3PhotoStore(s3)
    return LocalPhotoStore(directory)
