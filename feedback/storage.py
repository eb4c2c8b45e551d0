"""Case photos under FEEDBACK_STORAGE_DIR, in the shell's content-addressed
store (`mobile_api.files`); only JPEG and PNG are photos."""

from __future__ import annotations

from mobile_api.files import JPEG, PNG, ContentAddressedDirectory, sniff_bytes


def sniff_image(data: bytes) -> str | None:
    """The content type of a JPEG or PNG recognised by its content, or None."""
    return sniff_bytes(data, (JPEG, PNG))


class ContentStore(ContentAddressedDirectory):
    def put(self, data: bytes) -> str:
        return self.put_bytes(data)
