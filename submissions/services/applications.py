"""The citizen's use cases: create and edit a draft, submit, withdraw, read."""

from __future__ import annotations

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from identity.stepup import verify_step_up
from mobile_api import audit
from mobile_api.actor import Actor
from mobile_api.pagination import paginate

from .. import deadlines
from ..errors import DeliveryInvalid, FormInvalid, MaterialsIncomplete, NotEditable
from ..forms import check_form, normalise_form
from ..form_privacy import keep_masked_values, seal, unseal
from ..models import Application, ApplicationFile
from . import workflow
from .access import own_application
from .catalogue import item_of, published_item
from .materials import citizen_identity, prefill_from_identity, provision

EDITABLE_STATUSES = ("draft", "supplement_requested")
DELIVERY_METHODS = ("window", "post", "electronic")


def draft_durability(session: Session) -> None:
    """A draft and its uploads are not yet an application: nothing is decided on
    them, and the citizen sees what is there before submitting. Their commits therefore do not wait for the WAL flush (a crash may lose the
    last fraction of a second of draft edits, never a submission or a staff
    action, which commit synchronously). `SET LOCAL` lasts until the unit of
    work commits, so call it last, once the draft change is complete."""
    session.execute(text("SET LOCAL synchronous_commit = off"))


def check_commitments(item, codes: list[str], signed_at, text_version: str) -> dict:
    allowed = {m.code: m for m in item.materials if m.commitment_allowed}
    wrong = [c for c in codes if c not in allowed]
    if wrong:
        raise FormInvalid("以下材料不适用告知承诺制：" + "、".join(map(str, wrong)),
                          errors={"commitments": [f"材料 {c} 不能以承诺代替" for c in wrong]})
    return {c: {"name": allowed[c].name, "text_version": text_version, "signed_at": signed_at.isoformat()}
            for c in codes}


def check_delivery(item, method: str, postal_address: str | None) -> None:
    if method == "post" and not item.postal_delivery:
        raise DeliveryInvalid("该事项不提供邮寄送达", errors={"delivery_method": ["该事项不提供邮寄送达"]})
    if method == "post" and not (postal_address or "").strip():
        raise DeliveryInvalid("选择邮寄送达时须填写邮寄地址", errors={"postal_address": ["请填写邮寄地址"]})
    if method == "electronic" and not item.certificate_type:
        raise DeliveryInvalid("该事项不产生电子证照，不能选择电子送达",
                              errors={"delivery_method": ["该事项没有电子证照"]})


def new_application(session: Session, actor: Actor, now, item, form: dict, commitments: list[str],
                    delivery_method: str, postal_address: str | None, text_version: str,
                    theme_application_id: int | None = None) -> Application:
    """Validate and add a draft (not committed)."""
    form = prefill_from_identity(item.form_fields, normalise_form(form), citizen_identity(session, actor.id))
    errors = check_form(item.form_fields, form, complete=False)
    if errors:
        raise FormInvalid(f"申请表有 {len(errors)} 处填写有误", errors=errors)
    signed = check_commitments(item, commitments, now, text_version)
    check_delivery(item, delivery_method, postal_address)
    application = Application(
        citizen_id=actor.id, theme_application_id=theme_application_id, status="draft", row_version=1,
        item_id=item.id, item_code=item.code, item_revision=item.revision, item_version=item.version,
        item_name=item.name, department_code=item.department_code, promised_days=item.promised_days,
        statutory_days=item.statutory_days, in_person_required=item.in_person_required,
        certificate_type=item.certificate_type, postal_delivery=item.postal_delivery,
        form_data=seal(item.form_fields, form),
        commitments=signed, waivers={}, delivery_method=delivery_method,
        postal_address=(postal_address or None) if delivery_method == "post" else None,
        supplement_rounds=0, channel=actor.channel, created_at=now, updated_at=now, paused_working_days=0)
    session.add(application)
    session.flush()
    workflow.record_creation(session, application, actor, now)
    return application


def create_application(session: Session, actor: Actor, clock, item_code: str, form: dict,
                       commitments: list[str], delivery_method: str, postal_address: str | None,
                       text_version: str) -> Application:
    item = published_item(session, item_code)
    application = new_application(session, actor, clock.now(), item, form, commitments, delivery_method,
                                  postal_address, text_version)
    draft_durability(session)
    return application


