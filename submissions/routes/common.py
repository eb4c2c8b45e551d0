"""What every view of the package needs from the app."""

from __future__ import annotations

from flask import current_app

from mobile_api.uow import current_uow

from ..services.files import UploadLimits
from ..services.staff import StaffContext


def session():
    """The request's unit of work's session: it commits once the view has
    answered (< 400), with the idempotency record of the answer."""
    return current_uow().session


def clock():
    return current_uow().clock


def storage():
    return current_app.extensions["submissions_storage"]


def signer():
    return current_app.extensions["submissions_signer"]


def limits() -> UploadLimits:
    config = current_app.config
    return UploadLimits(config["SUBMISSIONS_MAX_FILE_BYTES"], config["SUBMISSIONS_MAX_APPLICATION_BYTES"],
                        config["SUBMISSIONS_MAX_FILES_PER_APPLICATION"], config["SUBMISSIONS_UPLOAD_CHUNK_BYTES"])


def staff_context() -> StaffContext:
    return StaffContext(current_app.config["SUBMISSIONS_WARNING_RATIO"], signer())


def warning_ratio() -> float:
    return current_app.config["SUBMISSIONS_WARNING_RATIO"]


def commitment_version() -> str:
    return current_app.config["SUBMISSIONS_COMMITMENT_TEXT_VERSION"]


def send_blob(row):
    """Stream a stored file to the client."""
    handle = storage().open(row.sha256)
    response = current_app.response_class(_chunks(handle), mimetype=row.content_type, direct_passthrough=True)
    response.headers["Content-Length"] = str(row.size)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _chunks(handle, size: int = 256 * 1024):
    with handle:
        while True:
            chunk = handle.read(size)
            if not chunk:
                return
            yield chunk
