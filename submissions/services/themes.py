"""一件事: one merged form and material list for a theme, creating one
application per member item; the members are then handled in parallel by
their departments, and the bundle shows an overall status."""

from __future__ import annotations

from sqlalchemy.orm import Session

from guides.services.catalogue import material_key
from mobile_api import audit
from mobile_api.actor import Actor

from ..errors import FormInvalid, ItemNotAvailable, MaterialsIncomplete, MaterialUnknown
from ..models import ThemeApplication
from ..storage import FileStorage
from . import workflow
from .access import own_bundle
from .applications import check_complete, draft_durability, new_application, submit_checked, verify_in_person
from .catalogue import get_theme, item_of, merged_materials
from .files import UploadLimits, upload_material
from .present import summary

FINISHED = ("completed", "delivered", "refused", "withdrawn")


def _theme(session: Session, theme_id: str):
    theme = get_theme(session, theme_id)
    if theme is None or not theme.members:
        raise ItemNotAvailable(f"主题 {theme_id} 不存在或没有可申办的事项", code="submissions.theme_not_available",
                               errors={"theme_id": ["主题不存在或没有可申办的事项"]})
    return theme


def create_theme_application(session: Session, actor: Actor, clock, theme_id: str, form: dict,
                             delivery_method: str, postal_address: str | None, text_version: str) -> ThemeApplication:
    theme = _theme(session, theme_id)
    known = {f["name"] for item in theme.members for f in item.form_fields}
    unknown = sorted(set(form) - known)
    if unknown:
        raise FormInvalid("申请表有不属于该主题的字段", errors={name: ["该主题的申请表没有此字段"] for name in unknown})
    now = clock.now()
    bundle = ThemeApplication(citizen_id=actor.id, theme_id=theme.id, theme_name=theme.name, created_at=now)
    session.add(bundle)
    session.flush()
    for item in theme.members:
        names = {f["name"] for f in item.form_fields}
        method = delivery_method
        if (method == "post" and not item.postal_delivery) or (method == "electronic" and not item.certificate_type):
            method = "window"  # the members differ; each takes the citizen's choice where it applies
        new_application(session, actor, now, item, {k: v for k, v in form.items() if k in names}, [], method,
                        postal_address, text_version, theme_application_id=bundle.id)
    audit.record(session, actor, "submissions.theme_application_create", "theme_application", bundle.id,
                 {"theme_id": theme.id, "members": [i.code for i in theme.members]}, at=now)
    draft_durability(session)
    return bundle


def overall_status(statuses: list[str], decisions: list[str | None]) -> str:
    if all(s == "draft" for s in statuses):
        return "draft"
    if all(s == "withdrawn" for s in statuses):
        return "withdrawn"
    if not all(s in FINISHED for s in statuses):
        return "in_progress"
    if all(s in ("completed", "delivered") for s in statuses) and all(d == "approved" for d in decisions):
        return "completed"
    return "closed_with_refusals"


def present_theme(session: Session, bundle: ThemeApplication, now) -> dict:
    session.expire(bundle, ["members"])
    members = list(bundle.members)
    theme = get_theme(session, bundle.theme_id)
    return {"id": bundle.id, "theme_id": bundle.theme_id, "theme_name": bundle.theme_name,
            "status": overall_status([m.status for m in members], [m.decision for m in members]),
            "created_at": bundle.created_at, "submitted_at": bundle.submitted_at,
            "materials": merged_materials(theme) if theme is not None else [],
            "members": [summary(m, now) for m in members]}


def upload_theme_material(session: Session, actor: Actor, clock, storage: FileStorage, limits: UploadLimits,
                          bundle_id: int, material_name: str, stream, filename: str | None) -> list:
    """One file for a document of the merged list, attached to every member that
    asks for it (stored once: the store is content-addressed). Each member's
    upload ends the transaction before copying bytes (upload_material's commit
    point), so the members already attached stand if a later one is refused."""
    bundle = own_bundle(session, actor, bundle_id)
    key = material_key(material_name)
    targets = []
    for member in bundle.members:
        item = item_of(session, member)
        code = next((m.code for m in item.materials if material_key(m.name) == key), None)
        if code is not None and member.status in ("draft", "supplement_requested"):
            targets.append((member.id, code))
    if not targets:
        raise MaterialUnknown(f"该一件事申请中没有待上传的材料“{material_name}”",
                              errors={"material_name": ["没有成员事项需要此材料"]})
    spool = _spool(stream, limits)
    rows = []
    try:
        for application_id, code in targets:
            spool.seek(0)
            rows.append(upload_material(session, actor, clock, storage, limits, application_id, code, spool,
                                        filename))
    finally:
        spool.close()
    return rows


def _spool(stream, limits: UploadLimits):
    """Keep the upload on disk to hand the same bytes to several members."""
    import tempfile

    spool = tempfile.TemporaryFile()
    copied = 0
    while True:
        chunk = stream.read(limits.chunk_bytes)
        if not chunk:
            break
        copied += len(chunk)
        if copied > limits.max_file_bytes + 1:
            break  # the store rejects it with the proper error
        spool.write(chunk)
    return spool


def submit_theme_application(session: Session, actor: Actor, clock, bundle_id: int, *, tokens,
                             step_up_token: str | None, warning_ratio: float) -> ThemeApplication:
    """Submit every member draft at once: all or none."""
    bundle = own_bundle(session, actor, bundle_id)
    drafts = [m for m in bundle.members if m.status == "draft"]
    if not drafts:
        raise workflow.InvalidTransition("该一件事申请没有待提交的草稿")
    errors: dict[str, list[str]] = {}
    checked = []
    for member in drafts:
        try:
            checked.append((member, check_complete(session, member, item_of(session, member))))
        except (FormInvalid, MaterialsIncomplete) as exc:
            for name, messages in (exc.errors or {}).items():
                errors[f"{member.item_code}.{name}"] = messages
    if errors:
        raise MaterialsIncomplete("部分事项的申请表或材料不完整", code="submissions.theme_incomplete", errors=errors)
    for member in drafts:
        verify_in_person(member, actor, tokens, step_up_token)
    now = clock.now()
    for member, waivers in checked:
        submit_checked(session, member, actor, now, waivers, warning_ratio)
    bundle.submitted_at = now
    return bundle
