"""Workspace-wide pytest set-up; the real broker and database fixtures come from the
``simpul`` pytest plugin in the platform package (simpul_platform.testing.plugin)."""
