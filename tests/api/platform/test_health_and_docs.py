import redis
from openapi_spec_validator import validate

from mobile_api import create_app


def test_health(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_ready_when_everything_is_up(client):
    response = client.get("/api/v1/ready")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "ok"}


def test_ready_is_503_naming_redis_when_redis_is_unreachable(app_config, database, db_connection, clock):
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, socket_timeout=0.2,
                       decode_responses=True)
    app = create_app(app_config, clock=clock, redis_client=dead, database=database)
    response = app.test_client().get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "ok", "redis": "unreachable"}
    assert response.headers["Retry-After"]


def test_a_write_that_needs_redis_fails_with_a_clear_503(app_config, database, db_connection, clock):
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, socket_timeout=0.2,
                       decode_responses=True)
    app = create_app(app_config, clock=clock, redis_client=dead, database=database)

    @app.post("/api/v1/_needs_redis")
    def needs_redis():
        app.extensions["redis"].incr("x")
        return {}

    response = app.test_client().post("/api/v1/_needs_redis")
    assert response.status_code == 503
    assert response.json["code"] == "platform.redis_unavailable"


def test_openapi_document_is_valid_openapi_3_and_documents_errors(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    login = spec["paths"]["/api/v1/auth/staff/login"]["post"]
    assert {"200", "401", "422"} <= set(login["responses"])
    whoami = spec["paths"]["/api/v1/auth/whoami"]["get"]
    assert whoami["security"] == [{"bearerAuth": []}]
    assert whoami["summary"]  # one-line docstrings become summaries


def test_docs_page_and_its_assets_are_served_locally(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"/api/v1/docs/assets/swagger-ui-bundle.js" in page.data
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 10_000