def update_application(session: Session, actor: Actor, clock, application_id: int, changes: dict,
                       text_version: str) -> Application:
    """Edit a draft, or the form while a supplement is asked for. Fields not
    given stay as they are; `form` replaces the whole form."""
    application = own_application(session, actor, application_id)
    if application.status not in EDITABLE_STATUSES:
        raise NotEditable(f"申请当前状态为“{workflow.STATUS_LABELS[application.status]}”，不能修改")
    item = item_of(session, application)
    now = clock.now()
    values: dict = {}
    if "form" in changes:
        form = keep_masked_values(normalise_form(changes["form"]), application.form_data)
        errors = check_form(item.form_fields, form, complete=False)
        if errors:
            raise FormInvalid(f"申请表有 {len(errors)} 处填写有误", errors=errors)
        values["form_data"] = seal(item.form_fields, form)
    if "commitments" in changes:
        values["commitments"] = check_commitments(item, changes["commitments"], now, text_version)
    method = changes.get("delivery_method", application.delivery_method)
    address = changes.get("postal_address", application.postal_address)
    check_delivery(item, method, address)
    values["delivery_method"] = method
    values["postal_address"] = (address or None) if method == "post" else None
    result = session.execute(
        update(Application)
        .where(Application.id == application.id, Application.status.in_(EDITABLE_STATUSES),
               Application.row_version == application.row_version)
        .values(updated_at=now, row_version=application.row_version + 1, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise NotEditable("申请已被提交或处理，不能再修改，请刷新后查看")
    audit.record(session, actor, "submissions.application_update", "application", application.id,
                 {"fields": sorted(changes)}, at=now)
    draft_durability(session)
    session.refresh(application)
    return application


def check_complete(session: Session, application: Application, item) -> dict:
    """Raise unless the form is complete and every required material is provided;
    return the waivers to record."""
    errors = check_form(item.form_fields, unseal(application.form_data), complete=True)
    if errors:
        raise FormInvalid(f"申请表有 {len(errors)} 处未填或填写有误", errors=errors)
    uploaded = set(session.scalars(select(ApplicationFile.material_code)
                                   .where(ApplicationFile.application_id == application.id)))
    waivers, missing = provision(item, uploaded, application.commitments,
                                 citizen_identity(session, application.citizen_id))
    if missing:
        raise MaterialsIncomplete(f"还缺少 {len(missing)} 项必需材料", errors=missing)
    return waivers


def verify_in_person(application: Application, actor: Actor, tokens, step_up_token: str | None) -> None:
    if application.in_person_required:
        verify_step_up(tokens, actor, step_up_token)


def submit_application(session: Session, actor: Actor, clock, application_id: int, *, tokens,
                       step_up_token: str | None, warning_ratio: float) -> Application:
    """Submit a draft, or answer a supplement request (then the clocks resume)."""
    application = own_application(session, actor, application_id)
    workflow.check_allowed(application, "submit")
    verify_in_person(application, actor, tokens, step_up_token)
    now = clock.now()
    submit_checked(session, application, actor, now, check_complete(session, application, item_of(session, application)),
                   warning_ratio)
    return application


def submit_checked(session: Session, application: Application, actor: Actor, now, waivers: dict,
                   warning_ratio: float) -> None:
    if application.status == "draft":
        workflow.move(session, application, actor, now, "submit", "submitted",
                      values={"submitted_at": now, "waivers": waivers},
                      details={"waived": sorted(waivers), "committed": sorted(application.commitments)})
        return
    answered = application.supplement_request
    if application.accepted_at is None:  # asked at the desk: back to the desk
        workflow.move(session, application, actor, now, "submit", "submitted", event_action="resubmit",
                      values={"submitted_at": now, "waivers": waivers, "supplement_request": None},
                      details={"answered": answered})
    else:  # asked during review: back to review, the paused working days do not count
        workflow.move(session, application, actor, now, "submit", "under_review", event_action="resubmit",
                      values={"waivers": waivers, "supplement_request": None,
                              **deadlines.resume_values(application, now, warning_ratio)},
                      details={"answered": answered})


def withdraw_application(session: Session, actor: Actor, clock, application_id: int,
                         reason: str | None) -> Application:
    application = own_application(session, actor, application_id)
    workflow.check_allowed(application, "withdraw")
    now = clock.now()
    workflow.move(session, application, actor, now, "withdraw", "withdrawn", opinion=reason,
                  values={"closed_at": now})
    return application


def list_my_applications(session: Session, actor: Actor, status: str | None, page: int, page_size: int):
    stmt = select(Application).where(Application.citizen_id == actor.id)
    if status:
        stmt = stmt.where(Application.status == status)
    return paginate(session, stmt.order_by(Application.created_at.desc(), Application.id.desc()), page, page_size)


def my_application(session: Session, actor: Actor, application_id: int) -> Application:
    return own_application(session, actor, application_id)


def total_file_bytes(session: Session, application_id: int) -> tuple[int, int]:
    count, total = session.execute(select(func.count(ApplicationFile.id), func.coalesce(func.sum(ApplicationFile.size), 0))
                                   .where(ApplicationFile.application_id == application_id)).one()
    return int(count), int(total)
