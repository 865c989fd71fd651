"""Test support: the pytest plugin (real broker and database), service stacks, and
``run_chunk``, which drives a consumer's handlers on one chunk without a broker."""

from simpul_platform.testing.chunks import ChunkResult, DeadLetter, run_chunk

__all__ = ["ChunkResult", "DeadLetter", "run_chunk"]
