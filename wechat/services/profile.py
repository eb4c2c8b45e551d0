"""The citizen's own profile (GET /api/v1/me): masked phone, real-name status
and the WeChat channels linked to the account."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.models import Citizen
from identity.real_name import real_name_summary
from mobile_api.errors import NotFound

from ..models import WeChatAccount
from .phone import masked_phone, phone_binding

log = logging.getLogger("wechat.profile")


def real_name_status(session: Session, citizen_id: int) -> dict:
    """From identity's real-name module (always present: a plain import)."""
    summary = real_name_summary(session, citizen_id) or {}
    return {"status": summary.get("status") or "none", "name_masked": summary.get("name_masked"),
            "id_number_masked": summary.get("id_number_masked")}


def profile(session: Session, cipher, citizen_id: int) -> dict:
    citizen = session.get(Citizen, citizen_id)
    if citizen is None or citizen.status != "active":
        raise NotFound("账号不存在或已注销", code="identity.citizen_not_found")
    accounts = session.scalars(select(WeChatAccount).where(WeChatAccount.citizen_id == citizen_id)
                               .order_by(WeChatAccount.created_at, WeChatAccount.id)).all()
    binding = phone_binding(session, citizen_id)
    return {
        "public_id": citizen.public_id,
        "display_name": citizen.display_name,
        "created_at": citizen.created_at,
        "phone_masked": masked_phone(cipher, binding),
        "phone_bound_at": binding.bound_at if binding else None,
        "real_name": real_name_status(session, citizen_id),
        "channels": [{"channel": a.channel, "linked_at": a.created_at, "last_login_at": a.last_login_at,
                      "unionid_linked": a.unionid is not None} for a in accounts],
    }
