"""Liveness by challenge: the citizen performs a random sequence of head
movements, measured from landmarks in the frames. A deterrent against a
printed photo or a replayed picture, not a certified presentation-attack
detector (see docs/identity-face.md)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import numpy as np

from . import engine

ACTION_LABELS = {
    "turn_left": "向左转头",
    "turn_right": "向右转头",
    "face_front": "正视镜头",
}
TURNS = ("turn_left", "turn_right")

DARK_MEAN = 45.0  # mean grey of the face below this: too dark (measured: normal 110–150, dimmed 17–23)
BRIGHT_MEAN = 235.0
BLUR_SHARPNESS = 40.0  # Laplacian variance below this: blurred (measured: sharp 228–691, blurred 7–14)


@dataclass
class FrameObservation:
    index: int
    face: engine.FaceFound | None
    yaw: float | None
    problem: str | None  # Chinese reason when the frame is unusable


@dataclass(frozen=True)
class LivenessSettings:
    detect_max_side: int = 640
    min_face_px: int = 100
    turn_yaw: float = 0.08
    front_yaw: float = 0.04


def observe_frame(index: int, rgb: np.ndarray, settings: LivenessSettings) -> FrameObservation:
    height, width = rgb.shape[:2]
    faces = engine.detect_faces(rgb, settings.detect_max_side)
    if not faces:
        return FrameObservation(index, None, None, "未检测到人脸")
    if len(faces) > 1:
        return FrameObservation(index, None, None, f"检测到 {len(faces)} 张人脸, 画面中只能有本人")
    face = faces[0]
    if engine.is_partial(face, width, height):
        return FrameObservation(index, face, None, "人脸不完整, 请将整张脸置于画面中")
    if face.size < settings.min_face_px:
        return FrameObservation(index, face, None, "人脸过小, 请靠近镜头")
    grey = engine.face_grey(rgb, face)
    brightness = float(grey.mean())
    if brightness < DARK_MEAN:
        return FrameObservation(index, face, None, "光线过暗")
    if brightness > BRIGHT_MEAN:
        return FrameObservation(index, face, None, "光线过亮")
    if engine.sharpness(grey) < BLUR_SHARPNESS:
        return FrameObservation(index, face, None, "画面模糊, 请保持稳定")
    return FrameObservation(index, face, engine.yaw_ratio(face.points), None)


def action_of(yaw: float, settings: LivenessSettings) -> str | None:
    if yaw >= settings.turn_yaw:
        return "turn_left"
    if yaw <= -settings.turn_yaw:
        return "turn_right"
    if abs(yaw) <= settings.front_yaw:
        return "face_front"
    return None  # between: neither clearly turned nor clearly frontal


def actions_seen_in_order(observed: list[str | None], required: list[str]) -> bool:
    """Each required action in some frame, in the required order (frames
    between them may show anything)."""
    position = 0
    for action in observed:
        if position < len(required) and action == required[position]:
            position += 1
    return position == len(required)


def random_actions(allowed: list[str], minimum: int, maximum: int) -> list[str]:
    """At least `minimum` actions, no action twice in a row, at least one turn
    (a photo can face front, it cannot turn)."""
    rng = secrets.SystemRandom()
    count = rng.randint(minimum, max(minimum, maximum))
    while True:
        actions = [rng.choice(allowed)]
        while len(actions) < count:
            actions.append(rng.choice([a for a in allowed if a != actions[-1]]))
        if any(a in TURNS for a in actions):
            return actions
