"""Issue 16, item 12: the production recipe wrote `fingertip.env` (every
secret) into the work tree, where nothing kept it out of a commit."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _recipe_path() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"FINGERTIP_ENV=\$\{FINGERTIP_ENV:-([^}]+)\}", readme)
    assert match, "the README's recipe names where the secrets go"
    assert '> "$FINGERTIP_ENV"' in readme and '. "$FINGERTIP_ENV"' in readme
    assert "> fingertip.env" not in readme and ". ./fingertip.env" not in readme
    return match.group(1)


def test_the_secrets_file_goes_under_instance_by_default():
    assert _recipe_path() == "instance/fingertip.env"


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git work tree")
@pytest.mark.parametrize("path", ["instance/fingertip.env", "fingertip.env", "deploy/prod.env"])
def test_git_ignores_every_secrets_file(path):
    result = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=ROOT)
    assert result.returncode == 0, f"{path} is not ignored"
