"""Benchmarks and fault-injection runs against the real processes (see bench/README.md).

Run from the workspace root as modules: ``uv run python -m bench.<name> [--quick]``.
"""
