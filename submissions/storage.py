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
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from mobile_api.files import JPEG, PDF, PNG, ContentAddressedDirectory, sniff_path

from .errors import FileRejected, FileTooLarge

CONTENT_TYPES = (JPEG, PNG, PDF)


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
    """A JPEG, PNG or PDF recognised by its content (see mobile_api.files)."""
    return sniff_path(path, CONTENT_TYPES)


class LocalContentStore(ContentAddressedDirectory):
    """Files under `root/ab/cd/<sha256>`, streamed in and checked on the way."""

    def put_stream(self, stream: BinaryIO, max_bytes: int, chunk_bytes: int) -> StoredBlob:
        staged = self.stage(stream, max_bytes, chunk_bytes)
        self.keep(staged)
        return staged.blob

    def stage(self, stream: BinaryIO, max_bytes: int, chunk_bytes: int) -> StagedBlob:
        """Copy, hash and check the stream in one pass, leaving it outside the
        store: a request carrying several files keeps them all or none."""
        fd, tmp = self.temporary_file()
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
        self.move_into_place(staged.tmp, staged.blob.sha256)  # atomic: a reader never sees half a file

    def discard(self, staged: StagedBlob) -> None:
        staged.tmp.unlink(missing_ok=True)
