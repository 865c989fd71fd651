"""Free TCP ports on the loopback interface, for brokers, databases and services in tests."""

from __future__ import annotations

import random
import socket
from pathlib import Path

# Ports handed out here are listened on a moment later by another process. One the OS picks
# (bind to 0) comes from the ephemeral range, where outgoing connections (every Kafka client,
# every database pool) take their local ports too, and one of those can take it first. So the
# ports come from just below that range, where nothing is assigned without being asked for.
_FALLBACK_EPHEMERAL_START = 32768
_LOWEST = 20000
_RANDOM = random.SystemRandom()  # not the global generator, which tests may seed


def _ephemeral_start() -> int:
    try:
        text = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text()
        return int(text.split()[0])
    except (OSError, ValueError, IndexError):
        return _FALLBACK_EPHEMERAL_START


def free_port() -> int:
    """A port outside the ephemeral range that nothing listens on right now."""
    high = _ephemeral_start() - 1
    for _ in range(200):
        port = _RANDOM.randint(_LOWEST, high) if high > _LOWEST else 0
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError(f"no free port between {_LOWEST} and {high}")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0
