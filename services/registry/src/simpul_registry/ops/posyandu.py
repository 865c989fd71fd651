"""Creating and changing posyandu."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import select

from simpul_platform import clock
from simpul_platform.errors import Conflict, NotFound
from simpul_platform.events import new_id
from simpul_platform.uow import UnitOfWork
from simpul_platform.wilayah import codes
from simpul_registry import wilayah
from simpul_registry.domain.fields import decode_fields, encode_fields
from simpul_registry.domain.lifecycle import LIFECYCLE, Action, Status
from simpul_registry.events import (
    PosyanduFieldsChanged,
    PosyanduRegistered,
    PosyanduSnapshot,
    PosyanduUpdated,
)
from simpul_registry.models import Posyandu, StatusChange
from simpul_registry.schemas import PosyanduIn, PosyanduPatch

ADDRESS_FIELDS = ("dusun", "rt", "rw", "address", "latitude", "longitude")


def name_key(name: str) -> str:
    return " ".join(name.lower().split())


def snapshot(p: Posyandu) -> dict[str, Any]:
    return {
        "posyandu_id": p.id, "name": p.name, "desa_code": p.desa_code, "status": p.status,
        "fields": decode_fields(p.fields), "registration_number": p.registration_number,
        "version": p.version,
    }


def publish(uow: UnitOfWork, cls: type[PosyanduSnapshot], p: Posyandu, **extra: Any) -> None:
    uow.publish(cls(**snapshot(p), **extra), subject=p.id)


def touch(p: Posyandu, actor: str) -> None:
    p.version += 1
    p.updated_by = actor
    p.updated_at = clock.now()


async def get_posyandu(uow_session: Any, posyandu_id: str) -> Posyandu:
    found: Posyandu | None = await uow_session.get(Posyandu, posyandu_id)
    if found is None:
        raise NotFound(f"No posyandu {posyandu_id}.")
    return found


async def find_by_name(session: Any, desa_code: str, name: str) -> Posyandu | None:
    result = await session.exec(
        select(Posyandu).where(Posyandu.desa_code == desa_code,
                               Posyandu.name_key == name_key(name))
    )
    found: Posyandu | None = result.first()
    return found


def _place(p: Posyandu, desa_code: str) -> None:
    for column, code in codes(desa_code).as_dict().items():
        setattr(p, column, code)


def new_posyandu(data: PosyanduIn, actor: str, now: datetime | None = None) -> Posyandu:
    """A draft posyandu row from validated input (desa code checked against the table)."""
    wilayah.check_desa(data.desa_code)
    at = now or clock.now()
    p = Posyandu(
        id=new_id(), name=data.name.strip(), name_key=name_key(data.name),
        desa_code=data.desa_code, kecamatan_code="", kabupaten_code="", provinsi_code="",
        dusun=data.dusun, rt=data.rt, rw=data.rw, address=data.address,
        latitude=data.latitude, longitude=data.longitude,
        fields=encode_fields(f.value for f in data.fields),
        status=LIFECYCLE.next(None, Action.create).value,
        version=1, created_by=actor, created_at=at, updated_by=actor, updated_at=at,
    )
    _place(p, data.desa_code)
    return p


async def create_posyandu(uow: UnitOfWork, data: PosyanduIn, actor: str) -> Posyandu:
    if await find_by_name(uow.session, data.desa_code, data.name) is not None:
        raise Conflict(f"Desa {data.desa_code} already has a posyandu named {data.name!r}.")
    p = new_posyandu(data, actor)
    uow.session.add(p)
    record_creation(uow, p)
    publish(uow, PosyanduRegistered, p)
    return p


def record_creation(uow: UnitOfWork, p: Posyandu) -> None:
    """The first history row: the posyandu entered the registry as a draft."""
    uow.session.add(StatusChange(
        posyandu_id=p.id, action=Action.create.value, from_status=None, to_status=p.status,
        actor=p.created_by, at=p.created_at,
    ))


async def update_posyandu(
    uow: UnitOfWork, p: Posyandu, patch: PosyanduPatch, actor: str
) -> Posyandu:
    """Apply the sent fields; publish updated and/or fields_changed when something changed."""
    sent = patch.model_dump(exclude_unset=True)
    changed: list[str] = []
    if "desa_code" in sent and sent["desa_code"] != p.desa_code:
        if p.status != Status.draft.value:
            raise Conflict("The desa of a posyandu can change only while it is a draft.",
                           allowed=["draft"])
        wilayah.check_desa(sent["desa_code"])
        _place(p, sent["desa_code"])
        changed.append("desa_code")
    new_name = sent.get("name")
    if new_name is not None and new_name.strip() != p.name:
        other = await find_by_name(uow.session, p.desa_code, new_name)
        if other is not None and other.id != p.id:
            raise Conflict(f"Desa {p.desa_code} already has a posyandu named {new_name!r}.")
        p.name, p.name_key = new_name.strip(), name_key(new_name)
        changed.append("name")
    for key in ADDRESS_FIELDS:
        if key in sent and sent[key] != getattr(p, key):
            setattr(p, key, sent[key])
            changed.append(key)
    old_fields = decode_fields(p.fields)
    new_fields = old_fields
    if sent.get("fields") is not None:
        new_fields = decode_fields(encode_fields(sent["fields"]))
    if not changed and new_fields == old_fields:
        return p
    p.fields = encode_fields(new_fields)
    touch(p, actor)
    uow.session.add(p)
    if changed:
        publish(uow, PosyanduUpdated, p, changed=changed)
    if new_fields != old_fields:
        publish(uow, PosyanduFieldsChanged, p,
                added=[f for f in new_fields if f not in old_fields],
                removed=[f for f in old_fields if f not in new_fields])
    return p
