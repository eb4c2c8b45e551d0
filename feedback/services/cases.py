"""The citizen's side of a case: submit, list, read, say whether the reply
satisfied, reopen once."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from guides.services import get_published_item
from mobile_api import audit, hooks
from mobile_api.actor import Actor

from ..deadlines import due_after_working_days, local_day
from ..errors import CaseStateConflict, InvalidCase
from ..models import FeedbackCase, FeedbackCasePhoto
from ..rules import Rules
from ..taxonomy import ABOUT_TYPES, CASE_KINDS, CATEGORY_CODES, DEPARTMENTS, SATISFACTION, is_valid_id
from .access import load_visible_case, own_records, owns
from .closing import close_case, reopen_case
from .timeline import add_event
from .uploads import own_uploads

MAX_TEXT = 2000
MAX_PHOTOS = 9


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def content_hash(kind: str, category: str, about_type: str | None, about_ref: str | None, text: str) -> str:
    """What "the same thing" means for linking duplicates: same kind, category,
    subject and text, ignoring whitespace differences."""
    raw = "\n".join([kind, category, about_type or "", about_ref or "", _normalise(text)])
    return hashlib.sha256(raw.encode()).hexdigest()


def _validate_about(session: Session, actor: Actor, about_type: str | None, about_ref: str | None) -> str | None:
    if about_type is None and about_ref is None:
        return None
    if about_type not in ABOUT_TYPES or not about_ref:
        raise InvalidCase("请同时给出诉求对象的类型和编号", errors={"about": ["类型或编号缺失"]})
    ref = str(about_ref).strip()
    if about_type == "department":
        if ref not in DEPARTMENTS:
            raise InvalidCase(f"未知的部门编码 {ref}", errors={"about": ["未知的部门"]})
    elif about_type in ("hall", "window", "application"):
        if not (ref.isascii() and ref.isdigit()) or not is_valid_id(int(ref)):
            raise InvalidCase("大厅、窗口或申办件编号应为正整数", errors={"about": ["编号应为正整数"]})
        if about_type == "application":
            event = hooks.get_served_event(session, "application", int(ref))
            if event is None or not owns(actor, event.citizen_id):
                raise InvalidCase(f"申办件 {ref} 不存在或不属于您", errors={"about": ["申办件不存在或不属于您"]})
    elif about_type == "item":
        _check_item(session, ref)
    return ref


def _check_item(session: Session, code: str) -> None:
    """A case about an item names a published item of the catalogue."""
    if get_published_item(session, code) is None:
        raise InvalidCase(f"事项 {code} 不存在或未发布", errors={"about": ["事项不存在"]})


def submit_case(session: Session, actor: Actor, clock, rules: Rules, *, kind: str, category: str, text: str,
                about_type: str | None = None, about_ref: str | None = None,
                photo_ids: list[int] | None = None) -> FeedbackCase:
    if kind not in CASE_KINDS:
        raise InvalidCase(f"未知的诉求类型 {kind}", errors={"kind": ["未知的诉求类型"]})
    if category not in CATEGORY_CODES:
        raise InvalidCase(f"未知的诉求分类 {category}", errors={"category": ["未知的分类"]})
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise InvalidCase(f"诉求内容不能为空且不超过 {MAX_TEXT} 字", errors={"text": ["长度应为 1–2000 字"]})
    photo_ids = list(photo_ids or [])
    if len(photo_ids) > MAX_PHOTOS or len(set(photo_ids)) != len(photo_ids):
        raise InvalidCase(f"最多 {MAX_PHOTOS} 张不重复的照片", errors={"photos": ["最多 9 张，且不能重复"]})
    about_ref = _validate_about(session, actor, about_type, about_ref)
    about_type = about_type if about_ref is not None else None
    uploads = own_uploads(session, actor, photo_ids)

    now = clock.now()
    digest = content_hash(kind, category, about_type, about_ref, text)
    fields = dict(citizen_id=actor.id, kind=kind, category=category, about_type=about_type,
                  about_ref=about_ref, text=text, channel=actor.channel, state="submitted",
                  content_hash=digest, submitted_on=local_day(now), submitted_at=now,
                  reply_due_at=due_after_working_days(now, rules.reply_days[kind]),
                  reopen_count=0, extension_count=0, urge_count=0)
    original = _find_original(session, actor, digest, now, rules)
    case = None
    if original is None:
        try:
            with session.begin_nested():  # the partial unique index decides a race between two copies
                case = FeedbackCase(**fields)
                session.add(case)
                session.flush()
        except IntegrityError:
            case = None
            original = _find_original(session, actor, digest, now, rules)
            if original is None:
                raise
    if original is not None:
        case = FeedbackCase(**{**fields, "state": "merged", "duplicate_of_id": original.id})
        session.add(case)
        session.flush()
    for position, upload in enumerate(uploads):
        session.add(FeedbackCasePhoto(case_id=case.id, position=position, upload_id=upload.id))
    add_event(session, case.id, "submitted", actor, now)
    if original is not None:
        add_event(session, case.id, "merged", actor, now, note=f"与诉求 {original.id} 相同，已关联，由其一并办理")
    audit.record(session, actor, "feedback.case_submit", "feedback_case", case.id,
                 {"kind": kind, "category": category, "photos": len(uploads),
                  "duplicate_of": case.duplicate_of_id}, at=now)
    return case


def _find_original(session: Session, actor: Actor, digest: str, now, rules: Rules) -> FeedbackCase | None:
    since = now - timedelta(hours=rules.duplicate_window_hours)
    return session.scalar(select(FeedbackCase)
                          .where(own_records(actor, FeedbackCase), FeedbackCase.content_hash == digest,
                                 FeedbackCase.duplicate_of_id.is_(None), FeedbackCase.submitted_at >= since,
                                 FeedbackCase.state != "withdrawn")
                          .order_by(FeedbackCase.id).limit(1))


def list_own_cases(actor: Actor, state: str | None = None, kind: str | None = None):
    stmt = select(FeedbackCase).where(own_records(actor, FeedbackCase))
    if state:
        stmt = stmt.where(FeedbackCase.state == state)
    if kind:
        stmt = stmt.where(FeedbackCase.kind == kind)
    return stmt.order_by(FeedbackCase.submitted_at.desc(), FeedbackCase.id.desc())


def give_satisfaction(session: Session, actor: Actor, clock, rules: Rules, case_id: int, verdict: str,
                      comment: str | None = None) -> FeedbackCase:
    """满意 / 基本满意 close the case; 不满意 reopens it once, the second time closes it."""
    if verdict not in SATISFACTION:
        raise InvalidCase("满意度只能是满意、基本满意或不满意", errors={"satisfaction": ["取值不正确"]})
    case = load_visible_case(session, actor, case_id)
    if case.state != "replied":
        raise CaseStateConflict("只有已答复的诉求可以评价满意度")
    now = clock.now()
    if verdict == "unsatisfied" and case.reopen_count == 0:
        return reopen_case(session, actor, clock, rules, case, comment or "市民对答复不满意")
    return close_case(session, actor, clock, rules, case, verdict, comment, now)


def reopen(session: Session, actor: Actor, clock, rules: Rules, case_id: int, reason: str) -> FeedbackCase:
    case = load_visible_case(session, actor, case_id)
    if case.state != "replied":
        raise CaseStateConflict("只有已答复的诉求可以重新办理")
    if case.reopen_count >= 1:
        raise CaseStateConflict("诉求只能重新办理一次", code="feedback.reopen_used")
    return reopen_case(session, actor, clock, rules, case, reason)


def case_photo_upload_ids(session: Session, case_ids: list[int]) -> dict[int, list[int]]:
    """The photos of several cases in one query, in their order: {case_id: [upload_id, ...]}."""
    photos: dict[int, list[int]] = {case_id: [] for case_id in case_ids}
    if case_ids:
        for case_id, upload_id in session.execute(
                select(FeedbackCasePhoto.case_id, FeedbackCasePhoto.upload_id)
                .where(FeedbackCasePhoto.case_id.in_(case_ids))
                .order_by(FeedbackCasePhoto.case_id, FeedbackCasePhoto.position)):
            photos[case_id].append(upload_id)
    return photos
