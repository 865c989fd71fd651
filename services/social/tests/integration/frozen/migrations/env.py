import simpul_platform.app  # noqa: F401 - registers the platform tables (outbox, inbox, keys)
from simpul_platform.migrations import run_env
from simpul_platform.replica import replica_metadata
from simpul_social.models import metadata

run_env(metadata, replica_metadata)
