"""The face models load lazily, once per process: building the app does not
load them, the first check does, and later checks reuse them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
from config import load_config
from mobile_api import create_app
from identity.face import engine
create_app(load_config("testing", {"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/never_test",
                                   "REDIS_URL": "redis://127.0.0.1:1/0", "LOG_LEVEL": "ERROR"}))
assert not engine.models_loaded(), "create_app loaded the face models"
first = engine.get_models()
assert engine.get_models() is first
import sys
assert "face_recognition" not in sys.modules, "the full face_recognition module (all its models) was imported"
print("lazy-ok")
"""


def test_models_load_lazily_once_and_without_face_recognitions_extra_models():
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "lazy-ok" in result.stdout, result.stderr[-2000:]
