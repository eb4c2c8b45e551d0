"""Separate, explicit consent to process face data (PIPL art. 29: sensitive
personal information). No consent for the current text, no processing."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mobile_api import audit
from mobile_api.actor import Actor

from .errors import ConsentRequired, ConsentVersionMismatch
from .models import FaceConsent

# A new wording gets a new version: everyone consents again before the next check.
CONSENT_TEXT_VERSION = "2026-11-v1"
CONSENT_TEXT = (
    "为核验您的身份, 本平台将在您本次办理业务时采集您的人脸图像, 提取人脸特征并与您身份证件的"
    "底库照片特征比对。人脸信息属于敏感个人信息, 仅用于本人身份核验, 核验完成后立即删除采集的"
    "图像 (另行配置加密留存的除外, 到期自动删除); 底库特征加密保存, 注销账号时删除。"
    "您可以拒绝, 拒绝后可到服务窗口由工作人员核验身份办理。"
)


def has_consent(session: Session, citizen_id: int, text_version: str = CONSENT_TEXT_VERSION) -> bool:
    stmt = select(FaceConsent.id).where(FaceConsent.citizen_id == citizen_id,
                                        FaceConsent.text_version == text_version,
                                        FaceConsent.withdrawn_at.is_(None), FaceConsent.erased_at.is_(None))
    return session.scalar(stmt) is not None


def require_consent(session: Session, citizen_id: int) -> None:
    if not has_consent(session, citizen_id):
        raise ConsentRequired("处理人脸信息前须取得您的单独同意, 请先阅读并同意《人脸信息处理告知》")


def give_consent(session: Session, actor: Actor, clock, text_version: str) -> FaceConsent:
    """Record consent to the current text; giving it again changes nothing."""
    if text_version != CONSENT_TEXT_VERSION:
        raise ConsentVersionMismatch(f"告知书已更新为 {CONSENT_TEXT_VERSION} 版, 请阅读新版本后再同意",
                                     extra={"current_version": CONSENT_TEXT_VERSION})
    now = clock.now()
    consent = FaceConsent(citizen_id=actor.id, text_version=text_version, consented_at=now,
                          channel=actor.channel, ip=actor.ip)
    try:
        # The unique (citizen, version) pair makes a repeat a no-op; a
        # savepoint keeps the rest of the unit of work.
        with session.begin_nested():
            session.add(consent)
    except IntegrityError:
        consent = session.scalar(select(FaceConsent).where(FaceConsent.citizen_id == actor.id,
                                                           FaceConsent.text_version == text_version))
        if consent.withdrawn_at is None:
            return consent  # given before: nothing changes
        consent.withdrawn_at = None  # consenting again after a withdrawal
        consent.consented_at, consent.channel, consent.ip = now, actor.channel, actor.ip
    audit.record(session, actor, "identity.face_consent", "citizen", actor.id,
                 {"text_version": text_version}, at=now)
    return consent


def withdraw_consent(session: Session, actor: Actor, clock) -> bool:
    """Withdraw consent: no more face processing, and the reference template
    of the citizen's declared ID number is deleted (it was collected under
    this consent). Returns whether there was a consent to withdraw."""
    from ..real_name import record_for
    from .models import FaceTemplate

    now = clock.now()
    withdrawn = session.execute(update(FaceConsent)
                                .where(FaceConsent.citizen_id == actor.id, FaceConsent.withdrawn_at.is_(None),
                                       FaceConsent.erased_at.is_(None))
                                .values(withdrawn_at=now)).rowcount
    record = record_for(session, actor.id)
    templates = 0
    if record is not None:
        templates = session.execute(delete(FaceTemplate)
                                    .where(FaceTemplate.id_number_index == record.id_number_index)).rowcount
    if withdrawn or templates:
        audit.record(session, actor, "identity.face_consent_withdraw", "citizen", actor.id,
                     {"consents": withdrawn, "templates_deleted": templates}, at=now)
    return bool(withdrawn)
