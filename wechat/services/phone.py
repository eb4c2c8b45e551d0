"""Binding the phone number WeChat vouches for (getPhoneNumber → code →
wxa/business/getuserphonenumber). Stored encrypted with a keyed blind index;
only ever shown masked. Replacing a bound phone needs a step-up token, which
the caller has checked (`step_up_verified`); the database decides whether a
phone is already bound (unique citizen_id), not a check made earlier."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from identity.stepup import StepUpRequired
from mobile_api import audit
from mobile_api.actor import Actor
from mobile_api.crypto import mask_phone

from ..errors import PhoneTaken
from ..models import PhoneBinding

PHONE_CONTEXT = "wechat.phone"
PHONE_INDEX = "phone"


def phone_binding(session: Session, citizen_id: int) -> PhoneBinding | None:
    return session.scalar(select(PhoneBinding).where(PhoneBinding.citizen_id == citizen_id))


def masked_phone(cipher, binding: PhoneBinding | None) -> str | None:
    if binding is None:
        return None
    return mask_phone(cipher.decrypt(binding.phone_enc, context=PHONE_CONTEXT))


def bound_phone(session: Session, cipher, citizen_id: int | None) -> str | None:
    """The citizen's bound phone, in clear: only for a caller that has checked
    the reader's right and audits the read (feedback's rectification call back)."""
    binding = phone_binding(session, citizen_id) if citizen_id is not None else None
    return None if binding is None else cipher.decrypt(binding.phone_enc, context=PHONE_CONTEXT)


def bind_phone(session: Session, gateway, cipher, clock, actor: Actor, code: str,
               step_up_verified: bool) -> str:
    """Returns the masked phone now bound."""
    number = gateway.phone_number(code)
    now = clock.now()
    index = cipher.blind_index(number.pure, PHONE_INDEX)
    masked = mask_phone(number.pure)
    try:
        with session.begin_nested():
            # WeChat vouches that the number belongs to this user now: a
            # recycled number moves from its previous holder.
            released = session.execute(delete(PhoneBinding).where(PhoneBinding.phone_index == index,
                                                                   PhoneBinding.citizen_id != actor.id)
                                        .returning(PhoneBinding.citizen_id)).scalars().all()
            for previous in released:
                audit.record(session, actor, "wechat.phone_release", "citizen", previous,
                             {"phone_masked": masked, "to_citizen_id": actor.id}, at=now)
            current = session.scalar(select(PhoneBinding).where(PhoneBinding.citizen_id == actor.id)
                                     .with_for_update())
            if current is not None and current.phone_index != index and not step_up_verified:
                raise StepUpRequired("更换已绑定的手机号须先完成人脸核身")
            if current is None:
                current = PhoneBinding(citizen_id=actor.id, country_code=number.country_code, bound_at=now)
                session.add(current)
            current.phone_enc = cipher.encrypt(number.pure, context=PHONE_CONTEXT)
            current.phone_index = index
            current.country_code = number.country_code
            current.bound_at = now
            session.flush()
    except IntegrityError as exc:
        # A concurrent binding of this citizen or this number got there first
        # (the savepoint is undone; the unit of work rolls back the rest).
        raise PhoneTaken("手机号正在被同时绑定，请稍后重试") from exc
    audit.record(session, actor, "wechat.phone_bind", "citizen", actor.id,
                 {"phone_masked": masked, "released_from": released or None}, at=now)
    return masked
