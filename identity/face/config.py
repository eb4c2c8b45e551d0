"""The face-check settings as one value, so services take no Flask config."""

from __future__ import annotations

from dataclasses import dataclass

from .liveness import ACTION_LABELS, LivenessSettings


@dataclass(frozen=True)
class FaceConfig:
    match_threshold: float = 0.5
    replay_distance: float = 0.15
    challenge_ttl_seconds: int = 60
    min_actions: int = 2
    max_actions: int = 3
    allowed_actions: tuple[str, ...] = ("turn_left", "turn_right", "face_front")
    max_failures: int = 5
    failure_window_seconds: int = 24 * 3600
    lock_seconds: int = 24 * 3600
    max_image_bytes: int = 10 * 1024 * 1024
    max_image_side: int = 4096
    retain_frames_seconds: int = 0
    digest_retention_days: int = 90
    step_up_ttl_seconds: int = 300
    min_frames: int = 3
    max_frames: int = 6
    liveness: LivenessSettings = LivenessSettings()

    @classmethod
    def from_app_config(cls, c) -> "FaceConfig":
        actions = tuple(c["IDENTITY_FACE_CHALLENGE_ACTIONS"])
        unknown = [a for a in actions if a not in ACTION_LABELS]
        if unknown or not any(a in ("turn_left", "turn_right") for a in actions):
            raise ValueError(f"IDENTITY_FACE_CHALLENGE_ACTIONS: unknown {unknown} or no turn")
        return cls(
            match_threshold=float(c["IDENTITY_FACE_MATCH_THRESHOLD"]),
            replay_distance=float(c["IDENTITY_FACE_REPLAY_DISTANCE"]),
            challenge_ttl_seconds=int(c["IDENTITY_FACE_CHALLENGE_TTL_SECONDS"]),
            min_actions=max(2, int(c["IDENTITY_FACE_CHALLENGE_MIN_ACTIONS"])),
            max_actions=int(c["IDENTITY_FACE_CHALLENGE_MAX_ACTIONS"]),
            allowed_actions=actions,
            max_failures=int(c["IDENTITY_FACE_MAX_FAILURES"]),
            failure_window_seconds=int(c["IDENTITY_FACE_FAILURE_WINDOW_SECONDS"]),
            lock_seconds=int(c["IDENTITY_FACE_LOCK_SECONDS"]),
            max_image_bytes=int(c["IDENTITY_FACE_MAX_IMAGE_BYTES"]),
            max_image_side=int(c["IDENTITY_FACE_MAX_IMAGE_SIDE"]),
            retain_frames_seconds=int(c["IDENTITY_FACE_RETAIN_FRAMES_SECONDS"]),
            digest_retention_days=int(c["IDENTITY_FACE_DIGEST_RETENTION_DAYS"]),
            step_up_ttl_seconds=int(c["IDENTITY_STEP_UP_TTL_SECONDS"]),
            liveness=LivenessSettings(detect_max_side=int(c["IDENTITY_FACE_DETECT_MAX_SIDE"]),
                                      min_face_px=int(c["IDENTITY_FACE_MIN_FACE_PX"]),
                                      turn_yaw=float(c["IDENTITY_FACE_TURN_YAW"]),
                                      front_yaw=float(c["IDENTITY_FACE_FRONT_YAW"])),
        )
