import io

import pytest
from PIL import Image

from mobile_api.files import JPEG, PDF, PNG, ContentAddressedDirectory, sniff_bytes, sniff_path


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buffer, fmt)
    return buffer.getvalue()


def test_images_are_recognised_by_content_and_broken_ones_refused():
    assert sniff_bytes(_image("JPEG")) == JPEG
    assert sniff_bytes(_image("PNG")) == PNG
    assert sniff_bytes(_image("PNG")[:30]) is None  # truncated
    assert sniff_bytes(b"\xff\xd8\xff" + b"not really a jpeg") is None
    assert sniff_bytes(b"%PDF-1.7 ...%%EOF") is None  # a PDF is not an image
    assert sniff_bytes(_image("PNG"), allowed=(JPEG,)) is None


def test_pdfs_need_their_trailer(tmp_path):
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    bad.write_bytes(b"%PDF-1.7\n1 0 obj<<>>endobj\n")
    assert sniff_path(good) == PDF
    assert sniff_path(bad) is None
    assert sniff_path(good, allowed=(JPEG, PNG)) is None


def test_store_is_content_addressed_and_atomic(tmp_path):
    store = ContentAddressedDirectory(tmp_path)
    data = _image("PNG")
    digest = store.put_bytes(data)
    assert store.put_bytes(data) == digest  # stored once
    assert store.read(digest) == data and store.exists(digest)
    assert not list((tmp_path / ".incoming").glob("*"))
    store.delete(digest)
    assert store.read(digest) is None
    with pytest.raises(ValueError):
        store.path_for("../../etc/passwd")
