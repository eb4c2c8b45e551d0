"""One flow through the Python client that `openapi-python-client` generates
from docs/openapi.snapshot.json, run against a live server
(tests/api/platform/test_python_client.py, `make client-check`).

A citizen logs in through the WeChat stand-in, submits an application with
three files in one multipart request (the typed `application` part built from
its generated model), retries with the same Idempotency-Key and gets the same
application back, then reads it with its materials. Every answer is parsed
by the generated models, so a field off the document (a missing required
field, a value outside its enum) fails the run.

    PYTHONPATH=<installed client> python clients/python/flow.py --base http://127.0.0.1:5123
"""

from __future__ import annotations

import argparse
import base64
import io
import sys
import time

from fingertip_services_api_client import AuthenticatedClient, Client
from fingertip_services_api_client.api.submissions import (submissions_get_my_application,
                                                           submissions_submit_with_materials)
from fingertip_services_api_client.api.wechat_auth import wechat_auth_miniprogram_login
from fingertip_services_api_client.models import (Application, ApplicationSubmitOnce, ApplicationSubmitOnceForm,
                                                  Problem, SubmissionsSubmitWithMaterialsBody, WeChatLogin,
                                                  WeChatLoginResult)
from fingertip_services_api_client.types import File

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAACgAAAAeCAIAAADRv8uKAAAALElEQVR4nO3NMQEAAAQAMATRP4pYKvg8W4HldMeHelnFY"
                       "rFYLBaLxWKxWHyyHdwBQE1gaCAAAAAASUVORK5CYII=")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
RUN = format(int(time.time() * 1000), "x")


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"check failed: {message}")


def answer(response, kind: type, what: str):
    """The parsed answer if it is of `kind`; otherwise stop, naming the problem."""
    if not isinstance(response.parsed, kind):
        problem = response.parsed.to_dict() if isinstance(response.parsed, Problem) else response.content[:300]
        raise SystemExit(f"{what}: HTTP {response.status_code} {problem}")
    return response.parsed


def citizen_client(base: str, user: str) -> AuthenticatedClient:
    login = wechat_auth_miniprogram_login.sync_detailed(
        client=Client(base_url=base), body=WeChatLogin(code=f"{user}-{RUN}:1"))
    tokens = answer(login, WeChatLoginResult, "wechat login")
    check(tokens.token_type.lower() == "bearer", "a bearer token")
    return AuthenticatedClient(base_url=base, token=tokens.access_token, headers={"X-Client-Channel": "app"})


def submission_body() -> SubmissionsSubmitWithMaterialsBody:
    form = ApplicationSubmitOnceForm.from_dict({"name": "张三", "id_number": "441900199003071238",
                                                "disability_cert_no": "44190019900307123X41", "reason": "有效期届满"})
    body = SubmissionsSubmitWithMaterialsBody(application=ApplicationSubmitOnce(item_code="130300020000", form=form))
    for code, content, name, mime in (("M01", PDF, "id.pdf", "application/pdf"),
                                      ("M02", PNG, "photo.png", "image/png"),
                                      ("M03", PDF, "certificate.pdf", "application/pdf")):
        body[f"files.{code}"] = File(payload=io.BytesIO(content), file_name=name, mime_type=mime)
    return body


def one_request_submission(base: str) -> None:
    client = citizen_client(base, "erin")
    key = f"py-submit-{RUN}"
    sent = submissions_submit_with_materials.sync_detailed(client=client, body=submission_body(), idempotency_key=key)
    submitted = answer(sent, Application, "one-request submission")
    check(sent.status_code == 201 and submitted.status == "submitted", "submitted in one request")
    again = submissions_submit_with_materials.sync_detailed(client=client, body=submission_body(), idempotency_key=key)
    check(answer(again, Application, "retry").id == submitted.id, "a retry gets the same application")
    check(again.headers.get("Idempotent-Replayed") == "true", "the retry is marked as replayed")
    read = answer(submissions_get_my_application.sync_detailed(application_id=submitted.id, client=client),
                  Application, "read back")
    check(len(read.files) == 3 and {m.code for m in read.materials} >= {"M01", "M02", "M03"},
          "the three files are attached to their materials")
    print(f"python client: application {read.id} is {read.status} with {len(read.files)} files")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the live server, e.g. http://127.0.0.1:5123")
    one_request_submission(parser.parse_args().base)


if __name__ == "__main__":
    sys.exit(main())
