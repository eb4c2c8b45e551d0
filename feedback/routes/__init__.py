"""feedback's HTTP blueprints and the helpers their thin views share.

Views take the session, the clock and the settings from the request's unit
of work (`mobile_api.uow.current_uow()`), which commits once when the view
has answered; services never commit."""

from mobile_api.uow import UnitOfWork, current_uow

from ..rules import Rules
from ..storage import ContentStore


def uow() -> UnitOfWork:
    return current_uow()


def rules() -> Rules:
    return Rules.from_config(current_uow().config)


def store() -> ContentStore:
    return ContentStore(current_uow().config["FEEDBACK_STORAGE_DIR"])
