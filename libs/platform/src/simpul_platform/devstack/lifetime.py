"""Child processes that cannot outlive the process that started them.

Brokers, databases and services run in their own process groups (so a stop reaches all their
children), which also shields them from the terminal's Ctrl-C and from a SIGKILL of the
parent. The kernel's parent-death signal closes that gap: when the starting process dies,
however it dies, each child gets SIGTERM and shuts down.
"""

from __future__ import annotations

import ctypes
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """A ``preexec_fn``: ask the kernel for SIGTERM when our parent exits (Linux only)."""
    if sys.platform != "linux":
        return
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
