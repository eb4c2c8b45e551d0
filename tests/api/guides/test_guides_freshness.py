"""A publish is searchable in every process within the check interval, without a restart."""

import copy

from guides import services
from guides.convert import item_to_data
from guides.search.build import IndexHolder
from mobile_api.actor import Actor

ADMIN = Actor(kind="staff", id=None, role="admin", department_code=None)


class FakeMonotonic:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_another_process_sees_a_publish_within_the_check_interval(session, clock, catalogue):
    tick = FakeMonotonic()
    other_process = IndexHolder(check_seconds=1.0, monotonic=tick)
    assert other_process.current(session).search("饕餮鼋鼍").hits == []

    data = copy.deepcopy(item_to_data(services.get_published_item(session, "010300010000")))
    data["keywords"] = data["keywords"][:7] + ["饕餮鼋鼍"]
    services.create_draft(session, ADMIN, clock, data)
    services.publish(session, ADMIN, clock, "010300010000")

    tick.now += 0.5  # inside the interval the process may still answer from its old index
    assert other_process.current(session).search("饕餮鼋鼍").hits == []
    tick.now += 0.6  # a second after its last check it looks at the catalogue version again
    hits = other_process.current(session).search("饕餮鼋鼍").hits
    assert [h.doc.code for h in hits] == ["010300010000"]


def test_the_index_is_not_rebuilt_when_nothing_changed(session, catalogue):
    tick = FakeMonotonic()
    holder = IndexHolder(check_seconds=1.0, monotonic=tick)
    first = holder.current(session)
    tick.now += 5
    assert holder.current(session) is first


def test_item_reads_follow_a_publish_in_another_process(session, clock, catalogue):
    tick = FakeMonotonic()
    holder = IndexHolder(check_seconds=1.0, monotonic=tick)
    etag, _ = holder.payload(session, "010300010000", lambda item: b"x")
    data = copy.deepcopy(item_to_data(services.get_published_item(session, "010300010000")))
    data["promised_days"] = 3
    services.create_draft(session, ADMIN, clock, data)
    services.publish(session, ADMIN, clock, "010300010000")
    tick.now += 1.1
    new_etag, _ = holder.payload(session, "010300010000", lambda item: str(item.promised_days).encode())
    assert new_etag != etag
