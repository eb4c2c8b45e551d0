"""Reading uploaded frames safely: size limits before decoding, only JPEG and
PNG, truncated files refused (not silently padded), EXIF orientation applied."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from .errors import BadImage, ImageTooLarge

ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


@dataclass
class DecodedImage:
    rgb: np.ndarray  # height x width x 3, uint8
    width: int
    height: int
    pixel_digest: str  # sha256 of the decoded pixels: re-encoding the same file still matches
    data: bytes  # the original bytes, only for an encrypted retention if configured


def _looks_truncated(data: bytes, fmt: str) -> bool:
    tail = data.rstrip(b"\x00\r\n ")
    if fmt == "JPEG":
        return not tail.endswith(b"\xff\xd9")
    if fmt == "PNG":
        return b"IEND" not in tail[-16:]
    return False


def decode_image(data: bytes, label: str, max_bytes: int, max_side: int) -> DecodedImage:
    """`label` names the field in error messages (e.g. "frames[2]")."""
    if len(data) > max_bytes:
        raise ImageTooLarge(f"{label} 超过 {max_bytes // (1024 * 1024)} MB", errors={label: ["图片过大"]})
    if not data:
        raise BadImage(f"{label} 是空文件", errors={label: ["空文件"]})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            fmt = image.format
            if fmt not in ALLOWED_FORMATS:
                raise BadImage(f"{label} 不是 JPEG 或 PNG 图片", errors={label: ["仅支持 JPEG 或 PNG"]})
            # The header is read, the pixels are not: refuse huge images before decoding them.
            if image.width > max_side or image.height > max_side:
                raise ImageTooLarge(f"{label} 的边长超过 {max_side} 像素",
                                    errors={label: [f"边长不能超过 {max_side} 像素"]})
            if _looks_truncated(data, fmt):
                raise BadImage(f"{label} 文件不完整", errors={label: ["图片文件不完整 (被截断)"]})
            image.load()
            image = ImageOps.exif_transpose(image)
            rgb = np.asarray(image.convert("RGB"))
    except (BadImage, ImageTooLarge):
        raise
    except Exception as exc:  # noqa: BLE001 - any decoder failure on uploaded bytes is the upload's fault
        raise BadImage(f"{label} 无法识别为图片", errors={label: ["无法读取图片"]}) from exc
    height, width = rgb.shape[:2]
    if width > max_side or height > max_side:  # after EXIF rotation, to be sure
        raise ImageTooLarge(f"{label} 的边长超过 {max_side} 像素", errors={label: [f"边长不能超过 {max_side} 像素"]})
    digest = hashlib.sha256(f"{width}x{height}:".encode() + rgb.tobytes()).hexdigest()
    return DecodedImage(rgb=rgb, width=width, height=height, pixel_digest=digest, data=data)
