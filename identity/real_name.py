"""Real-name binding (实名认证): a citizen declares name and ID number; the
record becomes "verified" once a face check against the reference photo for
that number passes (locally) or WeChat's certified check does.

The functions at the bottom are the contract other packages use:
`real_name_summary`, `mark_verified`, `citizen_birth_date`, `verified_identity`.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor
from mobile_api.clock import LOCAL_TZ
from mobile_api.crypto import PersonalDataCipher, mask_id_number, mask_name
from mobile_api.uow import commit_point

from .access import is_staff
from .face.errors import IdNumberTaken, RealNameInvalid, RealNameLocked, RealNameMissing
from .id_numbers import IdNumberError, normalise, parse_id_number
from .real_name_models import RealNameRecord

ID_INDEX_PURPOSE = "id_number"
_ID_CONTEXT = "identity.real_name.id_number"
_NAME_CONTEXT = "identity.real_name.name"
# Chinese names, with the middle dot of many minority names (阿卜杜·热合曼).
_NAME_PATTERN = re.compile(r"^[\u3400-\u9fff]+(?:[·•][\u3400-\u9fff]+)*$")


def id_number_index(cipher: PersonalDataCipher, id_number: str) -> str:
    return cipher.blind_index(normalise(id_number), ID_INDEX_PURPOSE)


def _validate(name: str, id_number: str, today: date) -> date:
    errors = {}
    name = name.strip()
    if not (2 <= len(name) <= 30) or not _NAME_PATTERN.match(name):
        errors["name"] = ["姓名应为 2–30 个汉字 (少数民族姓名可含间隔号 ·)"]
    birth = None
    try:
        birth = parse_id_number(id_number, today)
    except IdNumberError as exc:
        errors["id_number"] = [str(exc)]
    if errors:
        raise RealNameInvalid("实名信息不正确, 请核对后重新填写", errors=errors)
    return birth


def _summary(record: RealNameRecord | None) -> dict:
    if record is None:
        return {"status": "none", "name_masked": None, "id_number_masked": None}
    return {"status": record.status, "name_masked": record.name_masked,
            "id_number_masked": record.id_number_masked}


def declare(session: Session, cipher: PersonalDataCipher, actor: Actor, clock, name: str, id_number: str) -> dict:
    """Declare (or correct, while not yet verified) the citizen's real name."""
    now = clock.now()
    birth = _validate(name, id_number, now.astimezone(LOCAL_TZ).date())
    name, id_number = name.strip(), normalise(id_number)
    record = session.scalar(select(RealNameRecord).where(RealNameRecord.citizen_id == actor.id))
    if record is not None and record.status == "verified":
        raise RealNameLocked("实名信息已通过核验, 如需更正请到窗口办理")
    try:
        # The unique blind index decides, not a look-up before: two citizens
        # declaring one number at once cannot both succeed. The change is made
        # inside a savepoint so that a refusal undoes only it.
        with session.begin_nested():
            if record is None:
                record = RealNameRecord(citizen_id=actor.id, status="declared", declared_at=now)
                session.add(record)
            record.id_number_index = id_number_index(cipher, id_number)
            record.id_number_enc = cipher.encrypt(id_number, _ID_CONTEXT)
            record.name_enc = cipher.encrypt(name, _NAME_CONTEXT)
            record.id_number_masked = mask_id_number(id_number)
            record.name_masked = mask_name(name)
            record.birth_date = birth
            record.declared_at = now
    except IntegrityError as exc:
        audit.record(session, actor, "identity.real_name_conflict", "citizen", actor.id,
                     {"id_number": mask_id_number(id_number)}, at=now)
        commit_point(session, "a claim on an ID number registered to another account is audited although refused")
        raise IdNumberTaken("该身份证号已被其他账号实名登记; 如非本人操作请到窗口办理") from exc
    audit.record(session, actor, "identity.real_name_declare", "citizen", actor.id,
                 {"id_number": record.id_number_masked}, at=now)
    return _summary(record)


def record_for(session: Session, citizen_id: int) -> RealNameRecord | None:
    return session.scalar(select(RealNameRecord).where(RealNameRecord.citizen_id == citizen_id))


# -- the contract other packages use ------------------------------------------

def real_name_summary(session: Session, citizen_id: int) -> dict:
    """{"status": "none" | "declared" | "verified", "name_masked", "id_number_masked"}."""
    return _summary(record_for(session, citizen_id))


def mark_verified(session: Session, citizen_id: int, actor: Actor, clock, method: str) -> None:
    """A face check (local or WeChat's certified one) passed for this citizen's
    declared ID number. The caller's unit of work commits."""
    record = record_for(session, citizen_id)
    if record is None:
        raise RealNameMissing("请先进行实名登记")
    now = clock.now()
    first = record.status != "verified"
    record.status = "verified"
    record.verified_method = method
    record.verified_at = now
    audit.record(session, actor, "identity.real_name_verified", "citizen", citizen_id,
                 {"method": method, "first_time": first}, at=now)


def citizen_birth_date(session: Session, citizen_id: int) -> date | None:
    record = record_for(session, citizen_id)
    return None if record is None else record.birth_date


def verified_identity(session: Session, citizen_id: int, actor: Actor | None = None, cipher=None,
                      clock=None) -> dict | None:
    """Name and full ID number of a verified citizen, decrypted (to pre-fill a
    waived ID-card material). A read by staff is audited at a named commit
    point: the read has happened even if the request then fails."""
    record = record_for(session, citizen_id)
    if record is None or record.status != "verified":
        return None
    cipher = cipher or _app_cipher()
    result = {"name": cipher.decrypt(record.name_enc, _NAME_CONTEXT),
              "id_number": cipher.decrypt(record.id_number_enc, _ID_CONTEXT),
              "birth_date": record.birth_date}
    if is_staff(actor):
        audit.record(session, actor, "identity.real_name_read", "citizen", citizen_id,
                     {"fields": ["name", "id_number"]}, at=clock.now() if clock else None)
        commit_point(session, "a staff read of a citizen's name and ID number is audited even if the request fails")
    return result


def _app_cipher() -> PersonalDataCipher:
    from flask import current_app

    return current_app.extensions["cipher"]
