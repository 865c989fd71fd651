"""A kader's census: when what the census says about a known child is news, and when it is
what the field already knows."""

from __future__ import annotations

from simpul_education.domain.status import StatusEntry


def same_as_current(current: StatusEntry | None, given: StatusEntry) -> bool:
    """The census says what the child's current status already says: the same status and
    kelas, and the same unit and NPSN where the census names them. A kader who does not know
    the NPSN a school reported does not undo it by leaving it out."""
    if current is None:
        return False
    return (
        current.status == given.status
        and current.kelas == given.kelas
        and (given.unit_name is None or given.unit_name == current.unit_name)
        and (given.npsn is None or given.npsn == current.npsn)
    )
