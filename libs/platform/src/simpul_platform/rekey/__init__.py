"""Rotating the pseudonym secret: re-keying every stored ``person_ref`` and ``household_ref``.

The references are HMACs of NIK and No. KK under the deployment-wide ``pseudonym_secret``, and
they are the link between services: some services keep the NIK or No. KK beside the reference,
others only know references they learned from events. A new secret therefore means rewriting
every service's references together, in a maintenance window with the APIs stopped and every
outbox and consumer drained (``docs/operations.md``):

    python -m simpul_platform.rekey export SERVICE --new-secret-env VAR --out FILE
        for every row that keeps a NIK / No. KK: ``kind, old_ref, new_ref`` (never the
        identifier); the old secret is the service's own setting, the new one is read from the
        environment variable VAR (never from the command line)
    python -m simpul_platform.rekey apply SERVICE --map FILE [--map FILE ...]
            --new-secret-env VAR [--dry-run] [--allow-unmapped]
        rewrites every declared column with the union of the maps (recomputed from the
        identifier where the row keeps it), in one transaction

Each service declares its columns once (``ServiceSpec.pseudonyms``); the platform's referral
table declares its own (``REFERRAL_PSEUDONYMS``).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Table

from simpul_platform.app import ServiceSpec
from simpul_platform.pseudonym import PseudonymColumn, PseudonymDeclaration
from simpul_platform.referrals.tables import REFERRAL_PSEUDONYMS, referral_metadata


def service_tables(spec: ServiceSpec) -> dict[str, Table]:
    """The service's own tables by name (its metadata, the replica's and the referrals')."""
    return {name: table for metadata in spec.metadata for name, table in metadata.tables.items()}


def declarations(spec: ServiceSpec) -> tuple[PseudonymDeclaration, ...]:
    """What a rotation re-keys in this service: its own declarations and the platform tables'
    it uses; each checked against the tables (a ValueError names a missing table or column)."""
    declared = tuple(spec.pseudonyms)
    if any(metadata is referral_metadata for metadata in spec.metadata):
        declared += REFERRAL_PSEUDONYMS
    check_declarations(declared, service_tables(spec))
    return declared


def check_declarations(
    declared: tuple[PseudonymDeclaration, ...], tables: Mapping[str, Table]
) -> None:
    for item in declared:
        table = tables.get(item.table)
        if table is None:
            raise ValueError(f"pseudonyms: no table {item.table!r}")
        named = [item.column]
        if isinstance(item, PseudonymColumn) and item.identifier is not None:
            named.append(item.identifier)
        for column in named:
            if column not in table.c:
                raise ValueError(f"pseudonyms: table {item.table!r} has no column {column!r}")
        if not table.primary_key.columns:
            raise ValueError(f"pseudonyms: table {item.table!r} has no primary key")
