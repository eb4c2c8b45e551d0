"""The decision on one set of frames: replay checks, frame quality, the
requested actions in order, the same person throughout, then a 1:1
comparison with the reference template. Cheap checks first; frames are
encoded only when everything before has passed."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import engine
from .config import FaceConfig
from .images import DecodedImage
from .liveness import ACTION_LABELS, action_of, actions_seen_in_order, observe_frame


@dataclass
class Decision:
    outcome: str  # pass | fail | rejected
    reasons: list[str] = field(default_factory=list)
    frame_errors: dict = field(default_factory=dict)  # rejected: {"frames[i]": [reason]}
    score: float | None = None


def decide(frames: list[DecodedImage], frame_digests: list[str], reference: np.ndarray,
           reference_digest: str, seen_before: set[str], actions: list[str], cfg: FaceConfig) -> Decision:
    if len(set(frame_digests)) < len(frame_digests):
        return Decision("fail", ["提交的多帧画面完全相同, 疑似使用静态图片"])
    if reference_digest in frame_digests:
        return Decision("fail", ["提交的是底库照片本身, 请对着镜头实时拍摄"])
    if seen_before.intersection(frame_digests):
        return Decision("fail", ["提交的画面与之前的核身相同, 疑似重放"])

    observations = [observe_frame(i, frame.rgb, cfg.liveness) for i, frame in enumerate(frames)]
    problems = {f"frames[{o.index}]": [o.problem] for o in observations if o.problem}
    if problems:
        summary = "; ".join(f"第 {int(k[7:-1]) + 1} 帧: {v[0]}" for k, v in problems.items())
        return Decision("rejected", [summary], problems)

    observed = [action_of(o.yaw, cfg.liveness) for o in observations]
    if not actions_seen_in_order(observed, actions):
        wanted = " → ".join(ACTION_LABELS[a] for a in actions)
        return Decision("fail", [f"未按顺序完成要求的动作: {wanted}"])

    encodings = [engine.encode(frame.rgb, o.face) for frame, o in zip(frames, observations)]
    if max(engine.distance(e, encodings[0]) for e in encodings[1:]) > cfg.match_threshold:
        return Decision("fail", ["各帧画面不是同一人"])
    distances = [engine.distance(e, reference) for e in encodings]
    score = round(1.0 - max(distances), 3)
    if min(distances) < cfg.replay_distance:
        return Decision("fail", ["画面与底库照片几乎一致, 疑似翻拍底库照片"], score=score)
    if max(distances) > cfg.match_threshold:
        return Decision("fail", ["与身份证底库照片比对不一致"], score=score)
    return Decision("pass", [], score=score)
