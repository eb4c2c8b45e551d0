"""The state machine of an application and the staff actions on it.

    draft ─submit→ submitted ─accept→ under_review ─approve→ approved ─complete→ completed ─deliver→ delivered
                       │  └refuse→ refused              │└deny→ denied ─complete┘
                       └request_supplement→ supplement_requested ←request_supplement┘
    supplement_requested ─submit→ submitted (not yet accepted) | under_review (accepted: the clocks resume)
    draft | submitted | supplement_requested (not yet accepted) ─withdraw→ withdrawn

Each move is one conditional UPDATE `… WHERE id = :id AND status = :seen AND
row_version = :seen_version`: of two staff acting at once exactly one changes
the row and the other gets a 409. The same transaction adds the timeline
event, the audit entry and the citizen's notification (outbox).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from mobile_api import audit, outbox
from mobile_api.actor import Actor

from ..errors import ConcurrentChange, InvalidTransition
from ..models import Application, ApplicationEvent
from . import access

STATUS_LABELS = {
    "draft": "草稿", "submitted": "已提交待受理", "supplement_requested": "待补正", "under_review": "已受理审查中",
    "refused": "不予受理", "approved": "审批通过", "denied": "审批不予许可", "completed": "已办结",
    "delivered": "已出件", "withdrawn": "已撤回",
}
ACTION_LABELS = {
    "create": "创建草稿", "submit": "提交申请", "resubmit": "提交补正材料", "accept": "受理", "refuse": "不予受理",
    "request_supplement": "一次性告知补正", "approve": "审批通过", "deny": "不予许可", "complete": "办结",
    "deliver": "出件", "withdraw": "撤回申请", "certificate_issued": "签发电子证照",
}


@dataclass(frozen=True)
class Step:
    action: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]  # the identity.access kinds who may take it; "citizen" for the owner
    own_department: bool = False  # staff must belong to the owning department


# request_supplement appears twice: at the desk before acceptance (clerk) and
# during review (approver of the department); the source state decides which.
STEPS = {
    "submit": Step("submit", ("draft",), "submitted", ("citizen",)),
    "withdraw": Step("withdraw", ("draft", "submitted", "supplement_requested"), "withdrawn", ("citizen",)),
    "accept": Step("accept", ("submitted",), "under_review", ("clerk",)),
    "refuse": Step("refuse", ("submitted",), "refused", ("clerk",)),
    "request_supplement": Step("request_supplement", ("submitted", "under_review"), "supplement_requested",
                               ("clerk", "approver")),
    "approve": Step("approve", ("under_review",), "approved", ("approver",), own_department=True),
    "deny": Step("deny", ("under_review",), "denied", ("approver",), own_department=True),
    "complete": Step("complete", ("approved", "denied"), "completed", ("approver",), own_department=True),
    "deliver": Step("deliver", ("completed",), "delivered", ("clerk",)),
}


def allowed_actions(application: Application) -> list[str]:
    """The moves the graph allows from the application's state (not who may take them)."""
    actions = [name for name, step in STEPS.items() if application.status in step.sources]
    if application.status == "supplement_requested":
        actions = [a for a in actions if a != "withdraw" or application.accepted_at is None] + ["submit"]
    return sorted(set(actions))


def check_allowed(application: Application, action: str) -> Step:
    step = STEPS[action]
    sources = step.sources + (("supplement_requested",) if action == "submit" else ())
    if application.status not in sources or (action == "withdraw" and application.accepted_at is not None):
        raise InvalidTransition(
            f"申请当前状态为“{STATUS_LABELS[application.status]}”，不能执行“{ACTION_LABELS[action]}”",
            # not "status": that member is the HTTP status in a problem document (RFC 9457)
            extra={"application_status": application.status, "action": action})
    return step


def check_staff(actor: Actor, application: Application, step: Step) -> None:
    """Who may take the step: the rule lives in `access.check_step`."""
    access.check_step(actor, application, step.action, step.roles, step.own_department,
                      ACTION_LABELS[step.action])


def move(session: Session, application: Application, actor: Actor, now: datetime, action: str, target: str,
         *, opinion: str | None = None, details: dict | None = None, values: dict | None = None,
         event_action: str | None = None, channel: str | None = None) -> Application:
    """Change the state with one conditional UPDATE and record the step.
    Does not commit: the caller adds what else belongs to the same change."""
    seen_status, seen_version = application.status, application.row_version
    result = session.execute(
        update(Application)
        .where(Application.id == application.id, Application.status == seen_status,
               Application.row_version == seen_version)
        .values(status=target, row_version=seen_version + 1, updated_at=now, **(values or {}))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ConcurrentChange("该申请刚被其他人处理，请刷新后查看最新状态")
    # The row now holds exactly these values: put them on the object without a
    # round trip (and without marking it dirty).
    for name, value in dict(values or {}, status=target, row_version=seen_version + 1, updated_at=now).items():
        set_committed_value(application, name, value)
    event_action = event_action or action
    session.add(ApplicationEvent(
        application_id=application.id, at=now, action=event_action, from_status=seen_status, to_status=target,
        actor_kind=actor.kind, actor_id=actor.id, actor_role=actor.role, channel=channel or actor.channel,
        opinion=opinion, details=details))
    audit.record(session, actor, f"submissions.application_{event_action}", "application", application.id,
                 {"from": seen_status, "to": target, **({"opinion": opinion} if opinion else {}),
                  **(details or {})}, at=now)
    notify(session, application, now, event_action, opinion)
    return application


def notify(session: Session, application: Application, now: datetime, action: str, opinion: str | None) -> None:
    if application.citizen_id is None:
        return
    outbox.enqueue(session, outbox.CITIZEN_NOTIFY, {
        "citizen_id": application.citizen_id,
        "event": "application_status_changed",
        "data": {"application_id": application.id, "item_code": application.item_code,
                 "item_name": application.item_name, "status": application.status,
                 "status_label": STATUS_LABELS[application.status], "action": action,
                 "opinion": opinion},
    }, now)
    # No dedupe_key: the message is written in the transaction of the state
    # change, which the row_version guard lets happen once, so it cannot be
    # doubled; and a dedupe_key makes enqueue use a SAVEPOINT, whose release
    # sets off wechat's development after-commit delivery while this
    # transaction still holds its row locks.


def record_creation(session: Session, application: Application, actor: Actor, now: datetime) -> None:
    session.add(ApplicationEvent(application_id=application.id, at=now, action="create", from_status=None,
                                 to_status="draft", actor_kind=actor.kind, actor_id=actor.id,
                                 actor_role=actor.role, channel=actor.channel))
    audit.record(session, actor, "submissions.application_create", "application", application.id,
                 {"item_code": application.item_code, "item_revision": application.item_revision}, at=now)
