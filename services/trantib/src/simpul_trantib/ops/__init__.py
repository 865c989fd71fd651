"""The service layer: the writes and reads the API (and the demo loader) share.

An operation checks the replica and the caller's wilayah, applies the domain rules and stages
rows and events in the caller's unit of work; the caller commits (``commit``: the platform's
``commit_or_conflict``), so a route reads authorise → operation → commit → shape.
"""

from __future__ import annotations

from simpul_platform.uow import commit_or_conflict as commit

__all__ = ["commit"]
