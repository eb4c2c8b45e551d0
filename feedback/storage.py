"""A small content-addressed store for photos under FEEDBACK_STORAGE_DIR.

Files are named by their SHA-256, so the same photo uploaded twice is stored
once and a name can never point at different bytes. Writes go to a temporary
file first and are renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

from PIL import Image, UnidentifiedImageError

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
)


def sniff_image(data: bytes) -> str | None:
    """The content type of a JPEG or PNG recognised by its content (magic bytes,
    then a full decode check), or None. The client's declared type is ignored."""
    for signature, content_type, pil_format in _SIGNATURES:
        if data.startswith(signature):
            try:
                with Image.open(io.BytesIO(data)) as image:
                    if image.format != pil_format:
                        return None
                    image.verify()
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
                return None
            return content_type
    return None


class ContentStore:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, digest: str) -> Path:
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError("not a sha256 hex digest")
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def read(self, digest: str) -> bytes | None:
        path = self._path(digest)
        return path.read_bytes() if path.exists() else None

    def delete(self, digest: str) -> None:
        self._path(digest).unlink(missing_ok=True)
