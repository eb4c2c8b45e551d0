"""Who is acting, from where: what services need to check access and to audit.

Views build an `Actor` from the verified token and the request; services take
it as an argument and never look at `flask.request` themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

ROLES = ("citizen", "clerk", "approver", "admin", "kiosk")
STAFF_ROLES = ("clerk", "approver", "admin")


@dataclass(frozen=True)
class Actor:
    kind: str  # citizen | staff | kiosk | system
    id: int | None
    role: str  # citizen | clerk | approver | admin | kiosk | system
    department_code: str | None = None
    hall_id: int | None = None
    channel: str | None = None  # what the client says (X-Client-Channel): recorded, never trusted
    request_id: str | None = None
    ip: str | None = None
    token_id: str | None = None
    step_up_until: float | None = None  # epoch seconds; set by identity's face check
    # The channel the session was authenticated through (the access token's
    # `chn` claim, set at login by the endpoint used): what security decisions
    # such as the face-check method follow.
    login_channel: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def subject(self) -> str:
        return f"{self.kind}:{self.id}"

    def with_context(self, **changes) -> "Actor":
        return replace(self, **changes)


SYSTEM = Actor(kind="system", id=None, role="system", channel=None)
