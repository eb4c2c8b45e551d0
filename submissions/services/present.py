"""Dicts for the response schemas: an application with its checklist,
files, timeline and deadline state."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import deadlines
from ..form_privacy import masked
from ..models import Application, ApplicationEvent, Certificate
from . import workflow
from .catalogue import item_of


def deadline_dict(application: Application, now) -> dict:
    view = deadlines.deadline_view(application, now)
    return {"flag": view.flag, "promised_days": application.promised_days,
            "statutory_days": application.statutory_days, "clock_start_date": application.clock_start_date,
            "warning_date": application.warning_date, "promised_due_date": application.promised_due_date,
            "statutory_due_date": application.statutory_due_date,
            "paused_working_days": application.paused_working_days, "used_working_days": view.used_working_days,
            "statutory_overdue": view.statutory_overdue}


def summary(application: Application, now) -> dict:
    return {"id": application.id, "status": application.status,
            "status_label": workflow.STATUS_LABELS[application.status], "item_code": application.item_code,
            "item_name": application.item_name, "department_code": application.department_code,
            "theme_application_id": application.theme_application_id, "created_at": application.created_at,
            "updated_at": application.updated_at, "submitted_at": application.submitted_at,
            "deadline": deadline_dict(application, now)}


def _materials(session: Session, application: Application) -> list[dict]:
    item = item_of(session, application)
    uploaded = {f.material_code for f in application.files}
    rows = []
    for m in item.materials:
        provided = ("upload" if m.code in uploaded else "commitment" if m.code in application.commitments
                    else "waived" if m.code in application.waivers else None)
        rows.append({"code": m.code, "name": m.name, "required": m.required, "provided_by": provided,
                     "commitment_allowed": m.commitment_allowed, "shared_waiver": m.shared_waiver})
    return rows


def _file(row) -> dict:
    return {"id": row.id, "material_code": row.material_code, "content_type": row.content_type, "size": row.size,
            "sha256": row.sha256, "original_name": row.original_name, "created_at": row.created_at}


def detail(session: Session, application: Application, now, for_staff: bool = False) -> dict:
    events = session.scalars(select(ApplicationEvent).where(ApplicationEvent.application_id == application.id)
                             .order_by(ApplicationEvent.at, ApplicationEvent.id))
    timeline = []
    for e in events:
        entry = {"at": e.at, "action": e.action, "action_label": workflow.ACTION_LABELS.get(e.action, e.action),
                 "from_status": e.from_status, "to_status": e.to_status, "actor_role": e.actor_role,
                 "channel": e.channel, "opinion": e.opinion, "details": e.details}
        if for_staff:
            entry["actor_id"] = e.actor_id
        timeline.append(entry)
    certificate_id = None
    if application.certificate_type and application.completed_at is not None:
        certificate_id = session.scalar(select(Certificate.id).where(Certificate.application_id == application.id))
    body = summary(application, now)
    body.update({
        "item_revision": application.item_revision, "item_version": application.item_version,
        "form": masked(application.form_data), "commitments": application.commitments, "waivers": application.waivers,
        "delivery_method": application.delivery_method, "postal_address": application.postal_address,
        "supplement_request": application.supplement_request, "supplement_rounds": application.supplement_rounds,
        "accepted_at": application.accepted_at, "decided_at": application.decided_at,
        "decision": application.decision, "completed_at": application.completed_at,
        "delivered_at": application.delivered_at, "in_person_required": application.in_person_required,
        "certificate_id": certificate_id, "allowed_actions": workflow.allowed_actions(application),
        "materials": _materials(session, application), "files": [_file(f) for f in application.files],
        "timeline": timeline,
    })
    if for_staff:
        body["citizen_id"] = application.citizen_id
    return body
