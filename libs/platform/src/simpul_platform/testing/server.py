"""A service app under a real uvicorn server on a free loopback port, for tests that must see
what a client sees on the wire (a reset connection, ``100 Continue``), which an ASGI transport
cannot show."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

import uvicorn
from fastapi import FastAPI

from simpul_platform.devstack.ports import free_port


@contextmanager
def served(app: FastAPI, timeout: float = 60.0) -> Iterator[str]:
    """Run ``app`` (lifespan included) under uvicorn in a thread of its own; yields its URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the app did not start under uvicorn")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class WireResponse:
    """What came back on the socket; ``reset`` when the server reset the connection."""

    status: int | None
    headers: dict[str, str]
    body: bytes
    reset: bool


def raw_request(
    url: str,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    headers: dict[str, str] | None = None,
    chunked: bool = False,
    expect_continue: bool = False,
    timeout: float = 30.0,
) -> WireResponse:
    """Send one HTTP/1.1 request over a plain socket and read the answer.

    The whole body is sent whatever the server does meanwhile, as most clients do, unless
    ``expect_continue``: then the body goes only after the server's ``100 Continue``."""
    host, port = url.removeprefix("http://").split(":")
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    head += [f"{name}: {value}" for name, value in (headers or {}).items()]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(body)}")
    if expect_continue:
        head.append("Expect: 100-continue")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        reader = sock.makefile("rb")
        try:
            sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            if expect_continue:
                interim = _read_response(reader)
                if interim.status != 100:
                    return interim
            _send_body(sock, body, chunked)
            return _read_response(reader)
        except (ConnectionResetError, BrokenPipeError):
            return WireResponse(None, {}, b"", reset=True)


def _send_body(sock: socket.socket, body: bytes, chunked: bool, piece_size: int = 65536) -> None:
    for start in range(0, len(body), piece_size):
        piece = body[start : start + piece_size]
        sock.sendall(b"%x\r\n%b\r\n" % (len(piece), piece) if chunked else piece)
    if chunked:
        sock.sendall(b"0\r\n\r\n")


def _read_response(reader: BinaryIO) -> WireResponse:
    status_line = reader.readline()
    if not status_line:
        return WireResponse(None, {}, b"", reset=False)
    headers: dict[str, str] = {}
    while (line := reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    status = int(status_line.split()[1])
    body = reader.read(int(headers.get("content-length", "0")))
    return WireResponse(status, headers, body, reset=False)
