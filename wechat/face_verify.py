"""WeChat's certified 人脸核身 behind identity's FaceVerifier interface.

getVerifyId (we send the declared name and ID number and the openid) → the
mini-program runs wx.requestFacialVerify with the verify_id → it tells us it
finished → we call queryVerifyInfo and trust only its answer, never the
client's. On a pass: the real name becomes verified and a step-up token is
issued (identity.face.verifier.complete_pass).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from identity.access import owns
from identity.face.consent import has_consent
from identity.face.verifier import FaceCheckResult, FaceVerifier, complete_pass
from identity.real_name import id_number_index, record_for
from mobile_api import audit
from mobile_api.actor import Actor
from mobile_api.crypto import mask_name
from mobile_api.uow import commit_point

from .certs import ID_CARD, cert_hash
from .errors import (FaceConsentRequired, FaceVerificationClosed, FaceVerificationNotFound, RealNameRequired,
                     WeChatNotLinked)
from .models import FaceVerification, WeChatAccount

METHOD = "wechat"
# Named commit point: what was read (or written) so far ends its transaction
# before the network call, so no connection idles in a transaction (holding
# row locks) while WeChat answers.
BEFORE_CALLING_WECHAT = "no transaction stays open while WeChat answers"
PASSED = 10000
_REASONS = {
    10000: "人脸核身通过",
    10001: "核身参数与本次会话不符",
    10002: "人脸特征检测失败",
    10003: "身份证号不匹配",
    10004: "人脸与证件照比对不一致",
    90004: "未完成人脸核身（已取消或未进行）",
    90017: "人脸识别超时",
}


def _reason(verify_ret: int) -> str:
    if verify_ret in _REASONS:
        return _REASONS[verify_ret]
    if 90000 <= verify_ret < 100000:
        return f"人脸核身未完成（微信结果码 {verify_ret}）"
    return f"人脸核身未通过（微信结果码 {verify_ret}）"


def _check_declared_identity(session: Session, cipher, citizen_id: int, name: str, id_number: str) -> None:
    """The face check proves the *declared* identity: the number must be the
    declared one (its blind index) and the name must match its masked form;
    WeChat then checks name, number and face against the authority."""
    record = record_for(session, citizen_id)
    if record is None:
        raise RealNameRequired("请先登记实名信息（姓名与身份证号）后再进行人脸核身")
    if id_number_index(cipher, id_number) != record.id_number_index or mask_name(name) != record.name_masked:
        raise RealNameRequired("姓名或身份证号与已登记的实名信息不一致",
                               errors={"id_number": ["与已登记的实名信息不一致"]})


class WeChatFaceVerifier(FaceVerifier):
    method = METHOD

    def __init__(self, gateway, cipher, tokens, ttl_seconds: int, step_up_ttl: int = 300):
        self.gateway = gateway
        self.cipher = cipher
        self.tokens = tokens
        self.ttl_seconds = ttl_seconds
        self.step_up_ttl = step_up_ttl

    @classmethod
    def from_app(cls, app) -> "WeChatFaceVerifier":
        return cls(app.extensions["wechat"], app.extensions["cipher"], app.extensions["tokens"],
                   app.config["WECHAT_FACE_VERIFY_TTL_SECONDS"],
                   app.config.get("IDENTITY_STEP_UP_TTL_SECONDS", 300))

    def _openid(self, session: Session, citizen_id: int) -> str:
        openid = session.scalar(select(WeChatAccount.openid).where(
            WeChatAccount.citizen_id == citizen_id, WeChatAccount.appid == self.gateway.miniprogram_appid))
        if openid is None:
            raise WeChatNotLinked("微信人脸核身须在小程序中登录后进行")
        return openid

    def start(self, session: Session, actor: Actor, clock, submission: dict | None = None) -> dict:
        """`submission`: {"name", "id_number"}. Returns {"verify_id", "expires_in"}."""
        submission = submission or {}
        if not has_consent(session, actor.id):
            raise FaceConsentRequired("处理人脸信息前须取得您的单独同意，请先阅读并同意《人脸信息处理告知》")
        name, id_number = submission.get("name", "").strip(), submission.get("id_number", "").strip().upper()
        _check_declared_identity(session, self.cipher, actor.id, name, id_number)
        openid = self._openid(session, actor.id)
        commit_point(session, BEFORE_CALLING_WECHAT)
        out_seq_no = uuid.uuid4().hex
        answer = self.gateway.face_get_verify_id(
            out_seq_no, {"cert_type": ID_CARD, "cert_name": name, "cert_no": id_number}, openid)
        now = clock.now()
        expires_in = min(int(answer.get("expires_in") or self.ttl_seconds), self.ttl_seconds)
        check = FaceVerification(citizen_id=actor.id, verify_id=answer["verify_id"], out_seq_no=out_seq_no,
                                 cert_hash=cert_hash(ID_CARD, name, id_number), status="pending", created_at=now,
                                 expires_at=now + timedelta(seconds=expires_in))
        session.add(check)
        session.flush()
        audit.record(session, actor, "wechat.face_verify_start", "face_verification", check.id, at=now)
        return {"verify_id": check.verify_id, "expires_in": expires_in}

    def finish(self, session: Session, actor: Actor, clock, submission: dict):
        """`submission`: {"verify_id", "client_result"?}; the client's result
        is recorded, never believed."""
        check = session.scalar(select(FaceVerification).where(
            FaceVerification.verify_id == submission.get("verify_id")))
        if check is None or not owns(actor, check.citizen_id):
            raise FaceVerificationNotFound("人脸核身会话不存在")
        now = clock.now()
        if check.status != "pending":
            raise FaceVerificationClosed("本次人脸核身已有结果，请重新发起")
        if check.expires_at <= now:
            raise FaceVerificationClosed("本次人脸核身已过期，请重新发起")
        openid = self._openid(session, actor.id)
        commit_point(session, BEFORE_CALLING_WECHAT)
        verify_ret = self.gateway.face_query(check.verify_id, check.out_seq_no, check.cert_hash, openid)
        passed = verify_ret == PASSED
        decided = session.execute(update(FaceVerification)
                                  .where(FaceVerification.id == check.id, FaceVerification.status == "pending")
                                  .values(status="passed" if passed else "failed", verify_ret=verify_ret,
                                          finished_at=now)).rowcount == 1
        if not decided:
            raise FaceVerificationClosed("本次人脸核身已有结果，请重新发起")
        audit.record(session, actor, "wechat.face_verify_finish", "face_verification", check.id,
                     {"passed": passed, "verify_ret": verify_ret,
                      "client_result": str(submission.get("client_result"))[:32]}, at=now)
        token = None
        if passed:
            # The verdict, the verified real name and the audit entries commit
            # together with the request's unit of work.
            token, _ = complete_pass(session, self.tokens, actor, clock, METHOD, self.step_up_ttl)
        reasons = [_reason(verify_ret)]
        return FaceCheckResult(passed=passed, method=METHOD, reasons=reasons, attempt_id=check.id,
                               step_up_token=token, step_up_expires_in=self.step_up_ttl if token else None)
