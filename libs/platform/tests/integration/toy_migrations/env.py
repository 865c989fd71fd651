from toy_service import toy_metadata

from simpul_platform.migrations import run_env

run_env(toy_metadata)
