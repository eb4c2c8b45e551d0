"""This package's part of merging two citizens and of erasing one (the
`mobile_api.hooks` registered in `wechat.init_app`), and the account closure
use case that drives the erasure of every package."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from identity.closure import close_citizen
from identity.models import Citizen
from mobile_api import audit, hooks, uow
from mobile_api.actor import Actor
from mobile_api.errors import NotFound

from ..models import (FaceVerification, MessageDelivery, PhoneBinding, SubscriptionGrant, WeChatAccount,
                      WeChatUnion)

log = logging.getLogger("wechat.lifecycle")

_MOVED_ON_MERGE = (WeChatAccount, WeChatUnion, SubscriptionGrant, MessageDelivery, FaceVerification)


def merge_wechat_rows(session: Session, from_id: int, into_id: int) -> None:
    for model in _MOVED_ON_MERGE:
        session.execute(update(model).where(model.citizen_id == from_id).values(citizen_id=into_id)
                        .execution_options(synchronize_session=False))
    survivor_has_phone = session.scalar(select(PhoneBinding.id).where(PhoneBinding.citizen_id == into_id))
    if survivor_has_phone:
        # The survivor's own, more deliberate binding wins; the other is dropped.
        session.execute(delete(PhoneBinding).where(PhoneBinding.citizen_id == from_id))
    else:
        session.execute(update(PhoneBinding).where(PhoneBinding.citizen_id == from_id)
                        .values(citizen_id=into_id).execution_options(synchronize_session=False))
    session.expire_all()


def erase_wechat_rows(session: Session, citizen_id: int, now: datetime) -> None:
    """Openids, unionids, session keys, the phone and unused grants go;
    delivery records and face-check outcomes stay, keyed by the closed
    (pseudonymous) citizen id, without anything that identifies a person."""
    for model in (WeChatAccount, WeChatUnion, PhoneBinding, SubscriptionGrant):
        session.execute(delete(model).where(model.citizen_id == citizen_id))
    session.execute(update(FaceVerification).where(FaceVerification.citizen_id == citizen_id)
                    .values(cert_hash=None, verify_id=None).execution_options(synchronize_session=False))
    session.expire_all()


def close_account(session: Session, tokens, clock, actor: Actor, access_claims: dict) -> None:
    """注销: revoke every token, let every package erase or pseudonymise its
    data, close the citizen; one transaction."""
    citizen = session.get(Citizen, actor.id)
    if citizen is None or citizen.status != "active":
        raise NotFound("账号不存在或已注销", code="identity.citizen_not_found")
    now = clock.now()
    revoked = tokens.revoke_all_for(session, "citizen", actor.id)
    hooks.erase_citizen(session, actor.id, now)
    close_citizen(session, clock, actor, actor.id, "erased")
    audit.record(session, actor, "wechat.account_close", "citizen", actor.id, {"refresh_tokens_revoked": revoked},
                 at=now)

    def deny_access_token() -> None:
        try:
            tokens.deny(access_claims)
        except Exception:  # Redis down: the account is closed; the access token expires on its own
            log.warning("could not deny the access token of a closed account", exc_info=True)

    # Only once the closure is committed: a rolled-back closure keeps its token.
    uow.of(session).after_commit(deny_access_token)
