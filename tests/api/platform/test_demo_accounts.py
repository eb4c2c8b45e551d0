import json

from identity.demo import seed_demo_accounts


def test_demo_accounts_are_random_written_once_and_can_log_in(app, session, clock, client, tmp_path):
    from guides.services import load_sample_catalogue

    load_sample_catalogue(session, clock)  # the departments the demo staff belong to
    app.config["DEV_SEED_DEMO_ACCOUNTS"] = True
    path = tmp_path / "demo-credentials.json"
    assert seed_demo_accounts(session, clock, app, path).startswith("created")
    assert seed_demo_accounts(session, clock, app, path).startswith("present")
    creds = json.loads(path.read_text())
    admin = next(s for s in creds["staff"] if s["username"] == "demo.admin")
    assert len(admin["password"]) >= 12
    login = client.post("/api/v1/auth/staff/login", json={"username": "demo.admin", "password": admin["password"]})
    assert login.status_code == 200
    # an approver and an admin of every department of the catalogue, each able to log in
    usernames = {entry["username"] for entry in creds["staff"]}
    departments = {entry["department_code"] for entry in creds["staff"] if entry["department_code"]}
    assert len(departments) >= 10
    for code in departments:
        assert {f"demo.{code}.approver", f"demo.{code}.admin"} <= usernames
    gongan = next(s for s in creds["staff"] if s["username"] == "demo.gongan.admin")
    assert client.post("/api/v1/auth/staff/login", json={"username": "demo.gongan.admin",
                                                         "password": gongan["password"]}).status_code == 200
    kiosk = client.post("/api/v1/auth/kiosk/token", json={"device_code": creds["kiosk"]["device_code"],
                                                          "secret": creds["kiosk"]["secret"]})
    assert kiosk.status_code == 200


def test_no_demo_accounts_unless_asked(app, session, clock, tmp_path):
    app.config["DEV_SEED_DEMO_ACCOUNTS"] = False
    assert seed_demo_accounts(session, clock, app, tmp_path / "x.json").startswith("skipped")
    assert not (tmp_path / "x.json").exists()


def test_each_database_has_its_own_credentials_file():
    from identity.demo import CREDENTIALS_FILE, credentials_file

    assert credentials_file("postgresql+psycopg://postgres@127.0.0.1:5432/fingertip") == CREDENTIALS_FILE
    other = credentials_file("postgresql+psycopg://postgres@127.0.0.1:5432/city_two")
    assert other.name == "demo-credentials-city_two.json" and other.parent == CREDENTIALS_FILE.parent
