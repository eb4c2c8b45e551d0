"""补正 round trips, working-day deadlines across Spring Festival and its
make-up Saturdays with a pause, and the 电子监察 list."""

from __future__ import annotations

from datetime import datetime

from mobile_api.clock import LOCAL_TZ

SUPPLEMENT = {"items": [{"material_code": "M03", "reason": "照片背景不是白色"},
                        {"field": "disability_cert_no", "reason": "证号与原证不一致"}],
              "opinion": "请一次性补齐以下两项"}


def at(*args):
    return datetime(*args, tzinfo=LOCAL_TZ)


def test_supplement_before_acceptance_goes_back_to_the_desk(flow, client):
    app_id = flow.submitted()
    asked = flow.staff(flow.clerk, app_id, "request-supplement", SUPPLEMENT)
    assert asked.status_code == 200, asked.json
    mine = flow.get(app_id).json
    assert mine["status"] == "supplement_requested"
    assert [entry["name"] for entry in mine["supplement_request"]] == ["近期2寸白底免冠彩色照片", "残疾人证号"]
    assert mine["allowed_actions"] == ["submit", "withdraw"]
    # The citizen replaces the photo and corrects the field, then answers.
    old_photo = next(f for f in mine["files"] if f["material_code"] == "M03")
    assert client.delete(f"/api/v1/applications/{app_id}/materials/{old_photo['id']}",
                         headers=flow.h()).status_code == 204
    assert flow.upload(app_id, "M03").status_code == 201
    form = dict(mine["form"], disability_cert_no="44190019900307123X42")
    assert client.put(f"/api/v1/applications/{app_id}", json={"form": form}, headers=flow.h()).status_code == 200
    answered = flow.submit(app_id)
    assert answered.status_code == 200 and answered.json["status"] == "submitted"
    assert answered.json["timeline"][-1]["action"] == "resubmit"
    assert answered.json["supplement_request"] is None and answered.json["supplement_rounds"] == 1
    assert flow.staff(flow.clerk, app_id, "accept").json["status"] == "under_review"


def test_supplement_notice_must_name_real_materials_and_fields(flow):
    app_id = flow.submitted()
    wrong = flow.staff(flow.clerk, app_id, "request-supplement",
                       {"items": [{"material_code": "M99", "reason": "无此材料"}, {"reason": "什么都没指明"}]})
    assert wrong.status_code == 422 and set(wrong.json["errors"]) == {"items.0.material_code", "items.1"}
    empty = flow.staff(flow.clerk, app_id, "request-supplement", {"items": []})
    assert empty.status_code == 422
    assert flow.get(app_id).json["status"] == "submitted"


def test_deadlines_across_spring_festival_with_a_pause_for_supplement(flow, clock, client, make):
    clock.set(at(2026, 2, 9, 10))  # Monday before the 2026 Spring Festival (15–23 Feb; 14 and 28 Feb worked)
    app_id = flow.accepted()
    deadline = flow.get(app_id).json["deadline"]
    # Working days after 9 Feb: 10–14 (Sat 14th a make-up day), 24–28 (Sat 28th a make-up day).
    assert deadline["promised_due_date"] == "2026-02-28"
    assert deadline["warning_date"] == "2026-02-26"  # 8 of 10 working days used
    assert deadline["statutory_due_date"] == "2026-03-06"

    clock.set(at(2026, 2, 12, 15))  # Thursday: the approver asks for a supplement; the clocks stop
    assert flow.staff(flow.approver, app_id, "request-supplement", SUPPLEMENT).status_code == 200
    clock.set(at(2026, 2, 26, 9))
    paused = flow.get(app_id).json["deadline"]
    assert paused["flag"] == "paused" and paused["used_working_days"] == 3

    clock.set(at(2026, 2, 25, 11))  # the citizen answers on Wednesday 25th
    flow.client.put(f"/api/v1/applications/{app_id}",
                    json={"form": dict(flow.get(app_id).json["form"], disability_cert_no="44190019900307123X42")},
                    headers=flow.h())
    answered = flow.submit(app_id)
    assert answered.json["status"] == "under_review"
    resumed = answered.json["deadline"]
    # Paused working days in (12 Feb, 25 Feb]: 13, 14 (make-up), 24, 25 = 4.
    assert resumed["paused_working_days"] == 4
    assert resumed["promised_due_date"] == "2026-03-05"
    assert resumed["warning_date"] == "2026-03-03"
    assert resumed["statutory_due_date"] == "2026-03-12"  # 15 + 4 working days

    admin = make.staff("admin", "canlian")
    supervise = lambda **q: client.get("/api/v1/supervision/applications", query_string=q,
                                       headers=make.headers(admin))
    clock.set(at(2026, 3, 2, 9))
    assert supervise().json == []
    clock.set(at(2026, 3, 3, 9))
    rows = supervise().json
    assert [r["id"] for r in rows] == [app_id] and rows[0]["deadline"]["flag"] == "warning"
    assert supervise(level="overdue").json == []
    clock.set(at(2026, 3, 6, 9))
    rows = supervise(level="overdue").json
    assert [r["id"] for r in rows] == [app_id] and rows[0]["deadline"]["flag"] == "overdue"
    assert supervise(level="warning").json == []
    queue = client.get("/api/v1/staff/applications", query_string={"flag": "overdue"},
                       headers=make.headers(flow.approver))
    assert [r["id"] for r in queue.json] == [app_id]

    # Completing late is remembered, and the list forgets it.
    flow.staff(flow.approver, app_id, "approve")
    done = flow.staff(flow.approver, app_id, "complete")
    assert done.json["deadline"]["flag"] == "finished_late"
    assert supervise().json == []


def test_supervision_is_per_department_and_not_for_clerks(flow, client, make):
    clerk = client.get("/api/v1/supervision/applications", headers=make.headers(flow.clerk))
    assert clerk.status_code == 403
    other = client.get("/api/v1/supervision/applications", query_string={"department_code": "gongan"},
                       headers=make.headers(flow.approver))
    assert other.status_code == 403 and other.json["code"] == "submissions.staff_forbidden"
    platform_admin = make.staff("admin", department_code=None)
    assert client.get("/api/v1/supervision/applications", headers=make.headers(platform_admin)).status_code == 200


def test_work_queue_sorted_by_deadline(flow, clock, client):
    first = flow.accepted()
    clock.advance(days=-7)  # accepted a week earlier: due sooner
    earlier = flow.accepted()
    clock.advance(days=7)
    rows = client.get("/api/v1/staff/applications", headers=flow.make.headers(flow.approver)).json
    assert [r["id"] for r in rows] == [earlier, first]
