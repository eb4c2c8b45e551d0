"""The catalogue's service functions that other packages code against."""

import time

from sqlalchemy import select

from guides import services
from guides.models import ServiceItem
from mobile_api.audit import AuditEntry


def test_load_sample_catalogue_is_fast_complete_and_idempotent(session, clock):
    started = time.perf_counter()
    summary = services.load_sample_catalogue(session, clock)
    elapsed = time.perf_counter() - started
    assert summary["loaded"] is True
    data = services.read_sample_data()
    items = services.list_published_items(session)
    assert len(items) == len(data.items) == summary["items"]
    assert elapsed < 5  # generous: a sanity bound, the benchmark measures speed
    again = services.load_sample_catalogue(session, clock)
    assert again["loaded"] is False
    assert len(services.list_published_items(session)) == len(items)
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "guides.catalogue_load")) is not None


def test_published_item_carries_the_contract_fields(session, clock):
    services.load_sample_catalogue(session, clock)
    _, raw = services.read_sample_data().items[0]
    item = services.get_published_item(session, raw["code"])
    assert item is not None and item.status == "published" and item.version >= 1
    assert item.name == raw["name"] and item.online_depth == raw["online_depth"]
    assert [m.code for m in item.materials] == [m["code"] for m in raw["materials"]]
    assert all(m.id is not None for m in item.materials)
    assert item.form_fields == raw["form_fields"]
    assert services.get_department(session, item.department_code).short_name
    assert services.get_published_item(session, "999999999999") is None
