import json

from identity.demo import seed_demo_accounts


def test_demo_accounts_are_random_written_once_and_can_log_in(app, session, clock, client, tmp_path):
    app.config["DEV_SEED_DEMO_ACCOUNTS"] = True
    path = tmp_path / "demo-credentials.json"
    assert seed_demo_accounts(session, clock, app, path).startswith("created")
    assert seed_demo_accounts(session, clock, app, path).startswith("present")
    creds = json.loads(path.read_text())
    admin = next(s for s in creds["staff"] if s["username"] == "demo.admin")
    assert len(admin["password"]) >= 12
    login = client.post("/api/v1/auth/staff/login", json={"username": "demo.admin", "password": admin["password"]})
    assert login.status_code == 200
    kiosk = client.post("/api/v1/auth/kiosk/token", json={"device_code": creds["kiosk"]["device_code"],
                                                          "secret": creds["kiosk"]["secret"]})
    assert kiosk.status_code == 200


def test_no_demo_accounts_unless_asked(app, session, clock, tmp_path):
    app.config["DEV_SEED_DEMO_ACCOUNTS"] = False
    assert seed_demo_accounts(session, clock, app, tmp_path / "x.json").startswith("skipped")
    assert not (tmp_path / "x.json").exists()
