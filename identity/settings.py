"""Settings of the identity package (real name, face checks, step-up)."""

from mobile_api.settings import Setting


def parse_channel_map(raw: str) -> dict[str, str]:
    """`kiosk:local,miniprogram:wechat` -> {"kiosk": "local", "miniprogram": "wechat"}."""
    result = {}
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        channel, sep, method = part.partition(":")
        if not sep or not channel.strip() or not method.strip():
            raise ValueError(f"entries look like channel:method, got {part!r}")
        result[channel.strip()] = method.strip()
    return result


SETTINGS = [
    Setting("IDENTITY_STEP_UP_TTL_SECONDS", 300, int, "人脸核身通过后签发的短期凭证有效秒数"),
    Setting("IDENTITY_FACE_VERIFIER_BY_CHANNEL",
            {"kiosk": "local", "window": "local", "miniprogram": "wechat", "app": "local"},
            parse_channel_map, "各渠道使用的人脸核身实现 (local | wechat), 如 kiosk:local,miniprogram:wechat"),
    Setting("IDENTITY_FACE_MATCH_THRESHOLD", 0.5, float,
            "比对阈值: 人脸特征欧氏距离不超过此值视为同一人 (见 docs/identity-face.md 的测量)"),
    Setting("IDENTITY_FACE_REPLAY_DISTANCE", 0.15, float,
            "与底库特征的距离低于此值的帧视为底库照片本身的翻拍/重放"),
    Setting("IDENTITY_FACE_CHALLENGE_TTL_SECONDS", 60, int, "动作挑战有效秒数"),
    Setting("IDENTITY_FACE_CHALLENGE_MIN_ACTIONS", 2, int, "每个挑战至少包含的动作数"),
    Setting("IDENTITY_FACE_CHALLENGE_MAX_ACTIONS", 3, int, "每个挑战至多包含的动作数"),
    Setting("IDENTITY_FACE_CHALLENGE_ACTIONS", ["turn_left", "turn_right", "face_front"],
            lambda raw: [a.strip() for a in raw.split(",") if a.strip()],
            "挑战可选的动作: turn_left, turn_right, face_front"),
    Setting("IDENTITY_FACE_MAX_FAILURES", 5, int, "时间窗内允许的核身失败次数, 达到后锁定"),
    Setting("IDENTITY_FACE_FAILURE_WINDOW_SECONDS", 24 * 3600, int, "失败次数的统计窗口秒数"),
    Setting("IDENTITY_FACE_LOCK_SECONDS", 24 * 3600, int, "失败次数过多后锁定人脸核身的秒数"),
    Setting("IDENTITY_FACE_MAX_IMAGE_BYTES", 10 * 1024 * 1024, int, "单张图片最大字节数"),
    Setting("IDENTITY_FACE_MAX_IMAGE_SIDE", 4096, int, "图片单边最大像素"),
    Setting("IDENTITY_FACE_MIN_FACE_PX", 100, int, "核身帧中人脸框的最小边长 (像素)"),
    Setting("IDENTITY_FACE_DETECT_MAX_SIDE", 640, int, "人脸检测前将帧缩小到的最长边 (像素); 特征仍按原图计算"),
    Setting("IDENTITY_FACE_TURN_YAW", 0.08, float, "判定为转头的偏航比例 (鼻尖偏离双眼中线 / 眼距)"),
    Setting("IDENTITY_FACE_FRONT_YAW", 0.04, float, "判定为正视的最大偏航比例"),
    Setting("IDENTITY_FACE_RETAIN_FRAMES_SECONDS", 0, int,
            "核身帧加密留存秒数; 0 = 判定后立即丢弃 (默认)"),
    Setting("IDENTITY_FACE_DIGEST_RETENTION_DAYS", 90, int, "用于识别重放的帧摘要保留天数"),
    Setting("IDENTITY_RATELIMIT_FACE", "10 per minute", str, "人脸核身接口的限流"),
    Setting("IDENTITY_RATELIMIT_REAL_NAME", "10 per minute", str, "实名登记接口的限流"),
]
