"""Publishing under real concurrency (PostgreSQL): one published version per
item, one draft per item, and catalogue versions handed out in commit order."""

import copy
import threading

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from guides import services
from guides.errors import DraftExists, NotADraft
from guides.models import Department, Material, ServiceItem
from mobile_api.actor import Actor
from mobile_api.clock import SystemClock
from mobile_api.uow import working

pytestmark = pytest.mark.postgres

ADMIN = Actor(kind="staff", id=None, role="admin", department_code=None)
DEPT = "zz_race"


def make_item(code_seq: int) -> dict:
    code = f"99080{code_seq:03d}0000"[:12]
    return {
        "code": code, "implementation_code": f"441999{code}001", "name": f"并发测试事项{code_seq}",
        "name_en": f"Concurrency test item {code_seq}", "keywords_en": ["concurrency", "test", "race"],
        "department_code": DEPT, "item_type": "公共服务", "level": "city", "service_object": ["自然人"],
        "legal_basis": [{"name": "《测试条例》", "article": None}], "conditions": "测试。",
        "materials": [{"code": "M01", "name": "居民身份证", "required": True, "condition": None, "form": "原件",
                       "copies": 1, "source": "政府部门核发", "shared_waiver": False,
                       "commitment_allowed": False, "note": None}],
        "fees": [], "steps": ["受理", "办结"], "statutory_days": 5, "promised_days": 1, "visits_required": 0,
        "visits_reason": None, "online_depth": 4, "channels": ["app"], "appointment_supported": False,
        "postal_delivery": False, "cross_town": True, "in_person_required": False, "certificate_type": None,
        "consult_phone": "0769-22999999", "complaint_phone": "12345", "faqs": [], "topics": [],
        "keywords": ["并发", "测试", "竞争"], "life_events": [],
        "form_fields": [{"name": "note", "label": "备注", "type": "text", "required": False, "validation": {}}],
        "effective_date": "2026-01-01",
    }


@pytest.fixture
def new_session(engine):
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as s:
        s.add(Department(code=DEPT, number=99, name="并发测试部门", short_name="并发"))
        s.commit()
    yield factory
    with factory() as s:
        ids = select(ServiceItem.id).where(ServiceItem.department_code == DEPT)
        s.execute(delete(Material).where(Material.item_id.in_(ids)))
        s.execute(delete(ServiceItem).where(ServiceItem.department_code == DEPT))
        s.execute(delete(Department).where(Department.code == DEPT))
        s.commit()


def run_together(n, fn):
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - the outcome is what we test
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_admins_publishing_the_same_draft_make_one_version(new_session):
    clock = SystemClock()
    with new_session() as s, working(s, clock):
        services.create_draft(s, ADMIN, clock, make_item(1))

    def publish(_):
        with new_session() as s, working(s, clock):
            return services.publish(s, ADMIN, clock, "990800010000").version

    results = run_together(4, publish)
    versions = [r for r in results if isinstance(r, int)]
    assert len(versions) == 1, results
    assert all(isinstance(r, NotADraft) for r in results if not isinstance(r, int))
    with new_session() as s:
        published = s.scalars(select(ServiceItem).where(ServiceItem.code == "990800010000",
                                                        ServiceItem.status == "published")).all()
        assert len(published) == 1


def test_two_admins_starting_a_draft_at_once_get_one(new_session):
    clock = SystemClock()
    def create(_):
        with new_session() as s, working(s, clock):
            return services.create_draft(s, ADMIN, clock, make_item(2)).id

    results = run_together(4, create)
    assert sum(isinstance(r, int) for r in results) == 1, results
    assert all(isinstance(r, (int, DraftExists)) for r in results), results


def test_parallel_publishes_get_distinct_consecutive_versions(new_session):
    clock = SystemClock()
    codes = []
    with new_session() as s, working(s, clock):
        for seq in range(10, 16):
            codes.append(services.create_draft(s, ADMIN, clock, make_item(seq)).code)
        start = services.catalogue_version(s)

    def publish(i):
        with new_session() as s, working(s, clock):
            return services.publish(s, ADMIN, clock, codes[i]).version

    versions = run_together(len(codes), publish)
    assert all(isinstance(v, int) for v in versions), versions
    assert sorted(versions)[0] > start
    assert len(set(versions)) == len(versions)
    with new_session() as s:
        changes = services.changes_since(s, start)
        assert sorted(i.code for i in changes.items) == sorted(codes)
