"""Unmet demand: searches that found nothing are counted without personal
data, one client cannot flood the table, old rows go, and
`flask guides unmet --since 7d` shows them."""

from datetime import timedelta

from sqlalchemy import select

from guides.models import UnmetQuery
from guides.services import unmet


def rows(session):
    session.expire_all()
    return {r.query: r for r in session.scalars(select(UnmetQuery))}


def test_an_unmet_query_is_counted_per_day_without_digits(client, catalogue, session):
    for _ in range(2):
        body = client.get("/api/v1/guides/items",
                          query_string={"q": "zzqq 440102199001011234 13812345678 飞船"}).json
        assert body["matched"] is False
    found = rows(session)
    assert list(found) == ["zzqq 飞船"]
    assert found["zzqq 飞船"].count == 2 and found["zzqq 飞船"].language == "zh"


def test_a_matched_query_or_a_filtered_one_is_not_logged(client, catalogue, session):
    client.get("/api/v1/guides/items", query_string={"q": "身份证丢了"})
    client.get("/api/v1/guides/items", query_string={"q": "zzqqxx", "department": "gongan"})
    client.get("/api/v1/guides/items", query_string={"q": "zzqqxx", "page": 2})
    assert rows(session) == {}


def test_one_client_cannot_flood_the_table(app, client, catalogue, session):
    app.config["GUIDES_UNMET_PER_CLIENT_PER_HOUR"] = 3
    for n in range(6):
        client.get("/api/v1/guides/items", query_string={"q": f"qqzz{'x' * n}"})
    assert len(rows(session)) == 3


def test_scrub_removes_what_could_identify_a_person():
    assert unmet.scrub("身份证 44010219900101123X 丢了") == "身份证 丢了"
    assert unmet.scrub("电话13812345678 邮箱 a.b@example.com") == "电话 邮箱"
    assert unmet.scrub("粤S12345 违章") == "粤s 违章"
    assert unmet.scrub("１２３４") == ""  # full-width digits too


def test_old_rows_are_purged_and_the_cli_lists_recent_ones(app, session, clock, redis_client):
    now = clock.now()
    for days_ago, text in ((0, "宠物登记"), (3, "宠物登记"), (400, "很久以前")):
        session.add(UnmetQuery(query=text, day=(now - timedelta(days=days_ago)).date(), language="zh",
                               count=2, first_seen_at=now, last_seen_at=now))
    session.commit()
    result = app.test_cli_runner().invoke(args=["guides", "unmet", "--since", "7d"])
    assert result.exit_code == 0, result.output
    assert "宠物登记" in result.output and "很久以前" not in result.output
    line = next(line for line in result.output.splitlines() if "宠物登记" in line)
    assert line.split()[:2] == ["4", "2"]  # asked 4 times over 2 days
    purged = app.test_cli_runner().invoke(args=["guides", "unmet", "--purge"])
    assert "purged 1 rows" in purged.output
    assert set(rows(session)) == {"宠物登记"}
    assert app.test_cli_runner().invoke(args=["guides", "unmet", "--since", "soon"]).exit_code == 2


def test_recording_purges_once_a_day(app, session, clock, redis_client):
    old = clock.now() - timedelta(days=app.config["GUIDES_UNMET_RETENTION_DAYS"] + 1)
    session.add(UnmetQuery(query="旧的", day=old.date(), language="zh", count=1, first_seen_at=old, last_seen_at=old))
    session.flush()
    assert unmet.record(session, redis_client, query="新的查询", language="zh", client="t", now=clock.now(),
                        per_client_per_hour=10, retention_days=app.config["GUIDES_UNMET_RETENTION_DAYS"])
    assert set(rows(session)) == {"新的查询"}


def test_redis_down_means_no_log_but_an_answer(session, clock):
    class Down:
        def pipeline(self):
            raise ConnectionError("redis down")

    assert unmet.record(session, Down(), query="随便查查", language="zh", client="t", now=clock.now(),
                        per_client_per_hour=10, retention_days=30) is False
    assert rows(session) == {}
