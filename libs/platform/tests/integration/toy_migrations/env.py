from simpul_platform.migrations import run_env
from toy_service import toy_metadata

run_env(toy_metadata)
