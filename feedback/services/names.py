"""Names for statistics rows: departments (the catalogue's, else the fixed
list), halls and windows (booking), items (the catalogue), staff display
names (identity). A package that is not installed leaves its names empty."""

from __future__ import annotations

import importlib.util

from sqlalchemy.orm import Session

from identity.staff_directory import staff_facts

from ..taxonomy import DEPARTMENTS


def _installed(package: str) -> bool:
    return importlib.util.find_spec(package) is not None


def _departments(session: Session, codes) -> dict:
    names = {code: DEPARTMENTS.get(code) for code in codes}
    if _installed("guides"):
        from guides.services.catalogue import get_department

        for code in codes:
            department = get_department(session, code)
            if department is not None:
                names[code] = department.name
    return names


def _items(session: Session, codes) -> dict:
    if not _installed("guides"):
        return {}
    from guides.services.catalogue import get_published_item

    return {code: getattr(get_published_item(session, code), "name", None) for code in codes}


def _places(session: Session, halls=(), windows=()):
    if not _installed("booking"):
        return {}, {}
    from booking.services.setup import place_names

    return place_names(session, halls, windows)


def names_for(session: Session, group_by: str, keys) -> dict:
    """{key: name or None} for the keys of one grouping."""
    keys = [k for k in keys if k is not None]
    if group_by == "department":
        return _departments(session, keys)
    if group_by == "hall":
        return _places(session, halls=keys)[0]
    if group_by == "window":
        return _places(session, windows=keys)[1]
    if group_by == "item":
        return _items(session, keys)
    if group_by == "staff":
        return {staff_id: facts["display_name"] for staff_id, facts in staff_facts(session, keys).items()}
    return {}
