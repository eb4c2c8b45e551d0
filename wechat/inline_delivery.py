"""Development convenience: deliver `citizen.notify` messages right after the
commit that wrote them, so `make run` shows subscribe messages without a
worker. Off outside development unless WECHAT_DELIVER_AFTER_COMMIT says so;
the outbox worker remains the real path (same claim, same handler)."""

from __future__ import annotations

import logging

from sqlalchemy import event

from mobile_api import outbox

log = logging.getLogger("wechat.inline_delivery")
_KEY = "wechat_notify_written"


def install(app) -> None:
    db = app.extensions["db"]
    clock = app.extensions["clock"]
    factory = db.session_factory

    @event.listens_for(factory, "after_flush")
    def _remember(session, _context):
        if any(isinstance(obj, outbox.OutboxMessage) and obj.topic == outbox.CITIZEN_NOTIFY for obj in session.new):
            session.info[_KEY] = True

    @event.listens_for(factory, "after_rollback")
    def _forget(session):
        session.info.pop(_KEY, None)

    @event.listens_for(factory, "after_commit")
    def _deliver(session):
        # SQLAlchemy also reports a released SAVEPOINT as a commit; the outer
        # transaction still holds its locks then, so
        # wait for the real commit.
        if session.in_nested_transaction():
            return
        if not session.info.pop(_KEY, False):
            return
        try:
            with db.new_session() as worker:
                counts = outbox.work_once(worker, "after-commit", clock.now())
            log.info("delivered after commit", extra={"counts": counts})
        except Exception:  # the change is committed; the worker will deliver later
            log.warning("delivery after commit failed; left to the outbox worker", exc_info=True)
