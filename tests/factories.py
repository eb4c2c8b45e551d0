"""Factories as plain functions on one object: `make.citizen()`, `make.staff()`,
`make.kiosk()`, and `make.headers(principal)` for a bearer token.

The identity services no longer commit (the unit of work does), so each
factory commits what it created: the test's requests see it (in tests a
commit is only the release of a savepoint in the rolled-back outer
transaction)."""

from __future__ import annotations

import itertools

from identity import services as identity_services

_counter = itertools.count(1)
DEFAULT_PASSWORD = "correct horse battery"
_DEFAULT = object()


class Factory:
    def __init__(self, app, session, clock):
        self.app = app
        self.session = session
        self.clock = clock

    @property
    def tokens(self):
        return self.app.extensions["tokens"]

    def citizen(self, display_name: str | None = None):
        citizen = identity_services.create_citizen(self.session, self.clock, display_name=display_name)
        self.session.commit()
        return citizen

    def staff(self, role: str = "clerk", department_code: str | None = _DEFAULT, hall_id: int | None = _DEFAULT,
              username: str | None = None, password: str = DEFAULT_PASSWORD):
        """The kinds of identity.access: an admin with neither department nor
        hall is the platform admin (the default); name a department for a
        department admin, a hall for a hall admin. Clerks and approvers
        default to 公安, clerks to hall 1."""
        username = username or f"{role}{next(_counter)}"
        if department_code is _DEFAULT:
            department_code = None if role == "admin" else "gongan"
        if hall_id is _DEFAULT:
            hall_id = None if role == "admin" else 1
        staff = identity_services.create_staff(self.session, self.clock, username, password, role,
                                               f"测试{role}", department_code, hall_id,
                                               scrypt_n=self.app.config["PASSWORD_SCRYPT_N"])
        self.session.commit()
        return staff

    def kiosk(self, hall_id: int = 1, device_code: str | None = None):
        device, secret = identity_services.register_kiosk(self.session, self.clock,
                                                          device_code or f"K{next(_counter):04d}", "测试终端", hall_id)
        self.session.commit()
        return device, secret

    def actor(self, principal, channel: str | None = None):
        from identity.models import Citizen, KioskDevice, StaffUser

        if isinstance(principal, Citizen):
            return identity_services.citizen_actor(principal, channel or "miniprogram")
        if isinstance(principal, StaffUser):
            return identity_services.staff_actor(principal, channel or "window")
        if isinstance(principal, KioskDevice):
            return identity_services.kiosk_actor(principal)
        raise TypeError(principal)

    def token(self, principal, channel: str | None = None) -> str:
        """`channel`: the login channel of the session (a citizen's; default miniprogram)."""
        return self.tokens.issue_access(self.actor(principal, channel))

    def headers(self, principal, channel: str | None = None, **extra) -> dict:
        headers = {"Authorization": f"Bearer {self.token(principal, channel)}"}
        headers.update(extra)
        return headers
