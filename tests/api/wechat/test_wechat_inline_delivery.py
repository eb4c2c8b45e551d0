"""Development's after-commit delivery waits for the real commit: a released
SAVEPOINT (outbox.enqueue with a dedupe key) is not one, and delivering then
would open a second session while the first still holds its locks."""

import pytest

from mobile_api import outbox


@pytest.fixture
def config_overrides():
    return {"WECHAT_DELIVER_AFTER_COMMIT": True}


def test_delivery_runs_after_the_outer_commit_only(app, clock, monkeypatch):
    calls = []
    monkeypatch.setattr(outbox, "work_once", lambda *args, **kwargs: calls.append(args[1]) or {})
    session = app.extensions["db"].new_session()
    try:
        outbox.enqueue(session, outbox.CITIZEN_NOTIFY, {"citizen_id": 1, "event": "case_replied", "data": {}},
                       clock.now(), dedupe_key="inline-1")
        assert calls == []  # the savepoint around the dedupe insert was released: not a commit
        session.commit()
        assert calls == ["after-commit"]
    finally:
        session.close()
