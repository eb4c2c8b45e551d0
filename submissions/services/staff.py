"""Staff actions on an application: 受理, 不予受理, 补正, 审批, 办结, 出件."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mobile_api.actor import SYSTEM, Actor

from .. import deadlines
from ..certificates import CertificateSigner, issue_certificate
from ..errors import DeliveryInvalid, FormInvalid
from ..models import Application, Certificate
from . import workflow
from .access import staff_application
from .catalogue import item_of


@dataclass(frozen=True)
class StaffContext:
    warning_ratio: float
    signer: CertificateSigner


def _prepare(session: Session, actor: Actor, application_id: int, action: str) -> tuple[Application, workflow.Step]:
    application = staff_application(session, actor, application_id)
    step = workflow.STEPS[action]
    workflow.check_staff(actor, application, step)
    workflow.check_allowed(application, action)
    return application, step


def accept(session: Session, actor: Actor, clock, ctx: StaffContext, application_id: int,
           opinion: str | None) -> Application:
    application, step = _prepare(session, actor, application_id, "accept")
    now = clock.now()
    values = {"accepted_at": now, "accepted_by": actor.id, "accepted_hall_id": actor.hall_id,
              **deadlines.start_values(now, application.promised_days, application.statutory_days,
                                       ctx.warning_ratio)}
    workflow.move(session, application, actor, now, "accept", step.target, opinion=opinion, values=values,
                  details={"hall_id": actor.hall_id})
    return application


def refuse(session: Session, actor: Actor, clock, ctx: StaffContext, application_id: int,
           reason: str) -> Application:
    application, step = _prepare(session, actor, application_id, "refuse")
    now = clock.now()
    workflow.move(session, application, actor, now, "refuse", step.target, opinion=reason,
                  values={"closed_at": now})
    return application


def request_supplement(session: Session, actor: Actor, clock, ctx: StaffContext, application_id: int,
                       items: list[dict], opinion: str | None) -> Application:
    """一次性告知: one notice listing everything missing or wrong."""
    application, step = _prepare(session, actor, application_id, "request_supplement")
    item = item_of(session, application)
    materials = {m.code: m.name for m in item.materials}
    fields = {f["name"]: f.get("label", f["name"]) for f in item.form_fields}
    errors: dict[str, list[str]] = {}
    notice = []
    for index, entry in enumerate(items):
        code, field = entry.get("material_code"), entry.get("field")
        if (code is None) == (field is None):
            errors[f"items.{index}"] = ["每一项须且只须指明 material_code 或 field 之一"]
        elif code is not None and code not in materials:
            errors[f"items.{index}.material_code"] = [f"该事项没有材料 {code}"]
        elif field is not None and field not in fields:
            errors[f"items.{index}.field"] = [f"该事项的申请表没有字段 {field}"]
        else:
            notice.append({"material_code": code, "field": field,
                           "name": materials[code] if code else fields[field], "reason": entry["reason"]})
    if errors:
        raise FormInvalid("补正清单有误", errors=errors)
    now = clock.now()
    values = {"supplement_request": notice, "supplement_rounds": application.supplement_rounds + 1}
    if application.status == "under_review":
        values.update(deadlines.pause_values(now))  # the clocks stop until the citizen answers
    workflow.move(session, application, actor, now, "request_supplement", step.target, opinion=opinion,
                  values=values, details={"items": notice})
    return application


def decide(session: Session, actor: Actor, clock, ctx: StaffContext, application_id: int, action: str,
           opinion: str | None) -> Application:
    """approve or deny (审批), by an approver of the owning department."""
    application, step = _prepare(session, actor, application_id, action)
    now = clock.now()
    workflow.move(session, application, actor, now, action, step.target, opinion=opinion,
                  values={"decided_at": now, "decided_by": actor.id, "decision": step.target})
    return application


def complete(session: Session, actor: Actor, clock, ctx: StaffContext, application_id: int,
             opinion: str | None) -> Application:
    """办结. An approved item that yields a certificate gets it now, signed; when the
    citizen chose electronic delivery, the certificate is the delivery."""
    application, step = _prepare(session, actor, application_id, "complete")
    now = clock.now()
    workflow.move(session, application, actor, now, "complete", step.target, opinion=opinion,
                  values={"completed_at": now})
    certificate = None
    if application.decision == "approved" and application.certificate_type:
        certificate = issue_certificate(session, ctx.signer, application, actor, now)
    if certificate is not None and application.delivery_method == "electronic":
        workflow.move(session, application, SYSTEM, now, "deliver", "delivered", channel="electronic",
                      values={"delivered_at": now}, details={"method": "electronic", "certificate_id": certificate.id})
    return application


def deliver(session: Session, actor: Actor, clock, ctx: StaffContext, application_id: int, method: str | None,
            tracking_number: str | None, opinion: str | None) -> Application:
    """出件 at the window, by post (with a tracking number) or electronically."""
    application, step = _prepare(session, actor, application_id, "deliver")
    method = method or application.delivery_method
    if method == "post" and not application.postal_delivery:
        raise DeliveryInvalid("该事项不提供邮寄送达", errors={"method": ["该事项不提供邮寄送达"]})
    if method == "post" and not tracking_number:
        raise DeliveryInvalid("邮寄送达须填写快递单号", errors={"tracking_number": ["请填写快递单号"]})
    certificate_id = session.scalar(select(Certificate.id).where(Certificate.application_id == application.id))
    if method == "electronic" and certificate_id is None:
        raise DeliveryInvalid("该申请没有电子证照，不能电子送达", errors={"method": ["没有电子证照"]})
    now = clock.now()
    details = {"method": method}
    if tracking_number:
        details["tracking_number"] = tracking_number
    if certificate_id:
        details["certificate_id"] = certificate_id
    workflow.move(session, application, actor, now, "deliver", step.target, opinion=opinion, channel=method,
                  values={"delivered_at": now}, details=details)
    return application
