"""Login with a WeChat code: find or create the citizen behind (app id,
openid), join channels by unionid, merge two citizens when a late unionid
shows they are one person.

WeChat is called before any database work, so a slow WeChat never holds a
transaction open. Races between two first logins of the same person are
settled by unique constraints (appid+openid, unionid): the loser's savepoint
rolls back and it reads what the winner wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from identity import services as identity_services
from identity.closure import close_citizen
from identity.models import Citizen
from identity.tokens import TokenPair
from mobile_api import audit, hooks
from mobile_api.actor import Actor
from mobile_api.errors import Conflict

from ..models import WeChatAccount, WeChatUnion


@dataclass
class LoginResult:
    pair: TokenPair
    citizen: Citizen
    is_new: bool
    merged_citizen_id: int | None = None


def login_miniprogram(session: Session, gateway, tokens, clock, cipher, context: Actor, code: str,
                      session_key_ttl: int) -> LoginResult:
    answer = gateway.code_to_session(code)
    account, is_new, merged = _resolve_account(session, clock, tokens, context, "miniprogram",
                                               gateway.miniprogram_appid, answer["openid"], answer.get("unionid"))
    account.session_key_enc = cipher.encrypt(answer["session_key"], context=_session_key_context(account))
    account.session_key_expires_at = clock.now() + timedelta(seconds=session_key_ttl)
    return _finish(session, tokens, clock, context, account, is_new, merged)


def login_app(session: Session, gateway, tokens, clock, context: Actor, code: str) -> LoginResult:
    answer = gateway.app_oauth(code)
    account, is_new, merged = _resolve_account(session, clock, tokens, context, "app", gateway.app_appid,
                                               answer["openid"], answer.get("unionid"))
    return _finish(session, tokens, clock, context, account, is_new, merged)


def session_key_of(cipher, account: WeChatAccount, now) -> str | None:
    """The decrypted session_key while it is still valid (never sent to clients)."""
    if not account.session_key_enc or account.session_key_expires_at is None or account.session_key_expires_at <= now:
        return None
    return cipher.decrypt(account.session_key_enc, context=_session_key_context(account))


def _session_key_context(account: WeChatAccount) -> str:
    # Binds the ciphertext to its row: a copied value does not decrypt elsewhere.
    return f"wechat.session_key:{account.appid}:{account.openid}"


def _finish(session, tokens, clock, context, account, is_new, merged) -> LoginResult:
    now = clock.now()
    account.last_login_at = now
    citizen = session.get(Citizen, account.citizen_id)
    actor = identity_services.citizen_actor(citizen, account.channel).with_context(
        request_id=context.request_id, ip=context.ip)
    audit.record(session, actor, "wechat.login", "citizen", citizen.id,
                 {"channel": account.channel, "new": is_new, "merged_from": merged}, at=now)
    pair = identity_services.issue_citizen_tokens(session, tokens, citizen, account.channel)
    return LoginResult(pair, citizen, is_new, merged)


def _resolve_account(session, clock, tokens, context, channel, appid, openid, unionid):
    for _ in range(3):
        try:
            with session.begin_nested():
                return _resolve_once(session, clock, tokens, context, channel, appid, openid, unionid)
        except IntegrityError:
            continue  # a concurrent login of the same person won; read what it wrote
    raise Conflict("同一微信账号正在同时登录，请稍后重试", code="wechat.login_conflict")


def _for_update(session, stmt):
    return stmt.with_for_update()


def _resolve_once(session, clock, tokens, context, channel, appid, openid, unionid):
    now = clock.now()
    account = session.scalar(_for_update(session, select(WeChatAccount).where(
        WeChatAccount.appid == appid, WeChatAccount.openid == openid)))
    union = None
    if unionid:
        union = session.scalar(_for_update(session, select(WeChatUnion).where(WeChatUnion.unionid == unionid)))
    is_new, merged = False, None
    if account is None:
        if union is not None:
            citizen_id = union.citizen_id
        else:
            citizen_id = identity_services.create_citizen(session, clock, actor=context).id
            is_new = True
        account = WeChatAccount(citizen_id=citizen_id, channel=channel, appid=appid, openid=openid, unionid=unionid,
                                created_at=now, last_login_at=now)
        session.add(account)
        session.flush()
        if unionid and union is None:
            session.add(WeChatUnion(unionid=unionid, citizen_id=citizen_id, created_at=now))
            session.flush()
        audit.record(session, context, "wechat.account_link", "citizen", citizen_id,
                     {"channel": channel, "account_id": account.id}, at=now)
        return account, is_new, merged
    if unionid:
        if union is None:
            session.add(WeChatUnion(unionid=unionid, citizen_id=account.citizen_id, created_at=now))
            session.flush()
        elif union.citizen_id != account.citizen_id:
            # A late unionid: this account's citizen and the union's citizen are one person.
            survivor, absorbed = sorted((union.citizen_id, account.citizen_id))
            merge_citizens(session, clock, tokens, context, absorbed, survivor)
            merged = absorbed
            session.refresh(account)
        if account.unionid != unionid:
            account.unionid = unionid
    return account, is_new, merged


def merge_citizens(session: Session, clock, tokens, context: Actor, absorbed: int, survivor: int) -> None:
    """Move everything of `absorbed` onto `survivor` (every package's merge
    hook, this package's included), then close `absorbed`. Runs in the
    caller's transaction; the older citizen survives, as it has the history."""
    hooks.merge_citizens(session, absorbed, survivor)
    tokens.revoke_all_for(session, "citizen", absorbed)
    close_citizen(session, clock, context, absorbed, "merged")
    audit.record(session, context, "wechat.citizens_merged", "citizen", survivor,
                 {"absorbed_citizen_id": absorbed}, at=clock.now())
