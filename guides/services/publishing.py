"""Admins edit the catalogue: create a draft, edit it, publish it, retire an item.

Access (`access.ensure_can_manage`): the platform admin manages every item,
a department admin only its own department's. Every publish is validated by
the data-quality rules; a publish that breaks one changes nothing. The
invariants (one published and one draft per code, ordered catalogue
versions) are held by the database: partial unique indexes and the
`guide_catalogue` row lock. The caller's unit of work commits; a refusal
raises and the unit of work rolls back.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor

from ..convert import build_materials, item_row_values, item_to_data
from ..errors import DepartmentNotFound, DraftExists, ItemExists, ItemNotFound, NotADraft, NotPublished, \
    RuleViolated
from ..models import CatalogueState, Department, ServiceItem
from ..validation import check_item
from .access import ensure_can_manage, ensure_manages_code
from .catalogue import get_item_revision, get_published_item, list_item_versions


def next_catalogue_version(session: Session) -> int:
    """Take the next catalogue version. The UPDATE locks the row until the
    transaction ends, so publishes commit in version order."""
    session.execute(update(CatalogueState).where(CatalogueState.id == 1)
                    .values(version=CatalogueState.version + 1))
    return session.scalar(select(CatalogueState.version).where(CatalogueState.id == 1))


def _violations_error(violations) -> RuleViolated:
    errors: dict[str, list[str]] = {}
    for v in violations:
        errors.setdefault(v.rule, []).append(v.message)
    return RuleViolated("；".join(str(v) for v in violations[:5]), errors=errors,
                        extra={"violations": [{"item_code": v.item_code, "rule": v.rule, "message": v.message}
                                              for v in violations]})


def _actor_label(actor: Actor) -> str:
    return actor.subject


def _draft(session: Session, code: str, lock: bool = False) -> ServiceItem:
    stmt = select(ServiceItem).where(ServiceItem.code == code, ServiceItem.status == "draft")
    if lock:
        stmt = stmt.with_for_update(of=ServiceItem)
    draft = session.scalar(stmt)
    if draft is None:
        raise NotADraft(f"事项 {code} 没有待发布的草稿")
    return draft


def create_draft(session: Session, actor: Actor, clock, data: dict) -> ServiceItem:
    """A draft of a new item, or of a new version of an existing one (when
    `data['code']` exists already). Structure is checked here; the rules at publish."""
    department_code = data["department_code"]
    ensure_can_manage(actor, department_code)
    if session.get(Department, department_code) is None:
        raise DepartmentNotFound(f"部门 {department_code} 不存在")
    code = data["code"]
    existing_department = session.scalar(select(ServiceItem.department_code).where(ServiceItem.code == code)
                                         .limit(1))
    if existing_department is not None:
        # A department admin may not take over another department's code.
        ensure_can_manage(actor, existing_department)
        if existing_department != department_code:
            raise ItemExists(f"事项编码 {code} 属于部门 {existing_department}")
    now = clock.now()
    revision = (session.scalar(select(func.max(ServiceItem.revision)).where(ServiceItem.code == code)) or 0) + 1
    draft = ServiceItem(**item_row_values(data, department_code), revision=revision, status="draft",
                        created_at=now, updated_at=now, created_by=_actor_label(actor))
    draft.materials = build_materials(data)
    try:
        # The partial unique index (one draft per code) decides; a savepoint
        # keeps the session usable after the refusal.
        with session.begin_nested():
            session.add(draft)
    except IntegrityError:
        raise DraftExists(f"事项 {code} 已有未发布的草稿，请修改该草稿") from None
    audit.record(session, actor, "guides.draft_create", "service_item", code,
                 {"revision": revision, "department_code": department_code}, at=now)
    return draft


def create_draft_from_published(session: Session, actor: Actor, clock, code: str) -> ServiceItem:
    """Start the next version of a published item from its current content."""
    current = get_published_item(session, code)
    if current is None:
        raise ItemNotFound(f"事项 {code} 不存在或未发布")
    return create_draft(session, actor, clock, item_to_data(current))


def update_draft(session: Session, actor: Actor, clock, code: str, data: dict) -> ServiceItem:
    """Replace the draft's content (its code and department stay)."""
    ensure_manages_code(session, actor, code)
    draft = _draft(session, code, lock=True)
    ensure_can_manage(actor, draft.department_code)
    if data.get("code", code) != code or data.get("department_code", draft.department_code) != draft.department_code:
        raise NotADraft("草稿的事项编码和部门不能修改")
    values = item_row_values(dict(data, code=code), draft.department_code)
    for name, value in values.items():
        setattr(draft, name, value)
    draft.materials.clear()
    session.flush()  # delete the old materials before their codes are reused
    draft.materials = build_materials(data)
    draft.updated_at = clock.now()
    audit.record(session, actor, "guides.draft_update", "service_item", code, {"revision": draft.revision},
                 at=draft.updated_at)
    session.flush()
    return draft


