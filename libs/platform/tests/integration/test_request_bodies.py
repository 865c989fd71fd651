"""Any request body gets a problem document, never a 5xx or a reset connection: the toy
service under a real uvicorn server on a loopback port, spoken to over plain sockets (an ASGI
transport cannot show a reset)."""

from __future__ import annotations

import json
import socket
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simpul_platform.auth import mint_token
from simpul_platform.testing.server import WireResponse, raw_request, served
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET
from toy_service import ToySettings, create_app

pytestmark = pytest.mark.integration
LIMIT = 4 * 1024 * 1024  # larger than the kernel's socket buffers, so an unread body shows
NOTE = {"posyandu_id": "pos-1", "wilayah": "64.02.06.2001", "text": "kader meeting"}


@pytest.fixture(scope="module")
def toy(kafka_broker: Any, tmp_path_factory: Any) -> Iterator[tuple[str, dict[str, str], Path]]:
    database = tmp_path_factory.mktemp("bodies") / "toy.db"
    settings = ToySettings(
        environment="test",
        jwt_secret=TEST_JWT_SECRET,
        pseudonym_secret=TEST_PSEUDONYM_SECRET,
        database_url=f"sqlite+aiosqlite:///{database}",
        kafka_bootstrap_servers=kafka_broker.bootstrap_servers,
        kafka_topic_namespace=f"t{uuid.uuid4().hex[:10]}.",
        max_body_bytes=LIMIT,
        relay_enabled=False,
        consumers_enabled=False,
    )
    token = mint_token(settings, "user-1", ["opd:toy"], ["64"])
    with served(create_app(settings, with_consumer=False)) as url:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        yield url, headers, database


def note_of_size(size: int) -> bytes:
    """A valid note padded with JSON whitespace to exactly ``size`` bytes."""
    body = json.dumps(NOTE).encode()
    return body + b" " * (size - len(body))


def assert_problem(response: WireResponse, status: int) -> dict[str, Any]:
    assert not response.reset
    assert response.status == status, response.body[:300]
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = json.loads(response.body)
    assert problem["status"] == status
    return problem


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_at_the_limit_is_read_and_one_byte_more_is_413(toy, chunked):
    url, headers, _ = toy
    at_limit = raw_request(url, "POST", "/v1/notes", note_of_size(LIMIT), headers=headers,
                           chunked=chunked)
    assert (at_limit.status, at_limit.reset) == (201, False), at_limit.body
    over = raw_request(url, "POST", "/v1/notes", note_of_size(LIMIT + 1), headers=headers,
                       chunked=chunked)
    problem = assert_problem(over, 413)
    assert problem["type"] == "urn:simpul:problem:content-too-large"
    assert problem["errors"][0]["rule"] == "max_bytes"
    assert str(LIMIT) in problem["detail"]
    assert "connection" not in over.headers  # drained: the connection stays usable


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("method", ["POST", "PUT", "GET", "DELETE"])
def test_a_body_far_over_the_limit_on_a_closing_connection_is_413_not_a_reset(
    toy, method, chunked
):
    """The outside probe's case: megabytes, and a client that asked the server to close."""
    url, headers, _ = toy
    response = raw_request(url, method, "/v1/notes", b"x" * (3 * LIMIT),
                           headers={**headers, "Connection": "close"}, chunked=chunked)
    assert_problem(response, 413)


@pytest.mark.parametrize("method", ["GET", "DELETE", "OPTIONS"])
def test_a_body_on_a_route_that_never_reads_it_is_answered_without_a_reset(toy, method):
    url, headers, _ = toy
    response = raw_request(url, method, "/healthz", b"x" * (LIMIT - 1),
                           headers={**headers, "Connection": "close"})
    assert not response.reset
    assert response.status in (200, 405)


def test_a_client_waiting_for_100_continue_is_refused_before_it_sends(toy):
    url, headers, _ = toy
    refused = raw_request(url, "POST", "/v1/notes", note_of_size(LIMIT + 1), headers=headers,
                          expect_continue=True)
    assert_problem(refused, 413)
    assert refused.headers["connection"] == "close"  # its body never came: nothing to read
    accepted = raw_request(url, "POST", "/v1/notes", note_of_size(LIMIT), headers=headers,
                           expect_continue=True)
    assert accepted.status == 201, accepted.body


BAD_BODIES = {
    "not JSON": (b"{not json", "application/json"),
    "truncated JSON": (json.dumps(NOTE).encode()[:-5], "application/json"),
    "not UTF-8": (b'{"text": "\xff\xfe"}', "application/json"),
    "nested too deep": (b"[" * 5000 + b"]" * 5000, "application/json"),
    "a JSON string": (b'"note"', "application/json"),
    "null": (b"null", "application/json"),
    "empty": (b"", "application/json"),
    "text/plain": (json.dumps(NOTE).encode(), "text/plain"),
    "a form": (b"text=hello&wilayah=64", "application/x-www-form-urlencoded"),
    "multipart": (b"--b\r\nContent-Disposition: form-data; name=text\r\n\r\nx\r\n--b--\r\n",
                  "multipart/form-data; boundary=b"),
    "CSV": (b"posyandu_id,wilayah,text\npos-1,64,x\n", "text/csv"),
    "an escaped NUL": (json.dumps({**NOTE, "text": "a\u0000b"}).encode(), "application/json"),
    "an escaped NUL nested too deep": (b"[" * 5000 + b'"\\u0000"' + b"]" * 5000,
                                       "application/json"),
    "an escaped NUL nested just readably deep": (b"[" * 900 + b'"\\u0000"' + b"]" * 900,
                                                 "application/json"),
}


@pytest.mark.parametrize("idempotent", [False, True], ids=["plain", "idempotency-key"])
@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_a_body_that_is_not_a_valid_note_is_a_4xx_problem(toy, case, idempotent):
    url, headers, _ = toy
    body, content_type = BAD_BODIES[case]
    extra = {"Idempotency-Key": f"bad-{case}"} if idempotent else {}
    response = raw_request(url, "POST", "/v1/notes", body,
                           headers={**headers, "Content-Type": content_type, **extra})
    assert not response.reset
    assert response.status is not None and 400 <= response.status < 500, response.body[:300]
    assert response.headers["content-type"] == "application/problem+json"


def test_a_body_cut_short_by_a_vanishing_client_never_reaches_the_route(toy):
    url, headers, database = toy
    body = json.dumps({**NOTE, "text": "cut short"}).encode()  # valid JSON on its own
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        head = ["POST /v1/notes HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body) + 100}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    time.sleep(0.5)
    with sqlite3.connect(database) as conn:
        kept = conn.execute("SELECT count(*) FROM notes WHERE text = 'cut short'").fetchone()
    assert kept == (0,)
