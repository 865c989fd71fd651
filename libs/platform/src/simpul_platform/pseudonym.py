"""Keyed pseudonyms for personal identifiers (NIK, No. KK).

HMAC-SHA256 with a deployment secret: every field service derives the same ``person_ref`` for
the same NIK, so fields can link a person without the NIK ever leaving the service that holds
it; without the secret, the 16-digit space cannot be enumerated back from the reference.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

Kind = Literal["nik", "kk"]


def _normalise(identifier: str) -> str:
    digits = "".join(ch for ch in identifier if ch.isdigit())
    if len(digits) != 16:
        raise ValueError("NIK and No. KK have 16 digits")
    return digits


def pseudonym(secret: str, kind: Kind, identifier: str) -> str:
    """A stable 64-hex-digit reference; the kind is mixed in so a NIK never equals a KK ref."""
    message = f"{kind}:{_normalise(identifier)}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def person_ref(secret: str, nik: str) -> str:
    return pseudonym(secret, "nik", nik)


def household_ref(secret: str, kk: str) -> str:
    return pseudonym(secret, "kk", kk)


def mask_nik(identifier: str) -> str:
    """A NIK or No. KK as shown to a person who may see it exists but not read it whole: the
    region (first six digits) and the last two, so a kader can tell two family members apart
    (``640206********01``)."""
    return identifier[:6] + "*" * 8 + identifier[-2:]


@dataclass(frozen=True)
class PseudonymColumn:
    """A column of a service's table that holds a ``person_ref`` (kind ``nik``) or a
    ``household_ref`` (kind ``kk``). ``identifier`` names the column beside it holding the NIK
    or No. KK the reference was made from, when the table keeps it. A service lists these in
    its ServiceSpec (``pseudonyms``) so that a secret rotation re-keys them
    (``simpul_platform.rekey``)."""

    table: str
    column: str
    kind: Kind
    identifier: str | None = None


@dataclass(frozen=True)
class RefsWithin:
    """A text column that embeds references inside a longer value (a uniqueness key such as
    the referral's ``need_key``): a rotation replaces each reference found in it."""

    table: str
    column: str


PseudonymDeclaration = PseudonymColumn | RefsWithin
