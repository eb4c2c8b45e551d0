"""Services own their transaction: whatever they raise, they leave the
session clean (rolled back), so the next use of it starts afresh."""

from __future__ import annotations

from functools import wraps


def rolls_back_on_error(service):
    @wraps(service)
    def wrapper(session, *args, **kwargs):
        try:
            return service(session, *args, **kwargs)
        except BaseException:
            session.rollback()
            raise

    return wrapper