def publish(session: Session, actor: Actor, clock, code: str) -> ServiceItem:
    """Validate the draft, make it the published version (the previous one is
    kept as superseded) and give it the next catalogue version."""
    ensure_manages_code(session, actor, code)
    draft = _draft(session, code, lock=True)
    ensure_can_manage(actor, draft.department_code)
    violations = check_item(item_to_data(draft), draft.department_code)
    if violations:
        raise _violations_error(violations)
    now = clock.now()
    version = next_catalogue_version(session)
    previous = session.execute(update(ServiceItem)
                               .where(ServiceItem.code == code, ServiceItem.status == "published")
                               .values(status="superseded")
                               .returning(ServiceItem.revision)).scalars().all()
    changed = session.execute(update(ServiceItem).where(ServiceItem.id == draft.id, ServiceItem.status == "draft")
                              .values(status="published", version=version, published_at=now,
                                      published_by=_actor_label(actor), updated_at=now)).rowcount
    if changed != 1:  # published by someone else between our read and now
        raise NotADraft(f"事项 {code} 的草稿已被发布或修改，请刷新后重试")
    audit.record(session, actor, "guides.item_publish", "service_item", code,
                 {"revision": draft.revision, "version": version, "replaces": previous}, at=now)
    session.refresh(draft)
    return draft


def retire(session: Session, actor: Actor, clock, code: str) -> ServiceItem:
    """Take an item off the catalogue; its versions stay readable to admins."""
    ensure_manages_code(session, actor, code)
    current = session.scalar(select(ServiceItem).where(ServiceItem.code == code, ServiceItem.status == "published")
                             .with_for_update(of=ServiceItem))
    if current is None:
        raise NotPublished(f"事项 {code} 当前未发布，无法停用")
    ensure_can_manage(actor, current.department_code)
    now = clock.now()
    version = next_catalogue_version(session)
    changed = session.execute(update(ServiceItem)
                              .where(ServiceItem.id == current.id, ServiceItem.status == "published")
                              .values(status="retired", retired_version=version, retired_at=now)).rowcount
    if changed != 1:
        raise NotPublished(f"事项 {code} 已被停用")
    audit.record(session, actor, "guides.item_retire", "service_item", code,
                 {"revision": current.revision, "version": version}, at=now)
    session.refresh(current)
    return current


def admin_list_versions(session: Session, actor: Actor, code: str) -> list[ServiceItem]:
    ensure_manages_code(session, actor, code)
    rows = list_item_versions(session, code)
    ensure_can_manage(actor, rows[0].department_code)
    return rows


def admin_get_version(session: Session, actor: Actor, code: str, revision: int) -> ServiceItem:
    ensure_manages_code(session, actor, code)
    row = get_item_revision(session, code, revision)
    ensure_can_manage(actor, row.department_code)
    return row
