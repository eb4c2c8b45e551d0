"""Which materials an application still lacks, and which are waived.

A required material is provided by an uploaded file, by a signed commitment
(告知承诺制, where the item allows it), or waived because the city already
holds it (shared data, looked up with the citizen's verified real-name
record). Without a verified record a "shared" material must be uploaded.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from identity.real_name import verified_identity
from mobile_api.crypto import mask_id_number, mask_name

from .catalogue import is_id_card


def citizen_identity(session: Session, citizen_id: int | None) -> dict | None:
    if citizen_id is None:
        return None
    return verified_identity(session, citizen_id)


def prefill_from_identity(fields: list[dict], form: dict, identity: dict | None) -> dict:
    """Fill the applicant's name and ID number from the verified record when the
    form asks for them and the citizen left them empty."""
    if identity is None:
        return form
    filled = dict(form)
    for field in fields:
        if field["name"] in filled:
            continue
        if field.get("type") == "id_number" and field["name"] == "id_number":
            filled["id_number"] = identity["id_number"]
        elif field["name"] == "name" and field.get("type") == "text":
            filled["name"] = identity["name"]
    return filled


def provision(item, uploaded_codes: set[str], commitments: dict, identity: dict | None) -> tuple[dict, dict]:
    """(waivers, missing): `waivers` material code -> how the city provides it;
    `missing` material code -> message, for required materials nobody provides."""
    waivers: dict[str, dict] = {}
    missing: dict[str, list[str]] = {}
    for material in item.materials:
        if material.code in uploaded_codes or material.code in commitments:
            continue
        if material.shared_waiver and identity is not None:
            if is_id_card(material):
                waivers[material.code] = {"source": "real_name", "name": material.name,
                                          "holder_name": mask_name(identity["name"]),
                                          "id_number": mask_id_number(identity["id_number"])}
            else:
                waivers[material.code] = {"source": "shared_data", "name": material.name,
                                          "looked_up_by": mask_id_number(identity["id_number"])}
            continue
        if material.required:
            hint = "（完成实名核验后可免交）" if material.shared_waiver else ""
            if material.commitment_allowed:
                hint += "（可选择告知承诺代替）"
            missing[f"materials.{material.code}"] = [f"缺少材料：{material.name}{hint}"]
    return waivers, missing
