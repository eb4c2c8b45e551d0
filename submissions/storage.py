"""Where material files live: a small storage interface and its default, a
content-addressed local directory.

Uploads are streamed: the incoming stream is copied to a temporary file in
chunks while it is hashed and counted, so a worker never holds a whole file in
memory; the file is then checked by content (magic bytes plus a real parse) and
renamed into place under its SHA-256. A name can never point at other bytes,
and the same scan uploaded twice is stored once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from PIL import Image, UnidentifiedImageError

from .errors import FileRejected, FileTooLarge

CONTENT_TYPES = ("image/jpeg", "image/png", "application/pdf")
_PDF_TAIL_BYTES = 2048  # %%EOF may be followed by a few bytes of whitespace or a linearisation tail


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    content_type: str


@dataclass(frozen=True)
class StagedBlob:
    """Checked bytes not yet in the store (`keep` puts them there, `discard` drops them)."""
    blob: StoredBlob
    tmp: Path


class FileStorage(Protocol):
    def put_stream(self, stream: BinaryIO, max_bytes: int, chunk_bytes: int) -> StoredBlob: ...

    def stage(self, stream: BinaryIO, max_bytes: int, chunk_bytes: int) -> StagedBlob: ...

    def keep(self, staged: StagedBlob) -> None: ...

    def discard(self, staged: StagedBlob) -> None: ...

    def open(self, sha256: str) -> BinaryIO: ...

    def exists(self, sha256: str) -> bool: ...


def sniff_file(path: Path) -> str | None:
    """The content type of a JPEG, PNG or PDF recognised by its content, or None.
    The name and the client's declared type are ignored."""
    with open(path, "rb") as handle:
        head = handle.read(16)
        if head.startswith(b"%PDF-"):
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - _PDF_TAIL_BYTES))
            return "application/pdf" if b"%%EOF" in handle.read() else None
    for signature, content_type, pil_format in ((b"\xff\xd8\xff", "image/jpeg", "JPEG"),
                                                (b"\x89PNG\r\n\x1a\n", "image/png", "PNG")):
        if head.startswith(signature):
            try:
                with Image.open(path) as image:  # reads lazily from disk
                    if image.format != pil_format:
                        return None
                    image.verify()
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
                return None
            return content_type
    return None


class LocalContentStore:
    """Files under `root/ab/cd/<sha256>`."""

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

    def put_stream(self, stream: BinaryIO, max_bytes: int, chunk_bytes: int) -> StoredBlob:
        staged = self.stage(stream, max_bytes, chunk_bytes)
        self.keep(staged)
        return staged.blob

    def stage(self, stream: BinaryIO, max_bytes: int, chunk_bytes: int) -> StagedBlob:
        """Copy, hash and check the stream in one pass, leaving it outside the
        store: a request carrying several files keeps them all or none."""
        incoming = self.root / ".incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=incoming, prefix="upload-")
        tmp = Path(tmp_name)
        try:
            digest = hashlib.sha256()
            size = 0
            with os.fdopen(fd, "wb") as out:
                while True:
                    chunk = stream.read(chunk_bytes)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLarge(f"单个文件不能超过 {max_bytes // (1024 * 1024)} MB",
                                           errors={"file": ["文件过大"]})
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0:
                raise FileRejected("文件为空", code="submissions.file_empty", errors={"file": ["文件为空 (0 字节)"]})
            content_type = sniff_file(tmp)
            if content_type is None:
                raise FileRejected("只接受 JPEG、PNG 或 PDF 文件，且文件内容须完整有效（按内容识别，与文件名无关）",
                                   code="submissions.file_type_rejected",
                                   errors={"file": ["不是有效的 JPEG、PNG 或 PDF 文件"]})
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return StagedBlob(StoredBlob(digest.hexdigest(), size, content_type), tmp)

    def keep(self, staged: StagedBlob) -> None:
        target = self.path_for(staged.blob.sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged.tmp, target)  # atomic: a reader never sees half a file

    def discard(self, staged: StagedBlob) -> None:
        staged.tmp.unlink(missing_ok=True)
