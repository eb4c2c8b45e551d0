"""Personal data inside application forms: ID numbers and phone numbers are
encrypted at rest and shown masked (DESIGN rule 6).

A form is stored as JSON; a sensitive value is replaced by
`{"$sealed": <ciphertext>, "kind": "id_number" | "phone"}`. Services unseal
it where the real value is needed (validation, the certificate) and answers
show it masked, to the citizen and to staff alike.
"""

from __future__ import annotations

from mobile_api.crypto import PersonalDataCipher, mask_id_number, mask_phone

SENSITIVE_TYPES = ("id_number", "phone")
_SEALED = "$sealed"
_MASKS = {"id_number": mask_id_number, "phone": mask_phone}


def _context(name: str) -> str:
    return f"submissions.form.{name}"


def _is_sealed(value) -> bool:
    return isinstance(value, dict) and _SEALED in value


def seal(fields: list[dict], form: dict, cipher: PersonalDataCipher | None = None) -> dict:
    kinds = {f["name"]: f.get("type") for f in fields if f.get("type") in SENSITIVE_TYPES}
    if not kinds:
        return dict(form)
    sealed = {}
    for name, value in form.items():
        if name in kinds and isinstance(value, str) and value:
            cipher = cipher or app_cipher()
            sealed[name] = {_SEALED: cipher.encrypt(value, _context(name)), "kind": kinds[name]}
        else:
            sealed[name] = value
    return sealed


def unseal(form: dict | None, cipher: PersonalDataCipher | None = None) -> dict:
    form = form or {}
    if not any(_is_sealed(v) for v in form.values()):
        return dict(form)
    cipher = cipher or app_cipher()
    return {name: cipher.decrypt(value[_SEALED], _context(name)) if _is_sealed(value) else value
            for name, value in form.items()}


def masked(form: dict | None, cipher: PersonalDataCipher | None = None) -> dict:
    """The form as answers show it: sensitive values masked."""
    form = form or {}
    shown = {}
    for name, value in form.items():
        if _is_sealed(value):
            cipher = cipher or app_cipher()
            shown[name] = _MASKS[value["kind"]](cipher.decrypt(value[_SEALED], _context(name)))
        else:
            shown[name] = value
    return shown


def keep_masked_values(new_form: dict, stored: dict | None, cipher: PersonalDataCipher | None = None) -> dict:
    """A client edits a form by sending back what it was shown; a sensitive
    value sent back still masked means "unchanged", so keep the stored one."""
    stored = stored or {}
    restored = dict(new_form)
    for name, value in new_form.items():
        old = stored.get(name)
        if _is_sealed(old) and isinstance(value, str):
            cipher = cipher or app_cipher()
            plain = cipher.decrypt(old[_SEALED], _context(name))
            if value == _MASKS[old["kind"]](plain):
                restored[name] = plain
    return restored


def app_cipher() -> PersonalDataCipher:
    from flask import current_app

    return current_app.extensions["cipher"]
