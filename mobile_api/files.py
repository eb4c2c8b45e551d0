"""Files kept outside the database: a content-addressed local directory and
recognising a file by its content.

Files are named by their SHA-256 under `root/ab/cd/<sha256>`: the same bytes
stored twice are kept once and a name can never point at other bytes. Files
are written to a temporary name in the store and renamed into place, so a
reader never sees half a file. Packages add their own rules (what they
accept, their limits and error codes) on top.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
_IMAGE_SIGNATURES = ((b"\xff\xd8\xff", JPEG, "JPEG"), (b"\x89PNG\r\n\x1a\n", PNG, "PNG"))
_PDF_TAIL_BYTES = 2048  # %%EOF may be followed by whitespace or a linearisation tail


def _image_type(source, head: bytes) -> str | None:
    for signature, content_type, pil_format in _IMAGE_SIGNATURES:
        if head.startswith(signature):
            try:
                with Image.open(source) as image:  # reads lazily
                    if image.format != pil_format:
                        return None
                    image.verify()
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
                return None
            return content_type
    return None


def sniff_path(path: Path, allowed: tuple[str, ...] = (JPEG, PNG, PDF)) -> str | None:
    """The content type of a JPEG, PNG or PDF on disk recognised by its content
    (magic bytes, then a real parse or the PDF trailer), if `allowed`; else None.
    The name and the client's declared type are ignored."""
    with open(path, "rb") as handle:
        head = handle.read(16)
        if head.startswith(b"%PDF-"):
            if PDF not in allowed:
                return None
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - _PDF_TAIL_BYTES))
            return PDF if b"%%EOF" in handle.read() else None
    found = _image_type(path, head)
    return found if found in allowed else None


def sniff_bytes(data: bytes, allowed: tuple[str, ...] = (JPEG, PNG)) -> str | None:
    """Like `sniff_path`, for an image already in memory."""
    found = _image_type(io.BytesIO(data), data[:16])
    return found if found in allowed else None


class ContentAddressedDirectory:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path_for(sha256), "rb")

    def read(self, sha256: str) -> bytes | None:
        path = self.path_for(sha256)
        return path.read_bytes() if path.exists() else None

    def delete(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def temporary_file(self) -> tuple[int, Path]:
        """A file to write into, on the store's own file system (so moving it
        into place is an atomic rename)."""
        incoming = self.root / ".incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=incoming, prefix="upload-")
        return fd, Path(name)

    def move_into_place(self, tmp: Path, sha256: str) -> None:
        target = self.path_for(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)

    def put_bytes(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        if self.exists(digest):
            return digest
        fd, tmp = self.temporary_file()
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            self.move_into_place(tmp, digest)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return digest
