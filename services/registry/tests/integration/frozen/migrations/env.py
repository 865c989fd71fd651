from simpul_platform.migrations import run_env
from simpul_registry.models import metadata

run_env(metadata)
