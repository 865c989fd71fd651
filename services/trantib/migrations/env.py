from simpul_platform.migrations import run_env
from simpul_platform.referrals.tables import referral_metadata
from simpul_platform.replica import replica_metadata
from simpul_trantib.models import metadata

run_env(metadata, replica_metadata, referral_metadata)
