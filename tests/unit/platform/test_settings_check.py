"""The production settings check names every problem at once, without a traceback."""

import base64
import os
import subprocess
import sys
from pathlib import Path

from mobile_api.settings_check import EXIT_BAD_SETTINGS, check_environment, package_settings

from .test_config import GOOD_PROD

ROOT = Path(__file__).resolve().parents[3]


def _good_production_env() -> dict:
    env = dict(GOOD_PROD)
    for setting in package_settings():
        if setting.production_required:
            env[setting.name] = "configured-" + setting.name.lower() + "-" + "x" * 32
    env["SUBMISSIONS_CERT_SIGNING_KEY"] = base64.b64encode(bytes(range(32))).decode()  # an Ed25519 seed
    return env


def test_a_complete_production_environment_has_no_problems():
    config, problems = check_environment(_good_production_env())
    assert problems == []
    assert config.ENV_NAME == "production"


def test_every_missing_setting_is_named_in_one_line():
    config, problems = check_environment({"APP_ENV": "production"})
    missing_line = problems[0]
    assert missing_line.startswith("missing: ")
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DATA_ENCRYPTION_KEY", "JWT_SIGNING_KEYS",
                 "JWT_ACTIVE_KID"):
        assert name in missing_line
    for setting in package_settings():
        if setting.production_required:
            assert setting.name in missing_line


def test_invalid_values_are_all_reported_together():
    env = {**_good_production_env(), "SECRET_KEY": "short", "DATABASE_URL": "mysql://u@h/x",
           "ACCESS_TOKEN_TTL_SECONDS": "fifteen", "BOOKING_SLOT_MINUTES": "many"}
    _, problems = check_environment(env)
    text = "\n".join(problems)
    assert "SECRET_KEY" in text and "DATABASE_URL" in text
    assert "ACCESS_TOKEN_TTL_SECONDS" in text and "BOOKING_SLOT_MINUTES" in text
    assert len(problems) == 4


def test_testing_needs_only_its_servers():
    servers = {"DATABASE_URL": "postgresql+psycopg://u@127.0.0.1/t_test", "REDIS_URL": "redis://127.0.0.1:1/0"}
    _, problems = check_environment({"APP_ENV": "testing", **servers})
    assert problems == []
    _, problems = check_environment({"APP_ENV": "testing"})
    assert problems == ["missing: DATABASE_URL, REDIS_URL"]


def _run(args, env):
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "FLASK_APP": "wsgi:app"}
    return subprocess.run(args, cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120)


def test_production_start_up_lists_all_missing_settings_without_a_traceback():
    result = _run([sys.executable, "-c", "import wsgi"], {"APP_ENV": "production", "SECRET_KEY": "short"})
    assert result.returncode == EXIT_BAD_SETTINGS
    assert "Traceback" not in result.stderr
    assert "settings check failed for APP_ENV=production" in result.stderr
    for name in ("DATABASE_URL", "REDIS_URL", "DATA_ENCRYPTION_KEY", "JWT_SIGNING_KEYS",
                 "WECHAT_MINIPROGRAM_SECRET", "SUBMISSIONS_CERT_SIGNING_KEY"):
        assert name in result.stderr
    assert "SECRET_KEY must be at least 32 characters" in result.stderr


def test_flask_settings_check_passes_on_a_good_environment_and_fails_on_a_bad_one(tmp_path):
    good = _run([sys.executable, "-m", "flask", "settings", "--check"],
                {**_good_production_env(), "INSTANCE_DIR": str(tmp_path)})
    assert good.returncode == 0, good.stderr
    assert "settings check passed for APP_ENV=production" in good.stdout
    bad = _run([sys.executable, "-m", "flask", "settings", "--check"],
               {**_good_production_env(), "REDIS_URL": "", "INSTANCE_DIR": str(tmp_path)})
    assert bad.returncode == EXIT_BAD_SETTINGS
    assert "missing: REDIS_URL" in bad.stderr and "Traceback" not in bad.stderr
