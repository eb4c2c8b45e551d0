"""Two first logins of one WeChat person at the same moment (the mini-program
and the app) land on one citizen: the unique unionid decides, on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from config import load_config
from identity.models import Citizen, RefreshToken
from identity.tokens import TokenService
from mobile_api.actor import Actor
from mobile_api.crypto import PersonalDataCipher
from mobile_api.uow import working
from wechat.gateway import WeChatGateway
from wechat.models import WeChatAccount, WeChatUnion
from wechat.services import login
from wechat.settings import STANDIN_BASE_URL
from wechat.standin import create_standin_app
from wechat.transport import WSGIAdapter
from tests.conftest import servers_env

pytestmark = pytest.mark.postgres

MP = ("wxloginrace00000001", "mp-secret")
APP = ("wxloginrace00000002", "app-secret")


def test_simultaneous_first_logins_of_one_person_make_one_citizen(engine, redis_client, clock):
    standin = create_standin_app(redis_client, dict([MP, APP]))
    gateway = WeChatGateway(base_url=STANDIN_BASE_URL, miniprogram=MP, app=APP, redis=redis_client, timeout=5,
                            transport=WSGIAdapter(standin.wsgi_app, STANDIN_BASE_URL))
    config = load_config("testing", servers_env())
    tokens = TokenService(config, clock, redis_client)
    cipher = PersonalDataCipher(config.DATA_ENCRYPTION_KEY)
    context = Actor(kind="anonymous", id=None, role="anonymous")
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run(index):
        try:
            barrier.wait(timeout=10)
            with Session(engine, expire_on_commit=False) as session, working(session, clock):
                if index % 2:
                    result = login.login_app(session, gateway, tokens, clock, context, f"racer:{index}")
                else:
                    result = login.login_miniprogram(session, gateway, tokens, clock, cipher, context,
                                                     f"racer:{index}", 3600)
                results.append(result.citizen.id)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert not errors, errors
        assert len(results) == 4 and len(set(results)) == 1
        with Session(engine) as session:
            assert len(session.scalars(select(WeChatAccount).where(
                WeChatAccount.citizen_id == results[0])).all()) == 2
            assert len(session.scalars(select(WeChatUnion).where(WeChatUnion.citizen_id == results[0])).all()) == 1
    finally:
        with Session(engine) as session:
            appids = (MP[0], APP[0])
            citizen_ids = set(session.scalars(select(WeChatAccount.citizen_id).where(WeChatAccount.appid.in_(appids))))
            citizen_ids |= set(results)
            session.execute(delete(WeChatAccount).where(WeChatAccount.appid.in_(appids)))
            session.execute(delete(WeChatUnion).where(WeChatUnion.citizen_id.in_(citizen_ids)))
            session.execute(delete(RefreshToken).where(RefreshToken.principal_kind == "citizen",
                                                       RefreshToken.principal_id.in_(citizen_ids)))
            session.execute(delete(Citizen).where(Citizen.id.in_(citizen_ids)))
            session.commit()
